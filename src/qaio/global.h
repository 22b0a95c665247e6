// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// qaio/global.h — export macro and the `qaio` logging category.
#pragma once

#include <QtCore/qglobal.h>
#include <QtCore/qloggingcategory.h>

/// @def QAIO_EXPORT
/// Marks qaio's exported symbols: Q_DECL_EXPORT while building qaio, else Q_DECL_IMPORT.
#if defined(QAIO_BUILDING_LIBRARY)
#  define QAIO_EXPORT Q_DECL_EXPORT
#else
#  define QAIO_EXPORT Q_DECL_IMPORT
#endif

/// Everything qaio logs (unhandled errors, slow callbacks in debug mode) goes
/// through this category, named "qaio": enable or silence it with QT_LOGGING_RULES.
QAIO_EXPORT Q_DECLARE_LOGGING_CATEGORY(lcQaio)
