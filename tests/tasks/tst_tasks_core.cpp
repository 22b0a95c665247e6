// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_tasks_core — Task<T> and Coro<T>, ported from CPython's test_tasks.py
// (and test_eager_task_factory.py): results, cancellation with messages,
// uncancel/cancelling, current and all tasks, names, stacks, task factories,
// ensureFuture, sleep, unretrieved errors and pending tasks at close.
#include "tasks_util.h"

#include <qaio/qaio.h>

#include <QtCore/qregularexpression.h>
#include <QtTest/QtTest>

#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

using namespace qaio;
using tt::ErrorLog;
using tt::MyExc;

namespace {

using Log = QStringList;

Coro<int> inner1()
{
    co_return 42;
}

Coro<int> inner2()
{
    co_return 1000;
}

Coro<int> outerSum()
{
    const int a = co_await inner1();
    const int b = co_await inner2();
    co_return a + b;
}

Coro<int> sleepThen(double delay, int value)
{
    co_await qaio::sleep(delay);
    co_return value;
}

Coro<int> awaitFuture(Future<int> f)
{
    co_return co_await f;
}

Coro<void> awaitVoid(Future<void> f)
{
    co_await f;
}

Coro<int> failWith(QString what)
{
    co_await qaio::sleep(0);
    throw MyExc(what.toUtf8().constData());
}

Coro<int> failAtOnce()
{
    throw MyExc("at once");
    co_return 0;
}

Coro<int> trivial(int i)
{
    co_return i;
}

Coro<long long> manyInlineAwaits(int n)
{
    long long sum = 0;
    for (int i = 0; i < n; ++i)
        sum += co_await trivial(i);
    co_return sum;
}

Coro<int> recurse(int depth)
{
    if (depth == 0)
        co_return 0;
    co_return 1 + co_await recurse(depth - 1);
}

// getStack(): bar() inspects the task that runs foo() -> bar().
Coro<void> stackBar(TaskBase *task, QList<StackFrame> *out, Future<void> gate)
{
    *out = task->getStack();
    co_await gate;
}

Coro<void> stackFoo(TaskBase *task, QList<StackFrame> *out, Future<void> gate)
{
    co_await stackBar(task, out, gate);
}

Coro<void> holdToken(std::shared_ptr<int> token, Future<void> never)
{
    co_await never;
    ++*token;
}

Coro<void> holdTokenNested(std::shared_ptr<int> token, Future<void> never)
{
    auto local = token; // a second reference in the outer frame
    co_await holdToken(token, never);
    ++*local;
}

Coro<void> holdTokenSleeping(std::shared_ptr<int> token)
{
    co_await qaio::sleep(3600);
    ++*token;
}

} // namespace

class TestTasksCore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // results and scheduling
    void taskBasics();
    void taskResult();
    void voidTask();
    void moveOnlyResult();
    void coroIsLazy();
    void createTaskSchedulesWithCallSoon();
    void taskExceptionPropagates();
    void taskExceptionBeforeFirstSuspension();
    void awaitTaskResult();
    void awaitTaskTwice();
    void doneCallbacksAreScheduled();
    void awaitingCoroTwiceThrows();
    void createTaskEmptyCoroThrows();
    void createTaskOnClosedLoopThrows();
    void createTaskWithoutRunningLoopThrows();
    void otherLoopFutureThrows();
    void loopCreateTaskEqualsFreeCreateTask();
    void oneMillionInlineAwaits();
    void deepRecursion();
    void taskAwaitsOnItself();
    void stopWhileRunUntilComplete();
    void taskSetResultThrows();
    void cancelDoneFailedTaskSilencesLog();
    // cancellation
    void cancelSleepingTask();
    void cancelYield();
    void cancelInnerFuture();
    void cancelBothTaskAndInnerFuture();
    void cancelTaskCatching();
    void cancelTaskIgnoring();
    void cancelCurrentTask();
    void cancelAtEnd();
    void cancelAwaitedTask();
    void cancelBeforeStart();
    void cancelWithMessageBeforeStart();
    void cancelMessageGetter();
    void cancelMessageThenFutureResult();
    void cancelMessageThenFutureException();
    void cancelMessageInsideCoroutine();
    void cancelDoneTaskReturnsFalse();
    void cancelWaiterFuture();
    void yieldFuturePassesCancel();
    void cancelledTaskAwaitedByOtherTask();
    void cancelTwiceBeforeStep();
    // cancelling / uncancel
    void cancellingCountsRequests();
    void uncancelBasic();
    void uncancelResetsMustCancel();
    void uncancelStructuredBlocks_data();
    void uncancelStructuredBlocks();
    void uncancelAtZeroStaysZero();
    void cancelAfterCatchingAndUncancel();
    // current task, all tasks, names, stack
    void currentTaskOutsideIsNull();
    void currentTaskInside();
    void currentTaskWithInterleavingTasks();
    void currentTaskInsideCallbackIsNull();
    void allTasksListsPendingTasks();
    void allTasksRequiresRunningLoop();
    void defaultTaskNames();
    void namedTask();
    void setName();
    void getStackNamesCoroutines();
    void getStackOfDoneTaskIsEmpty();
    void createdAtRecordsCaller();
    // task factories
    void taskFactorySetAndGet();
    void taskFactoryCanRenameAndCount();
    void taskFactoryThrowingDropsTask();
    void eagerTaskRunsUntilFirstSuspension();
    void eagerTaskCompletesWithoutScheduling();
    void eagerTaskFailingAtOnce();
    void eagerTaskCurrentTask();
    void eagerTaskCancelAfterCompletion();
    void eagerTaskCancelAfterBlocking();
    void eagerTaskAwaitingDoneFuture();
    // ensureFuture
    void ensureFutureCoroutine();
    void ensureFutureFuture();
    void ensureFutureTask();
    // sleep
    void sleepReturnsValue();
    void sleepNanThrows();
    void sleepZeroYields();
    void sleepOrder();
    void sleepCancelled();
    void sleepChronoDuration();
    // errors reported through the loop
    void unretrievedTaskExceptionIsReported();
    void retrievedTaskExceptionIsNotReported();
    void cancelledTaskIsNotReported();
    void pendingTaskAtCloseIsReported();
    void closeFreesSuspendedFrames();
    void destroyFreesSuspendedFrames();
};

// ---------------------------------------------------------------- results

void TestTasksCore::taskBasics()
{
    Loop loop;
    QCOMPARE(loop.runUntilComplete(outerSum()), 1042);
}

void TestTasksCore::taskResult()
{
    Loop loop;
    Task<int> t = loop.createTask(sleepThen(0, 7));
    QVERIFY(!t.done());
    QCOMPARE(loop.runUntilComplete(Future<int>(t)), 7);
    QVERIFY(t.done());
    QVERIFY(!t.cancelled());
    QCOMPARE(t.result(), 7);
    QVERIFY(!t.exception());
    QVERIFY(&t.getLoop() == &loop);
}

