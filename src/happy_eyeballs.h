// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// happy_eyeballs.h — RFC 8305 connection racing for createConnection
// (asyncio's staggered.staggered_race + base_events._interleave_addrinfos).
// Private to the library; exported for the tests.
#pragma once

#include <qaio/dns.h>
#include <qaio/loop.h>
#include <qaio/socket.h>
#include <qaio/task.h>

#include <QtCore/qlist.h>

#include <exception>
#include <optional>
#include <vector>

namespace qaio::detail {

// Alternates address families, starting with the first one, which gets
// firstFamilyCount - 1 extra places at the front.
QAIO_EXPORT QList<AddrInfo> interleaveAddrinfos(const QList<AddrInfo> &infos, int firstFamilyCount = 1);

struct RaceResult
{
    Socket sock;                            // the connected winner; invalid if every attempt failed
    int winner = -1;                        // its index in the address list
    std::vector<std::exception_ptr> errors; // the failed attempts' errors, in address order
};

// Connects to one of `infos`: starts the first attempt, and the next one
// when the previous failed or after `delay` seconds, whichever comes first
// (an infinite delay: only when the previous failed).
// The first connection wins; every other attempt is closed. Cancelling
// closes every pending attempt. Non-OS errors (a bad delay) are thrown.
QAIO_EXPORT Coro<RaceResult> happyEyeballsConnect(Loop &loop, QList<AddrInfo> infos,
                                                  std::optional<SocketAddress> localAddr, double delay);

} // namespace qaio::detail
