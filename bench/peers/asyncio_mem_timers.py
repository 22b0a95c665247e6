# SPDX-License-Identifier: MIT
# SPDX-FileCopyrightText: 2026 The qaio authors
"""asyncio_mem_timers.py — resident memory per pending loop.call_later timer.

    asyncio_mem_timers.py --loop asyncio|uvloop [--n 100000]

n call_later timers one hour ahead (TimerHandles kept), RSS growth / n after a
warm-up of n/10.
"""
import os

from pycommon import emit, new_loop, parse


def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def main():
    a = parse(__doc__, n=100_000)
    loop = new_loop(a.loop)
    handles = []

    def cb():
        raise AssertionError("fired")

    for _ in range(a.n // 10):
        handles.append(loop.call_later(3600, cb))
    before = rss()
    for _ in range(a.n):
        handles.append(loop.call_later(3600, cb))
    after = rss()
    loop.call_soon(loop.stop)
    loop.run_forever()
    emit(bench="mem_timers", impl=a.loop, n=a.n, bytes_per_timer=(after - before) / a.n)
    os._exit(0)


if __name__ == "__main__":
    main()
