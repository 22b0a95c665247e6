// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// flagship.h — the flagship demo as a library: its services, its QML window
// and the drivers that run it unattended (demo.sh, tests, --measure).
//
// Everything runs on the GUI thread's one qaio loop: a chat server with its
// clients, a child process, a CPU-bound job on the executor and a
// search-as-you-type field, while FrameMonitor measures frame lateness.
#pragma once

#include "chatservice.h"
#include "framemonitor.h"
#include "primeservice.h"
#include "processservice.h"
#include "searchservice.h"

#include <QtCore/QObject>

#include <memory>

QT_BEGIN_NAMESPACE
class QQmlApplicationEngine;
class QQuickItem;
class QQuickWindow;
QT_END_NAMESPACE

namespace flagship {

struct Options
{
    int bots = 3;                // chat clients that talk on their own
    double searchLatency = 0.12; // seconds the lookup server takes per query
    qint64 primeLimit = 3'000'000;
    // Workloads not to start ("chat", "process", "primes", "search"): to see
    // what each one costs the frame lateness (--without).
    QStringList without = {};
};

// What the unattended run saw, for the summary and the tests.
struct Report
{
    int chatReceived = 0, chatSent = 0, chatClients = 0;
    int processLines = 0;
    int primeJobsCompleted = 0, primeJobsCancelled = 0, primeChunks = 0;
    qint64 primesFound = 0;
    int lookupsStarted = 0, lookupsCancelled = 0, lookupsCompleted = 0;
    QStringList searchResults;
    LatenessStats lateness;
    LatenessStats render; // time per frame spent rendering on the GUI thread
    int frames = 0;
    QString format() const;
};

class Flagship : public QObject
{
    Q_OBJECT

public:
    explicit Flagship(qaio::Loop &loop, Options options = {}, QObject *parent = nullptr);
    ~Flagship() override;

    // Loads the QML window (the services are its required properties).
    // Returns false (and logs why) if QML failed to load.
    bool load();
    QQuickWindow *window() const { return m_window; }
    QQmlApplicationEngine *engine() const { return m_engine.get(); }
    QQuickItem *item(const QString &objectName) const;

    // Starts every service and the frame monitor; returns at once.
    void start();
    // Graceful shutdown: cancels every task, waits for them, closes the servers.
    qaio::Coro<void> stop();

    // Drives the window like a user for about `seconds`: types into the
    // search field keystroke by keystroke, sends chat lines, starts and
    // cancels prime jobs. Returns what it saw.
    qaio::Coro<Report> exercise(double seconds);
    // Types `text` into `item` with real key events, `interval` s apart.
    static qaio::Coro<void> typeText(QQuickWindow *window, QQuickItem *item, QString text, double interval);
    // Clicks the centre of `item` with real mouse events.
    static void click(QQuickWindow *window, QQuickItem *item);

    Report report() const;
    bool saveScreenshot(const QString &path) const;

    ChatService *chat() const { return m_chat; }
    ProcessService *process() const { return m_process; }
    PrimeService *primes() const { return m_primes; }
    SearchService *search() const { return m_search; }
    FrameMonitor *frames() const { return m_frames; }

private:
    qaio::Loop &m_loop;
    Options m_options;
    ChatService *m_chat;
    ProcessService *m_process;
    PrimeService *m_primes;
    SearchService *m_search;
    FrameMonitor *m_frames;
    std::unique_ptr<QQmlApplicationEngine> m_engine;
    QQuickWindow *m_window = nullptr;
    bool m_started = false;
};

} // namespace flagship