void TestTasksCore::voidTask()
{
    Loop loop;
    int ran = 0;
    auto body = [&]() -> Coro<void> {
        co_await qaio::sleep(0);
        ++ran;
    };
    Task<void> t = createTask(loop, body());
    loop.runUntilComplete(Future<void>(t));
    QCOMPARE(ran, 1);
    QVERIFY(t.done());
    t.result();
}

void TestTasksCore::moveOnlyResult()
{
    Loop loop;
    auto body = []() -> Coro<std::unique_ptr<int>> {
        co_await qaio::sleep(0);
        co_return std::make_unique<int>(5);
    };
    std::unique_ptr<int> p = loop.runUntilComplete(body());
    QVERIFY(p);
    QCOMPARE(*p, 5);
}

void TestTasksCore::coroIsLazy()
{
    Loop loop;
    int ran = 0;
    auto body = [&]() -> Coro<int> {
        ++ran;
        co_return 1;
    };
    {
        Coro<int> c = body();
        QVERIFY(c.isValid());
        tt::runBriefly(loop);
        QCOMPARE(ran, 0); // never awaited: never runs
    }
    QCOMPARE(ran, 0);
    QCOMPARE(loop.runUntilComplete(body()), 1);
    QCOMPARE(ran, 1);
}

void TestTasksCore::createTaskSchedulesWithCallSoon()
{
    Loop loop;
    Log log;
    auto body = [&]() -> Coro<void> {
        log << "task";
        co_return;
    };
    loop.callSoon([&] { log << "soon1"; });
    Task<void> t = loop.createTask(body());
    loop.callSoon([&] { log << "soon2"; });
    QVERIFY(log.isEmpty()); // createTask runs nothing by itself
    loop.runUntilComplete(Future<void>(t));
    QCOMPARE(log, (Log{"soon1", "task", "soon2"}));
}

void TestTasksCore::taskExceptionPropagates()
{
    Loop loop;
    Task<int> t = loop.createTask(failWith(QStringLiteral("boom")));
    auto error = tt::errorOf([&] { loop.runUntilComplete(Future<int>(t)); });
    QVERIFY(tt::holds<MyExc>(error));
    QCOMPARE(tt::whatOf(error), QStringLiteral("boom"));
    QVERIFY(t.done());
    QVERIFY(!t.cancelled());
    QVERIFY(tt::holds<MyExc>(t.exception()));
    QVERIFY_THROWS_EXCEPTION(MyExc, t.result());
}

void TestTasksCore::taskExceptionBeforeFirstSuspension()
{
    Loop loop;
    QVERIFY_THROWS_EXCEPTION(MyExc, loop.runUntilComplete(failAtOnce()));
}

void TestTasksCore::awaitTaskResult()
{
    Loop loop;
    auto body = [&]() -> Coro<int> {
        Task<int> child = createTask(sleepThen(0.001, 5));
        const int v = co_await child;
        co_return v * 2;
    };
    QCOMPARE(loop.runUntilComplete(body()), 10);
}

void TestTasksCore::awaitTaskTwice()
{
    Loop loop;
    auto body = [&]() -> Coro<int> {
        Task<int> child = createTask(sleepThen(0, 5));
        const int a = co_await child;
        const int b = co_await child; // a done task can be awaited again
        co_return a + b;
    };
    QCOMPARE(loop.runUntilComplete(body()), 10);
}

void TestTasksCore::doneCallbacksAreScheduled()
{
    Loop loop;
    Log log;
    auto body = [&]() -> Coro<int> {
        log << "body";
        co_return 3;
    };
    Task<int> t = loop.createTask(body());
    t.addDoneCallback([&](const Future<int> &f) { log << QStringLiteral("cb%1").arg(f.result()); });
    loop.callSoon([&] { log << "soon"; });
    tt::runBriefly(loop);
    // The task finishes in its first step; its callback waits for the next iteration.
    QCOMPARE(log, (Log{"body", "soon", "cb3"}));
}

void TestTasksCore::awaitingCoroTwiceThrows()
{
    Loop loop;
    QString caught;
    auto body = [&]() -> Coro<int> {
        Coro<int> c = trivial(4);
        const int first = co_await std::move(c);
        try {
            co_await std::move(c); // moved from: no frame left to run
        } catch (const RuntimeError &e) {
            caught = QString::fromUtf8(e.what());
        }
        co_return first;
    };
    QCOMPARE(loop.runUntilComplete(body()), 4);
    QVERIFY2(caught.contains(QLatin1StringView("already awaited")), qPrintable(caught));
}

void TestTasksCore::createTaskEmptyCoroThrows()
{
    Loop loop;
    Coro<int> empty;
    QVERIFY_THROWS_EXCEPTION(ValueError, loop.createTask(std::move(empty)));
    Coro<int> c = trivial(1);
    Coro<int> moved = std::move(c);
    QVERIFY_THROWS_EXCEPTION(ValueError, loop.createTask(std::move(c)));
    QCOMPARE(loop.runUntilComplete(std::move(moved)), 1);
}

void TestTasksCore::createTaskOnClosedLoopThrows()
{
    Loop loop;
    loop.close();
    QVERIFY_THROWS_EXCEPTION(RuntimeError, loop.createTask(trivial(1)));
}

void TestTasksCore::createTaskWithoutRunningLoopThrows()
{
    Loop loop;
    // The free createTask(coro) needs a running loop (asyncio.create_task).
    QVERIFY_THROWS_EXCEPTION(RuntimeError, qaio::createTask(trivial(1)));
    QVERIFY_THROWS_EXCEPTION(RuntimeError, qaio::ensureFuture(trivial(1)));
}

void TestTasksCore::otherLoopFutureThrows()
{
    Loop loop;
    std::unique_ptr<Loop> other = std::make_unique<Loop>();
    Future<int> foreignFuture(*other);
    auto error = tt::errorOf([&] { loop.runUntilComplete(awaitFuture(foreignFuture)); });
    QVERIFY(tt::holds<RuntimeError>(error));
    QVERIFY2(tt::whatOf(error).contains(QLatin1StringView("different loop")),
             qPrintable(tt::whatOf(error)));
}

void TestTasksCore::loopCreateTaskEqualsFreeCreateTask()
{
    Loop loop;
    bool sameLoop = false;
    auto body = [&]() -> Coro<int> {
        Task<int> a = createTask(trivial(1));
        Task<int> b = loop.createTask(trivial(2));
        Task<int> c = createTask(loop, trivial(3));
        sameLoop = &a.getLoop() == &loop && &b.getLoop() == &loop && &c.getLoop() == &loop;
        co_return co_await a + co_await b + co_await c;
    };
    QCOMPARE(loop.runUntilComplete(body()), 6);
    QVERIFY(sameLoop);
}

// A million awaits of coroutines that finish at once keep the stack flat in
// every build (-O0 and sanitizers included): see tst_tasks_stack.
void TestTasksCore::oneMillionInlineAwaits()
{
    Loop loop;
    const int n = 1000000;
    QCOMPARE(loop.runUntilComplete(manyInlineAwaits(n)), static_cast<long long>(n) * (n - 1) / 2);
}

