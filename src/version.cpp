// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// The version of the library itself, as opposed to the headers a program saw.
#include <qaio/version.h>

namespace qaio {

const char *version() noexcept
{
    return QAIO_VERSION_STR;
}

} // namespace qaio
