// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_tasks_taskgroup — TaskGroup (CPython's test_taskgroups.py) and
// run()/Runner (test_runners.py).
#include "qaio_test.h"

#include <qaio/qaio.h>
#include <qaio/runner.h>
#include <qaio/taskgroup.h>

#include <QtTest/QtTest>

#include <memory>
#include <set>
#include <stdexcept>
#include <typeindex>
#include <vector>

using namespace qaio;
using qaiotest::ErrorLog;
using qaiotest::MyExc;
using qaiotest::ZeroDivision;

namespace {

using Log = QStringList;

class ValueErr : public std::invalid_argument
{
public:
    explicit ValueErr(double t) : std::invalid_argument(std::to_string(t)) {}
};

// The set of exception kinds in a group (CPython's get_error_types).
std::set<QString> errorTypes(const ExceptionGroup &eg)
{
    std::set<QString> types;
    for (const std::exception_ptr &e : eg.exceptions()) {
        if (qaiotest::holds<ZeroDivision>(e))
            types.insert(QStringLiteral("ZeroDivision"));
        else if (qaiotest::holds<MyExc>(e))
            types.insert(QStringLiteral("MyExc"));
        else if (qaiotest::holds<ValueErr>(e))
            types.insert(QStringLiteral("ValueError"));
        else if (qaiotest::holds<ExceptionGroup>(e))
            types.insert(QStringLiteral("ExceptionGroup"));
        else if (qaiotest::holds<CancelledError>(e))
            types.insert(QStringLiteral("CancelledError"));
        else
            types.insert(QStringLiteral("other"));
    }
    return types;
}

const ExceptionGroup *asGroup(const std::exception_ptr &error, std::shared_ptr<ExceptionGroup> &keep)
{
    try {
        std::rethrow_exception(error);
    } catch (const ExceptionGroup &eg) {
        keep = std::make_shared<ExceptionGroup>(eg);
        return keep.get();
    } catch (...) {
        return nullptr;
    }
}

std::set<QString> S(std::initializer_list<const char *> names)
{
    std::set<QString> s;
    for (const char *n : names)
        s.insert(QString::fromUtf8(n));
    return s;
}

Coro<int> sleepThen(double delay, int value)
{
    co_await qaio::sleep(delay);
    co_return value;
}

Coro<void> crashAfter(double delay)
{
    co_await qaio::sleep(delay);
    throw ValueErr(delay);
}

Coro<void> divideByZeroAfter(double delay)
{
    co_await qaio::sleep(delay);
    throw ZeroDivision();
}

// Counts its cancellation, then lets it propagate.
Coro<void> countCancel(double delay, int *count, int step)
{
    try {
        co_await qaio::sleep(delay);
    } catch (const CancelledError &) {
        *count += step;
        throw;
    }
}

// Python's `try: await sleep(10) finally: 1 / 0`.
Coro<void> zeroDivisionWhenCancelled()
{
    try {
        co_await qaio::sleep(10);
    } catch (...) {
    }
    throw ZeroDivision();
}

Coro<void> failOnGate(Future<void> gate, bool zero)
{
    co_await gate;
    if (zero)
        throw ZeroDivision();
    throw MyExc();
}

Coro<void> holdToken(std::shared_ptr<int> token)
{
    co_await qaio::sleep(0);
    ++*token;
}

qaiotest::Foreign enterWithoutTask(TaskGroup tg, QString *message, bool *finished)
{
    try {
        co_await tg.run(qaio::sleep(0));
    } catch (const RuntimeError &e) {
        *message = QString::fromUtf8(e.what());
    }
    *finished = true;
}

} // namespace

#define QAIO_CATCH_GROUP(expr, groupVar)                                                          \
    std::shared_ptr<ExceptionGroup> groupVar##Keep;                                               \
    const ExceptionGroup *groupVar = asGroup(qaiotest::errorOf([&] { expr; }), groupVar##Keep);         \
    QVERIFY2(groupVar, "ExceptionGroup was not raised")

class TestTasksTaskGroup : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // test_taskgroups.py
    void taskgroup01();
    void taskgroup02();
    void taskgroup03();
    void taskgroup04();
    void cancelChildrenOnChildError();
    void cancellation();
    void taskgroup07();
    void cancellationInBody();
    void taskgroup09();
    void taskgroup10();
    void taskgroup08();
    void taskgroup11();
    void taskgroup12();
    void nestedCancelledBeforeChildrenFail();
    void taskgroup13();
    void taskgroup14();
    void taskgroup15();
    void taskgroup16();
    void taskgroup17();
    void taskgroup18();
    void bodyAndChildFailTogether();
    void taskgroup22();
    void tasksLeaveTheGroupWhenDone();
    void childCreatesTasks();
    void hydra();
    void taskName();
    void withoutParentTask();
    void notEntered();
    void alreadyEntered();
    void createTaskAfterFinished();
    void createTaskWhileShuttingDown();
    void parentContinuesAfterGroupError();
    void childrenFailingTogether();
    void bodyReturnsValue();
    void groupWaitsForChildren();
    void timeoutAroundTaskGroup();
    void timeoutInsideChild();
    void eagerChildren();
    void eagerChildFailingAtOnce();
    void copiesShareTheGroup();
    void contextManagerExitRaises();
    void cancellingLevelPreserved();
    void nestedGroupsBothCancelled();
    void errorAndCancel();
    void cancelsTaskCreatedDuringCreation_data();
    void cancelsTaskCreatedDuringCreation();
    void cancellationDoesNotLeakOutOfGroup();
    void childSeesItsName();
    // run() / Runner (test_runners.py)
    void runReturn();
    void runRaises();
    void runEmptyCoroutine();
    void runDebug();
    void runFromRunningLoop();
    void runCancelsHangingTasks();
    void runReportsHangingTasksErrors();
    void runnerNonDebug();
    void runnerDebug();
    void runnerCustomFactory();
    void runnerRun();
    void runnerExplicitClose();
    void runnerDoubleClose();
    void runnerRunAfterClose();
    void runnerKeepsLoopBetweenRuns();
    void runnerRecursiveRun();
    void runnerSetsEventLoop();
    void runnerCloseCancelsPendingTasks();
};

// ---------------------------------------------------------------- TaskGroup

void TestTasksTaskGroup::taskgroup01()
{
    Loop loop;
    Task<int> t1, t2;
    auto main = [&]() -> Coro<void> {
        TaskGroup g;
        auto body = [&]() -> Coro<void> {
            t1 = g.createTask(sleepThen(0.01, 42));
            t2 = g.createTask(sleepThen(0.02, 11));
            co_return;
        };
        co_await g.run(body());
    };
    loop.runUntilComplete(main());
    QCOMPARE(t1.result(), 42);
    QCOMPARE(t2.result(), 11);
}

