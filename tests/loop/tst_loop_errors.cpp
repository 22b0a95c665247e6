// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_loop_errors — misuse throws asyncio's exceptions with clear messages;
// errors nobody handles reach the exception handler, whose default logs
// through the "qaio" category; debug mode's slow-callback warning.
#include "testutil.h"

#include <qaio/loop.h>

#include <QtCore/QEventLoop>
#include <QtCore/QTimer>
#include <QtTest/QtTest>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <system_error>
#include <vector>

using namespace qaio;
using namespace std::chrono_literals;

namespace {
constexpr double NaN = std::numeric_limits<double>::quiet_NaN();
constexpr double Inf = std::numeric_limits<double>::infinity();

struct Recorded
{
    Loop *loop = nullptr;
    QString message;
    QString exception; // testutil::describe() of context.exception
    Handle handle;
    FutureBase future;
    QVariantMap extra;
};
} // namespace

class TestLoopErrors : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // ---- misuse ----
    void runForeverInsideCallbackThrows();
    void runUntilCompleteInsideCallbackThrows();
    void runningAnotherLoopInsideCallbackThrows();
    void closingARunningLoopThrows();
    void closingALoopDrivenByQtInsideCallbackThrows();
    void schedulingOnAClosedLoopThrows();
    void runningAClosedLoopThrows();
    void nonFiniteDelaysThrow();
    void negativeFdThrows();
    void invalidFdThrowsSystemError();
    void slowCallbackDurationMustBeFiniteAndNonNegative();
    void futureMisuseThrows();

    // ---- the exception handler ----
    void exceptionInCallbackReachesHandler();
    void exceptionInTimerCallbackReachesHandler();
    void exceptionDoesNotSkipTheRestOfTheBatch();
    void nonStdExceptionReachesHandler();
    void exceptionInDoneCallbackReachesHandler();
    void defaultHandlerLogsThroughQaioCategory();
    void handlerThatThrowsIsReportedByDefaultHandler();
    void getExceptionHandlerReturnsWhatWasSet();
    void callExceptionHandlerPassesCustomContext();
    void defaultExceptionHandlerLogsEveryField();
    void futureExceptionNeverRetrievedIsReported();
    void futureExceptionNeverRetrievedIsLoggedByDefault();
    void retrievedFutureExceptionIsNotReported();

    // ---- debug mode ----
    void slowCallbackIsReported();
    void slowCallbackIsNotReportedWithoutDebug();
    void debugFromEnvironment();
};

// ------------------------------------------------------------------ misuse

void TestLoopErrors::runForeverInsideCallbackThrows()
{
    Loop loop;
    QString error;
    bool stillRunning = false;
    loop.callSoon([&] {
        error = testutil::whatOf<RuntimeError>([&] { loop.runForever(); });
        stillRunning = loop.isRunning();
        loop.stop();
    });
    QVERIFY(testutil::runWithTimeout(loop));
    QAIO_VERIFY_CONTAINS(error, "This event loop is already running");
    QVERIFY(stillRunning);
}

void TestLoopErrors::runUntilCompleteInsideCallbackThrows()
{
    Loop loop;
    QString error;
    Future<int> f = loop.createFuture<int>();
    loop.callSoon([&] {
        error = testutil::whatOf<RuntimeError>([&] { loop.runUntilComplete(f); });
        loop.stop();
    });
    QVERIFY(testutil::runWithTimeout(loop));
    QAIO_VERIFY_CONTAINS(error, "already running");
    // The failed call left no stopping callback behind on the future.
    QCOMPARE(f.statePtr()->callbacks.size(), std::size_t(0));
}

void TestLoopErrors::runningAnotherLoopInsideCallbackThrows()
{
    Loop loop;
    Loop other;
    QString runError;
    QString completeError;
    bool otherRan = false;
    other.callSoon([&] { otherRan = true; });
    loop.callSoon([&] {
        runError = testutil::whatOf<RuntimeError>([&] { other.runForever(); });
        completeError = testutil::whatOf<RuntimeError>(
            [&] { other.runUntilComplete(other.createFuture<int>()); });
        loop.stop();
    });
    QVERIFY(testutil::runWithTimeout(loop));
    QAIO_VERIFY_CONTAINS(runError, "Cannot run the event loop while another loop is running");
    QAIO_VERIFY_CONTAINS(completeError, "another loop is running");
    QVERIFY(!other.isRunning());
    // Once the first loop is done, the other one runs normally.
    other.callSoon([&] { other.stop(); });
    QVERIFY(testutil::runWithTimeout(other));
    QVERIFY(otherRan);
}

