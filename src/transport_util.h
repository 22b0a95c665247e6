// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// transport_util.h — private: what the library's transports share.
#pragma once

#include <qaio/connection.h>
#include <qaio/protocols.h>

#include <memory>

namespace qaio::detail {

// factory(), checked as asyncio checks it: ValueError for an empty factory,
// TypeError when it returns no protocol (connection.cpp).
std::shared_ptr<BaseProtocol> makeProtocol(const ProtocolFactory &factory);

} // namespace qaio::detail