void TestTasksTaskGroup::taskgroup02()
{
    Loop loop;
    Task<int> t1, t2;
    auto main = [&]() -> Coro<void> {
        TaskGroup g;
        auto body = [&]() -> Coro<void> {
            t1 = g.createTask(sleepThen(0.01, 42));
            co_await qaio::sleep(0.015);
            t2 = g.createTask(sleepThen(0.02, 11));
        };
        co_await g.run(body());
    };
    loop.runUntilComplete(main());
    QCOMPARE(t1.result(), 42);
    QCOMPARE(t2.result(), 11);
}

void TestTasksTaskGroup::taskgroup03()
{
    Loop loop;
    Task<int> t1, t2;
    auto main = [&]() -> Coro<void> {
        TaskGroup g;
        auto body = [&]() -> Coro<void> {
            t1 = g.createTask(sleepThen(1, 42));
            co_await qaio::sleep(0.015);
            // Cancel t1 explicitly: everything else goes on as usual.
            t1.cancel();
            t2 = g.createTask(sleepThen(0.02, 11));
        };
        co_await g.run(body());
    };
    loop.runUntilComplete(main());
    QVERIFY(t1.cancelled());
    QCOMPARE(t2.result(), 11);
}

void TestTasksTaskGroup::taskgroup04()
{
    Loop loop;
    int num = 0;
    bool t2Cancel = false;
    Task<void> t2;
    auto foo2 = [&]() -> Coro<void> {
        try {
            co_await qaio::sleep(1);
        } catch (const CancelledError &) {
            t2Cancel = true;
            throw;
        }
        num += 1;
    };
    auto runner = [&]() -> Coro<void> {
        TaskGroup g;
        auto body = [&]() -> Coro<void> {
            g.createTask(divideByZeroAfter(0.01));
            t2 = g.createTask(foo2());
            co_return;
        };
        co_await g.run(body());
        num += 10;
    };
    QAIO_CATCH_GROUP(loop.runUntilComplete(runner()), eg);
    QCOMPARE(errorTypes(*eg), S({"ZeroDivision"}));
    QCOMPARE(num, 0);
    QVERIFY(t2Cancel);
    QVERIFY(t2.cancelled());
}

void TestTasksTaskGroup::cancelChildrenOnChildError()
{
    Loop loop;
    int num = 0;
    bool t2Cancel = false;
    bool runnerCancel = false;
    auto foo2 = [&]() -> Coro<void> {
        try {
            co_await qaio::sleep(5);
        } catch (const CancelledError &) {
            t2Cancel = true;
            throw;
        }
        num += 1;
    };
    auto runner = [&]() -> Coro<void> {
        TaskGroup g;
        auto body = [&]() -> Coro<void> {
            g.createTask(divideByZeroAfter(0.01));
            g.createTask(divideByZeroAfter(0.01));
            g.createTask(divideByZeroAfter(0.01));
            g.createTask(foo2());
            try {
                co_await qaio::sleep(10);
            } catch (const CancelledError &) {
                runnerCancel = true;
                throw;
            }
        };
        co_await g.run(body());
        num += 10;
    };
    QAIO_CATCH_GROUP(loop.runUntilComplete(runner()), eg);
    QCOMPARE(errorTypes(*eg), S({"ZeroDivision"}));
    QVERIFY(!eg->exceptions().empty());
    QCOMPARE(num, 0);
    QVERIFY(t2Cancel);
    QVERIFY(runnerCancel);
}

void TestTasksTaskGroup::cancellation()
{
    Loop loop;
    int num = 0;
    auto runner = [&]() -> Coro<void> {
        TaskGroup g;
        auto body = [&]() -> Coro<void> {
            for (int i = 0; i < 5; ++i)
                g.createTask(countCancel(5, &num, 1));
            co_return;
        };
        co_await g.run(body());
    };
    Task<void> r = loop.createTask(runner());
    qaiotest::runFor(loop, 0.01);
    QVERIFY(!r.done());
    r.cancel(QStringLiteral("test"));
    auto error = qaiotest::errorOf([&] { loop.runUntilComplete(Future<void>(r)); });
    QVERIFY(qaiotest::holds<CancelledError>(error));
    QCOMPARE(qaiotest::cancelMessageOf(error), QStringLiteral("test"));
    QCOMPARE(num, 5);
}

void TestTasksTaskGroup::taskgroup07()
{
    Loop loop;
    int num = 0;
    auto runner = [&]() -> Coro<void> {
        TaskGroup g;
        auto body = [&]() -> Coro<void> {
            for (int i = 0; i < 5; ++i)
                g.createTask(countCancel(5, &num, 1));
            co_await countCancel(10, &num, 10);
        };
        co_await g.run(body());
    };
    Task<void> r = loop.createTask(runner());
    qaiotest::runFor(loop, 0.01);
    QVERIFY(!r.done());
    r.cancel();
    QVERIFY_THROWS_EXCEPTION(CancelledError, loop.runUntilComplete(Future<void>(r)));
    QCOMPARE(num, 15);
}

void TestTasksTaskGroup::cancellationInBody()
{
    Loop loop;
    auto runner = [&]() -> Coro<void> {
        TaskGroup g;
        auto body = [&]() -> Coro<void> {
            for (int i = 0; i < 5; ++i)
                g.createTask(divideByZeroAfter(1.0));
            co_await qaio::sleep(10);
        };
        co_await g.run(body());
    };
    Task<void> r = loop.createTask(runner());
    qaiotest::runFor(loop, 0.01);
    QVERIFY(!r.done());
    r.cancel(QStringLiteral("test"));
    auto error = qaiotest::errorOf([&] { loop.runUntilComplete(Future<void>(r)); });
    QVERIFY(qaiotest::holds<CancelledError>(error));
    QCOMPARE(qaiotest::cancelMessageOf(error), QStringLiteral("test"));
}

void TestTasksTaskGroup::taskgroup09()
{
    Loop loop;
    Task<int> t1, t2;
    auto runner = [&]() -> Coro<void> {
        TaskGroup g;
        auto body = [&]() -> Coro<void> {
            t1 = g.createTask(sleepThen(1, 42));
            t2 = g.createTask(sleepThen(2, 11));
            co_await qaio::sleep(0.01);
            throw ZeroDivision();
        };
        co_await g.run(body());
    };
    QAIO_CATCH_GROUP(loop.runUntilComplete(runner()), eg);
    QCOMPARE(errorTypes(*eg), S({"ZeroDivision"}));
    QVERIFY(t1.cancelled());
    QVERIFY(t2.cancelled());
}

void TestTasksTaskGroup::taskgroup10()
{
    Loop loop;
    Task<int> t1, t2;
    auto runner = [&]() -> Coro<void> {
        TaskGroup g;
        auto body = [&]() -> Coro<void> {
            t1 = g.createTask(sleepThen(1, 42));
            t2 = g.createTask(sleepThen(2, 11));
            throw ZeroDivision();
            co_return;
        };
        co_await g.run(body());
    };
    QAIO_CATCH_GROUP(loop.runUntilComplete(runner()), eg);
    QCOMPARE(errorTypes(*eg), S({"ZeroDivision"}));
    QVERIFY(t1.cancelled());
    QVERIFY(t2.cancelled());
}

