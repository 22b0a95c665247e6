// SPDX-License-Identifier: MIT
// SPDX-FileCopyrightText: 2026 The qaio authors
/* libuv_echo.c — TCP echo server in C on libuv (the library under uvloop and Node).
 *
 *   libuv_echo
 *
 * libuv's idiom: uv_read_start with an allocation callback; each chunk read is
 * written back with uv_write, and its buffer freed in the write callback.
 * Listens on 127.0.0.1 (a free port, cubic congestion control as every server
 * in this suite), prints {"port": N}, serves until killed. */
#include <uv.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>

typedef struct {
    uv_write_t req;
    uv_buf_t buf;
} write_req_t;

static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    (void)handle;
    buf->base = malloc(suggested);
    buf->len = suggested;
}

static void on_close(uv_handle_t *handle)
{
    free(handle);
}

static void on_written(uv_write_t *req, int status)
{
    write_req_t *wr = (write_req_t *)req;
    (void)status;
    free(wr->buf.base);
    free(wr);
}

static void on_read(uv_stream_t *client, ssize_t nread, const uv_buf_t *buf)
{
    if (nread > 0) {
        write_req_t *wr = malloc(sizeof *wr);
        wr->buf = uv_buf_init(buf->base, (unsigned)nread);
        uv_write(&wr->req, client, &wr->buf, 1, on_written);
        return;
    }
    free(buf->base);
    if (nread < 0)
        uv_close((uv_handle_t *)client, on_close);
}

static void on_connection(uv_stream_t *server, int status)
{
    if (status < 0)
        return;
    uv_tcp_t *client = malloc(sizeof *client);
    uv_tcp_init(server->loop, client);
    if (uv_accept(server, (uv_stream_t *)client) == 0) {
        uv_tcp_nodelay(client, 1);
        uv_read_start((uv_stream_t *)client, on_alloc, on_read);
    } else {
        uv_close((uv_handle_t *)client, on_close);
    }
}

int main(void)
{
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);

    uv_loop_t *loop = uv_default_loop();
    uv_tcp_t server;
    uv_tcp_init_ex(loop, &server, AF_INET);
    uv_os_fd_t fd;
    uv_fileno((uv_handle_t *)&server, &fd);
    setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, "cubic", 5);
    struct sockaddr_in addr;
    uv_ip4_addr("127.0.0.1", 0, &addr);
    if (uv_tcp_bind(&server, (const struct sockaddr *)&addr, 0) != 0
        || uv_listen((uv_stream_t *)&server, 1024, on_connection) != 0) {
        fprintf(stderr, "libuv_echo: cannot listen\n");
        return 1;
    }
    int len = sizeof addr;
    uv_tcp_getsockname(&server, (struct sockaddr *)&addr, &len);
    printf("{\"port\": %d}\n", ntohs(addr.sin_port));
    fflush(stdout);
    return uv_run(loop, UV_RUN_DEFAULT);
}
