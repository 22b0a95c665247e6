# SPDX-License-Identifier: MIT
# SPDX-FileCopyrightText: 2026 The qaio authors
"""asyncio_timers.py — the timers benchmark on asyncio or uvloop: loop.call_later.

    asyncio_timers.py --loop asyncio|uvloop [--n 100000]

n timers with delays uniform in [0, 100 ms), every other one cancelled, run
until the other half fired. Cost = process CPU time / n (waiting is free).
"""
import time

from pycommon import emit, new_loop, parse, random_delays


def run(kind, delays):
    loop = new_loop(kind)
    to_fire = len(delays) // 2
    fired = 0

    def cb():
        nonlocal fired
        fired += 1
        if fired == to_fire:
            loop.stop()

    cpu0, wall0 = time.process_time(), time.perf_counter()
    handles = [loop.call_later(d, cb) for d in delays]
    for h in handles[::2]:
        h.cancel()
    loop.run_forever()
    cost = (time.process_time() - cpu0, time.perf_counter() - wall0)
    loop.close()
    assert fired == to_fire
    return cost


def main():
    a = parse(__doc__, n=100000)
    n = a.n // 2 * 2
    run(a.loop, random_delays(max(n // 10, 2) // 2 * 2, 0.010))  # warm-up
    cpu, wall = run(a.loop, random_delays(n, 0.100))
    emit(bench="timers", impl=a.loop, n=n, cpu_seconds=cpu, wall_seconds=wall,
         ns_per_timer=cpu * 1e9 / n)


if __name__ == "__main__":
    main()
