// <qaio/qaio.h> — everything qaio offers, in one include.
#pragma once

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
#include <qaio/dns.h>
#include <qaio/executor.h>
#include <qaio/queues.h>
#include <qaio/protocols.h>
#include <qaio/runner.h>
#include <qaio/server.h>
#include <qaio/socket.h>
#include <qaio/sockets.h>
#include <qaio/taskgroup.h>
#include <qaio/timeouts.h>
#include <qaio/transports.h>
#include <qaio/wait.h>
