// A program that uses an installed qaio, exactly as a user's project would.
#include <qaio/qaio.h>

#include <QCoreApplication>

#include <cstdio>
#include <vector>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
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
    std::printf("consumer: %d callbacks ran in order\n", n);
    return 0;
}
