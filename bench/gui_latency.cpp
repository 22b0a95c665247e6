// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// gui_latency.cpp — GUI responsiveness while the same loop serves echo at full load.
//
//   gui_latency [--server qaio-protocol|qaio-streams|qt|none] [--backend epoll|qt]
//               [--warmup 1] [--duration 3] [--port 0]
//
// A QGuiApplication (QT_QPA_PLATFORM=offscreen unless set) whose main thread
// runs one qaio::Loop. On that thread:
//   - a 60 Hz frame tick: a repeating QTimer (Qt::PreciseTimer, 16 ms); a
//     tick's lateness is its fire time minus its due time (Qt's rule: the
//     previous due time + 16 ms, or now + 16 ms after a tick was missed);
//   - input: a helper thread posts a QEvent every millisecond (as the
//     windowing system would deliver input) stamped with its post time; its
//     lateness is when the receiver handles it minus that stamp;
//   - the echo server: qaio's protocol API or streams API, or plain Qt
//     (QTcpServer + QTcpSocket readyRead), or none (the idle baseline).
// bench/loadgen drives the echo server meanwhile (another process, another
// core). After `warmup` s the samples of `duration` s are kept; then it prints
// one JSON line with frame and input lateness p50/p99/max in microseconds.
#include "net.h"

#include <qaio/loop.h>
#include <qaio/server.h>
#include <qaio/streams.h>
#include <qaio/task.h>
#include <qaio/transports.h>

#include <QtCore/qcoreevent.h>
#include <QtCore/qtimer.h>
#include <QtGui/qguiapplication.h>
#include <QtNetwork/qtcpserver.h>
#include <QtNetwork/qtcpsocket.h>

#include <atomic>
#include <thread>