void TestLoopErrors::closingARunningLoopThrows()
{
    Loop loop;
    QString error;
    bool later = false;
    loop.callSoon([&] {
        error = testutil::whatOf<RuntimeError>([&] { loop.close(); });
        loop.callSoon([&] {
            later = true;
            loop.stop();
        });
    });
    QVERIFY(testutil::runWithTimeout(loop));
    QAIO_VERIFY_CONTAINS(error, "Cannot close a running event loop");
    QVERIFY(!loop.isClosed());
    QVERIFY(later);
    loop.close();
    QVERIFY(loop.isClosed());
}

void TestLoopErrors::closingALoopDrivenByQtInsideCallbackThrows()
{
    Loop loop;
    QEventLoop qtLoop;
    QString error;
    loop.callSoon([&] {
        error = testutil::whatOf<RuntimeError>([&] { loop.close(); });
        qtLoop.quit();
    });
    QTimer::singleShot(5000, &qtLoop, [&] { qtLoop.exit(1); });
    QCOMPARE(qtLoop.exec(), 0);
    QAIO_VERIFY_CONTAINS(error, "Cannot close a running event loop");
    QVERIFY(!loop.isClosed());
}

void TestLoopErrors::schedulingOnAClosedLoopThrows()
{
    Loop loop;
    loop.close();
    QVERIFY(loop.isClosed());
    QAIO_VERIFY_THROWS(RuntimeError, "Event loop is closed", loop.callSoon([] {}));
    QAIO_VERIFY_THROWS(RuntimeError, "Event loop is closed", loop.callSoonThreadsafe([] {}));
    QAIO_VERIFY_THROWS(RuntimeError, "Event loop is closed", loop.callLater(0.1, [] {}));
    QAIO_VERIFY_THROWS(RuntimeError, "Event loop is closed", loop.callLater(10ms, [] {}));
    QAIO_VERIFY_THROWS(RuntimeError, "Event loop is closed", loop.callAt(loop.time(), [] {}));
    QAIO_VERIFY_THROWS(RuntimeError, "Event loop is closed", loop.addReader(0, [] {}));
    QAIO_VERIFY_THROWS(RuntimeError, "Event loop is closed", loop.addWriter(1, [] {}));
    QVERIFY(!loop.removeReader(0));
    QVERIFY(!loop.removeWriter(1));
    // A future of a closed loop cannot schedule its callbacks either.
    Future<int> f = loop.createFuture<int>();
    f.setResult(1);
    QAIO_VERIFY_THROWS(RuntimeError, "Event loop is closed",
                       f.addDoneCallback([](const FutureBase &) {}));
    loop.close(); // twice: nothing happens
    QVERIFY(loop.isClosed());
}

void TestLoopErrors::runningAClosedLoopThrows()
{
    Loop loop;
    Future<int> f = loop.createFuture<int>();
    loop.close();
    QAIO_VERIFY_THROWS(RuntimeError, "Event loop is closed", loop.runForever());
    QAIO_VERIFY_THROWS(RuntimeError, "Event loop is closed", loop.runUntilComplete(f));
    QVERIFY(!loop.isRunning());
    loop.stop(); // harmless on a closed loop
}

void TestLoopErrors::nonFiniteDelaysThrow()
{
    Loop loop;
    bool ran = false;
    auto cb = [&] { ran = true; };
    QAIO_VERIFY_THROWS(ValueError, "callLater(): delay must be a finite number",
                       loop.callLater(NaN, cb));
    QAIO_VERIFY_THROWS(ValueError, "callLater(): delay must be a finite number",
                       loop.callLater(Inf, cb));
    QAIO_VERIFY_THROWS(ValueError, "finite", loop.callLater(-Inf, cb));
    QAIO_VERIFY_THROWS(ValueError, "callAt(): when must be a finite number", loop.callAt(NaN, cb));
    QAIO_VERIFY_THROWS(ValueError, "callAt(): when must be a finite number", loop.callAt(Inf, cb));
    QAIO_VERIFY_THROWS(ValueError, "finite", loop.callAt(-Inf, cb));
    QAIO_VERIFY_THROWS(ValueError, "finite",
                       loop.callLater(std::chrono::duration<double>(NaN), cb));
    QAIO_VERIFY_THROWS(ValueError, "nan", loop.callLater(NaN, cb));
    QAIO_VERIFY_THROWS(ValueError, "inf", loop.callAt(Inf, cb));
    // Nothing was scheduled.
    loop.callSoon([&] { loop.stop(); });
    QVERIFY(testutil::runWithTimeout(loop));
    QVERIFY(!ran);
}

