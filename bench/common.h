// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// common.h — small helpers shared by the benchmark programs (no Qt, no qaio):
// clocks, `--name value` arguments, percentiles, random delays, and the one
// JSON line of results that every benchmark prints for its suite (bench/suites/).
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <string>
#include <vector>

namespace bench {

// Monotonic wall clock (CLOCK_MONOTONIC, the clock of qaio::Loop::time()), in seconds.
inline double wallNow()
{
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

// CPU time used by the whole process, in seconds: excludes time spent waiting.
inline double cpuNow()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

// CPU and wall time of one measured run, in seconds.
struct Cost
{
    double cpu;
    double wall;
};

// Measures from construction to stop().
class Stopwatch
{
public:
    Cost stop() const { return {cpuNow() - m_cpu, wallNow() - m_wall}; }

private:
    double m_cpu = cpuNow();
    double m_wall = wallNow();
};

// `--name value` arguments; anything else is ignored.
class Args
{
public:
    Args(int argc, char **argv) : m_argv(argv, argv + argc) {}

    std::string str(const char *name, const char *fallback) const
    {
        const std::string flag = std::string("--") + name;
        for (std::size_t i = 1; i + 1 < m_argv.size(); ++i) {
            if (m_argv[i] == flag)
                return m_argv[i + 1];
        }
        return fallback;
    }
    double num(const char *name, double fallback) const
    {
        const std::string s = str(name, "");
        return s.empty() ? fallback : std::strtod(s.c_str(), nullptr);
    }

private:
    std::vector<std::string> m_argv;
};

// `n` delays uniform in [0, maxSeconds), the same sequence in every program.
inline std::vector<double> randomDelays(std::size_t n, double maxSeconds)
{
    std::mt19937_64 rng(12345);
    std::uniform_real_distribution<double> dist(0.0, maxSeconds);
    std::vector<double> delays(n);
    for (double &d : delays)
        d = dist(rng);
    return delays;
}

// Nearest-rank percentile (p in 0..100) of unsorted samples.
inline double percentile(std::vector<double> samples, double p)
{
    if (samples.empty())
        return 0;
    std::sort(samples.begin(), samples.end());
    const auto rank = std::size_t(std::ceil(p / 100.0 * double(samples.size())));
    return samples[std::clamp<std::size_t>(rank, 1, samples.size()) - 1];
}

// Builds and prints one flat JSON object on one line.
class Json
{
public:
    Json &add(const char *key, double value)
    {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.6g", value);
        return raw(key, buf);
    }
    Json &add(const char *key, const std::string &value) { return raw(key, "\"" + value + "\""); }
    Json &add(const char *key, const char *value) { return add(key, std::string(value)); }
    void print() const
    {
        std::printf("{%s}\n", m_body.c_str());
        std::fflush(stdout);
    }

private:
    Json &raw(const char *key, const std::string &value)
    {
        if (!m_body.empty())
            m_body += ", ";
        m_body += "\"" + std::string(key) + "\": " + value;
        return *this;
    }
    std::string m_body;
};

// Stops the program with a message on stderr when a benchmark's own check fails.
inline void require(bool ok, const char *what)
{
    if (!ok) {
        std::fprintf(stderr, "benchmark check failed: %s\n", what);
        std::exit(1);
    }
}

} // namespace bench