void TestTasksTaskGroup::taskgroup08()
{
    // The body is cancelled from outside; the children fail while being
    // cancelled: their errors win over the cancellation.
    Loop loop;
    auto runner = [&]() -> Coro<void> {
        TaskGroup g;
        auto body = [&]() -> Coro<void> {
            for (int i = 0; i < 5; ++i)
                g.createTask(zeroDivisionWhenCancelled());
            co_await qaio::sleep(10);
        };
        co_await g.run(body());
    };
    Task<void> r = loop.createTask(runner());
    qaiotest::runFor(loop, 0.01);
    QVERIFY(!r.done());
    r.cancel();
    QAIO_CATCH_GROUP(loop.runUntilComplete(Future<void>(r)), eg);
    QCOMPARE(errorTypes(*eg), S({"ZeroDivision"}));
    QCOMPARE(eg->exceptions().size(), std::size_t(5));
}

void TestTasksTaskGroup::taskgroup11()
{
    Loop loop;
    auto runner = [&]() -> Coro<void> {
        TaskGroup g1;
        TaskGroup g2;
        auto inner = [&]() -> Coro<void> {
            for (int i = 0; i < 5; ++i)
                g2.createTask(zeroDivisionWhenCancelled());
            co_await qaio::sleep(10);
        };
        auto outer = [&]() -> Coro<void> { co_await g2.run(inner()); };
        co_await g1.run(outer());
    };
    Task<void> r = loop.createTask(runner());
    qaiotest::runFor(loop, 0.01);
    QVERIFY(!r.done());
    r.cancel();
    QAIO_CATCH_GROUP(loop.runUntilComplete(Future<void>(r)), eg);
    QCOMPARE(errorTypes(*eg), S({"ExceptionGroup"}));
    std::shared_ptr<ExceptionGroup> innerKeep;
    const ExceptionGroup *innerGroup = asGroup(eg->exceptions()[0], innerKeep);
    QVERIFY(innerGroup);
    QCOMPARE(errorTypes(*innerGroup), S({"ZeroDivision"}));
}

void TestTasksTaskGroup::taskgroup12()
{
    Loop loop;
    auto runner = [&]() -> Coro<void> {
        TaskGroup g1;
        TaskGroup g2;
        auto inner = [&]() -> Coro<void> {
            for (int i = 0; i < 5; ++i)
                g2.createTask(zeroDivisionWhenCancelled());
            co_await qaio::sleep(10);
        };
        auto outer = [&]() -> Coro<void> {
            g1.createTask(qaio::sleep(10));
            co_await g2.run(inner());
        };
        co_await g1.run(outer());
    };
    Task<void> r = loop.createTask(runner());
    qaiotest::runFor(loop, 0.01);
    QVERIFY(!r.done());
    r.cancel();
    QAIO_CATCH_GROUP(loop.runUntilComplete(Future<void>(r)), eg);
    QCOMPARE(errorTypes(*eg), S({"ExceptionGroup"}));
    std::shared_ptr<ExceptionGroup> innerKeep;
    const ExceptionGroup *innerGroup = asGroup(eg->exceptions()[0], innerKeep);
    QVERIFY(innerGroup);
    QCOMPARE(errorTypes(*innerGroup), S({"ZeroDivision"}));
}

void TestTasksTaskGroup::nestedCancelledBeforeChildrenFail()
{
    // The older form of test_taskgroup_11: the children would fail later,
    // the outside cancellation comes first and simply propagates.
    Loop loop;
    auto runner = [&]() -> Coro<void> {
        TaskGroup g1;
        TaskGroup g2;
        auto inner = [&]() -> Coro<void> {
            for (int i = 0; i < 5; ++i)
                g2.createTask(divideByZeroAfter(1.0));
            co_await qaio::sleep(10);
        };
        auto outer = [&]() -> Coro<void> {
            g1.createTask(qaio::sleep(10));
            co_await g2.run(inner());
        };
        co_await g1.run(outer());
    };
    Task<void> r = loop.createTask(runner());
    qaiotest::runFor(loop, 0.01);
    QVERIFY(!r.done());
    r.cancel();
    QVERIFY_THROWS_EXCEPTION(CancelledError, loop.runUntilComplete(Future<void>(r)));
}

void TestTasksTaskGroup::taskgroup13()
{
    Loop loop;
    auto runner = [&]() -> Coro<void> {
        TaskGroup g1;
        TaskGroup g2;
        auto inner = [&]() -> Coro<void> {
            g2.createTask(crashAfter(10));
            co_return;
        };
        auto outer = [&]() -> Coro<void> {
            g1.createTask(crashAfter(0.01));
            co_await g2.run(inner());
        };
        co_await g1.run(outer());
    };
    QAIO_CATCH_GROUP(loop.runUntilComplete(runner()), eg);
    QCOMPARE(errorTypes(*eg), S({"ValueError"}));
}

void TestTasksTaskGroup::taskgroup14()
{
    Loop loop;
    auto runner = [&]() -> Coro<void> {
        TaskGroup g1;
        TaskGroup g2;
        auto inner = [&]() -> Coro<void> {
            g2.createTask(crashAfter(0.01));
            co_return;
        };
        auto outer = [&]() -> Coro<void> {
            g1.createTask(crashAfter(10));
            co_await g2.run(inner());
        };
        co_await g1.run(outer());
    };
    QAIO_CATCH_GROUP(loop.runUntilComplete(runner()), eg);
    QCOMPARE(errorTypes(*eg), S({"ExceptionGroup"}));
    std::shared_ptr<ExceptionGroup> innerKeep;
    const ExceptionGroup *inner = asGroup(eg->exceptions()[0], innerKeep);
    QVERIFY(inner);
    QCOMPARE(errorTypes(*inner), S({"ValueError"}));
}

void TestTasksTaskGroup::taskgroup15()
{
    Loop loop;
    auto runner = [&]() -> Coro<void> {
        TaskGroup g1;
        auto body = [&]() -> Coro<void> {
            g1.createTask(divideByZeroAfter(0.03));
            bool cancelled = false;
            try {
                co_await qaio::sleep(10);
            } catch (const CancelledError &) {
                cancelled = true;
            }
            if (cancelled) {
                co_await qaio::sleep(0.05);
                throw CancelledError();
            }
        };
        co_await g1.run(body());
    };
    Task<void> r = loop.createTask(runner());
    qaiotest::runFor(loop, 0.01);
    QVERIFY(!r.done());
    r.cancel();
    // The child fails while the body cleans up: its error wins (Python 3.13+).
    QAIO_CATCH_GROUP(loop.runUntilComplete(Future<void>(r)), eg);
    QCOMPARE(errorTypes(*eg), S({"ZeroDivision"}));
}

