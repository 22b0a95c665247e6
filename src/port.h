// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// port.h — the one check of a TCP/UDP port number given as an int.
//
// The public API takes ports as int so that an out-of-range number is an
// error instead of being silently truncated to 16 bits (70000 -> 4464).
// Python raises OverflowError("port must be 0-65535"); qaio's bad arguments
// are ValueError (API.md), with the same message.
#pragma once

#include <qaio/exceptions.h>

#include <QtCore/qglobal.h>
#include <QtCore/qstring.h>

namespace qaio::detail {

inline quint16 checkedPort(int port, const char *function)
{
    if (port < 0 || port > 65535)
        throw ValueError(QStringLiteral("%1: port must be 0-65535, not %2").arg(QLatin1StringView(function)).arg(port));
    return quint16(port);
}

} // namespace qaio::detail
