/*
 * The output bounds (lucidtls.h, "Output bounds"): every byte the core
 * queues counts against LT_OUT_HARD_CAP; past LT_OUT_QUEUE_CAP it takes no
 * input until the caller drains; and the application's own writes never get
 * it there, so a full queue of writes never stops reading.
 */
#include <string.h>

#include "conn/conn.h"
#include "pair.h"
#include "test.h"

static size_t queued(const lt_conn *c)
{
    size_t n = 0;
    (void)lt_conn_out_peek(c, &n);
    return n;
}

/* Writes until the core says LT_WANT_OUTPUT; returns how much it took. */
static size_t fill_with_writes(lt_conn *c)
{
    static const uint8_t junk[8192];
    size_t total = 0, w = 0;
    int rc;
    while ((rc = lt_conn_write(c, junk, sizeof junk, &w)) == LT_OK) {
        total += w;
    }
    EXPECT_EQ(rc, LT_WANT_OUTPUT);
    return total;
}

/* Protected records from `from`, taken off its queue. */
static size_t take_output(lt_conn *from, uint8_t *buf, size_t cap)
{
    size_t n;
    const uint8_t *out = lt_conn_out_peek(from, &n);
    EXPECT(n <= cap);
    if (out != NULL && n <= cap) {
        memcpy(buf, out, n);
        lt_conn_out_consume(from, n);
        return n;
    }
    return 0;
}