void TestTasksTaskGroup::taskgroup16()
{
    Loop loop;
    auto nestedRunner = [&]() -> Coro<void> {
        TaskGroup g1;
        auto body = [&]() -> Coro<void> {
            g1.createTask(divideByZeroAfter(0.03));
            bool cancelled = false;
            try {
                co_await qaio::sleep(10);
            } catch (const CancelledError &) {
                cancelled = true;
            }
            if (cancelled) {
                co_await qaio::sleep(0.05);
                throw CancelledError();
            }
        };
        co_await g1.run(body());
    };
    auto runner = [&]() -> Coro<void> {
        Task<void> t = createTask(nestedRunner());
        co_await t;
    };
    Task<void> r = loop.createTask(runner());
    qaiotest::runFor(loop, 0.01);
    QVERIFY(!r.done());
    r.cancel();
    QAIO_CATCH_GROUP(loop.runUntilComplete(Future<void>(r)), eg);
    QCOMPARE(errorTypes(*eg), S({"ZeroDivision"}));
}

void TestTasksTaskGroup::taskgroup17()
{
    Loop loop;
    int num = 0;
    auto runner = [&]() -> Coro<void> {
        TaskGroup g;
        co_await g.run(countCancel(10, &num, 10));
    };
    Task<void> r = loop.createTask(runner());
    qaiotest::runFor(loop, 0.01);
    QVERIFY(!r.done());
    r.cancel();
    QVERIFY_THROWS_EXCEPTION(CancelledError, loop.runUntilComplete(Future<void>(r)));
    QCOMPARE(num, 10);
}

void TestTasksTaskGroup::taskgroup18()
{
    Loop loop;
    int num = 0;
    auto body = [&]() -> Coro<void> {
        try {
            co_await qaio::sleep(10);
        } catch (const CancelledError &) {
            num += 10;
            // Not a good idea, but it has to be supported.
            throw MyExc();
        }
    };
    auto runner = [&]() -> Coro<void> {
        TaskGroup g;
        co_await g.run(body());
    };
    Task<void> r = loop.createTask(runner());
    qaiotest::runFor(loop, 0.01);
    QVERIFY(!r.done());
    r.cancel();
    QAIO_CATCH_GROUP(loop.runUntilComplete(Future<void>(r)), eg);
    QCOMPARE(errorTypes(*eg), S({"MyExc"}));
    QCOMPARE(num, 10);
}

void TestTasksTaskGroup::bodyAndChildFailTogether()
{
    // test_taskgroup_19: the child's failure cancels the body, whose cleanup
    // fails too: the ExceptionGroup holds both.
    Loop loop;
    auto nested = []() -> Coro<void> {
        try {
            co_await qaio::sleep(10);
        } catch (...) {
        }
        throw MyExc(); // Python: raise in `finally`
    };
    auto runner = [&]() -> Coro<void> {
        TaskGroup g;
        auto body = [&]() -> Coro<void> {
            g.createTask(divideByZeroAfter(0.01));
            co_await nested();
        };
        co_await g.run(body());
    };
    Task<void> r = loop.createTask(runner());
    QAIO_CATCH_GROUP(loop.runUntilComplete(Future<void>(r)), eg);
    QCOMPARE(errorTypes(*eg), S({"MyExc", "ZeroDivision"}));
    QCOMPARE(eg->exceptions().size(), std::size_t(2));
    QVERIFY(!r.cancelled());
}

void TestTasksTaskGroup::taskgroup22()
{
    Loop loop;
    auto runner = [&]() -> Coro<void> {
        TaskGroup g;
        auto body = [&]() -> Coro<void> {
            g.createTask(sleepThen(1, 42));
            g.createTask(sleepThen(2, 11));
            co_return;
        };
        co_await g.run(body());
    };
    Task<void> r = loop.createTask(runner());
    qaiotest::runFor(loop, 0.005);
    r.cancel();
    QVERIFY_THROWS_EXCEPTION(CancelledError, loop.runUntilComplete(Future<void>(r)));
}

void TestTasksTaskGroup::tasksLeaveTheGroupWhenDone()
{
    // test_taskgroup_23: finished tasks do not linger in the group.
    Loop loop;
    int running = 0;
    int maxRunning = 0;
    auto doJob = [&](double delay) -> Coro<void> {
        ++running;
        maxRunning = std::max(maxRunning, running);
        co_await qaio::sleep(delay);
        --running;
    };
    int pendingAtEnd = -1;
    auto main = [&]() -> Coro<void> {
        TaskGroup g;
        auto body = [&]() -> Coro<void> {
            for (int count = 0; count < 10; ++count) {
                co_await qaio::sleep(0.005);
                g.createTask(doJob(0.012));
            }
            co_await qaio::sleep(0.05);
            pendingAtEnd = running;
        };
        co_await g.run(body());
    };
    loop.runUntilComplete(main());
    QVERIFY(maxRunning < 5);
    QCOMPARE(pendingAtEnd, 0);
}

void TestTasksTaskGroup::childCreatesTasks()
{
    // test_taskgroup_24: a child adds tasks to its own group.
    Loop loop;
    int finished = 0;
    auto coro1 = [&](double delay) -> Coro<void> {
        co_await qaio::sleep(delay);
        ++finished;
    };
    auto root = [&](TaskGroup g) -> Coro<void> {
        co_await qaio::sleep(0.005);
        g.createTask(coro1(0.005));
        g.createTask(coro1(0.01));
    };
    auto runner = [&]() -> Coro<void> {
        TaskGroup g;
        auto body = [&]() -> Coro<void> {
            g.createTask(root(g));
            co_return;
        };
        co_await g.run(body());
    };
    loop.runUntilComplete(runner());
    QCOMPARE(finished, 2); // the group waited for the tasks added late
}

void TestTasksTaskGroup::hydra()
{
    // test_taskgroup_25
    Loop loop;
    int nhydras = 0;
    std::function<Coro<void>(TaskGroup)> hydraFn;
    auto hydra = [&](TaskGroup g) -> Coro<void> {
        ++nhydras;
        co_await qaio::sleep(0.001);
        g.createTask(hydraFn(g));
        g.createTask(hydraFn(g));
    };
    hydraFn = hydra;
    auto hercules = [&]() -> Coro<void> {
        while (nhydras < 10)
            co_await qaio::sleep(0.0015);
        throw ZeroDivision();
    };
    auto runner = [&]() -> Coro<void> {
        TaskGroup g;
        auto body = [&]() -> Coro<void> {
            g.createTask(hydra(g));
            g.createTask(hercules());
            co_return;
        };
        co_await g.run(body());
    };
    QAIO_CATCH_GROUP(loop.runUntilComplete(runner()), eg);
    QCOMPARE(errorTypes(*eg), S({"ZeroDivision"}));
    QVERIFY(nhydras >= 10);
}