void TestLoopErrors::negativeFdThrows()
{
    Loop loop;
    QAIO_VERIFY_THROWS(ValueError, "Invalid file descriptor: -1", loop.addReader(-1, [] {}));
    QAIO_VERIFY_THROWS(ValueError, "Invalid file descriptor: -5", loop.addWriter(-5, [] {}));
    QVERIFY(!loop.removeReader(-1));
    QVERIFY(!loop.removeWriter(-5));
}

void TestLoopErrors::invalidFdThrowsSystemError()
{
    Loop loop;
    // A descriptor number that is certainly not open.
    const int bad = 987654;
    bool threw = false;
    try {
        loop.addReader(bad, [] {});
    } catch (const std::system_error &e) {
        threw = true;
        QCOMPARE(e.code().value(), EBADF);
    }
    QVERIFY(threw);
    QVERIFY(!loop.removeReader(bad)); // nothing was registered
    // The loop is not damaged.
    loop.callSoon([&] { loop.stop(); });
    QVERIFY(testutil::runWithTimeout(loop));
}

void TestLoopErrors::slowCallbackDurationMustBeFiniteAndNonNegative()
{
    Loop loop;
    QCOMPARE(loop.slowCallbackDuration(), 0.1);
    QAIO_VERIFY_THROWS(ValueError, "slowCallbackDuration", loop.setSlowCallbackDuration(-1));
    QAIO_VERIFY_THROWS(ValueError, "slowCallbackDuration", loop.setSlowCallbackDuration(NaN));
    QAIO_VERIFY_THROWS(ValueError, "slowCallbackDuration", loop.setSlowCallbackDuration(Inf));
    QCOMPARE(loop.slowCallbackDuration(), 0.1);
    loop.setSlowCallbackDuration(0);
    QCOMPARE(loop.slowCallbackDuration(), 0.0);
    loop.setSlowCallbackDuration(0.25);
    QCOMPARE(loop.slowCallbackDuration(), 0.25);
}

void TestLoopErrors::futureMisuseThrows()
{
    Loop loop;
    Future<int> f(loop);
    QAIO_VERIFY_THROWS(InvalidStateError, "Result is not ready.", f.result());
    f.setResult(1);
    QAIO_VERIFY_THROWS(InvalidStateError, "setResult() called on a future that is already done",
                       f.setResult(2));
    QAIO_VERIFY_THROWS(InvalidStateError,
                       "setException() called on a future that is already done",
                       f.setException(std::runtime_error("x")));
    QCOMPARE(f.result(), 1);
}

// ------------------------------------------------------------------ handler

void TestLoopErrors::exceptionInCallbackReachesHandler()
{
    Loop loop;
    std::vector<Recorded> calls;
    bool rethrownAsDomainError = false;
    loop.setExceptionHandler([&](Loop &l, const ExceptionContext &context) {
        calls.push_back({&l, context.message, testutil::describe(context.exception),
                         context.handle, context.future, context.extra});
        try {
            std::rethrow_exception(context.exception);
        } catch (const std::domain_error &e) {
            rethrownAsDomainError = QLatin1StringView(e.what()) == QLatin1StringView("callback failed");
        }
    });
    Handle failing = loop.callSoon([] { throw std::domain_error("callback failed"); });
    bool later = false;
    loop.callSoon([&] {
        loop.callSoon([&] {
            later = true;
            loop.stop();
        });
    });
    QVERIFY(testutil::runWithTimeout(loop));
    QVERIFY(later); // the loop kept running
    QCOMPARE(int(calls.size()), 1);
    const Recorded &r = calls.front();
    QCOMPARE(r.loop, &loop);
    QVERIFY2(r.message.startsWith(QLatin1StringView("Exception in callback")), qPrintable(r.message));
    QAIO_VERIFY_CONTAINS(r.message, "exceptionInCallbackReachesHandler");
    QAIO_VERIFY_CONTAINS(r.exception, "callback failed");
    QVERIFY(rethrownAsDomainError);
    QVERIFY(!r.handle.isNull());
    QVERIFY(r.handle == failing);
    QVERIFY(!r.future.isValid());
}

