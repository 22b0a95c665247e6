# SPDX-License-Identifier: MIT
# SPDX-FileCopyrightText: 2026 The qaio authors
"""asyncio_echo.py — TCP echo server on CPython asyncio or uvloop (vmbench's servers).

    asyncio_echo.py --loop asyncio|uvloop --api protocol|streams

protocol: an asyncio.Protocol whose data_received writes the data back;
streams:  asyncio.start_server, one task per client: read(64 KiB), write, drain.
Listens on 127.0.0.1 (a free port, cubic congestion control as every server in
this suite; accepted sockets inherit it), prints {"port": N}, serves until killed.
"""
import asyncio
import json
import socket
import sys

from pycommon import new_loop


class EchoProtocol(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)


async def echo_client(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass  # the load generator reset the connection when it finished
    writer.close()


def listener():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, b"cubic")
    except OSError:
        pass
    s.bind(("127.0.0.1", 0))
    return s


async def main(api):
    sock = listener()
    loop = asyncio.get_running_loop()
    if api == "protocol":
        server = await loop.create_server(EchoProtocol, sock=sock, backlog=1024)
    else:
        server = await asyncio.start_server(echo_client, sock=sock, backlog=1024)
    print(json.dumps({"port": sock.getsockname()[1]}), flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    import argparse
    p = argparse.ArgumentParser()
    p.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    p.add_argument("--api", choices=["protocol", "streams"], default="protocol")
    a = p.parse_args()
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    loop = new_loop(a.loop)
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(main(a.api))
    except KeyboardInterrupt:
        sys.exit(0)
