// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// tst_tasks_stack — the stack depth of a task never depends on how many of
// its awaits complete without suspending. A Debug (-O0) build is where this
// matters: GCC does not turn symmetric transfer into a tail call there, so
// each such await used to nest a frame until the stack overflowed.
#include <qaio/qaio.h>

#include <QtTest/QtTest>

using namespace qaio;

namespace {

constexpr int kMany = 1'000'000;

Coro<int> ready(int value)
{
    co_return value;
}

// Two levels of inline awaits that all complete at once.
Coro<int> readyNested(int value)
{
    co_return co_await ready(value) + 1;
}

// Completes at once, except every `every`-th call, which yields to the loop.
Coro<int> sometimesSuspends(int i, int every)
{
    if (i % every == 0)
        co_await sleep(0);
    co_return i;
}

} // namespace

class TestTasksStack : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void manyReadyAwaitsInOneTask()
    {
        Loop loop;
        auto sum = [](int n) -> Coro<qint64> {
            qint64 total = 0;
            for (int i = 0; i < n; ++i)
                total += co_await readyNested(i);
            co_return total;
        };
        const qint64 total = loop.runUntilComplete(createTask(loop, sum(kMany)));
        QCOMPARE(total, qint64(kMany) * (kMany - 1) / 2 + kMany);
    }

    void readyAndSuspendingAwaitsMixed()
    {
        // After a child finishes asynchronously its awaiter is resumed from the
        // child's last frame; the awaits that follow must not pile onto it.
        Loop loop;
        auto sum = [](int n) -> Coro<qint64> {
            qint64 total = 0;
            for (int i = 0; i < n; ++i)
                total += co_await sometimesSuspends(i, 1000);
            co_return total;
        };
        const qint64 total = loop.runUntilComplete(createTask(loop, sum(kMany)));
        QCOMPARE(total, qint64(kMany) * (kMany - 1) / 2);
    }

    void readlineOverAMillionBufferedLines()
    {
        Loop loop;
        StreamReader reader(loop, kDefaultStreamLimit);
        reader.feedData(QByteArray("line\n").repeated(kMany));
        reader.feedEof();
        auto count = [&reader]() -> Coro<int> {
            int lines = 0;
            for (;;) {
                const QByteArray line = co_await reader.readline();
                if (line.isEmpty())
                    co_return lines;
                if (line != "line\n")
                    throw ValueError(QStringLiteral("unexpected line %1").arg(QString::fromLatin1(line)));
                ++lines;
            }
        };
        QCOMPARE(loop.runUntilComplete(createTask(loop, count())), kMany);
    }

    void readAllWithATinyLimit()
    {
        // read(-1) reads limit-sized blocks until EOF: 300,000 of them here.
        Loop loop;
        StreamReader reader(loop, 1);
        const QByteArray data = QByteArray("abc").repeated(100'000);
        reader.feedData(data);
        reader.feedEof();
        QCOMPARE(loop.runUntilComplete(createTask(loop, reader.read(-1))), data);
    }

    void readAllWithATinyLimitWhileDataArrives()
    {
        // The same read(-1) when data keeps arriving from loop callbacks.
        Loop loop;
        StreamReader reader(loop, 1);
        QByteArray expected;
        for (int i = 0; i < 1000; ++i) {
            const QByteArray chunk = QByteArray::number(i).repeated(50);
            expected += chunk;
            loop.callLater(0.0001 * i, [&reader, chunk] { reader.feedData(chunk); });
        }
        loop.callLater(0.2, [&reader] { reader.feedEof(); });
        QCOMPARE(loop.runUntilComplete(createTask(loop, reader.read(-1))), expected);
    }
};

QTEST_GUILESS_MAIN(TestTasksStack)
#include "tst_tasks_stack.moc"