void TestTasksCore::deepRecursion()
{
    // Nesting (unlike the number of awaits) costs stack, as nested function
    // calls do: a few thousand levels fit in every build.
    Loop loop;
    QCOMPARE(loop.runUntilComplete(recurse(5000)), 5000);
}

void TestTasksCore::taskAwaitsOnItself()
{
    Loop loop;
    Task<int> self;
    QString message;
    auto body = [&]() -> Coro<int> {
        try {
            co_await self;
        } catch (const RuntimeError &e) {
            message = QString::fromUtf8(e.what());
        }
        co_return 1;
    };
    self = loop.createTask(body());
    const double t0 = loop.time();
    QVERIFY(tt::runUntil(loop, [&] { return self.done(); }, 2.0));
    QVERIFY(loop.time() - t0 < 1.5);
    QCOMPARE(self.result(), 1);
    QVERIFY2(message.contains(QLatin1StringView("cannot await on itself")), qPrintable(message));
}

void TestTasksCore::stopWhileRunUntilComplete()
{
    Loop loop;
    int x = 0;
    auto body = [&]() -> Coro<void> {
        while (x < 10) {
            co_await qaio::sleep(0.001);
            x += 1;
            if (x == 2)
                getRunningLoop().stop();
        }
    };
    Task<void> t = loop.createTask(body());
    auto error = tt::errorOf([&] { loop.runUntilComplete(Future<void>(t)); });
    QVERIFY(tt::holds<RuntimeError>(error));
    QCOMPARE(tt::whatOf(error), QStringLiteral("Event loop stopped before Future completed."));
    QVERIFY(!t.done());
    QCOMPARE(x, 2);
    t.cancel();
    QVERIFY_THROWS_EXCEPTION(CancelledError, loop.runUntilComplete(Future<void>(t)));
}

void TestTasksCore::taskSetResultThrows()
{
    // asyncio: "Task does not support set_result operation".
    Loop loop;
    Task<int> t = loop.createTask(sleepThen(0, 1));
    QVERIFY_THROWS_EXCEPTION(RuntimeError, t.setResult(2));
    QVERIFY_THROWS_EXCEPTION(RuntimeError, t.setException(MyExc()));
    QVERIFY(!t.done());
    QCOMPARE(loop.runUntilComplete(Future<int>(t)), 1);
}

void TestTasksCore::cancelDoneFailedTaskSilencesLog()
{
    // As Future.cancel(): cancel() marks the exception as seen, even when the
    // task is already done.
    ErrorLog errors;
    Loop loop;
    errors.install(loop);
    {
        Task<int> t = loop.createTask(failWith(QStringLiteral("x")));
        QVERIFY(tt::runUntil(loop, [&] { return t.done(); }));
        QVERIFY(!t.cancel());
    }
    QCOMPARE(errors.entries.size(), 0);
}

// ---------------------------------------------------------------- cancellation

void TestTasksCore::cancelSleepingTask()
{
    Loop loop;
    Task<int> t = loop.createTask(sleepThen(10, 12));
    loop.callSoon([t]() mutable { t.cancel(); });
    const double t0 = loop.time();
    QVERIFY_THROWS_EXCEPTION(CancelledError, loop.runUntilComplete(Future<int>(t)));
    QVERIFY(loop.time() - t0 < 5);
    QVERIFY(t.done());
    QVERIFY(t.cancelled());
    QVERIFY(!t.cancel());
}

void TestTasksCore::cancelYield()
{
    Loop loop;
    int steps = 0;
    auto body = [&]() -> Coro<int> {
        ++steps;
        co_await qaio::sleep(0);
        ++steps;
        co_await qaio::sleep(0);
        ++steps;
        co_return 12;
    };
    Task<int> t = loop.createTask(body());
    loop.stop();
    loop.runForever(); // start the coroutine
    QCOMPARE(steps, 1);
    QVERIFY(t.cancel());
    QVERIFY_THROWS_EXCEPTION(CancelledError, loop.runUntilComplete(Future<int>(t)));
    QCOMPARE(steps, 1);
    QVERIFY(t.done());
    QVERIFY(t.cancelled());
    QVERIFY(!t.cancel());
}

void TestTasksCore::cancelInnerFuture()
{
    Loop loop;
    Future<int> f(loop);
    Task<int> t = loop.createTask(awaitFuture(f));
    tt::runBriefly(loop);
    f.cancel();
    QVERIFY_THROWS_EXCEPTION(CancelledError, loop.runUntilComplete(Future<int>(t)));
    QVERIFY(f.cancelled());
    QVERIFY(t.cancelled());
}

void TestTasksCore::cancelBothTaskAndInnerFuture()
{
    Loop loop;
    Future<int> f(loop);
    Task<int> t = loop.createTask(awaitFuture(f));
    tt::runBriefly(loop);
    f.cancel();
    t.cancel();
    QVERIFY_THROWS_EXCEPTION(CancelledError, loop.runUntilComplete(Future<int>(t)));
    QVERIFY(t.done());
    QVERIFY(f.cancelled());
    QVERIFY(t.cancelled());
}

void TestTasksCore::cancelTaskCatching()
{
    Loop loop;
    Future<void> fut1(loop);
    Future<void> fut2(loop);
    auto body = [&]() -> Coro<int> {
        co_await fut1;
        try {
            co_await fut2;
        } catch (const CancelledError &) {
            co_return 42;
        }
        co_return 0;
    };
    Task<int> t = loop.createTask(body());
    tt::runBriefly(loop);
    fut1.setResult();
    tt::runBriefly(loop);
    QVERIFY(t.cancel());
    QVERIFY(fut2.cancelled()); // cancel() cancels what the task awaits, at once
    QCOMPARE(loop.runUntilComplete(Future<int>(t)), 42);
    QVERIFY(!t.cancelled());
}

void TestTasksCore::cancelTaskIgnoring()
{
    Loop loop;
    Future<void> fut1(loop);
    Future<void> fut2(loop);
    Future<void> fut3(loop);
    auto body = [&]() -> Coro<int> {
        co_await fut1;
        try {
            co_await fut2;
        } catch (const CancelledError &) {
        }
        const int r = 42;
        co_await fut3; // the task goes on after swallowing the cancellation
        co_return r;
    };
    Task<int> t = loop.createTask(body());
    tt::runBriefly(loop);
    fut1.setResult();
    tt::runBriefly(loop);
    QVERIFY(t.cancel());
    QVERIFY(fut2.cancelled());
    tt::runBriefly(loop);
    QVERIFY(!t.done());
    fut3.setResult();
    QCOMPARE(loop.runUntilComplete(Future<int>(t)), 42);
    QVERIFY(!t.cancelled());
    QCOMPARE(t.cancelling(), 1); // the request stays counted until uncancel()
}

