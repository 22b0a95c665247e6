# SPDX-License-Identifier: MIT
# SPDX-FileCopyrightText: 2026 The qaio authors
"""asyncio_sync.py — the sync benchmark (bench/sync.cpp) on asyncio or uvloop.

    asyncio_sync.py --loop asyncio|uvloop [--lock_n 1000000] [--contended_n 200000]
                    [--lock_tasks 100] [--queue_n 1000000] [--maxsize 1000]

lock_uncontended: `async with lock: pass`, n times; lock_contended: lock_tasks tasks
each loop `async with lock: await sleep(0)`, contended_n acquisitions in all;
queue_1 / queue_100: one producer puts queue_n ints into asyncio.Queue(maxsize),
1 or 100 consumers get them. Process CPU time per operation, after a warm-up at n/10.
"""
import asyncio
import time

from pycommon import emit, new_loop, parse


async def lock_uncontended(n):
    lock = asyncio.Lock()
    t0 = time.process_time()
    for _ in range(n):
        async with lock:
            pass
    return time.process_time() - t0


async def lock_contended(n, tasks_n):
    lock = asyncio.Lock()
    count = 0
    per = n // tasks_n

    async def worker():
        nonlocal count
        for _ in range(per):
            async with lock:
                count += 1
                await asyncio.sleep(0)

    t0 = time.process_time()
    await asyncio.gather(*[asyncio.create_task(worker()) for _ in range(tasks_n)])
    took = time.process_time() - t0
    assert count == per * tasks_n
    return took


async def queue_run(n, consumers, maxsize):
    q = asyncio.Queue(maxsize)
    count = 0

    async def producer():
        for i in range(n):
            await q.put(i)
        for _ in range(consumers):
            await q.put(-1)

    async def consumer():
        nonlocal count
        while True:
            v = await q.get()
            if v < 0:
                return
            count += 1

    t0 = time.process_time()
    tasks = [asyncio.create_task(consumer()) for _ in range(consumers)]
    tasks.append(asyncio.create_task(producer()))
    await asyncio.gather(*tasks)
    took = time.process_time() - t0
    assert count == n
    return took


async def main(a):
    await lock_uncontended(a.lock_n // 10)
    lu = await lock_uncontended(a.lock_n)
    await lock_contended(a.contended_n // 10, a.lock_tasks)
    lc = await lock_contended(a.contended_n, a.lock_tasks)
    await queue_run(a.queue_n // 10, 1, a.maxsize)
    q1 = await queue_run(a.queue_n, 1, a.maxsize)
    await queue_run(a.queue_n // 10, 100, a.maxsize)
    q100 = await queue_run(a.queue_n, 100, a.maxsize)
    emit(bench="sync", impl=a.loop,
         lock_uncontended_ns=lu * 1e9 / a.lock_n,
         lock_contended_ns=lc * 1e9 / (a.contended_n // a.lock_tasks * a.lock_tasks),
         queue_1_ns=q1 * 1e9 / a.queue_n, queue_100_ns=q100 * 1e9 / a.queue_n)


if __name__ == "__main__":
    args = parse(__doc__, lock_n=1_000_000, contended_n=200_000, lock_tasks=100,
                 queue_n=1_000_000, maxsize=1000)
    loop = new_loop(args.loop)
    try:
        loop.run_until_complete(main(args))
    finally:
        loop.close()