void TestTasksTaskGroup::taskName()
{
    Loop loop;
    QString name;
    auto main = [&]() -> Coro<void> {
        TaskGroup g;
        auto body = [&]() -> Coro<void> {
            Task<void> t = g.createTask(qaio::sleep(0), QStringLiteral("yolo"));
            name = t.getName();
            co_return;
        };
        co_await g.run(body());
    };
    loop.runUntilComplete(main());
    QCOMPARE(name, QStringLiteral("yolo"));
}

void TestTasksTaskGroup::withoutParentTask()
{
    Loop loop;
    QString message;
    bool finished = false;
    TaskGroup tg;
    loop.callSoon([&] { enterWithoutTask(tg, &message, &finished); });
    QVERIFY(qaiotest::runUntil(loop, [&] { return finished; }));
    QVERIFY2(message.contains(QLatin1StringView("parent task")), qPrintable(message));
}

void TestTasksTaskGroup::notEntered()
{
    Loop loop;
    auto token = std::make_shared<int>(0);
    TaskGroup tg;
    auto error = qaiotest::errorOf([&] { tg.createTask(holdToken(token)); });
    QVERIFY(qaiotest::holds<RuntimeError>(error));
    QVERIFY2(qaiotest::whatOf(error).contains(QLatin1StringView("has not been entered")), qPrintable(qaiotest::whatOf(error)));
    QCOMPARE(token.use_count(), 1); // the coroutine was dropped, not leaked
    QCOMPARE(*token, 0);
}

void TestTasksTaskGroup::alreadyEntered()
{
    Loop loop;
    QString nested, again;
    auto main = [&]() -> Coro<void> {
        TaskGroup tg;
        auto body = [&]() -> Coro<void> {
            try {
                co_await tg.run(qaio::sleep(0));
            } catch (const RuntimeError &e) {
                nested = QString::fromUtf8(e.what());
            }
        };
        co_await tg.run(body());
        try {
            co_await tg.run(qaio::sleep(0));
        } catch (const RuntimeError &e) {
            again = QString::fromUtf8(e.what());
        }
    };
    loop.runUntilComplete(main());
    QVERIFY2(nested.contains(QLatin1StringView("has already been entered")), qPrintable(nested));
    QVERIFY2(again.contains(QLatin1StringView("has already been entered")), qPrintable(again));
}

void TestTasksTaskGroup::createTaskAfterFinished()
{
    // test_coro_closed_when_tg_closed: the coroutine is dropped, not run.
    Loop loop;
    auto token = std::make_shared<int>(0);
    QString message;
    auto main = [&]() -> Coro<void> {
        TaskGroup tg;
        co_await tg.run(qaio::sleep(0));
        try {
            tg.createTask(holdToken(token));
        } catch (const RuntimeError &e) {
            message = QString::fromUtf8(e.what());
        }
        co_await qaio::sleep(0.001);
    };
    loop.runUntilComplete(main());
    QVERIFY2(message.contains(QLatin1StringView("finished")), qPrintable(message));
    QCOMPARE(token.use_count(), 1);
    QCOMPARE(*token, 0);
}

void TestTasksTaskGroup::createTaskWhileShuttingDown()
{
    // A child that, being cancelled by the group, tries to add a task.
    Loop loop;
    auto token = std::make_shared<int>(0);
    QString message;
    auto main = [&]() -> Coro<void> {
        TaskGroup tg;
        auto stubborn = [&]() -> Coro<void> {
            bool cancelled = false;
            try {
                co_await qaio::sleep(10);
            } catch (const CancelledError &) {
                cancelled = true;
            }
            if (cancelled) {
                try {
                    tg.createTask(holdToken(token));
                } catch (const RuntimeError &e) {
                    message = QString::fromUtf8(e.what());
                }
                throw CancelledError();
            }
        };
        auto body = [&]() -> Coro<void> {
            tg.createTask(stubborn());
            tg.createTask(divideByZeroAfter(0.005));
            co_return;
        };
        co_await tg.run(body());
    };
    QAIO_CATCH_GROUP(loop.runUntilComplete(main()), eg);
    QCOMPARE(errorTypes(*eg), S({"ZeroDivision"}));
    QVERIFY2(message.contains(QLatin1StringView("shutting down")), qPrintable(message));
    QCOMPARE(token.use_count(), 1);
}

void TestTasksTaskGroup::parentContinuesAfterGroupError()
{
    // The group cancelled its parent to stop the body; once the group is
    // done the parent is not cancelled any more and goes on awaiting.
    Loop loop;
    Log log;
    auto main = [&]() -> Coro<int> {
        TaskGroup g;
        auto body = [&]() -> Coro<void> {
            g.createTask(divideByZeroAfter(0.005));
            co_await qaio::sleep(10); // cancelled by the group
        };
        try {
            co_await g.run(body());
        } catch (const ExceptionGroup &) {
            log << "group failed";
        }
        log << QString::number(currentTask().cancelling());
        co_await qaio::sleep(0.001); // something else, after the group
        log << "after";
        co_return 1;
    };
    Task<int> t = loop.createTask(main());
    QCOMPARE(loop.runUntilComplete(Future<int>(t)), 1);
    QCOMPARE(log, (Log{"group failed", "0", "after"}));
    QVERIFY(!t.cancelled());
}

void TestTasksTaskGroup::childrenFailingTogether()
{
    Loop loop;
    auto main = [&]() -> Coro<void> {
        TaskGroup g;
        auto body = [&]() -> Coro<void> {
            Future<void> gate(getRunningLoop());
            g.createTask(failOnGate(gate, true));
            g.createTask(failOnGate(gate, false));
            co_await qaio::sleep(0);
            gate.setResult(); // both fail in the same iteration
        };
        co_await g.run(body());
    };
    QAIO_CATCH_GROUP(loop.runUntilComplete(main()), eg);
    QCOMPARE(eg->exceptions().size(), std::size_t(2));
    QCOMPARE(errorTypes(*eg), S({"MyExc", "ZeroDivision"}));
    QVERIFY(eg->message().size() > 0);
    QVERIFY(QString::fromUtf8(eg->what()).contains(QLatin1StringView("2 sub-exceptions")));
}

void TestTasksTaskGroup::bodyReturnsValue()
{
    Loop loop;
    auto main = [&]() -> Coro<int> {
        TaskGroup g;
        Task<int> child;
        auto body = [&]() -> Coro<int> {
            child = g.createTask(sleepThen(0.001, 20));
            co_return 1;
        };
        const int fromBody = co_await g.run(body());
        co_return fromBody + child.result();
    };
    QCOMPARE(loop.runUntilComplete(main()), 21);
}