void TestTasksCore::cancelCurrentTask()
{
    Loop loop;
    bool reachedEnd = false;
    bool cancelReturned = false;
    auto body = [&]() -> Coro<int> {
        TaskBase self = currentTask();
        cancelReturned = self.cancel();
        co_await qaio::sleep(0); // throws CancelledError
        reachedEnd = true;
        co_return 12;
    };
    Task<int> t = loop.createTask(body());
    QVERIFY_THROWS_EXCEPTION(CancelledError, loop.runUntilComplete(Future<int>(t)));
    QVERIFY(cancelReturned);
    QVERIFY(!reachedEnd);
    QVERIFY(t.cancelled());
}

void TestTasksCore::cancelAtEnd()
{
    // A task that cancels itself and returns without awaiting is cancelled.
    Loop loop;
    auto body = [&]() -> Coro<int> {
        currentTask().cancel();
        co_return 12;
    };
    Task<int> t = loop.createTask(body());
    QVERIFY_THROWS_EXCEPTION(CancelledError, loop.runUntilComplete(Future<int>(t)));
    QVERIFY(t.cancelled());
}

void TestTasksCore::cancelAwaitedTask()
{
    // Cancelling a task cancels the task it awaits.
    Loop loop;
    Task<int> inner;
    auto outer = [&]() -> Coro<int> {
        inner = createTask(sleepThen(10, 1));
        co_return co_await inner;
    };
    Task<int> t = loop.createTask(outer());
    tt::runBriefly(loop);
    QVERIFY(t.cancel());
    QVERIFY_THROWS_EXCEPTION(CancelledError, loop.runUntilComplete(Future<int>(t)));
    QVERIFY(inner.cancelled());
    QVERIFY(t.cancelled());
}

void TestTasksCore::cancelBeforeStart()
{
    Loop loop;
    bool ran = false;
    auto body = [&]() -> Coro<int> {
        ran = true;
        co_return 1;
    };
    Task<int> t = loop.createTask(body());
    QVERIFY(t.cancel());
    QCOMPARE(t.cancelling(), 1);
    QVERIFY_THROWS_EXCEPTION(CancelledError, loop.runUntilComplete(Future<int>(t)));
    QVERIFY(!ran); // the coroutine never started
    QVERIFY(t.cancelled());
}

void TestTasksCore::cancelWithMessageBeforeStart()
{
    Loop loop;
    Task<int> t = loop.createTask(sleepThen(10, 1));
    t.cancel(QStringLiteral("my message"));
    auto error = tt::errorOf([&] { loop.runUntilComplete(Future<int>(t)); });
    QCOMPARE(tt::cancelMessageOf(error), QStringLiteral("my message"));
}

void TestTasksCore::cancelMessageGetter()
{
    Loop loop;
    Task<int> t = loop.createTask(sleepThen(10, 1));
    tt::runBriefly(loop);
    t.cancel(QStringLiteral("my message"));
    auto error = tt::errorOf([&] { loop.runUntilComplete(Future<int>(t)); });
    QCOMPARE(tt::cancelMessageOf(error), QStringLiteral("my message"));
}

void TestTasksCore::cancelMessageThenFutureResult()
{
    Loop loop;
    Task<int> t = loop.createTask(sleepThen(10, 1));
    tt::runBriefly(loop);
    t.cancel(QStringLiteral("my message"));
    tt::runBriefly(loop);
    QVERIFY(t.cancelled());
    auto error = tt::errorOf([&] { (void)t.result(); });
    QCOMPARE(tt::cancelMessageOf(error), QStringLiteral("my message"));
}

void TestTasksCore::cancelMessageThenFutureException()
{
    Loop loop;
    Task<int> t = loop.createTask(sleepThen(10, 1));
    tt::runBriefly(loop);
    t.cancel(QStringLiteral("my message"));
    tt::runBriefly(loop);
    auto error = tt::errorOf([&] { (void)t.exception(); });
    QCOMPARE(tt::cancelMessageOf(error), QStringLiteral("my message"));
}

void TestTasksCore::cancelMessageInsideCoroutine()
{
    Loop loop;
    QString seen;
    auto body = [&]() -> Coro<int> {
        try {
            co_await qaio::sleep(10);
        } catch (const CancelledError &e) {
            seen = e.message();
            throw;
        }
        co_return 0;
    };
    Task<int> t = loop.createTask(body());
    tt::runBriefly(loop);
    t.cancel(QStringLiteral("stop now"));
    auto error = tt::errorOf([&] { loop.runUntilComplete(Future<int>(t)); });
    QCOMPARE(seen, QStringLiteral("stop now"));
    QCOMPARE(tt::cancelMessageOf(error), QStringLiteral("stop now"));
}

void TestTasksCore::cancelDoneTaskReturnsFalse()
{
    Loop loop;
    Task<int> t = loop.createTask(trivial(3));
    QCOMPARE(loop.runUntilComplete(Future<int>(t)), 3);
    QVERIFY(!t.cancel());
    QCOMPARE(t.cancelling(), 0);
    QVERIFY(!t.cancelled());
    QCOMPARE(t.result(), 3);
}

void TestTasksCore::cancelWaiterFuture()
{
    // test_task_cancel_waiter_future: cancel() reaches the awaited future.
    Loop loop;
    Future<void> fut(loop);
    Task<void> t = loop.createTask(awaitVoid(fut));
    tt::runBriefly(loop);
    QVERIFY(t.cancel());
    QVERIFY(fut.cancelled());
    QVERIFY_THROWS_EXCEPTION(CancelledError, loop.runUntilComplete(Future<void>(t)));
    QVERIFY(t.cancelled());
}

void TestTasksCore::yieldFuturePassesCancel()
{
    Loop loop;
    int proof = 0;
    Future<void> waiter(loop);
    auto inner = [&]() -> Coro<void> {
        try {
            co_await waiter;
        } catch (const CancelledError &) {
            proof += 1;
            throw;
        }
        proof += 1000; // not reached: inner must be cancelled
    };
    auto outer = [&]() -> Coro<void> {
        try {
            co_await inner();
        } catch (const CancelledError &) {
            proof += 100; // expected path
            co_return;
        }
        proof += 10;
    };
    Task<void> f = loop.createTask(outer());
    tt::runBriefly(loop);
    f.cancel();
    loop.runUntilComplete(Future<void>(f));
    QCOMPARE(proof, 101);
    QVERIFY(waiter.cancelled());
    QVERIFY(!f.cancelled()); // outer swallowed the cancellation
}

void TestTasksCore::cancelledTaskAwaitedByOtherTask()
{
    Loop loop;
    QString caught;
    Task<int> child = loop.createTask(sleepThen(10, 1));
    auto waiterBody = [&]() -> Coro<void> {
        try {
            co_await child;
        } catch (const CancelledError &e) {
            caught = QStringLiteral("cancelled:") + e.message();
        }
    };
    Task<void> w = loop.createTask(waiterBody());
    tt::runBriefly(loop);
    child.cancel(QStringLiteral("bye"));
    loop.runUntilComplete(Future<void>(w));
    QCOMPARE(caught, QStringLiteral("cancelled:bye"));
    QVERIFY(!w.cancelled());
}

