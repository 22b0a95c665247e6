// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/// @file
/// <qaio/qaio.h> — everything qaio offers, in one include.
#pragma once

/// @namespace qaio
/// Python asyncio's event-loop model for C++20 and Qt 6: the loop, futures,
/// coroutine tasks, synchronization, executors, networking, subprocesses and
/// Qt integration. Names follow asyncio's in lowerCamelCase.

#include <qaio/exceptions.h>
#include <qaio/future.h>
#include <qaio/global.h>
#include <qaio/handle.h>
#include <qaio/loop.h>
#include <qaio/policy.h>
#include <qaio/coro.h>
#include <qaio/task.h>
#include <qaio/qfuture.h>
#include <qaio/gather.h>
#include <qaio/shield.h>
#include <qaio/locks.h>
#include <qaio/connection.h>
#include <qaio/datagram.h>
#include <qaio/dns.h>
#include <qaio/executor.h>
#include <qaio/pipes.h>
#include <qaio/queues.h>
#include <qaio/protocols.h>
#include <qaio/runner.h>
#include <qaio/sendfile.h>
#include <qaio/server.h>
#include <qaio/socket.h>
#include <qaio/streams.h>
#include <qaio/subprocess.h>
#include <qaio/sockets.h>
#include <qaio/ssl.h>
#include <qaio/taskgroup.h>
#include <qaio/timeouts.h>
#include <qaio/transports.h>
#include <qaio/wait.h>
#include <qaio/version.h>
#include <qaio/qtsignal.h>
#include <qaio/qobject.h>
#include <qaio/futurewatcher.h>
#include <qaio/dialog.h>
