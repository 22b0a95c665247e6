// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// loadgen.h — what the two load generators (loadgen.cpp over TCP,
// tls_loadgen.cpp over TLS) share: their options, the server's CPU time and
// memory from /proc, and the measuring window that turns a count of
// completed requests into the result line.
#pragma once

#include "net.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace bench {

// CPU time a process has run so far, in seconds (0 if unknown).
inline double processCpu(long pid)
{
    if (pid <= 0)
        return 0;
    const std::string path = "/proc/" + std::to_string(pid) + "/schedstat";
    FILE *f = std::fopen(path.c_str(), "r");
    unsigned long long ns = 0;
    if (f) {
        if (std::fscanf(f, "%llu", &ns) != 1)
            ns = 0;
        std::fclose(f);
    }
    return double(ns) * 1e-9;
}

// A process's resident memory in KiB (0 if unknown).
inline double processRssKib(long pid)
{
    if (pid <= 0)
        return 0;
    const std::string path = "/proc/" + std::to_string(pid) + "/status";
    FILE *f = std::fopen(path.c_str(), "r");
    double kib = 0;
    if (f) {
        char line[256];
        while (std::fgets(line, sizeof line, f)) {
            if (std::string(line).rfind("VmRSS:", 0) == 0) {
                kib = std::strtod(line + 6, nullptr);
                break;
            }
        }
        std::fclose(f);
    }
    return kib;
}

// The options both load generators take.
struct LoadOptions
{
    explicit LoadOptions(const Args &args)
        : port(int(args.num("port", 0))),
          serverPid(long(args.num("server-pid", 0))),
          busy(std::size_t(args.num("busy", 10))),
          idle(std::size_t(args.num("idle", 0))),
          size(std::size_t(args.num("size", 1024))),
          warmup(args.num("warmup", 1)),
          duration(args.num("duration", 3))
    {
        require(port > 0 && size > 0, "--port and --size are positive");
    }
    int port;
    long serverPid;
    std::size_t busy, idle, size;
    double warmup, duration;
};

// After `warmup` seconds notes the completed requests and the server's CPU
// time; `duration` seconds later the window is over and result() holds the
// fields both generators print.
class MeasureWindow
{
public:
    MeasureWindow(const LoadOptions &options, double start)
        : m_pid(options.serverPid), m_from(start + options.warmup), m_to(m_from + options.duration)
    {
    }
    bool measuring() const { return m_measuring; }
    // Call after each poll with the requests completed so far; true once the window is over.
    bool update(double now, std::size_t completed)
    {
        if (!m_measuring && now >= m_from) {
            m_measuring = true;
            m_completedAtStart = completed;
            m_cpuAtStart = processCpu(m_pid);
        } else if (m_measuring && now >= m_to) {
            m_seconds = now - m_from;
            m_requests = double(completed - m_completedAtStart);
            m_serverCpu = processCpu(m_pid) - m_cpuAtStart;
            return true;
        }
        return false;
    }
    // The result line's common fields (call once update() returned true).
    Json result(const char *name, const LoadOptions &options, std::size_t idleOpened) const
    {
        Json json;
        json.add("bench", name)
            .add("busy", double(options.busy))
            .add("idle", double(idleOpened))
            .add("size", double(options.size))
            .add("seconds", m_seconds)
            .add("requests", m_requests)
            .add("requests_per_second", m_requests / m_seconds)
            .add("server_cpu_us_per_request", m_serverCpu * 1e6 / std::max(m_requests, 1.0));
        return json;
    }
    double serverLoad() const { return m_serverCpu / m_seconds; }

private:
    long m_pid;
    double m_from, m_to;
    bool m_measuring = false;
    std::size_t m_completedAtStart = 0;
    double m_cpuAtStart = 0, m_seconds = 0, m_requests = 0, m_serverCpu = 0;
};

} // namespace bench