void TestTasksCore::cancelTwiceBeforeStep()
{
    Loop loop;
    Task<int> t = loop.createTask(sleepThen(10, 1));
    tt::runBriefly(loop);
    QVERIFY(t.cancel());
    QVERIFY(t.cancel()); // still pending: the second request is counted too
    QCOMPARE(t.cancelling(), 2);
    QVERIFY_THROWS_EXCEPTION(CancelledError, loop.runUntilComplete(Future<int>(t)));
    QVERIFY(t.cancelled());
}

// ---------------------------------------------------------------- cancelling / uncancel

void TestTasksCore::cancellingCountsRequests()
{
    Loop loop;
    Task<int> t = loop.createTask(sleepThen(10, 1));
    tt::runBriefly(loop);
    QCOMPARE(t.cancelling(), 0);
    t.cancel();
    QCOMPARE(t.cancelling(), 1);
    t.cancel();
    QCOMPARE(t.cancelling(), 2);
    QCOMPARE(t.uncancel(), 1);
    QCOMPARE(t.cancelling(), 1);
    QVERIFY_THROWS_EXCEPTION(CancelledError, loop.runUntilComplete(Future<int>(t)));
    QVERIFY(!t.cancel());
    QCOMPARE(t.cancelling(), 1); // cancel() on a done task changes nothing
}

void TestTasksCore::uncancelBasic()
{
    // Withdrawing the request does not revive the already cancelled waiter.
    Loop loop;
    Task<int> t = loop.createTask(sleepThen(10, 1));
    tt::runBriefly(loop);
    t.cancel();
    QCOMPARE(t.cancelling(), 1);
    QCOMPARE(t.uncancel(), 0);
    QCOMPARE(t.cancelling(), 0);
    QVERIFY_THROWS_EXCEPTION(CancelledError, loop.runUntilComplete(Future<int>(t)));
    QVERIFY(t.cancelled());
}

void TestTasksCore::uncancelResetsMustCancel()
{
    Loop loop;
    Future<void> fut(loop);
    auto body = [&]() -> Coro<int> {
        co_await fut;
        co_return 42;
    };
    Task<int> t = loop.createTask(body());
    tt::runBriefly(loop); // the task waits for fut
    fut.setResult();      // the task is runnable now
    t.cancel();           // nothing left to cancel: the task must cancel at its next step
    QCOMPARE(t.cancelling(), 1);
    t.uncancel(); // ...unless the request is withdrawn
    QCOMPARE(t.cancelling(), 0);
    QCOMPARE(loop.runUntilComplete(Future<int>(t)), 42);
    QVERIFY(!t.cancelled());
}

namespace {
struct StructuredResult
{
    bool timedOut = false;
    bool blockFinished = false;
    bool outerReached = false;
};

// CPython's make_request_with_timeout: a hand-written timeout built on
// cancel()/uncancel(), the way asyncio.timeout works.
Coro<void> requestWithTimeout(double sleepFor, double timeoutAfter, StructuredResult *r)
{
    TaskBase task = currentTask();
    Loop &loop = getRunningLoop();
    TimerHandle timeoutHandle = loop.callLater(timeoutAfter, [r, task]() mutable {
        r->timedOut = true;
        task.cancel();
    });
    bool raisedTimeout = false;
    std::exception_ptr error;
    try {
        co_await qaio::sleep(sleepFor);
        r->blockFinished = true;
    } catch (const CancelledError &) {
        error = std::current_exception();
    }
    timeoutHandle.cancel();
    if (r->timedOut && task.uncancel() == 0 && error)
        raisedTimeout = true; // would be `raise TimeoutError`, caught below
    else if (error)
        std::rethrow_exception(error);
    if (raisedTimeout && !r->timedOut)
        throw std::logic_error("TimeoutError without a timeout");
    co_await qaio::sleep(0); // code after the block runs, not cancelled
    r->outerReached = true;
}
} // namespace

void TestTasksCore::uncancelStructuredBlocks_data()
{
    QTest::addColumn<double>("sleepFor");
    QTest::addColumn<double>("timeoutAfter");
    QTest::addColumn<bool>("timedOut");
    QTest::addColumn<bool>("blockFinished");
    QTest::newRow("no timeout") << 0.0 << 10.0 << false << true;
    QTest::newRow("timeout") << 10.0 << 0.0 << true << false;
}

void TestTasksCore::uncancelStructuredBlocks()
{
    QFETCH(double, sleepFor);
    QFETCH(double, timeoutAfter);
    QFETCH(bool, timedOut);
    QFETCH(bool, blockFinished);
    Loop loop;
    StructuredResult r;
    Task<void> t = loop.createTask(requestWithTimeout(sleepFor, timeoutAfter, &r));
    loop.runUntilComplete(Future<void>(t));
    QCOMPARE(r.timedOut, timedOut);
    QCOMPARE(r.blockFinished, blockFinished);
    QVERIFY(r.outerReached);
    QCOMPARE(t.cancelling(), 0);
    QVERIFY(!t.cancelled());
}

void TestTasksCore::uncancelAtZeroStaysZero()
{
    Loop loop;
    Task<int> t = loop.createTask(trivial(1));
    QCOMPARE(t.uncancel(), 0);
    QCOMPARE(t.cancelling(), 0);
    QCOMPARE(loop.runUntilComplete(Future<int>(t)), 1);
}

void TestTasksCore::cancelAfterCatchingAndUncancel()
{
    // A task that catches CancelledError, uncancels and goes on can be
    // cancelled again later.
    Loop loop;
    Log log;
    auto body = [&]() -> Coro<int> {
        try {
            co_await qaio::sleep(10);
        } catch (const CancelledError &) {
            log << "first";
        }
        log << QString::number(currentTask().uncancel());
        try {
            co_await qaio::sleep(10);
        } catch (const CancelledError &) {
            log << "second";
            throw;
        }
        co_return 0;
    };
    Task<int> t = loop.createTask(body());
    tt::runBriefly(loop);
    t.cancel();
    tt::runBriefly(loop);
    QVERIFY(!t.done());
    t.cancel();
    QVERIFY_THROWS_EXCEPTION(CancelledError, loop.runUntilComplete(Future<int>(t)));
    QCOMPARE(log, (Log{"first", "0", "second"}));
    QCOMPARE(t.cancelling(), 1);
}

// ---------------------------------------------------------------- current / all / names / stack

void TestTasksCore::currentTaskOutsideIsNull()
{
    Loop loop;
    QVERIFY(!currentTask().isValid());
    tt::runBriefly(loop);
    QVERIFY(!currentTask().isValid());
}

void TestTasksCore::currentTaskInside()
{
    Loop loop;
    TaskBase seen, seenAfterAwait;
    auto body = [&]() -> Coro<void> {
        seen = currentTask();
        co_await qaio::sleep(0);
        seenAfterAwait = currentTask();
    };
    Task<void> t = loop.createTask(body());
    loop.runUntilComplete(Future<void>(t));
    QVERIFY(seen.isValid());
    QVERIFY(seen == TaskBase(t));
    QVERIFY(seenAfterAwait == TaskBase(t));
    QVERIFY(!currentTask().isValid());
}

