# SPDX-License-Identifier: MIT
# SPDX-FileCopyrightText: 2026 The qaio authors
"""asyncio_callsoon.py — the callsoon benchmark on asyncio or uvloop: loop.call_soon.

    asyncio_callsoon.py --loop asyncio|uvloop --mode batch|chain [--n 1000000]

batch: n call_soon from one place, then run_forever until all ran (the last one
stops the loop); chain: each callback schedules the next. Warm-up with n/10 first.
Reports process CPU time per callback, and wall time per callback.
"""
import time

from pycommon import emit, new_loop, parse


def batch(kind, n):
    loop = new_loop(kind)
    count = 0

    def cb():
        nonlocal count
        count += 1
        if count == n:
            loop.stop()

    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in range(n):
        loop.call_soon(cb)
    loop.run_forever()
    took = (time.process_time() - cpu0, time.perf_counter() - wall0)
    loop.close()
    assert count == n
    return took


def chain(kind, n):
    loop = new_loop(kind)
    count = 0

    def step():
        nonlocal count
        count += 1
        if count == n:
            loop.stop()
        else:
            loop.call_soon(step)

    cpu0, wall0 = time.process_time(), time.perf_counter()
    loop.call_soon(step)
    loop.run_forever()
    took = (time.process_time() - cpu0, time.perf_counter() - wall0)
    loop.close()
    assert count == n
    return took


def main():
    a = parse(__doc__, mode="batch", n=1000000)
    run = chain if a.mode == "chain" else batch
    run(a.loop, max(a.n // 10, 1))
    cpu, wall = run(a.loop, a.n)
    emit(bench="callsoon", impl=a.loop, mode=a.mode, n=a.n, ns_per_callback=cpu * 1e9 / a.n,
         wall_ns_per_callback=wall * 1e9 / a.n)


if __name__ == "__main__":
    main()
