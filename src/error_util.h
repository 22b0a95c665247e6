// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// error_util.h — private: what several places ask of an exception.
#pragma once

#include <qaio/exceptions.h>

#include <QtCore/qstring.h>

#include <exception>

namespace qaio::detail {

// Whether `error` is a CancelledError; its message goes to `*message` if given.
inline bool isCancelledError(const std::exception_ptr &error, QString *message = nullptr)
{
    if (!error)
        return false;
    try {
        std::rethrow_exception(error);
    } catch (const CancelledError &e) {
        if (message)
            *message = e.message();
        return true;
    } catch (...) {
        return false;
    }
}

} // namespace qaio::detail
