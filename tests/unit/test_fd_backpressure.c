/*
 * The socket layer's backpressure (src/io/fd.c): over a non-blocking
 * socketpair whose sending side takes almost nothing, lt_fd_read must
 *   - still read the peer's data while only our own writes wait (two peers
 *     that both write must not deadlock), and
 *   - stop reading, with LT_WANT_OUTPUT and the rest of the input left in
 *     the socket, once the answers the peer's records made us queue take the
 *     output past the write cap, which our writes never do (a peer that keeps
 *     asking for answers and never reads must not grow our output).
 *
 * The connections are established in memory (tests/harness/pair.c); then the
 * server side moves onto the socket and the client side plays the peer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn/conn.h"
#include "lucidtls/lucidtls_fd.h"
#include "pair.h"
#include "test.h"

/* What a renegotiating client sends: a ClientHello. The server refuses it
 * with a warning before parsing it (RFC 5746 4.4), so an empty one does. */
static const uint8_t EMPTY_CLIENT_HELLO[4] = {1, 0, 0, 0};

typedef struct fixture {
    lt_pair p;
    int us;   /* the server's end: non-blocking, a tiny send buffer */
    int peer; /* the client's end: we write the client's records here */
} fixture;

static int fixture_init(fixture *f)
{
    if (pair_init(&f->p, LT_TLS_RSA_WITH_AES_128_GCM_SHA256) != LT_OK || pair_handshake(&f->p) != LT_OK) {
        return -1;
    }
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
        return -1;
    }
    f->us = sv[0];
    f->peer = sv[1];
    int small = 4096;
    (void)setsockopt(f->us, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    return fcntl(f->us, F_SETFL, fcntl(f->us, F_GETFL) | O_NONBLOCK);
}

static void fixture_free(fixture *f)
{
    close(f->us);
    close(f->peer);
    pair_free(&f->p);
}

/* Everything the client has queued, onto the socket towards the server.
 * Never blocks (the test must fail, not hang, if the socket is full). */
static int peer_send_queued(fixture *f)
{
    size_t len = 0;
    const uint8_t *p = lt_conn_out_peek(f->p.client, &len);
    while (len > 0) {
        ssize_t k = send(f->peer, p, len, MSG_DONTWAIT);
        if (k <= 0) {
            return -1;
        }
        lt_conn_out_consume(f->p.client, (size_t)k);
        p = lt_conn_out_peek(f->p.client, &len);
    }
    return 0;
}

static size_t unread_input(const fixture *f)
{
    int n = 0;
    return ioctl(f->us, FIONREAD, &n) == 0 && n > 0 ? (size_t)n : 0;
}

static size_t server_pending(const fixture *f)
{
    size_t len = 0;
    (void)lt_conn_out_peek(f->p.server, &len);
    return len;
}

/* The server queues a full output cap of its own data that the socket cannot
 * take: lt_fd_write says LT_WANT_OUTPUT and keeps the rest for later. */
static void fill_our_output(fixture *f)
{
    static uint8_t big[2 * LT_OUT_QUEUE_CAP];
    memset(big, 'x', sizeof big);
    size_t w = 0;
    EXPECT_EQ(lt_fd_write(f->p.server, f->us, big, sizeof big, &w), LT_WANT_OUTPUT);
    EXPECT(w > 0 && w < sizeof big);
    EXPECT(server_pending(f) >= LT_OUT_QUEUE_CAP / 2);
}

static void test_reads_while_our_own_data_waits(void)
{
    fixture f;
    EXPECT_EQ(fixture_init(&f), 0);
    fill_our_output(&f);
    size_t w = 0;
    EXPECT_EQ(lt_conn_write(f.p.client, "ping", 4, &w), LT_OK);
    EXPECT_EQ(peer_send_queued(&f), 0);
    char buf[64];
    size_t n = 0;
    /* Not LT_WANT_OUTPUT: the peer may be waiting for us to read before it
     * reads what we sent (an echo), so refusing here would deadlock us both. */
    EXPECT_EQ(lt_fd_read(f.p.server, f.us, buf, sizeof buf, &n), LT_OK);
    EXPECT_EQ(n, 4);
    EXPECT_MEM(buf, "ping", 4);
    fixture_free(&f);
}