void TestLoopErrors::exceptionInTimerCallbackReachesHandler()
{
    Loop loop;
    Handle seen;
    QString what;
    loop.setExceptionHandler([&](Loop &, const ExceptionContext &context) {
        seen = context.handle;
        what = testutil::describe(context.exception);
    });
    TimerHandle timer = loop.callLater(0.001, [] { throw ValueError("timer failed"); });
    loop.callLater(0.003, [&] { loop.stop(); });
    QVERIFY(testutil::runWithTimeout(loop));
    QVERIFY(seen == timer);
    QAIO_VERIFY_CONTAINS(what, "timer failed");
}

void TestLoopErrors::exceptionDoesNotSkipTheRestOfTheBatch()
{
    Loop loop;
    std::vector<int> seq;
    int errors = 0;
    loop.setExceptionHandler([&](Loop &, const ExceptionContext &) {
        ++errors;
        seq.push_back(0);
    });
    loop.callSoon([&] {
        seq.push_back(1);
        throw std::runtime_error("first");
    });
    loop.callSoon([&] { seq.push_back(2); });
    loop.callSoon([&] {
        seq.push_back(3);
        throw std::runtime_error("third");
    });
    loop.stop();
    loop.runForever(); // one batch: all three ran in it
    QCOMPARE(seq, (std::vector<int>{1, 0, 2, 3, 0}));
    QCOMPARE(errors, 2);
}

void TestLoopErrors::nonStdExceptionReachesHandler()
{
    Loop loop;
    int value = 0;
    loop.setExceptionHandler([&](Loop &, const ExceptionContext &context) {
        try {
            std::rethrow_exception(context.exception);
        } catch (int v) {
            value = v;
        }
    });
    loop.callSoon([] { throw 42; });
    loop.stop();
    loop.runForever();
    QCOMPARE(value, 42);

    // The default handler names it too.
    loop.setExceptionHandler({});
    testutil::MessageCapture capture;
    loop.callSoon([] { throw 43; });
    loop.stop();
    loop.runForever();
    QVERIFY2(!capture.qaio(QtCriticalMsg, {QStringLiteral("Exception in callback"),
                                           QStringLiteral("unknown exception")})
                  .isEmpty(),
             qPrintable(capture.dump()));
}

void TestLoopErrors::exceptionInDoneCallbackReachesHandler()
{
    Loop loop;
    QString message;
    QString what;
    loop.setExceptionHandler([&](Loop &, const ExceptionContext &context) {
        message = context.message;
        what = testutil::describe(context.exception);
    });
    Future<int> f(loop);
    f.addDoneCallback([](const FutureBase &) { throw std::logic_error("done callback failed"); });
    f.setResult(1);
    loop.stop();
    loop.runForever();
    QAIO_VERIFY_CONTAINS(message, "Exception in callback");
    QAIO_VERIFY_CONTAINS(what, "done callback failed");
}

void TestLoopErrors::defaultHandlerLogsThroughQaioCategory()
{
    Loop loop;
    QVERIFY(!loop.getExceptionHandler());
    testutil::MessageCapture capture;
    Handle h = loop.callSoon([] { throw std::out_of_range("logged failure"); });
    loop.callSoon([&] { loop.callSoon([&] { loop.stop(); }); });
    QVERIFY(testutil::runWithTimeout(loop));
    const QList<testutil::LogEntry> logged =
        capture.qaio(QtCriticalMsg, {QStringLiteral("Exception in callback")});
    QVERIFY2(logged.size() == 1, qPrintable(capture.dump()));
    const QString text = logged.front().message;
    QAIO_VERIFY_CONTAINS(text, "defaultHandlerLogsThroughQaioCategory");
    QAIO_VERIFY_CONTAINS(text, "std::out_of_range");
    QAIO_VERIFY_CONTAINS(text, "logged failure");
    QAIO_VERIFY_CONTAINS(text, "handle: <Handle");
}

