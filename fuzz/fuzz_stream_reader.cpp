// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// fuzz_stream_reader — libFuzzer target: random sequences of feedData/feedEof
// and read/readexactly/readuntil/readline on a StreamReader, each checked
// against a small model of asyncio's StreamReader (CPython 3.13
// Lib/asyncio/streams.py). A read is issued only when the model says it
// completes without waiting for data, so a read that blocks is a mismatch too.
//
// Input: byte 0 picks the limit (1..64); then one opcode byte per operation,
// followed by its argument bytes. Fed data uses a four-letter alphabet so that
// separators are common.
#include <qaio/qaio.h>

#include <QtCore/qcoreapplication.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <variant>

using namespace qaio;

namespace {

struct Incomplete
{
    QByteArray partial;
    qsizetype expected;
};
struct Overrun
{
    qsizetype consumed;
};
struct BadLine // readline's ValueError
{
};
using Outcome = std::variant<QByteArray, Incomplete, Overrun, BadLine>;

// asyncio's StreamReader with all the data already in the buffer: each read
// either completes at once (an Outcome) or would wait (nullopt).
class Model
{
public:
    explicit Model(qsizetype limit) : m_limit(limit) {}
    QByteArray buffer;
    bool eof = false;

    std::optional<Outcome> read(qsizetype n)
    {
        if (n == 0)
            return QByteArray();
        if (n < 0) {
            if (!eof)
                return std::nullopt;
            return take(buffer.size());
        }
        if (buffer.isEmpty() && !eof)
            return std::nullopt;
        return take(std::min(n, buffer.size()));
    }

    std::optional<Outcome> readexactly(qsizetype n)
    {
        if (n == 0)
            return QByteArray();
        if (buffer.size() >= n)
            return take(n);
        if (!eof)
            return std::nullopt;
        return Incomplete{take(buffer.size()), n};
    }

    std::optional<Outcome> readuntil(const QByteArray &sep)
    {
        const qsizetype seplen = sep.size();
        qsizetype isep = -1;
        if (buffer.size() >= seplen) {
            isep = buffer.indexOf(sep);
            if (isep < 0) {
                const qsizetype offset = buffer.size() + 1 - seplen;
                if (offset > m_limit)
                    return Overrun{offset};
            }
        }
        if (isep < 0) {
            if (!eof)
                return std::nullopt;
            return Incomplete{take(buffer.size()), -1};
        }
        if (isep > m_limit)
            return Overrun{isep};
        return take(isep + seplen);
    }

    std::optional<Outcome> readline()
    {
        std::optional<Outcome> r = readuntil(QByteArrayLiteral("\n"));
        if (!r)
            return r;
        if (auto *incomplete = std::get_if<Incomplete>(&*r))
            return incomplete->partial;
        if (auto *overrun = std::get_if<Overrun>(&*r)) {
            if (buffer.mid(overrun->consumed).startsWith('\n'))
                buffer.remove(0, overrun->consumed + 1);
            else
                buffer.clear();
            return BadLine{};
        }
        return r;
    }

private:
    QByteArray take(qsizetype n)
    {
        QByteArray head = buffer.left(n);
        buffer.remove(0, n);
        return head;
    }
    qsizetype m_limit;
};

Loop &fuzzLoop()
{
    static int argc = 1;
    static char name[] = "fuzz_stream_reader";
    static char *argv[] = {name, nullptr};
    static QCoreApplication app(argc, argv);
    static Loop loop;
    return loop;
}

// Runs one read on the real reader and returns what it gave, as an Outcome.
Outcome run(Loop &loop, Coro<QByteArray> read)
{
    try {
        return loop.runUntilComplete(waitFor(std::move(read), 5.0));
    } catch (const IncompleteReadError &e) {
        return Incomplete{e.partial, e.expected};
    } catch (const LimitOverrunError &e) {
        return Overrun{e.consumed};
    } catch (const ValueError &) {
        return BadLine{};
    } catch (const TimeoutError &) {
        std::fprintf(stderr, "the read blocked where asyncio's completes at once\n");
        std::abort();
    }
}

QString show(const Outcome &o)
{
    if (auto *b = std::get_if<QByteArray>(&o))
        return QStringLiteral("data '%1'").arg(QString::fromLatin1(b->toHex()));
    if (auto *i = std::get_if<Incomplete>(&o))
        return QStringLiteral("IncompleteReadError(partial '%1', expected %2)")
            .arg(QString::fromLatin1(i->partial.toHex()))
            .arg(i->expected);
    if (auto *v = std::get_if<Overrun>(&o))
        return QStringLiteral("LimitOverrunError(consumed %1)").arg(v->consumed);
    return QStringLiteral("ValueError");
}

bool same(const Outcome &a, const Outcome &b)
{
    return show(a) == show(b);
}

void check(const char *op, const Outcome &expected, const Outcome &got)
{
    if (same(expected, got))
        return;
    std::fprintf(stderr, "%s: asyncio gives %s, qaio %s\n", op, qPrintable(show(expected)), qPrintable(show(got)));
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    Loop &loop = fuzzLoop();
    if (size == 0)
        return 0;
    std::size_t at = 0;
    auto next = [&]() -> unsigned { return at < size ? data[at++] : 0u; };
    const qsizetype limit = 1 + next() % 64;
    StreamReader reader(loop, limit);
    Model model(limit);
    static const char alphabet[] = {'a', 'b', '\n', 'X'};
    static const QByteArray separators[] = {QByteArrayLiteral("\n"), QByteArrayLiteral("ab"),
                                            QByteArrayLiteral("X\n")};
    while (at < size) {
        const unsigned op = next() % 6;
        if (op == 0) { // feedData
            if (model.eof)
                continue;
            QByteArray chunk;
            for (unsigned n = 1 + next() % 48; n > 0 && at < size; --n)
                chunk += alphabet[next() % 4];
            if (chunk.isEmpty())
                continue;
            model.buffer += chunk;
            reader.feedData(chunk);
        } else if (op == 1) { // feedEof
            model.eof = true;
            reader.feedEof();
        } else if (op == 2) { // read(n), n = -1..38
            const qsizetype n = qsizetype(next() % 40) - 1;
            if (auto expected = model.read(n))
                check("read", *expected, run(loop, reader.read(n)));
        } else if (op == 3) {
            const qsizetype n = next() % 40;
            if (auto expected = model.readexactly(n))
                check("readexactly", *expected, run(loop, reader.readexactly(n)));
        } else if (op == 4) {
            const QByteArray &sep = separators[next() % 3];
            if (auto expected = model.readuntil(sep))
                check("readuntil", *expected, run(loop, reader.readuntil(sep)));
        } else {
            if (auto expected = model.readline())
                check("readline", *expected, run(loop, reader.readline()));
        }
    }
    // What is left must be the same too.
    model.eof = true;
    reader.feedEof();
    check("read(-1) at the end", *model.read(-1), run(loop, reader.read(-1)));
    return 0;
}
