#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# SPDX-FileCopyrightText: 2026 The qaio authors
"""processes_asyncio.py — the asyncio/uvloop peer of bench/processes.cpp.

    /usr/bin/python3 processes_asyncio.py --loop asyncio|uvloop [--procs 200] [--rtt_n 2000] [--tput_n 20000]

spawn_seq / spawn_conc: `cat` with stdin/stdout pipes, communicate(b"hello\\n"),
wait; one after the other, then all at once. exec_rtt: run_in_executor(None,
job) awaited one at a time (p50/p99). exec_tput: tput_n jobs at once, gathered.
"""
import asyncio
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pycommon  # noqa: E402

HELLO = b"hello\n"


async def one_process():
    proc = await asyncio.create_subprocess_exec(
        "cat", stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    out, _ = await proc.communicate(HELLO)
    code = await proc.wait()
    assert out == HELLO and code == 0, (out, code)


async def spawn_seq(n):
    t0 = time.monotonic()
    for _ in range(n):
        await one_process()
    return time.monotonic() - t0


async def spawn_conc(n):
    t0 = time.monotonic()
    await asyncio.gather(*(one_process() for _ in range(n)))
    return time.monotonic() - t0


def job(x):
    return x + 1


async def exec_rtt(n):
    loop = asyncio.get_running_loop()
    samples = []
    for i in range(n):
        t0 = time.monotonic()
        r = await loop.run_in_executor(None, job, i)
        samples.append(time.monotonic() - t0)
        assert r == i + 1
    return samples


async def exec_tput(n):
    loop = asyncio.get_running_loop()
    t0 = time.monotonic()
    results = await asyncio.gather(*(loop.run_in_executor(None, job, i) for i in range(n)))
    took = time.monotonic() - t0
    assert len(results) == n and results[-1] == n
    return took


async def main(args):
    await spawn_seq(10)  # warm-up
    seq = await spawn_seq(args.procs)
    conc = await spawn_conc(args.procs)
    await exec_rtt(args.rtt_n // 10)
    rtt = await exec_rtt(args.rtt_n)
    await exec_tput(args.tput_n // 10)
    tput = await exec_tput(args.tput_n)
    pycommon.emit(impl=args.loop, procs=args.procs,
                  spawn_seq_ms_per_proc=seq / args.procs * 1e3,
                  spawn_conc_ms_total=conc * 1e3,
                  exec_rtt_us_p50=pycommon.percentile(rtt, 50) * 1e6,
                  exec_rtt_us_p99=pycommon.percentile(rtt, 99) * 1e6,
                  exec_tput_jobs_per_s=args.tput_n / tput)


if __name__ == "__main__":
    a = pycommon.parse(__doc__, procs=200, rtt_n=2000, tput_n=20000)
    loop = pycommon.new_loop(a.loop)
    try:
        loop.run_until_complete(main(a))
    finally:
        loop.close()