void TestLoopErrors::handlerThatThrowsIsReportedByDefaultHandler()
{
    Loop loop;
    int handlerCalls = 0;
    loop.setExceptionHandler([&](Loop &, const ExceptionContext &) {
        ++handlerCalls;
        throw std::runtime_error("handler broke");
    });
    testutil::MessageCapture capture;
    loop.callSoon([] { throw std::runtime_error("original"); });
    bool later = false;
    loop.callSoon([&] {
        loop.callSoon([&] {
            later = true;
            loop.stop();
        });
    });
    QVERIFY(testutil::runWithTimeout(loop));
    QVERIFY(later);
    QCOMPARE(handlerCalls, 1);
    const QList<testutil::LogEntry> logged =
        capture.qaio(QtCriticalMsg, {QStringLiteral("Unhandled error in exception handler")});
    QVERIFY2(logged.size() == 1, qPrintable(capture.dump()));
    QAIO_VERIFY_CONTAINS(logged.front().message, "handler broke");
    QAIO_VERIFY_CONTAINS(logged.front().message, "Exception in callback"); // the original context
}

void TestLoopErrors::getExceptionHandlerReturnsWhatWasSet()
{
    Loop loop;
    QVERIFY(!loop.getExceptionHandler());
    int marker = 0;
    loop.setExceptionHandler([&](Loop &, const ExceptionContext &context) {
        marker = context.message.toInt();
    });
    ExceptionHandler got = loop.getExceptionHandler();
    QVERIFY(bool(got));
    ExceptionContext context;
    context.message = QStringLiteral("17");
    got(loop, context);
    QCOMPARE(marker, 17);

    // An empty handler restores the default, which logs instead.
    loop.setExceptionHandler({});
    QVERIFY(!loop.getExceptionHandler());
    testutil::MessageCapture capture;
    context.message = QStringLiteral("23");
    loop.callExceptionHandler(context);
    QCOMPARE(marker, 17);
    QVERIFY2(capture.qaio(QtCriticalMsg, {QStringLiteral("23")}).size() == 1,
             qPrintable(capture.dump()));
}

void TestLoopErrors::callExceptionHandlerPassesCustomContext()
{
    Loop loop;
    std::vector<Recorded> calls;
    loop.setExceptionHandler([&](Loop &l, const ExceptionContext &context) {
        calls.push_back({&l, context.message, testutil::describe(context.exception),
                         context.handle, context.future, context.extra});
    });
    Future<int> f(loop);
    Handle h = loop.callSoon([] {});
    ExceptionContext context;
    context.message = QStringLiteral("custom problem");
    context.exception = std::make_exception_ptr(TimeoutError(QStringLiteral("too slow")));
    context.handle = h;
    context.future = f;
    context.extra.insert(QStringLiteral("socket"), QStringLiteral("fd 7"));
    context.extra.insert(QStringLiteral("count"), 3);
    loop.callExceptionHandler(context);
    QCOMPARE(int(calls.size()), 1);
    const Recorded &r = calls.front();
    QCOMPARE(r.loop, &loop);
    QCOMPARE(r.message, QStringLiteral("custom problem"));
    QAIO_VERIFY_CONTAINS(r.exception, "too slow");
    QVERIFY(r.handle == h);
    QVERIFY(r.future == f);
    QCOMPARE(r.extra.value(QStringLiteral("socket")).toString(), QStringLiteral("fd 7"));
    QCOMPARE(r.extra.value(QStringLiteral("count")).toInt(), 3);
    h.cancel();
}

void TestLoopErrors::defaultExceptionHandlerLogsEveryField()
{
    Loop loop;
    // Even with a custom handler set, defaultExceptionHandler() logs.
    bool custom = false;
    loop.setExceptionHandler([&](Loop &, const ExceptionContext &) { custom = true; });
    Future<int> f(loop);
    ExceptionContext context;
    context.message = QStringLiteral("everything");
    context.exception = std::make_exception_ptr(std::length_error("long"));
    context.future = f;
    context.extra.insert(QStringLiteral("transport"), QStringLiteral("tcp"));
    testutil::MessageCapture capture;
    loop.defaultExceptionHandler(context);
    QVERIFY(!custom);
    const QList<testutil::LogEntry> logged =
        capture.qaio(QtCriticalMsg, {QStringLiteral("everything")});
    QVERIFY2(logged.size() == 1, qPrintable(capture.dump()));
    QAIO_VERIFY_CONTAINS(logged.front().message, "std::length_error: long");
    QAIO_VERIFY_CONTAINS(logged.front().message, "future: <Future pending>");
    QAIO_VERIFY_CONTAINS(logged.front().message, "transport: tcp");
}