static void test_writes_stop_at_the_queue_cap(void)
{
    lt_pair p;
    EXPECT_EQ(pair_init(&p, LT_TLS_RSA_WITH_AES_128_CBC_SHA), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    size_t took = fill_with_writes(p.server);
    EXPECT(took > 0);
    /* Protected, with padding and MACs, it still fits under the cap. */
    EXPECT(queued(p.server) <= LT_OUT_QUEUE_CAP);
    EXPECT(queued(p.server) > LT_OUT_QUEUE_CAP - (5 + 16384 + 320));
    pair_free(&p);
}

/* A server whose own writes fill the queue (its peer is slow to read) still
 * takes the peer's data: no deadlock between two peers that both write. */
static void test_full_queue_of_writes_does_not_block_input(void)
{
    lt_pair p;
    EXPECT_EQ(pair_init(&p, LT_TLS_RSA_WITH_AES_128_GCM_SHA256), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    fill_with_writes(p.server);
    EXPECT_EQ(lt_conn_wants_input(p.server), 1);
    const uint8_t msg[] = "the client keeps talking";
    size_t w;
    EXPECT_EQ(lt_conn_write(p.client, msg, sizeof msg, &w), LT_OK);
    static uint8_t wire[1 << 16];
    size_t n = take_output(p.client, wire, sizeof wire);
    size_t used;
    EXPECT_EQ(lt_conn_feed(p.server, wire, n, &used), LT_OK);
    EXPECT_EQ(used, n);
    uint8_t got[64];
    size_t r;
    EXPECT_EQ(lt_conn_read(p.server, got, sizeof got, &r), LT_OK);
    EXPECT_EQ(r, sizeof msg);
    pair_free(&p);
}

/* White box: queue records until the queue is within one alert record of
 * the write cap, as replies to a peer that does not read would. */
static void fill_to_just_under_the_cap(lt_conn *c)
{
    static const uint8_t one = 'x';
    /* A GCM alert record is 5 + 8 + 2 + 16 = 31 bytes: stop where the next
     * one must pass the cap, still at or under it. */
    while (queued(c) + 31 <= LT_OUT_QUEUE_CAP) {
        EXPECT_EQ(lt_record_write(&c->rec, LT_CT_APPLICATION_DATA, &one, 1), LT_OK);
    }
}

/* Replies to the peer that push the queue past the write cap stop input:
 * nothing more is consumed until the caller drains, and then it goes on. */
static void test_replies_past_the_cap_stop_input_until_drained(void)
{
    lt_pair p;
    EXPECT_EQ(pair_init(&p, LT_TLS_RSA_WITH_AES_128_GCM_SHA256), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    fill_to_just_under_the_cap(p.server);
    EXPECT_EQ(lt_conn_wants_input(p.server), 1);
    /* The client asks to renegotiate (the server answers with a warning),
     * then sends data. */
    static const uint8_t client_hello[] = {LT_HS_CLIENT_HELLO, 0, 0, 2, 3, 3};
    EXPECT_EQ(lt_record_write(&p.client->rec, LT_CT_HANDSHAKE, client_hello, sizeof client_hello), LT_OK);
    const uint8_t msg[] = "data behind the request";
    size_t w;
    EXPECT_EQ(lt_conn_write(p.client, msg, sizeof msg, &w), LT_OK);
    static uint8_t wire[1 << 16];
    size_t n = take_output(p.client, wire, sizeof wire);

    size_t used = 0;
    EXPECT_EQ(lt_conn_feed(p.server, wire, n, &used), LT_WANT_OUTPUT);
    EXPECT(used > 0 && used < n); /* the request record only */
    EXPECT(queued(p.server) > LT_OUT_QUEUE_CAP);
    EXPECT(queued(p.server) <= LT_OUT_HARD_CAP);
    EXPECT_EQ(lt_conn_wants_input(p.server), 0);
    size_t room = 1;
    EXPECT(lt_conn_in_buf(p.server, &room) == NULL);
    EXPECT_EQ(room, 0);
    uint8_t got[64];
    size_t r;
    EXPECT_EQ(lt_conn_read(p.server, got, sizeof got, &r), LT_WANT_OUTPUT);
    /* Feeding again takes nothing, however often. */
    int refused = 0;
    for (int i = 0; i < 1000; i++) {
        size_t again = 1;
        refused += lt_conn_feed(p.server, wire + used, n - used, &again) == LT_WANT_OUTPUT && again == 0;
    }
    EXPECT_EQ(refused, 1000);
    /* Drained: the data comes through. */
    size_t pending;
    (void)lt_conn_out_peek(p.server, &pending);
    lt_conn_out_consume(p.server, pending);
    size_t used2;
    EXPECT_EQ(lt_conn_feed(p.server, wire + used, n - used, &used2), LT_OK);
    EXPECT_EQ(used + used2, n);
    EXPECT_EQ(lt_conn_read(p.server, got, sizeof got, &r), LT_OK);
    EXPECT_EQ(r, sizeof msg);
    EXPECT_EQ(lt_conn_error(p.server, NULL), 0);
    pair_free(&p);
}

/* The review's shape: a server floods HelloRequests at a client that never
 * drains its output (it used to grow by 31 bytes per request, 127 KB per
 * record, without end). The bytes queued through the API stay flat. */
static void test_hello_request_flood_at_a_client_that_never_drains(void)
{
    lt_pair p;
    EXPECT_EQ(pair_init(&p, LT_TLS_RSA_WITH_AES_128_GCM_SHA256), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    static uint8_t requests[LT_MAX_PLAINTEXT]; /* 4096 HelloRequests */
    static uint8_t wire[LT_MAX_PLAINTEXT + 512];
    size_t max_queued = 0;
    for (int i = 0; i < 50; i++) {
        EXPECT_EQ(lt_record_write(&p.server->rec, LT_CT_HANDSHAKE, requests, sizeof requests), LT_OK);
        size_t n = take_output(p.server, wire, sizeof wire);
        size_t used;
        (void)lt_conn_feed(p.client, wire, n, &used);
        if (queued(p.client) > max_queued) {
            max_queued = queued(p.client);
        }
    }
    EXPECT_EQ(lt_conn_error(p.client, NULL), LT_ERR_UNEXPECTED_MESSAGE);
    EXPECT(max_queued <= 2 * 64); /* the warning and the fatal alert */
    pair_free(&p);
}

/* An echo peer whose output is never drained (lucidtls server with a client
 * that sends and never reads): what it can echo is capped, and the queue
 * stays at the write cap whatever comes in. */
static void test_echo_that_is_never_drained_stays_at_the_cap(void)
{
    lt_pair p;
    EXPECT_EQ(pair_init(&p, LT_TLS_RSA_WITH_AES_128_GCM_SHA256), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    static uint8_t wire[1 << 16];
    size_t max_queued = 0;
    for (int i = 0; i < 500; i++) {
        uint8_t data[4096];
        memset(data, i & 0xff, sizeof data);
        size_t w;
        EXPECT_EQ(lt_conn_write(p.client, data, sizeof data, &w), LT_OK);
        size_t n = take_output(p.client, wire, sizeof wire);
        size_t used = 0;
        (void)lt_conn_feed(p.server, wire, n, &used);
        uint8_t got[4096];
        size_t r;
        while (lt_conn_read(p.server, got, sizeof got, &r) == LT_OK && r > 0) {
            (void)lt_conn_write(p.server, got, r, &w); /* takes less once the queue is full */
        }
        if (queued(p.server) > max_queued) {
            max_queued = queued(p.server);
        }
    }
    EXPECT_EQ(lt_conn_error(p.server, NULL), 0);
    EXPECT(max_queued <= LT_OUT_QUEUE_CAP);
    EXPECT(max_queued > LT_OUT_QUEUE_CAP / 2);
    pair_free(&p);
}

/* The record layer refuses to queue a byte past the hard cap, whatever the
 * content type. */
static void test_record_layer_enforces_the_hard_cap(void)
{
    lt_record r;
    EXPECT_EQ(lt_record_init(&r), LT_OK);
    static const uint8_t data[LT_MAX_PLAINTEXT];
    int rc = LT_OK;
    int writes = 0;
    while (rc == LT_OK && writes < 1000) {
        rc = lt_record_write(&r, LT_CT_ALERT, data, 2);
        if (rc == LT_OK) {
            rc = lt_record_write(&r, LT_CT_HANDSHAKE, data, sizeof data);
        }
        writes++;
        EXPECT(lt_record_pending(&r) <= LT_OUT_HARD_CAP);
    }
    EXPECT_EQ(rc, LT_ERR_INTERNAL);
    EXPECT(lt_record_pending(&r) > LT_OUT_HARD_CAP - (5 + LT_MAX_PLAINTEXT));
    lt_record_free(&r);
}

int main(void)
{
    LT_RUN(test_writes_stop_at_the_queue_cap);
    LT_RUN(test_full_queue_of_writes_does_not_block_input);
    LT_RUN(test_replies_past_the_cap_stop_input_until_drained);
    LT_RUN(test_hello_request_flood_at_a_client_that_never_drains);
    LT_RUN(test_echo_that_is_never_drained_stays_at_the_cap);
    LT_RUN(test_record_layer_enforces_the_hard_cap);
    return lt_test_summary();
}
