# SPDX-License-Identifier: MIT
# SPDX-FileCopyrightText: 2026 The qaio authors
"""pycommon.py — shared by the asyncio/uvloop peers: argument parsing, loop choice, JSON output."""
import argparse
import asyncio
import json
import random
import sys


def parse(description, **defaults):
    """Parses --loop asyncio|uvloop plus one --name option per keyword default."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    for name, value in defaults.items():
        p.add_argument("--" + name, type=type(value), default=value)
    return p.parse_args()


def new_loop(kind):
    """A fresh event loop: CPython's default (selector + epoll) or uvloop's (libuv)."""
    if kind == "uvloop":
        import uvloop
        return uvloop.new_event_loop()
    return asyncio.new_event_loop()


def random_delays(n, max_seconds):
    """n delays uniform in [0, max_seconds), the same sequence on every run."""
    rng = random.Random(12345)
    return [rng.uniform(0.0, max_seconds) for _ in range(n)]


def percentile(samples, p):
    """Nearest-rank percentile (p in 0..100), as bench/common.h computes it."""
    s = sorted(samples)
    rank = -(-p * len(s) // 100)  # ceil
    return s[min(max(int(rank), 1), len(s)) - 1]


def emit(**fields):
    fields["python"] = sys.version.split()[0]
    try:
        import uvloop
        fields["uvloop"] = uvloop.__version__
    except ImportError:
        pass
    print(json.dumps(fields), flush=True)