void TestLoopErrors::futureExceptionNeverRetrievedIsReported()
{
    Loop loop;
    std::vector<Recorded> calls;
    loop.setExceptionHandler([&](Loop &l, const ExceptionContext &context) {
        calls.push_back({&l, context.message, testutil::describe(context.exception),
                         context.handle, context.future, context.extra});
    });
    {
        Future<int> f(loop);
        f.setException(std::runtime_error("nobody looked"));
        Future<int> copy = f; // copies share the state: reported once, at the end
    }
    QCOMPARE(int(calls.size()), 1);
    QAIO_VERIFY_CONTAINS(calls.front().message, "Future exception was never retrieved");
    QAIO_VERIFY_CONTAINS(calls.front().exception, "nobody looked");
}

void TestLoopErrors::futureExceptionNeverRetrievedIsLoggedByDefault()
{
    Loop loop;
    testutil::MessageCapture capture;
    {
        Future<void> f(loop);
        f.setException(std::runtime_error("unlooked"));
    }
    const QList<testutil::LogEntry> logged =
        capture.qaio(QtCriticalMsg, {QStringLiteral("exception was never retrieved")});
    QVERIFY2(logged.size() == 1, qPrintable(capture.dump()));
    QAIO_VERIFY_CONTAINS(logged.front().message, "unlooked");
}

void TestLoopErrors::retrievedFutureExceptionIsNotReported()
{
    Loop loop;
    int reports = 0;
    loop.setExceptionHandler([&](Loop &, const ExceptionContext &) { ++reports; });
    {
        Future<int> viaResult(loop);
        viaResult.setException(std::runtime_error("a"));
        QAIO_VERIFY_THROWS(std::runtime_error, "a", viaResult.result());

        Future<int> viaException(loop);
        viaException.setException(std::runtime_error("b"));
        QVERIFY(viaException.exception());

        Future<void> viaDoneCallback(loop);
        viaDoneCallback.addDoneCallback([](const FutureBase &done) { (void)done.exception(); });
        viaDoneCallback.setException(std::runtime_error("c"));
        loop.stop();
        loop.runForever();

        Future<int> cancelled(loop);
        cancelled.cancel();
        Future<int> finished(loop);
        finished.setResult(1);
        Future<int> pending(loop);
    }
    QCOMPARE(reports, 0);
}

// ------------------------------------------------------------------ debug mode

void TestLoopErrors::slowCallbackIsReported()
{
    Loop loop;
    loop.setDebug(true);
    loop.setSlowCallbackDuration(0.01);
    testutil::MessageCapture capture;
    loop.callSoon([] {
        const auto end = std::chrono::steady_clock::now() + 30ms;
        while (std::chrono::steady_clock::now() < end) {
        }
    });
    loop.stop();
    loop.runForever();
    const QList<testutil::LogEntry> logged = capture.qaio(
        QtWarningMsg, {QStringLiteral("slowCallbackIsReported"), QStringLiteral("took")});
    QVERIFY2(logged.size() == 1, qPrintable(capture.dump()));
    QAIO_VERIFY_CONTAINS(logged.front().message, "seconds");
}

void TestLoopErrors::slowCallbackIsNotReportedWithoutDebug()
{
    Loop loop;
    loop.setDebug(false);
    loop.setSlowCallbackDuration(0.01);
    testutil::MessageCapture capture;
    loop.callSoon([] {
        const auto end = std::chrono::steady_clock::now() + 30ms;
        while (std::chrono::steady_clock::now() < end) {
        }
    });
    loop.stop();
    loop.runForever();
    QVERIFY2(capture.qaio(QtWarningMsg, {QStringLiteral("took")}).isEmpty(),
             qPrintable(capture.dump()));
}

void TestLoopErrors::debugFromEnvironment()
{
    const QByteArray saved = qgetenv("QAIO_DEBUG");
    qputenv("QAIO_DEBUG", "1");
    bool on = false;
    {
        Loop loop;
        on = loop.getDebug();
    }
    qputenv("QAIO_DEBUG", "0");
    bool off = true;
    {
        Loop loop;
        off = loop.getDebug();
    }
    if (saved.isNull())
        qunsetenv("QAIO_DEBUG");
    else
        qputenv("QAIO_DEBUG", saved);
    QVERIFY(on);
    QVERIFY(!off);
    Loop loop;
    loop.setDebug(true);
    QVERIFY(loop.getDebug());
}

QTEST_GUILESS_MAIN(TestLoopErrors)
#include "tst_loop_errors.moc"