void TestTasksCore::currentTaskWithInterleavingTasks()
{
    Loop loop;
    Future<void> fut1(loop);
    Future<void> fut2(loop);
    Task<void> task1, task2;
    QList<bool> checks;
    auto coro1 = [&]() -> Coro<void> {
        checks << (currentTask() == TaskBase(task1));
        co_await fut1;
        checks << (currentTask() == TaskBase(task1));
        fut2.setResult();
    };
    auto coro2 = [&]() -> Coro<void> {
        checks << (currentTask() == TaskBase(task2));
        fut1.setResult();
        co_await fut2;
        checks << (currentTask() == TaskBase(task2));
    };
    task1 = loop.createTask(coro1());
    task2 = loop.createTask(coro2());
    loop.runUntilComplete(qaio::gather(task1, task2));
    QCOMPARE(checks, (QList<bool>{true, true, true, true}));
}

void TestTasksCore::currentTaskInsideCallbackIsNull()
{
    Loop loop;
    bool valid = true;
    bool inTask = false;
    loop.callSoon([&] { valid = currentTask().isValid(); });
    auto body = [&]() -> Coro<void> {
        inTask = currentTask().isValid();
        co_return;
    };
    loop.runUntilComplete(body());
    QVERIFY(!valid);
    QVERIFY(inTask);
}

void TestTasksCore::allTasksListsPendingTasks()
{
    Loop loop;
    Future<void> gate(loop);
    Task<void> a = loop.createTask(awaitVoid(gate));
    Task<void> b = loop.createTask(awaitVoid(gate));
    Task<int> done = loop.createTask(trivial(1));
    int countInside = -1;
    bool containsSelf = false;
    auto body = [&]() -> Coro<void> {
        QList<TaskBase> all = allTasks();
        countInside = int(all.size());
        containsSelf = all.contains(currentTask());
        co_return;
    };
    tt::runBriefly(loop);
    QVERIFY(done.done());
    QList<TaskBase> pending = allTasks(loop);
    QCOMPARE(pending.size(), 2);
    QVERIFY(pending.contains(TaskBase(a)));
    QVERIFY(pending.contains(TaskBase(b)));
    QVERIFY(!pending.contains(TaskBase(done)));
    loop.runUntilComplete(body());
    QCOMPARE(countInside, 3); // a, b and the task running body
    QVERIFY(containsSelf);
    gate.setResult();
    loop.runUntilComplete(qaio::gather(a, b));
    QVERIFY(allTasks(loop).isEmpty());
}

void TestTasksCore::allTasksRequiresRunningLoop()
{
    Loop loop;
    QVERIFY_THROWS_EXCEPTION(RuntimeError, allTasks());
    QVERIFY(allTasks(loop).isEmpty());
}

void TestTasksCore::defaultTaskNames()
{
    Loop loop;
    Task<int> a = loop.createTask(trivial(1));
    Task<int> b = loop.createTask(trivial(2));
    static const QRegularExpression re(QStringLiteral("^Task-(\\d+)$"));
    auto ma = re.match(a.getName());
    auto mb = re.match(b.getName());
    QVERIFY2(ma.hasMatch(), qPrintable(a.getName()));
    QVERIFY2(mb.hasMatch(), qPrintable(b.getName()));
    QVERIFY(mb.captured(1).toLongLong() > ma.captured(1).toLongLong());
    loop.runUntilComplete(qaio::gather(a, b));
}

void TestTasksCore::namedTask()
{
    Loop loop;
    QString nameInside;
    auto body = [&]() -> Coro<void> {
        nameInside = currentTask().getName();
        co_return;
    };
    Task<void> t = loop.createTask(body(), QStringLiteral("worker"));
    QCOMPARE(t.getName(), QStringLiteral("worker"));
    loop.runUntilComplete(Future<void>(t));
    QCOMPARE(nameInside, QStringLiteral("worker"));
    QCOMPARE(t.getName(), QStringLiteral("worker")); // done tasks keep their name
}

void TestTasksCore::setName()
{
    Loop loop;
    Task<int> t = loop.createTask(trivial(1));
    t.setName(QStringLiteral("renamed"));
    QCOMPARE(t.getName(), QStringLiteral("renamed"));
    TaskBase base = t;
    QCOMPARE(base.getName(), QStringLiteral("renamed"));
    base.setName(QStringLiteral("again"));
    QCOMPARE(t.getName(), QStringLiteral("again"));
    loop.runUntilComplete(Future<int>(t));
}

void TestTasksCore::getStackNamesCoroutines()
{
    Loop loop;
    Future<void> gate(loop);
    TaskBase task;
    QList<StackFrame> fromInside;
    Task<void> t = loop.createTask(stackFoo(&task, &fromInside, gate));
    task = t;
    tt::runBriefly(loop);
    // From inside the task: foo -> bar.
    QCOMPARE(fromInside.size(), 2);
    QVERIFY2(fromInside[0].function.contains(QLatin1StringView("stackFoo")), qPrintable(fromInside[0].function));
    QVERIFY2(fromInside[1].function.contains(QLatin1StringView("stackBar")), qPrintable(fromInside[1].function));
    QVERIFY(fromInside[0].file.endsWith(QLatin1StringView("tst_tasks_core.cpp")));
    QVERIFY(fromInside[0].line > 0);
    QVERIFY(fromInside[0].address != nullptr);
    // While suspended: the same chain.
    QList<StackFrame> suspended = t.getStack();
    QCOMPARE(suspended.size(), 2);
    QVERIFY(suspended[0].function.contains(QLatin1StringView("stackFoo")));
    QVERIFY(suspended[1].function.contains(QLatin1StringView("stackBar")));
    QVERIFY(suspended[0].address != suspended[1].address);
    gate.setResult();
    loop.runUntilComplete(Future<void>(t));
}

void TestTasksCore::getStackOfDoneTaskIsEmpty()
{
    Loop loop;
    Task<int> t = loop.createTask(trivial(1));
    QCOMPARE(t.getStack().size(), 1); // not started: the top coroutine
    loop.runUntilComplete(Future<int>(t));
    QVERIFY(t.getStack().isEmpty());
}

void TestTasksCore::createdAtRecordsCaller()
{
    Loop loop;
    const int line = __LINE__ + 1;
    Task<int> t = loop.createTask(trivial(1));
    QCOMPARE(int(t.createdAt().line()), line);
    QVERIFY(QString::fromUtf8(t.createdAt().file_name()).endsWith(QLatin1StringView("tst_tasks_core.cpp")));
    loop.runUntilComplete(Future<int>(t));
}

// ---------------------------------------------------------------- task factories

void TestTasksCore::taskFactorySetAndGet()
{
    Loop loop;
    QVERIFY(!getTaskFactory(loop));
    setTaskFactory(loop, eagerTaskFactory);
    QVERIFY(bool(getTaskFactory(loop)));
    setTaskFactory(loop, {});
    QVERIFY(!getTaskFactory(loop));
}

