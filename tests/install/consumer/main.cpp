// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// A program that uses an installed qaio, exactly as a user's project would
// (built by CMake with find_package(qaio), and by g++ with pkg-config).
#include <qaio/qaio.h>

#include <QCoreApplication>

#include <cstdio>
#include <cstring>
#include <vector>

static_assert(QAIO_VERSION >= QAIO_VERSION_CHECK(0, 1, 0), "qaio/version.h is installed");

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (std::strcmp(qaio::version(), QAIO_VERSION_STR) != 0) {
        std::printf("consumer: headers %s but library %s\n", QAIO_VERSION_STR, qaio::version());
        return 1;
    }
    qaio::Loop loop;
    std::vector<int> order;
    auto done = loop.createFuture<int>();
    loop.callSoon([&] { order.push_back(1); });
    loop.callLater(0.001, [&] {
        order.push_back(3);
        done.setResult(int(order.size()));
    });
    loop.callSoon([&] { order.push_back(2); });
    const int n = loop.runUntilComplete(done);
    if (n != 3 || order != std::vector<int>{1, 2, 3})
        return 1;
    std::printf("consumer: qaio %s, %d callbacks ran in order\n", qaio::version(), n);
    return 0;
}
