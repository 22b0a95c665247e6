// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// os_errors.h — private: the errno helpers every fd-based transport and sock*
// operation shares.
#pragma once

#include <QtCore/qstring.h>

#include <cerrno>
#include <exception>
#include <system_error>

namespace qaio::detail {

// The call would block (or was interrupted): wait for readiness and retry.
inline bool wouldBlock(int error)
{
    return error == EAGAIN || error == EWOULDBLOCK || error == EINTR;
}

// An OS error as asyncio raises it: std::system_error carrying the errno.
inline std::exception_ptr errnoError(int error, const char *what)
{
    return std::make_exception_ptr(std::system_error(error, std::generic_category(), what));
}
inline std::exception_ptr errnoError(int error, const QString &what)
{
    return errnoError(error, what.toStdString().c_str());
}

// OS errors end a transport quietly (asyncio logs them only in debug mode);
// anything else is reported to the loop's exception handler.
inline bool isOsError(const std::exception_ptr &error)
{
    try {
        std::rethrow_exception(error);
    } catch (const std::system_error &) {
        return true;
    } catch (...) {
        return false;
    }
}

} // namespace qaio::detail