void TestTasksTaskGroup::groupWaitsForChildren()
{
    Loop loop;
    Log log;
    auto child = [&](double delay, QString name) -> Coro<void> {
        co_await qaio::sleep(delay);
        log << name;
    };
    auto main = [&]() -> Coro<void> {
        TaskGroup g;
        auto body = [&]() -> Coro<void> {
            g.createTask(child(0.01, QStringLiteral("slow")));
            g.createTask(child(0.001, QStringLiteral("fast")));
            log << "body done";
            co_return;
        };
        co_await g.run(body());
        log << "group done";
    };
    loop.runUntilComplete(main());
    QCOMPARE(log, (Log{"body done", "fast", "slow", "group done"}));
}

void TestTasksTaskGroup::timeoutAroundTaskGroup()
{
    Loop loop;
    int cancelledChildren = 0;
    auto main = [&]() -> Coro<void> {
        TaskGroup g;
        auto body = [&]() -> Coro<void> {
            g.createTask(countCancel(10, &cancelledChildren, 1));
            g.createTask(countCancel(10, &cancelledChildren, 1));
            co_return;
        };
        co_await qaio::timeout(0.01).run(g.run(body()));
    };
    Task<void> t = loop.createTask(main());
    QVERIFY_THROWS_EXCEPTION(TimeoutError, loop.runUntilComplete(Future<void>(t)));
    QCOMPARE(cancelledChildren, 2);
    QCOMPARE(t.cancelling(), 0);
}

void TestTasksTaskGroup::timeoutInsideChild()
{
    // A child's own timeout is its business: the group is not affected.
    Loop loop;
    bool childTimedOut = false;
    auto child = [&]() -> Coro<void> {
        try {
            co_await qaio::timeout(0.005).run(qaio::sleep(10));
        } catch (const TimeoutError &) {
            childTimedOut = true;
        }
    };
    auto main = [&]() -> Coro<int> {
        TaskGroup g;
        Task<int> other;
        auto body = [&]() -> Coro<void> {
            g.createTask(child());
            other = g.createTask(sleepThen(0.01, 3));
            co_return;
        };
        co_await g.run(body());
        co_return other.result();
    };
    QCOMPARE(loop.runUntilComplete(main()), 3);
    QVERIFY(childTimedOut);
}

void TestTasksTaskGroup::eagerChildren()
{
    Loop loop;
    setTaskFactory(loop, eagerTaskFactory);
    Log log;
    auto quick = [&]() -> Coro<int> {
        log << "quick";
        co_return 1;
    };
    auto slow = [&]() -> Coro<int> {
        log << "slow start";
        co_await qaio::sleep(0.001);
        log << "slow end";
        co_return 2;
    };
    auto main = [&]() -> Coro<int> {
        TaskGroup g;
        Task<int> a, b;
        auto body = [&]() -> Coro<void> {
            a = g.createTask(quick());
            log << (a.done() ? "a done: true" : "a done: false");
            b = g.createTask(slow());
            log << "body end";
            co_return;
        };
        co_await g.run(body());
        co_return a.result() + b.result();
    };
    QCOMPARE(loop.runUntilComplete(main()), 3);
    QCOMPARE(log, (Log{"quick", "a done: true", "slow start", "body end", "slow end"}));
}

void TestTasksTaskGroup::eagerChildFailingAtOnce()
{
    Loop loop;
    setTaskFactory(loop, eagerTaskFactory);
    bool bodyCancelled = false;
    auto failing = []() -> Coro<void> {
        throw MyExc();
        co_return;
    };
    auto main = [&]() -> Coro<void> {
        TaskGroup g;
        auto body = [&]() -> Coro<void> {
            g.createTask(failing()); // done, and failed, inside createTask
            try {
                co_await qaio::sleep(10);
            } catch (const CancelledError &) {
                bodyCancelled = true;
                throw;
            }
        };
        co_await g.run(body());
    };
    QAIO_CATCH_GROUP(loop.runUntilComplete(main()), eg);
    QCOMPARE(errorTypes(*eg), S({"MyExc"}));
    QVERIFY(bodyCancelled);
}

void TestTasksTaskGroup::copiesShareTheGroup()
{
    Loop loop;
    int finished = 0;
    auto leaf = [&]() -> Coro<void> {
        co_await qaio::sleep(0.002);
        ++finished;
    };
    auto adder = [&](TaskGroup copy) -> Coro<void> {
        copy.createTask(leaf());
        co_return;
    };
    auto main = [&]() -> Coro<void> {
        TaskGroup g;
        auto body = [&]() -> Coro<void> {
            co_await adder(g); // a copy adds to the same group
            co_await adder(g);
        };
        co_await g.run(body());
    };
    loop.runUntilComplete(main());
    QCOMPARE(finished, 2);
}

void TestTasksTaskGroup::contextManagerExitRaises()
{
    // gh-95289: the body's own cleanup raises after the group cancelled it;
    // both errors are reported and the task is left uncancelled.
    Loop loop;
    int cancellingAfter = -1;
    std::size_t count = 0;
    auto raiseExc = []() -> Coro<void> {
        throw MyExc("child");
        co_return;
    };
    auto database = [&](TaskGroup tg) -> Coro<void> {
        try {
            tg.createTask(raiseExc());
            co_await qaio::sleep(1);
        } catch (...) {
        }
        throw MyExc("cleanup"); // Python: raise in `finally`
    };
    auto main = [&]() -> Coro<void> {
        TaskGroup tg;
        try {
            co_await tg.run(database(tg));
        } catch (const ExceptionGroup &eg) {
            count = eg.exceptions().size();
        }
        cancellingAfter = currentTask().cancelling();
    };
    loop.runUntilComplete(main());
    QCOMPARE(count, std::size_t(2));
    QCOMPARE(cancellingAfter, 0);
}

void TestTasksTaskGroup::cancellingLevelPreserved()
{
    Loop loop;
    int cancelling = -1;
    bool caught = false;
    auto main = [&]() -> Coro<void> {
        TaskGroup tg;
        auto body = [&]() -> Coro<void> {
            tg.createTask(crashAfter(0.0));
            co_return;
        };
        try {
            co_await tg.run(body());
        } catch (const ExceptionGroup &) {
            caught = true;
        }
        cancelling = currentTask().cancelling();
    };
    loop.runUntilComplete(main());
    QVERIFY(caught);
    QCOMPARE(cancelling, 0);
}