void TestTasksCore::taskFactoryCanRenameAndCount()
{
    Loop loop;
    int created = 0;
    setTaskFactory(loop, [&](Loop &l, TaskBase &task) {
        QVERIFY(&l == &loop);
        ++created;
        task.setName(QStringLiteral("factory-%1").arg(created));
        // neither start() nor startEagerly(): the task starts normally
    });
    Task<int> a = loop.createTask(trivial(1));
    Task<int> b = loop.createTask(sleepThen(0, 2));
    QCOMPARE(a.getName(), QStringLiteral("factory-1"));
    QCOMPARE(b.getName(), QStringLiteral("factory-2"));
    QVERIFY(!a.done()); // scheduled, not run
    auto [x, y] = loop.runUntilComplete(qaio::gather(a, b));
    QCOMPARE(x + y, 3);
    QCOMPARE(created, 2); // gather() of tasks creates no task
}

void TestTasksCore::taskFactoryThrowingDropsTask()
{
    Loop loop;
    bool ran = false;
    setTaskFactory(loop, [](Loop &, TaskBase &) { throw MyExc("factory"); });
    auto body = [&]() -> Coro<int> {
        ran = true;
        co_return 1;
    };
    QVERIFY_THROWS_EXCEPTION(MyExc, loop.createTask(body()));
    QVERIFY(allTasks(loop).isEmpty());
    setTaskFactory(loop, {});
    tt::runBriefly(loop);
    QVERIFY(!ran);
}

void TestTasksCore::eagerTaskRunsUntilFirstSuspension()
{
    Loop loop;
    setTaskFactory(loop, eagerTaskFactory);
    Log log;
    auto body = [&]() -> Coro<int> {
        log << "start";
        co_await qaio::sleep(0);
        log << "resumed";
        co_return 5;
    };
    Task<int> t = loop.createTask(body());
    log << "created";
    QVERIFY(!t.done());
    QCOMPARE(loop.runUntilComplete(Future<int>(t)), 5);
    QCOMPARE(log, (Log{"start", "created", "resumed"}));
}

void TestTasksCore::eagerTaskCompletesWithoutScheduling()
{
    Loop loop;
    setTaskFactory(loop, eagerTaskFactory);
    Log log;
    auto body = [&]() -> Coro<int> {
        log << "body";
        co_return 7;
    };
    Task<int> t = loop.createTask(body());
    // Done inside createTask, before the loop ever ran.
    QVERIFY(t.done());
    QCOMPARE(t.result(), 7);
    QCOMPARE(log, (Log{"body"}));
    QVERIFY(allTasks(loop).isEmpty());
    QCOMPARE(loop.runUntilComplete(Future<int>(t)), 7);
}

void TestTasksCore::eagerTaskFailingAtOnce()
{
    Loop loop;
    setTaskFactory(loop, eagerTaskFactory);
    Task<int> t = loop.createTask(failAtOnce());
    QVERIFY(t.done());
    QVERIFY(tt::holds<MyExc>(t.exception()));
}

void TestTasksCore::eagerTaskCurrentTask()
{
    Loop loop;
    Task<void> outerTask;
    TaskBase inEager, afterCreate;
    bool eagerDone = false;
    bool eagerWasCurrent = false;
    auto eagerBody = [&]() -> Coro<void> {
        inEager = currentTask();
        co_return;
    };
    auto outer = [&]() -> Coro<void> {
        setTaskFactory(loop, eagerTaskFactory);
        Task<void> e = createTask(eagerBody());
        afterCreate = currentTask();
        eagerDone = e.done();
        eagerWasCurrent = inEager == TaskBase(e);
        co_return;
    };
    outerTask = loop.createTask(outer());
    loop.runUntilComplete(Future<void>(outerTask));
    QVERIFY(eagerDone);
    QVERIFY(eagerWasCurrent);
    QVERIFY(afterCreate == TaskBase(outerTask)); // restored after the eager step
    QVERIFY(!(inEager == afterCreate));
}

void TestTasksCore::eagerTaskCancelAfterCompletion()
{
    Loop loop;
    setTaskFactory(loop, eagerTaskFactory);
    Task<int> t = loop.createTask(trivial(3));
    QVERIFY(t.done());
    QVERIFY(!t.cancel());
    QVERIFY(!t.cancelled());
    QCOMPARE(t.result(), 3);
}

void TestTasksCore::eagerTaskCancelAfterBlocking()
{
    Loop loop;
    setTaskFactory(loop, eagerTaskFactory);
    Future<void> fut(loop);
    bool started = false;
    auto body = [&]() -> Coro<void> {
        started = true;
        co_await fut;
    };
    Task<void> t = loop.createTask(body());
    QVERIFY(started);
    QVERIFY(!t.done());
    QVERIFY(t.cancel());
    QVERIFY(fut.cancelled());
    QVERIFY_THROWS_EXCEPTION(CancelledError, loop.runUntilComplete(Future<void>(t)));
    QVERIFY(t.cancelled());
}

void TestTasksCore::eagerTaskAwaitingDoneFuture()
{
    // Awaiting an already-done future does not suspend: still synchronous.
    Loop loop;
    setTaskFactory(loop, eagerTaskFactory);
    Future<int> fut(loop);
    fut.setResult(9);
    Task<int> t = loop.createTask(awaitFuture(fut));
    QVERIFY(t.done());
    QCOMPARE(t.result(), 9);
}

// ---------------------------------------------------------------- ensureFuture

void TestTasksCore::ensureFutureCoroutine()
{
    Loop loop;
    Task<int> t = ensureFuture(trivial(4), loop);
    QVERIFY(!t.done());
    QCOMPARE(loop.runUntilComplete(Future<int>(t)), 4);
    QVERIFY(&t.getLoop() == &loop);
    auto body = [&]() -> Coro<int> {
        Task<int> inner = ensureFuture(sleepThen(0, 6)); // the running loop
        co_return co_await inner;
    };
    QCOMPARE(loop.runUntilComplete(body()), 6);
}

void TestTasksCore::ensureFutureFuture()
{
    Loop loop;
    Future<int> orig(loop);
    orig.setResult(10);
    Future<int> f = ensureFuture(orig);
    QVERIFY(f == orig); // the same future, not a copy of its result
    QCOMPARE(loop.runUntilComplete(f), 10);
}

void TestTasksCore::ensureFutureTask()
{
    Loop loop;
    Task<int> orig = loop.createTask(trivial(11));
    Task<int> t = ensureFuture(orig);
    QVERIFY(t == orig);
    QCOMPARE(loop.runUntilComplete(Future<int>(t)), 11);
}

// ---------------------------------------------------------------- sleep

void TestTasksCore::sleepReturnsValue()
{
    Loop loop;
    auto body = []() -> Coro<QString> { co_return co_await qaio::sleep(0.001, QStringLiteral("yeah")); };
    QCOMPARE(loop.runUntilComplete(body()), QStringLiteral("yeah"));
}