static void drain_peer(fixture *f)
{
    uint8_t sink[65536];
    int fl = fcntl(f->peer, F_GETFL);
    (void)fcntl(f->peer, F_SETFL, fl | O_NONBLOCK);
    while (read(f->peer, sink, sizeof sink) > 0) {
    }
    (void)fcntl(f->peer, F_SETFL, fl);
}

/* White box: answers the server owes its peer, queued until the next one
 * takes the queue past the write cap (one-byte records, as a run of alerts
 * would be). */
static void queue_answers_up_to_the_cap(fixture *f)
{
    static const uint8_t one = 'x';
    /* A GCM alert record is 5 + 8 + 2 + 16 = 31 bytes: stop where the next
     * one must pass the cap, still at or under it. */
    while (server_pending(f) + 31 <= LT_OUT_QUEUE_CAP) {
        EXPECT_EQ(lt_record_write(&f->p.server->rec, LT_CT_APPLICATION_DATA, &one, 1), LT_OK);
    }
}

static void test_stops_reading_when_answers_pile_up(void)
{
    fixture f;
    EXPECT_EQ(fixture_init(&f), 0);
    int big = 1 << 20;
    (void)setsockopt(f.peer, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    fill_our_output(&f);
    queue_answers_up_to_the_cap(&f);
    /* One renegotiation request (its no_renegotiation warning takes the
     * queue past the cap), then plenty of data behind it. */
    EXPECT_EQ(lt_record_write(&f.p.client->rec, LT_CT_HANDSHAKE, EMPTY_CLIENT_HELLO, sizeof EMPTY_CLIENT_HELLO), LT_OK);
    static uint8_t data[64 * 1024];
    memset(data, 'd', sizeof data);
    size_t w = 0;
    EXPECT_EQ(lt_conn_write(f.p.client, data, sizeof data, &w), LT_OK);
    EXPECT_EQ(peer_send_queued(&f), 0);
    size_t sent = unread_input(&f);
    EXPECT(sent > 0);

    char buf[4096];
    size_t n = 0;
    EXPECT_EQ(lt_fd_read(f.p.server, f.us, buf, sizeof buf, &n), LT_WANT_OUTPUT);
    EXPECT_EQ(n, 0);
    /* It read the request, then stopped: the data stays in the socket, and
     * the output stays under the hard cap. */
    size_t left = unread_input(&f);
    EXPECT(left > 0);
    EXPECT(left < sent);
    EXPECT(server_pending(&f) > LT_OUT_QUEUE_CAP);
    EXPECT(server_pending(&f) <= LT_OUT_HARD_CAP);
    /* Once the peer reads, the server goes on where it stopped and gets all
     * the data (the connection was never failed). */
    size_t got = 0;
    for (int round = 0; round < 100000 && got < w; round++) {
        drain_peer(&f);
        int rc = lt_fd_read(f.p.server, f.us, buf, sizeof buf, &n);
        EXPECT(rc == LT_OK || rc == LT_WANT_INPUT || rc == LT_WANT_OUTPUT);
        if (rc < 0) {
            break;
        }
        got += rc == LT_OK ? n : 0;
    }
    EXPECT_EQ(got, w);
    EXPECT_EQ(unread_input(&f), 0);
    EXPECT_EQ(lt_conn_error(f.p.server, NULL), LT_OK);
    fixture_free(&f);
}

int main(void)
{
    LT_RUN(test_reads_while_our_own_data_waits);
    LT_RUN(test_stops_reading_when_answers_pile_up);
    return lt_test_summary();
}