void TestTasksTaskGroup::nestedGroupsBothCancelled()
{
    // Both groups see a child fail in the same iteration: each raises its own
    // group, and the cancel counts end balanced.
    Loop loop;
    Log log;
    auto main = [&]() -> Coro<void> {
        TaskGroup outerTg;
        TaskGroup innerTg;
        auto innerBody = [&]() -> Coro<void> {
            innerTg.createTask(crashAfter(0));
            outerTg.createTask(divideByZeroAfter(0));
            co_return;
        };
        auto outerBody = [&]() -> Coro<void> {
            try {
                co_await innerTg.run(innerBody());
                log << "inner: no error";
            } catch (const ExceptionGroup &eg) {
                log << QStringLiteral("inner: %1").arg(*errorTypes(eg).begin());
            }
            log << QStringLiteral("cancelling %1").arg(currentTask().cancelling());
        };
        try {
            co_await outerTg.run(outerBody());
            log << "outer: no error";
        } catch (const ExceptionGroup &eg) {
            log << QStringLiteral("outer: %1").arg(*errorTypes(eg).begin());
        }
        log << QStringLiteral("cancelling %1").arg(currentTask().cancelling());
    };
    loop.runUntilComplete(main());
    QCOMPARE(log, (Log{"inner: ValueError", "cancelling 1", "outer: ZeroDivision", "cancelling 0"}));
}

void TestTasksTaskGroup::errorAndCancel()
{
    // A group fails while its task is also cancelled from outside: the
    // ExceptionGroup is raised, and the outside cancellation still lands at
    // the next await.
    Loop loop;
    Future<void> event(loop);
    Log log;
    auto raiseError = [&]() -> Coro<void> {
        event.setResult();
        co_await qaio::sleep(0);
        throw ZeroDivision();
    };
    auto inner = [&]() -> Coro<void> {
        TaskGroup tg;
        auto body = [&]() -> Coro<void> {
            tg.createTask(raiseError());
            co_await qaio::sleep(1);
            log << "sleep in group not cancelled";
        };
        try {
            co_await tg.run(body());
        } catch (const ExceptionGroup &) {
            log << QStringLiteral("group error, cancelling %1").arg(currentTask().cancelling());
        }
        log << QStringLiteral("cancelling %1").arg(currentTask().cancelling());
        try {
            co_await qaio::sleep(1);
        } catch (const CancelledError &) {
            log << "sleep after group cancelled";
            throw;
        }
        log << "sleep after group not cancelled";
    };
    auto outer = [&]() -> Coro<void> {
        Task<void> t = createTask(inner());
        co_await event;
        log << QStringLiteral("before cancel %1").arg(t.cancelling());
        t.cancel();
        log << QStringLiteral("after cancel %1").arg(t.cancelling());
        try {
            co_await t;
        } catch (const CancelledError &) {
            log << "t raised CancelledError";
        }
        log << (t.cancelled() ? "t cancelled" : "t not cancelled");
    };
    loop.runUntilComplete(outer());
    QCOMPARE(log, (Log{"before cancel 0", "after cancel 1", "group error, cancelling 1", "cancelling 1",
                       "sleep after group cancelled", "t raised CancelledError", "t cancelled"}));
}

void TestTasksTaskGroup::cancelsTaskCreatedDuringCreation_data()
{
    QTest::addColumn<bool>("eager");
    QTest::newRow("lazy") << false;
    QTest::newRow("eager") << true;
}

void TestTasksTaskGroup::cancelsTaskCreatedDuringCreation()
{
    // gh-128550: a task created while another is being created (eager tasks
    // run inside createTask) fails at once; the group must still cancel the
    // outer one.
    QFETCH(bool, eager);
    Loop loop;
    if (eager)
        setTaskFactory(loop, eagerTaskFactory);
    bool ran = false;
    bool secondCancelled = false;
    auto third = []() -> Coro<void> {
        throw MyExc("third task failed");
        co_return;
    };
    auto main = [&]() -> Coro<void> {
        TaskGroup tg;
        auto second = [&]() -> Coro<void> {
            tg.createTask(third());
            try {
                co_await qaio::sleep(0); // eager tasks cancel here
                co_await qaio::sleep(0); // lazy tasks cancel here
            } catch (const CancelledError &) {
                secondCancelled = true;
            }
            ran = true;
        };
        auto body = [&]() -> Coro<void> {
            tg.createTask(second());
            co_return;
        };
        co_await tg.run(body());
    };
    QAIO_CATCH_GROUP(loop.runUntilComplete(main()), eg);
    QCOMPARE(errorTypes(*eg), S({"MyExc"}));
    QVERIFY(ran);
    QVERIFY(secondCancelled);
}

void TestTasksTaskGroup::cancellationDoesNotLeakOutOfGroup()
{
    Loop loop;
    bool sleptAfter = false;
    auto main = [&]() -> Coro<void> {
        TaskGroup tg;
        auto throwError = []() -> Coro<void> {
            throw MyExc();
            co_return;
        };
        auto body = [&]() -> Coro<void> {
            tg.createTask(throwError());
            co_return;
        };
        try {
            co_await tg.run(body());
        } catch (const ExceptionGroup &) {
        }
        co_await qaio::sleep(0); // would raise CancelledError if it leaked
        sleptAfter = true;
    };
    loop.runUntilComplete(main());
    QVERIFY(sleptAfter);
}

void TestTasksTaskGroup::childSeesItsName()
{
    Loop loop;
    QString name;
    auto asyncfn = [&]() -> Coro<void> {
        name = currentTask().getName();
        co_return;
    };
    auto main = [&]() -> Coro<void> {
        TaskGroup tg;
        auto body = [&]() -> Coro<void> {
            tg.createTask(asyncfn(), QStringLiteral("example name"));
            co_return;
        };
        co_await tg.run(body());
    };
    loop.runUntilComplete(main());
    QCOMPARE(name, QStringLiteral("example name"));
}

// ---------------------------------------------------------------- run() / Runner

void TestTasksTaskGroup::runReturn()
{
    auto main = []() -> Coro<int> {
        co_await qaio::sleep(0);
        co_return 42;
    };
    QCOMPARE(qaio::run(main()), 42);
}

void TestTasksTaskGroup::runRaises()
{
    auto main = []() -> Coro<void> {
        co_await qaio::sleep(0);
        throw ValueError("spam");
    };
    auto error = qaiotest::errorOf([&] { qaio::run(main()); });
    QVERIFY(qaiotest::holds<ValueError>(error));
    QCOMPARE(qaiotest::whatOf(error), QStringLiteral("spam"));
}

void TestTasksTaskGroup::runEmptyCoroutine()
{
    QVERIFY_THROWS_EXCEPTION(ValueError, qaio::run(Coro<int>()));
    Runner runner;
    QVERIFY_THROWS_EXCEPTION(ValueError, runner.run(Coro<int>()));
}

void TestTasksTaskGroup::runDebug()
{
    auto main = []() -> Coro<bool> { co_return getRunningLoop().getDebug(); };
    QVERIFY(!qaio::run(main(), {.debug = false}));
    QVERIFY(qaio::run(main(), {.debug = true}));
}

void TestTasksTaskGroup::runFromRunningLoop()
{
    QString message;
    auto inner = []() -> Coro<int> { co_return 1; };
    auto main = [&]() -> Coro<void> {
        try {
            qaio::run(inner());
        } catch (const RuntimeError &e) {
            message = QString::fromUtf8(e.what());
        }
        co_return;
    };
    qaio::run(main());
    QVERIFY2(message.contains(QLatin1StringView("cannot be called from a running")), qPrintable(message));
}