void TestTasksCore::sleepNanThrows()
{
    Loop loop;
    auto body = []() -> Coro<void> { co_await qaio::sleep(std::nan("")); };
    QVERIFY_THROWS_EXCEPTION(ValueError, loop.runUntilComplete(body()));
}

void TestTasksCore::sleepZeroYields()
{
    Loop loop;
    Log log;
    auto body = [&](QString name) -> Coro<void> {
        for (int i = 0; i < 3; ++i) {
            log << name + QString::number(i);
            co_await qaio::sleep(0);
        }
    };
    auto both = [&]() -> Coro<void> {
        co_await qaio::gather(body(QStringLiteral("a")), body(QStringLiteral("b")));
    };
    loop.runUntilComplete(both());
    QCOMPARE(log, (Log{"a0", "b0", "a1", "b1", "a2", "b2"}));
}

void TestTasksCore::sleepOrder()
{
    Loop loop;
    Log log;
    auto body = [&](double delay, QString name) -> Coro<void> {
        co_await qaio::sleep(delay);
        log << name;
    };
    auto all = [&]() -> Coro<void> {
        co_await qaio::gather(body(0.03, QStringLiteral("slow")), body(0.001, QStringLiteral("fast")),
                              body(0.015, QStringLiteral("medium")));
    };
    loop.runUntilComplete(all());
    QCOMPARE(log, (Log{"fast", "medium", "slow"}));
}

void TestTasksCore::sleepCancelled()
{
    Loop loop;
    bool finished = false;
    auto body = [&]() -> Coro<void> {
        co_await qaio::sleep(3600);
        finished = true;
    };
    Task<void> t = loop.createTask(body());
    loop.callLater(0.005, [t]() mutable { t.cancel(); });
    const double t0 = loop.time();
    QVERIFY_THROWS_EXCEPTION(CancelledError, loop.runUntilComplete(Future<void>(t)));
    QVERIFY(loop.time() - t0 < 5);
    QVERIFY(!finished);
}

void TestTasksCore::sleepChronoDuration()
{
    Loop loop;
    auto body = [&]() -> Coro<double> {
        const double t0 = loop.time();
        co_await qaio::sleep(std::chrono::milliseconds(20));
        co_return loop.time() - t0;
    };
    QVERIFY(loop.runUntilComplete(body()) >= 0.019);
}

// ---------------------------------------------------------------- errors through the loop

void TestTasksCore::unretrievedTaskExceptionIsReported()
{
    ErrorLog errors;
    Loop loop;
    errors.install(loop);
    {
        Task<int> t = loop.createTask(failWith(QStringLiteral("lost")));
        QVERIFY(tt::runUntil(loop, [&] { return t.done(); }));
        QCOMPARE(errors.entries.size(), 0); // not while somebody may still look
    }
    // The last handle is gone: nobody will ever retrieve the exception.
    QCOMPARE(errors.count(QStringLiteral("Task exception was never retrieved")), 1);
    QVERIFY(tt::holds<MyExc>(errors.entries.constFirst().exception));
    QCOMPARE(tt::whatOf(errors.entries.constFirst().exception), QStringLiteral("lost"));
}

void TestTasksCore::retrievedTaskExceptionIsNotReported()
{
    ErrorLog errors;
    Loop loop;
    errors.install(loop);
    {
        Task<int> t1 = loop.createTask(failWith(QStringLiteral("a")));
        Task<int> t2 = loop.createTask(failWith(QStringLiteral("b")));
        Task<int> t3 = loop.createTask(failWith(QStringLiteral("c")));
        QVERIFY(tt::runUntil(loop, [&] { return t1.done() && t2.done() && t3.done(); }));
        QVERIFY(t1.exception());                            // retrieved with exception()
        QVERIFY_THROWS_EXCEPTION(MyExc, (void)t2.result()); // retrieved with result()
        QVERIFY_THROWS_EXCEPTION(MyExc, loop.runUntilComplete(Future<int>(t3)));
    }
    tt::runBriefly(loop);
    QCOMPARE(errors.entries.size(), 0);
}

void TestTasksCore::cancelledTaskIsNotReported()
{
    ErrorLog errors;
    Loop loop;
    errors.install(loop);
    {
        Task<int> t = loop.createTask(sleepThen(10, 1));
        tt::runBriefly(loop);
        t.cancel();
        QVERIFY(tt::runUntil(loop, [&] { return t.done(); }));
        QVERIFY(t.cancelled());
    }
    tt::runBriefly(loop);
    QCOMPARE(errors.entries.size(), 0);
}

void TestTasksCore::pendingTaskAtCloseIsReported()
{
    ErrorLog errors;
    auto token = std::make_shared<int>(0);
    {
        Loop loop;
        errors.install(loop);
        Future<void> never(loop);
        Task<void> t = loop.createTask(holdToken(token, never), QStringLiteral("forgotten"));
        tt::runBriefly(loop);
        QCOMPARE(errors.entries.size(), 0);
        loop.close();
        QCOMPARE(errors.count(QStringLiteral("Task was destroyed but it is pending!")), 1);
        QVERIFY(errors.entries.constFirst().hasFuture);
        QVERIFY2(errors.entries.constFirst().future.contains(QLatin1StringView("forgotten")),
                 qPrintable(errors.entries.constFirst().future));
        QVERIFY(!t.done()); // never finished: abandoned, not cancelled
    }
    QCOMPARE(*token, 0); // the frame was destroyed, never resumed
    QCOMPARE(token.use_count(), 1);
}

void TestTasksCore::closeFreesSuspendedFrames()
{
    ErrorLog errors;
    auto token = std::make_shared<int>(0);
    Loop loop;
    errors.install(loop);
    Future<void> never(loop);
    loop.createTask(holdToken(token, never));
    loop.createTask(holdTokenNested(token, never));
    loop.createTask(holdTokenSleeping(token));
    tt::runBriefly(loop);
    QCOMPARE(token.use_count(), 1 + 1 + 3 + 1);
    loop.close();
    QCOMPARE(token.use_count(), 1);
    QCOMPARE(*token, 0);
    QCOMPARE(errors.count(QStringLiteral("Task was destroyed but it is pending!")), 3);
}

void TestTasksCore::destroyFreesSuspendedFrames()
{
    ErrorLog errors;
    auto token = std::make_shared<int>(0);
    {
        Loop loop;
        errors.install(loop);
        Future<void> never(loop);
        for (int i = 0; i < 10; ++i) {
            loop.createTask(holdToken(token, never));
            loop.createTask(holdTokenNested(token, never));
        }
        tt::runBriefly(loop);
        QCOMPARE(token.use_count(), 1 + 10 * (1 + 3));
    } // ~Loop closes the loop
    QCOMPARE(token.use_count(), 1);
    QCOMPARE(*token, 0);
    QCOMPARE(errors.count(QStringLiteral("Task was destroyed but it is pending!")), 20);
}

QTEST_GUILESS_MAIN(TestTasksCore)
#include "tst_tasks_core.moc"
