// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// The example of README.md, verbatim: built against the installed qaio and run.
#include <qaio/qaio.h>

qaio::Coro<QString> greet(QString name, double delay)
{
    co_await qaio::sleep(delay);                      // suspends this task only
    co_return QStringLiteral("hello, %1").arg(name);
}

qaio::Coro<int> amain()
{
    auto [a, b] = co_await qaio::gather(greet("Qt", 0.2), greet("asyncio", 0.1)); // 0.2 s in all
    qInfo() << a << b;
    co_return 0;
}

int main()
{
    return qaio::runMain(amain()); // a loop (and a QCoreApplication) for amain; 130 after Ctrl+C
}
