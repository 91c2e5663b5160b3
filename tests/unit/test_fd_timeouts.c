/*
 * Deadlines in the socket layer (lt_fd_*_timed, src/io/fd.c) over a blocking
 * socketpair: a silent or dripping peer ends the call with LT_ERR_TIMEOUT
 * (errno ETIMEDOUT) within its bound, the connection stays usable, and a
 * non-blocking socket is left to its caller's poll().
 *
 * Time is checked only loosely: at least most of the bound, at most a
 * generous multiple of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lucidtls/lucidtls_fd.h"
#include "pair.h"
#include "test.h"

#define BOUND_MS 200
#define TOO_LONG_MS 5000

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

typedef struct fixture {
    lt_pair p;
    int us;   /* the server's end, blocking */
    int peer; /* the client's end */
} fixture;

static int fixture_init(fixture *f, int established)
{
    if (pair_init(&f->p, LT_TLS_RSA_WITH_AES_128_GCM_SHA256) != LT_OK) {
        return -1;
    }
    if (established && pair_handshake(&f->p) != LT_OK) {
        return -1;
    }
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
        return -1;
    }
    f->us = sv[0];
    f->peer = sv[1];
    return 0;
}

static void fixture_free(fixture *f)
{
    close(f->us);
    close(f->peer);
    pair_free(&f->p);
}

static void expect_timed_out(int rc, int64_t t0)
{
    int e = errno;
    int64_t dt = now_ms() - t0;
    EXPECT_EQ(rc, LT_ERR_TIMEOUT);
    EXPECT_EQ(e, ETIMEDOUT);
    EXPECT(dt >= BOUND_MS * 3 / 4);
    EXPECT(dt < TOO_LONG_MS);
}

static void test_read_times_out_and_the_connection_goes_on(void)
{
    fixture f;
    EXPECT_EQ(fixture_init(&f, 1), 0);
    char buf[64];
    size_t n = 0;
    int64_t t0 = now_ms();
    expect_timed_out(lt_fd_read_timed(f.p.server, f.us, buf, sizeof buf, &n, BOUND_MS), t0);
    EXPECT_EQ(n, 0);
    EXPECT_EQ(lt_conn_error(f.p.server, NULL), LT_OK);

    size_t w = 0;
    size_t len = 0;
    EXPECT_EQ(lt_conn_write(f.p.client, "ping", 4, &w), LT_OK);
    const uint8_t *out = lt_conn_out_peek(f.p.client, &len);
    EXPECT_EQ(write(f.peer, out, len), (ssize_t)len);
    lt_conn_out_consume(f.p.client, len);
    EXPECT_EQ(lt_fd_read_timed(f.p.server, f.us, buf, sizeof buf, &n, TOO_LONG_MS), LT_OK);
    EXPECT_EQ(n, 4);
    EXPECT_MEM(buf, "ping", 4);
    fixture_free(&f);
}

static void test_a_dripped_record_does_not_stretch_the_deadline(void)
{
    fixture f;
    EXPECT_EQ(fixture_init(&f, 1), 0);
    /* The start of a record header, then nothing: the deadline is the
     * call's, not restarted by each byte. */
    EXPECT_EQ(write(f.peer, "\x17\x03", 2), 2);
    char buf[64];
    size_t n = 0;
    int64_t t0 = now_ms();
    expect_timed_out(lt_fd_read_timed(f.p.server, f.us, buf, sizeof buf, &n, BOUND_MS), t0);
    fixture_free(&f);
}

static void test_handshake_times_out_on_a_silent_peer(void)
{
    fixture f;
    EXPECT_EQ(fixture_init(&f, 0), 0);
    int64_t t0 = now_ms();
    /* The client's ClientHello goes out; no ServerHello ever comes. */
    expect_timed_out(lt_fd_handshake_timed(f.p.client, f.us, BOUND_MS), t0);
    EXPECT(!lt_conn_is_established(f.p.client));
    fixture_free(&f);
}

static void test_write_times_out_on_a_peer_that_does_not_read(void)
{
    fixture f;
    EXPECT_EQ(fixture_init(&f, 1), 0);
    int small = 4096;
    (void)setsockopt(f.us, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    static uint8_t big[1 << 20];
    memset(big, 'x', sizeof big);
    size_t w = 0;
    int64_t t0 = now_ms();
    expect_timed_out(lt_fd_write_timed(f.p.server, f.us, big, sizeof big, &w, BOUND_MS), t0);
    EXPECT(w < sizeof big);
    t0 = now_ms();
    expect_timed_out(lt_fd_flush_timed(f.p.server, f.us, BOUND_MS), t0);
    fixture_free(&f);
}

static void test_non_blocking_socket_is_left_to_the_caller(void)
{
    fixture f;
    EXPECT_EQ(fixture_init(&f, 1), 0);
    EXPECT_EQ(fcntl(f.us, F_SETFL, fcntl(f.us, F_GETFL) | O_NONBLOCK), 0);
    char buf[64];
    size_t n = 0;
    int64_t t0 = now_ms();
    EXPECT_EQ(lt_fd_read_timed(f.p.server, f.us, buf, sizeof buf, &n, TOO_LONG_MS), LT_WANT_INPUT);
    EXPECT(now_ms() - t0 < TOO_LONG_MS / 2);
    fixture_free(&f);
}

static void test_timeout_has_a_name(void)
{
    EXPECT(strcmp(lt_result_name(LT_ERR_TIMEOUT), "LT_ERR_TIMEOUT") == 0);
}

int main(void)
{
    LT_RUN(test_read_times_out_and_the_connection_goes_on);
    LT_RUN(test_a_dripped_record_does_not_stretch_the_deadline);
    LT_RUN(test_handshake_times_out_on_a_silent_peer);
    LT_RUN(test_write_times_out_on_a_peer_that_does_not_read);
    LT_RUN(test_non_blocking_socket_is_left_to_the_caller);
    LT_RUN(test_timeout_has_a_name);
    return lt_test_summary();
}