namespace {

constexpr int kFrameMs = 16; // QTimer counts milliseconds: 60 Hz is 16 ms here
const auto kInputEvent = QEvent::Type(QEvent::User + 1);

struct InputEvent : QEvent
{
    explicit InputEvent(double posted) : QEvent(kInputEvent), posted(posted) {}
    double posted;
};

// Collects lateness samples inside the measurement window.
struct Samples
{
    double from = 0, to = 0;
    std::vector<double> frame, input;
    bool keep(double now) const { return now >= from && now < to; }
};

class InputReceiver : public QObject
{
public:
    explicit InputReceiver(Samples &samples) : m_samples(samples) {}
    bool event(QEvent *e) override
    {
        if (e->type() != kInputEvent)
            return QObject::event(e);
        const double now = bench::wallNow();
        if (m_samples.keep(now))
            m_samples.input.push_back(now - static_cast<InputEvent *>(e)->posted);
        return true;
    }

private:
    Samples &m_samples;
};

class EchoProtocol : public qaio::Protocol
{
public:
    void connectionMade(qaio::BaseTransport *t) override { m_transport = dynamic_cast<qaio::Transport *>(t); }
    void dataReceived(const QByteArray &data) override { m_transport->write(data); }

private:
    qaio::Transport *m_transport = nullptr;
};

qaio::Coro<void> echoClient(qaio::StreamReader reader, qaio::StreamWriter writer)
{
    bench::tuneSocket(writer.getExtraInfo(QStringLiteral("socket")).toInt());
    try {
        for (;;) {
            QByteArray data = co_await reader.read(64 * 1024);
            if (data.isEmpty())
                break;
            writer.write(data);
            co_await writer.drain();
        }
    } catch (const std::system_error &) {
        // the load generator reset the connection when it finished
    }
    writer.close();
}

qaio::Coro<std::shared_ptr<qaio::Server>> startQaio(qaio::Loop &loop, bool streams, int port)
{
    const qaio::ServerOptions options{.backlog = 1024};
    std::shared_ptr<qaio::Server> server;
    if (streams) {
        server = co_await qaio::startServer(echoClient, QStringLiteral("127.0.0.1"), quint16(port),
                                            qaio::kDefaultStreamLimit, options);
        bench::Json().add("port", double(server->sockets().value(0).port())).print();
    } else {
        std::vector<qaio::Socket> sockets;
        sockets.emplace_back(bench::listenLoopback(port));
        auto factory = [] { return std::make_shared<EchoProtocol>(); };
        server = co_await qaio::createServer(loop, factory, std::move(sockets), options);
    }
    co_return server;
}

double maxOf(const std::vector<double> &v)
{
    return v.empty() ? 0 : *std::max_element(v.begin(), v.end());
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    const bench::Args args(argc, argv);
    bench::raiseFileLimit();
    const std::string serverKind = args.str("server", "qaio-protocol");
    const bool qtBackend = args.str("backend", "epoll") == "qt";
    const int port = int(args.num("port", 0));
    qaio::Loop loop(qaio::LoopOptions{.backend = qtBackend ? qaio::LoopBackend::Qt
                                                           : qaio::LoopBackend::Epoll});

    // The echo server.
    std::shared_ptr<qaio::Server> qaioServer;
    QTcpServer qtServer;
    if (serverKind == "qaio-protocol" || serverKind == "qaio-streams") {
        qaioServer = loop.runUntilComplete(startQaio(loop, serverKind == "qaio-streams", port));
    } else if (serverKind == "qt") {
        bench::require(qtServer.listen(QHostAddress::LocalHost, quint16(port)), "QTcpServer::listen");
        setsockopt(int(qtServer.socketDescriptor()), IPPROTO_TCP, TCP_CONGESTION, "cubic", 5);
        QObject::connect(&qtServer, &QTcpServer::newConnection, &qtServer, [&qtServer] {
            while (QTcpSocket *s = qtServer.nextPendingConnection()) {
                s->setSocketOption(QAbstractSocket::LowDelayOption, 1);
                QObject::connect(s, &QTcpSocket::readyRead, s, [s] { s->write(s->readAll()); });
                QObject::connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
            }
        });
        bench::Json().add("port", double(qtServer.serverPort())).print();
    } else {
        bench::require(serverKind == "none", "--server is qaio-protocol, qaio-streams, qt or none");
        bench::Json().add("port", 0.0).print();
    }

    Samples samples;
    const double start = bench::wallNow();
    samples.from = start + args.num("warmup", 1);
    samples.to = samples.from + args.num("duration", 3);

    // The 60 Hz frame tick.
    QTimer frame;
    frame.setTimerType(Qt::PreciseTimer);
    frame.setInterval(kFrameMs);
    double due = bench::wallNow() + kFrameMs / 1000.0;
    QObject::connect(&frame, &QTimer::timeout, [&] {
        const double now = bench::wallNow();
        if (samples.keep(now))
            samples.frame.push_back(now - due);
        due += kFrameMs / 1000.0;
        if (due < now)
            due = now + kFrameMs / 1000.0;
        if (now >= samples.to + 0.5) // the load generator started a little later
            loop.stop();
    });
    frame.start();

    // Input: one posted event per millisecond from another thread.
    InputReceiver receiver(samples);
    std::atomic<bool> stop{false};
    std::thread input([&] {
        timespec next{};
        clock_gettime(CLOCK_MONOTONIC, &next);
        while (!stop.load(std::memory_order_relaxed)) {
            next.tv_nsec += 1'000'000;
            if (next.tv_nsec >= 1'000'000'000) {
                next.tv_nsec -= 1'000'000'000;
                ++next.tv_sec;
            }
            clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr);
            QCoreApplication::postEvent(&receiver, new InputEvent(bench::wallNow()));
        }
    });

    loop.runForever();
    stop = true;
    input.join();
    bench::Json()
        .add("bench", "gui_latency")
        .add("server", serverKind)
        .add("frames", double(samples.frame.size()))
        .add("inputs", double(samples.input.size()))
        .add("frame_p50_us", bench::percentile(samples.frame, 50) * 1e6)
        .add("frame_p99_us", bench::percentile(samples.frame, 99) * 1e6)
        .add("frame_max_us", maxOf(samples.frame) * 1e6)
        .add("input_p50_us", bench::percentile(samples.input, 50) * 1e6)
        .add("input_p99_us", bench::percentile(samples.input, 99) * 1e6)
        .add("input_max_us", maxOf(samples.input) * 1e6)
        .print();
    std::_Exit(0); // skip tearing down thousands of connections
}