void TestTasksTaskGroup::runCancelsHangingTasks()
{
    Task<void> loTask;
    auto leftover = []() -> Coro<void> { co_await qaio::sleep(0.1); };
    auto main = [&]() -> Coro<int> {
        loTask = createTask(leftover());
        co_return 123;
    };
    QCOMPARE(qaio::run(main()), 123);
    QVERIFY(loTask.done());
    QVERIFY(loTask.cancelled());
}

void TestTasksTaskGroup::runReportsHangingTasksErrors()
{
    ErrorLog errors;
    Task<void> loTask;
    auto leftover = []() -> Coro<void> {
        try {
            co_await qaio::sleep(0.1);
        } catch (const CancelledError &) {
            throw ZeroDivision();
        }
    };
    auto main = [&]() -> Coro<int> {
        errors.install(getRunningLoop());
        loTask = createTask(leftover());
        co_return 123;
    };
    QCOMPARE(qaio::run(main()), 123);
    QVERIFY(loTask.done());
    QCOMPARE(errors.entries.size(), 1);
    QVERIFY2(errors.entries[0].message.contains(QLatin1StringView("run() shutdown")),
             qPrintable(errors.entries[0].message));
    QVERIFY(qaiotest::holds<ZeroDivision>(errors.entries[0].exception));
    QVERIFY(errors.entries[0].hasFuture);
}

void TestTasksTaskGroup::runnerNonDebug()
{
    Runner runner({.debug = false});
    QVERIFY(!runner.getLoop().getDebug());
}

void TestTasksTaskGroup::runnerDebug()
{
    Runner runner({.debug = true});
    QVERIFY(runner.getLoop().getDebug());
    bool debugInside = false;
    auto main = [&]() -> Coro<void> {
        debugInside = getRunningLoop().getDebug();
        co_return;
    };
    runner.run(main());
    QVERIFY(debugInside);
}

void TestTasksTaskGroup::runnerCustomFactory()
{
    Loop *made = nullptr;
    int calls = 0;
    Runner runner({.loopFactory = [&] {
        ++calls;
        auto loop = std::make_unique<Loop>();
        made = loop.get();
        return loop;
    }});
    QCOMPARE(calls, 0); // lazily
    Loop &loop = runner.getLoop();
    QVERIFY(&loop == made);
    QVERIFY(&runner.getLoop() == made);
    Loop *inside = nullptr;
    auto main = [&]() -> Coro<void> {
        inside = &getRunningLoop();
        co_return;
    };
    runner.run(main());
    QVERIFY(inside == made);
    QCOMPARE(calls, 1);
}

void TestTasksTaskGroup::runnerRun()
{
    auto f = []() -> Coro<QString> {
        co_await qaio::sleep(0);
        co_return QStringLiteral("done");
    };
    Runner runner;
    QCOMPARE(runner.run(f()), QStringLiteral("done"));
    runner.close();
    auto error = qaiotest::errorOf([&] { runner.getLoop(); });
    QVERIFY(qaiotest::holds<RuntimeError>(error));
    QVERIFY2(qaiotest::whatOf(error).contains(QLatin1StringView("Runner is closed")), qPrintable(qaiotest::whatOf(error)));
}

void TestTasksTaskGroup::runnerExplicitClose()
{
    Runner runner;
    Loop &loop = runner.getLoop();
    QVERIFY(!loop.isClosed());
    runner.close();
    QVERIFY_THROWS_EXCEPTION(RuntimeError, runner.getLoop());
}

void TestTasksTaskGroup::runnerDoubleClose()
{
    Runner runner;
    runner.getLoop();
    runner.close();
    runner.close(); // no-op
    QVERIFY_THROWS_EXCEPTION(RuntimeError, runner.getLoop());
}

void TestTasksTaskGroup::runnerRunAfterClose()
{
    // test_second_with_block_raises
    QList<int> ret;
    auto f = [&](int arg) -> Coro<void> {
        ret << arg;
        co_return;
    };
    Runner runner;
    runner.run(f(1));
    runner.close();
    auto error = qaiotest::errorOf([&] { runner.run(f(2)); });
    QVERIFY2(qaiotest::whatOf(error).contains(QLatin1StringView("Runner is closed")), qPrintable(qaiotest::whatOf(error)));
    QCOMPARE(ret, (QList<int>{1}));
}

void TestTasksTaskGroup::runnerKeepsLoopBetweenRuns()
{
    // test_run_keeps_context, in spirit: state (and tasks) carry over between runs.
    Runner runner;
    Task<int> background;
    Loop *first = nullptr;
    Loop *second = nullptr;
    auto start = [&]() -> Coro<void> {
        first = &getRunningLoop();
        background = createTask(sleepThen(0.005, 9));
        co_return;
    };
    auto finish = [&]() -> Coro<int> {
        second = &getRunningLoop();
        co_return co_await background;
    };
    runner.run(start());
    QVERIFY(!background.done());
    QCOMPARE(runner.run(finish()), 9);
    QVERIFY(first == second);
}

void TestTasksTaskGroup::runnerRecursiveRun()
{
    Runner runner;
    QString message;
    auto g = []() -> Coro<void> { co_return; };
    auto f = [&]() -> Coro<void> {
        try {
            runner.run(g());
        } catch (const RuntimeError &e) {
            message = QString::fromUtf8(e.what());
        }
        co_return;
    };
    runner.run(f());
    QVERIFY2(message.contains(QLatin1StringView("Runner::run() cannot be called from a running event loop")),
             qPrintable(message));
}

void TestTasksTaskGroup::runnerSetsEventLoop()
{
    Runner runner;
    Loop *current = nullptr;
    auto main = [&]() -> Coro<void> {
        current = &getEventLoop();
        co_return;
    };
    runner.run(main());
    QVERIFY(current == &runner.getLoop());
    QVERIFY(&getEventLoop() == &runner.getLoop()); // set for the thread while the runner lives
}

void TestTasksTaskGroup::runnerCloseCancelsPendingTasks()
{
    QStringList log;
    Task<void> t;
    {
        // The lambdas hold what their coroutines capture: they must outlive
        // the runner, which resumes the cancelled task when it closes.
        auto background = [&]() -> Coro<void> {
            try {
                co_await qaio::sleep(10);
            } catch (const CancelledError &) {
                log << "cancelled";
                throw;
            }
        };
        auto main = [&]() -> Coro<void> {
            t = createTask(background());
            co_await qaio::sleep(0);
        };
        Runner runner;
        runner.run(main());
        QVERIFY(!t.done());
    } // ~Runner closes
    QCOMPARE(log, (QStringList{"cancelled"}));
    QVERIFY(t.cancelled());
}

QTEST_GUILESS_MAIN(TestTasksTaskGroup)
#include "tst_tasks_taskgroup.moc"
