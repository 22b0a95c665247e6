// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
// node_echo.js — TCP echo server on Node.js's net module (libuv underneath).
//
//   node node_echo.js
//
// Every chunk that arrives is written back; Node sets TCP_NODELAY (noDelay).
// Node cannot choose the congestion control, so this server uses the system
// default (see docs/benchmarks.md). Prints {"port": N}, serves until killed.
'use strict';
const net = require('net');

const server = net.createServer({ noDelay: true }, (socket) => {
  socket.on('data', (data) => socket.write(data));
  socket.on('error', () => socket.destroy());
});
server.listen({ host: '127.0.0.1', port: 0, backlog: 1024 }, () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n');
});
