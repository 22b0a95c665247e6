// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// echo_server_epoll.cpp — the floor: the same TCP echo server on a bare epoll loop, no Qt.
//
//   echo_server_epoll [--port 0]
//
// Level-triggered epoll, one thread. Prints {"port": N}, then serves until killed.
#include "net.h"

#include <sys/epoll.h>

#include <unordered_map>

int main(int argc, char **argv)
{
    const bench::Args args(argc, argv);
    bench::raiseFileLimit();
    const int listenFd = bench::listenLoopback(int(args.num("port", 0)));
    const int ep = epoll_create1(EPOLL_CLOEXEC);
    auto watch = [ep](int op, int fd, unsigned events) {
        epoll_event ev{};
        ev.events = events;
        ev.data.fd = fd;
        epoll_ctl(ep, op, fd, &ev);
    };
    watch(EPOLL_CTL_ADD, listenFd, EPOLLIN);
    std::unordered_map<int, std::string> pending; // reply bytes not sent yet, per socket

    epoll_event events[256];
    for (;;) {
        const int n = epoll_wait(ep, events, 256, -1);
        for (int i = 0; i < n; ++i) {
            const int fd = events[i].data.fd;
            if (fd == listenFd) {
                for (int c; (c = bench::acceptOne(listenFd)) >= 0;)
                    watch(EPOLL_CTL_ADD, c, EPOLLIN);
                continue;
            }
            std::string &out = pending[fd];
            const bool writing = !out.empty();
            if (!(writing ? bench::flushPending(fd, out) : bench::echoOnce(fd, out))) {
                pending.erase(fd);
                ::close(fd); // also drops it from the epoll set
            } else if (writing != !out.empty()) {
                watch(EPOLL_CTL_MOD, fd, out.empty() ? EPOLLIN : EPOLLOUT);
            }
        }
    }
}
