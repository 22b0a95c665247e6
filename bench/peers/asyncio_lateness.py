# SPDX-License-Identifier: MIT
# SPDX-FileCopyrightText: 2026 The qaio authors
"""asyncio_lateness.py — the lateness benchmark on asyncio or uvloop: loop.call_later.

    asyncio_lateness.py --loop asyncio|uvloop [--delay 0.0005] [--samples 200]

Sequential samples: arm call_later(delay), record (now - deadline), arm again.
Time comes from time.monotonic() (CLOCK_MONOTONIC, as the C++ benchmarks), not
loop.time(): uvloop's loop.time() is libuv's cached millisecond clock.
"""
import time

from pycommon import emit, new_loop, parse, percentile


def main():
    a = parse(__doc__, delay=0.0005, samples=200)
    loop = new_loop(a.loop)
    late = []
    deadline = 0.0

    def arm():
        nonlocal deadline
        deadline = time.monotonic() + a.delay
        loop.call_later(a.delay, fire)

    def fire():
        late.append(time.monotonic() - deadline)
        if len(late) == a.samples:
            loop.stop()
        else:
            arm()

    arm()
    loop.run_forever()
    loop.close()
    emit(bench="lateness", impl=a.loop, delay=a.delay, samples=a.samples,
         p50_us=percentile(late, 50) * 1e6, p99_us=percentile(late, 99) * 1e6,
         max_us=percentile(late, 100) * 1e6, min_us=percentile(late, 0) * 1e6)


if __name__ == "__main__":
    main()
