# SPDX-License-Identifier: MIT
# SPDX-FileCopyrightText: 2026 The qaio authors
"""asyncio_tasks.py — the tasks benchmark (bench/tasks.cpp) on asyncio or uvloop.

    asyncio_tasks.py --loop asyncio|uvloop [--n 100000] [--inline_n 1000000] [--yield_n 10000] [--mem_n 100000]

spawn_gather: create_task of n trivial coroutines, then await gather(*tasks);
spawn_seq: create one task, await it, repeat; inline_await: `await coro()`;
gather_yield: gather of yield_n tasks that each await sleep(0) once (x10, averaged);
mem: mem_n tasks each awaiting its own loop.create_future(): RSS delta per task.
Process CPU time per operation; each workload after a warm-up at n/10.
"""
import asyncio
import os
import time

from pycommon import emit, new_loop, parse

PAGE = os.sysconf("SC_PAGESIZE")


def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


async def trivial():
    return 1


async def yield_once():
    await asyncio.sleep(0)


async def suspend_on(f):
    await f


async def spawn_gather(n):
    t0 = time.process_time()
    tasks = [asyncio.create_task(trivial()) for _ in range(n)]
    res = await asyncio.gather(*tasks)
    took = time.process_time() - t0
    assert len(res) == n
    return took


async def spawn_seq(n):
    t0 = time.process_time()
    s = 0
    for _ in range(n):
        s += await asyncio.create_task(trivial())
    took = time.process_time() - t0
    assert s == n
    return took


async def inline_await(n):
    t0 = time.process_time()
    s = 0
    for _ in range(n):
        s += await trivial()
    took = time.process_time() - t0
    assert s == n
    return took


async def gather_yield(n):
    t0 = time.process_time()
    tasks = [asyncio.create_task(yield_once()) for _ in range(n)]
    await asyncio.gather(*tasks)
    return time.process_time() - t0


async def mem_per_task(n):
    loop = asyncio.get_running_loop()
    futures = [None] * n
    tasks = [None] * n
    before = rss()
    for i in range(n):
        f = loop.create_future()
        futures[i] = f
        tasks[i] = asyncio.create_task(suspend_on(f))
    await asyncio.sleep(0)
    after = rss()
    for f in futures:
        f.set_result(None)
    await asyncio.gather(*tasks)
    return (after - before) / n


async def main(a):
    mem = await mem_per_task(a.mem_n)
    await spawn_gather(a.n // 10)
    sg = await spawn_gather(a.n)
    await spawn_seq(a.n // 10)
    ss = await spawn_seq(a.n)
    await inline_await(a.inline_n // 10)
    ia = await inline_await(a.inline_n)
    await gather_yield(a.yield_n)
    gy = 0.0
    for _ in range(10):
        gy += await gather_yield(a.yield_n)
    emit(bench="tasks", impl=a.loop,
         spawn_gather_ns=sg * 1e9 / a.n, spawn_seq_ns=ss * 1e9 / a.n,
         inline_await_ns=ia * 1e9 / a.inline_n, gather_yield_ns=gy * 1e9 / (10 * a.yield_n),
         bytes_per_task=mem)


if __name__ == "__main__":
    args = parse(__doc__, n=100_000, inline_n=1_000_000, yield_n=10_000, mem_n=100_000)
    loop = new_loop(args.loop)
    try:
        loop.run_until_complete(main(args))
    finally:
        loop.close()
