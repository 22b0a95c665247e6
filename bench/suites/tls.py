#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# SPDX-FileCopyrightText: 2026 The qaio authors
"""tls.py — TLS echo: qaio's design against the usual Qt alternative (QSslSocket).

  /usr/bin/python3 bench/suites/tls.py --build build [--quick] --json OUT --md OUT

Servers (built with -DQAIO_BUILD_BENCH=ON, targets tls_echo_qaio,
tls_echo_qsslsocket, tls_loadgen):
  qaio        createServer with ssl: asyncio's SSLProtocol, OpenSSL over memory
              BIOs under qaio's socket transport (one addReader per connection)
  qsslsocket  accept on qaio's loop, each descriptor handed to a QSslSocket
              (Qt's TLS; a QSocketNotifier pair per connection)
Load: tls_loadgen, 10 busy TLS connections each keeping one 1 KiB request in
flight, with 0 and then 1000 idle TLS connections open. The server runs on CPU
0 and the load generator on CPU 1 where there are two. Each point is the median
of the repetitions; "idle/0" is throughput with 1000 idle connections relative
to none. A self-signed EC certificate is made with the openssl CLI.
Python standard library only.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

SERVERS = {
    "qaio": "tls_echo_qaio",
    "qsslsocket": "tls_echo_qsslsocket",
}


def pins():
    if shutil.which("taskset") and (os.cpu_count() or 1) >= 2:
        return ["taskset", "-c", "0"], ["taskset", "-c", "1"]
    return [], []


def make_certificate(directory):
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "3650",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


def run_once(bindir, server, cert, key, idle, cfg, log):
    pin_server, pin_load = pins()
    srv = subprocess.Popen(pin_server + [str(bindir / SERVERS[server]), "--cert", str(cert), "--key", str(key)],
                           stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        port = json.loads(srv.stdout.readline())["port"]
        load = pin_load + [str(bindir / "tls_loadgen"), "--port", str(port), "--server-pid", str(srv.pid),
                           "--busy", "10", "--idle", str(idle), "--size", "1024",
                           "--warmup", str(cfg["warmup"]), "--duration", str(cfg["duration"])]
        out = subprocess.run(load, capture_output=True, text=True, timeout=300)
        if out.returncode != 0:
            raise RuntimeError(out.stderr.strip()[:300])
        return json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        srv.terminate()
        try:
            srv.wait(5)
        except subprocess.TimeoutExpired:
            srv.kill()
            srv.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", required=True, help="the CMake build directory (with -DQAIO_BUILD_BENCH=ON)")
    parser.add_argument("--quick", action="store_true", help="one short run per point")
    parser.add_argument("--json", required=True, help="where to write the results (JSON)")
    parser.add_argument("--md", required=True, help="where to write the report section (markdown)")
    args = parser.parse_args()
    cfg = dict(reps=1, warmup=0.5, duration=1.0) if args.quick else dict(reps=3, warmup=1.0, duration=2.0)
    bindir = Path(args.build).resolve() / "bench"
    missing = [b for b in list(SERVERS.values()) + ["tls_loadgen"] if not (bindir / b).exists()]
    if missing:
        sys.exit(f"tls.py: build these first: cmake --build {args.build} --target {' '.join(missing)}")
    command = "/usr/bin/python3 bench/suites/tls.py --build %s%s --json %s --md %s" % (
        args.build, " --quick" if args.quick else "", args.json, args.md)

    results, failures = [], []
    with tempfile.TemporaryDirectory() as tmp, open(Path(tmp) / "servers.log", "w") as log:
        cert, key = make_certificate(Path(tmp))
        for idle in (0, 1000):
            runs = {name: [] for name in SERVERS}
            for rep in range(cfg["reps"]):
                for name in SERVERS:  # alternate, so that machine noise hits both alike
                    try:
                        runs[name].append(run_once(bindir, name, cert, key, idle, cfg, log))
                    except Exception as e:  # noqa: BLE001 - reported, not fatal
                        failures.append({"server": name, "idle": idle, "error": str(e)})
                        print(f"tls.py: {name} idle={idle} failed: {e}", file=sys.stderr)
            for name, recs in runs.items():
                if not recs:
                    continue
                results.append({
                    "server": name, "idle": idle, "busy": 10, "size": 1024, "runs": len(recs),
                    "requests_per_second": statistics.median(r["requests_per_second"] for r in recs),
                    "server_cpu_us_per_request": statistics.median(r["server_cpu_us_per_request"] for r in recs),
                    "server_rss_kib": statistics.median(r["server_rss_kib"] for r in recs),
                    "samples": [r["requests_per_second"] for r in recs],
                })

    def find(name, idle):
        return next((r for r in results if r["server"] == name and r["idle"] == idle), None)

    for r in results:
        base = find(r["server"], 0)
        r["relative_to_0_idle"] = (r["requests_per_second"] / base["requests_per_second"]
                                   if base and base["requests_per_second"] else None)

    Path(args.json).write_text(json.dumps({"suite": "tls", "command": command, "config": cfg,
                                           "results": results, "failures": failures}, indent=2) + "\n")
    lines = [
        "## TLS echo: qaio's SSLProtocol vs QSslSocket over the accepted descriptor",
        "",
        "10 busy TLS connections, each with one 1 KiB request in flight (tls_loadgen, OpenSSL client),",
        "with 0 and 1000 idle TLS connections; TLS 1.3, P-256 certificate. Median of %d run(s) of %.1f s."
        % (cfg["reps"], cfg["duration"]),
        "",
        "| server | idle | req/s | idle/0 | server CPU µs/req | server RSS (MiB) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        rel = "%.2f" % r["relative_to_0_idle"] if r["relative_to_0_idle"] is not None else "-"
        lines.append("| %s | %d | %.0f | %s | %.1f | %.1f |" % (
            r["server"], r["idle"], r["requests_per_second"], rel, r["server_cpu_us_per_request"],
            r["server_rss_kib"] / 1024))
    if failures:
        lines += ["", "Failed runs: " + "; ".join("%s idle=%d: %s" % (f["server"], f["idle"], f["error"])
                                                for f in failures)]
    lines += ["", "Command: `%s`" % command, ""]
    Path(args.md).write_text("\n".join(lines))
    print("\n".join(lines))
    return 1 if failures and not results else 0


if __name__ == "__main__":
    sys.exit(main())
