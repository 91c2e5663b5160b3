#include "pair.h"

#include <stdlib.h>
#include <string.h>

int pair_new_conns(lt_pair *p)
{
    lt_conn_free(p->client);
    lt_conn_free(p->server);
    p->client = lt_conn_new(p->ccfg);
    p->server = lt_conn_new(p->scfg);
    if (p->client == NULL || p->server == NULL) {
        return LT_ERR_NOMEM;
    }
    return lt_conn_set_hostname(p->client, "localhost");
}

/* RSA key generation is slow (more so under ASan): every pair in a test
 * program shares one demo PKI, made on first use and kept until exit. */
static lt_demo_pki g_pki;

int pair_init(lt_pair *p, uint16_t suite)
{
    int rc = pair_init_configs(p, suite);
    return rc != LT_OK ? rc : pair_new_conns(p);
}

int pair_init_configs(lt_pair *p, uint16_t suite)
{
    memset(p, 0, sizeof *p);
    int rc = LT_OK;
    if (g_pki.ca_pem == NULL && (rc = lt_demo_pki_make(&g_pki, "localhost")) != LT_OK) {
        return rc;
    }
    p->pki = g_pki;
    p->ccfg = lt_config_new(LT_ROLE_CLIENT);
    p->scfg = lt_config_new(LT_ROLE_SERVER);
    if (p->ccfg == NULL || p->scfg == NULL) {
        return LT_ERR_NOMEM;
    }
    if ((rc = lt_config_set_cert_chain_pem(p->scfg, p->pki.chain_pem, strlen(p->pki.chain_pem))) != LT_OK ||
        (rc = lt_config_set_key_pem(p->scfg, p->pki.key_pem, strlen(p->pki.key_pem))) != LT_OK ||
        (rc = lt_config_set_ca_pem(p->ccfg, p->pki.ca_pem, strlen(p->pki.ca_pem))) != LT_OK) {
        return rc;
    }
    if (suite != 0 && ((rc = lt_config_set_cipher_suites(p->ccfg, &suite, 1)) != LT_OK ||
                       (rc = lt_config_set_cipher_suites(p->scfg, &suite, 1)) != LT_OK)) {
        return rc;
    }
    return LT_OK;
}

void pair_free(lt_pair *p)
{
    lt_conn_free(p->client);
    lt_conn_free(p->server);
    lt_config_free(p->ccfg);
    lt_config_free(p->scfg);
    memset(p, 0, sizeof *p);
}

#define FLIGHT_CAP (1u << 20)

static size_t move_bytes(lt_pair *p, lt_conn *from, lt_conn *to, int from_client)
{
    size_t len;
    const uint8_t *out = lt_conn_out_peek(from, &len);
    if (len == 0) {
        return 0;
    }
    uint8_t *buf = malloc(FLIGHT_CAP);
    if (buf == NULL || len > FLIGHT_CAP / 2) {
        free(buf);
        return 0;
    }
    memcpy(buf, out, len);
    lt_conn_out_consume(from, len);
    size_t moved = len;
    if (p->hook != NULL) {
        p->hook(p->hook_arg, from_client, buf, &len, FLIGHT_CAP);
    }
    size_t off = 0;
    while (off < len) {
        size_t n = p->chunk && p->chunk < len - off ? p->chunk : len - off;
        size_t used = 0;
        int rc = lt_conn_feed(to, buf + off, n, &used);
        if (rc < 0) {
            break;
        }
        if (used == 0) {
            /* The receiver holds unread application data: drain it. */
            uint8_t sink[4096];
            size_t got;
            if (lt_conn_read(to, sink, sizeof sink, &got) != LT_OK || got == 0) {
                break;
            }
        }
        off += used;
    }
    free(buf);
    return moved;
}

size_t pair_pump(lt_pair *p)
{
    size_t a = move_bytes(p, p->client, p->server, 1);
    size_t b = move_bytes(p, p->server, p->client, 0);
    return a + b;
}

int pair_handshake(lt_pair *p)
{
    /* After pair_init_configs: the connections come now. */
    if (p->client == NULL || p->server == NULL) {
        int rc = pair_new_conns(p);
        if (rc != LT_OK) {
            return rc;
        }
    }
    for (int round = 0; round < 50; round++) {
        int rc_c = lt_conn_handshake(p->client);
        int rc_s = lt_conn_handshake(p->server);
        size_t moved = pair_pump(p);
        if (rc_c == LT_OK && rc_s == LT_OK && moved == 0) {
            return LT_OK;
        }
        if (rc_c < 0 && moved == 0) {
            return rc_c;
        }
        if (rc_s < 0 && moved == 0) {
            return rc_s;
        }
        if (moved == 0 && rc_c == LT_WANT_INPUT && rc_s == LT_WANT_INPUT) {
            return LT_WANT_INPUT; /* stuck */
        }
    }
    return LT_ERR_INTERNAL;
}

int pair_transfer(lt_pair *p, int from_client, const uint8_t *data, size_t len)
{
    lt_conn *from = from_client ? p->client : p->server;
    lt_conn *to = from_client ? p->server : p->client;
    uint8_t *got = malloc(len + 1);
    size_t sent = 0, recvd = 0;
    int rc = LT_OK;
    if (got == NULL) {
        return LT_ERR_NOMEM;
    }
    for (int guard = 0; guard < 100000 && recvd < len && rc >= 0; guard++) {
        if (sent < len) {
            size_t w = 0;
            rc = lt_conn_write(from, data + sent, len - sent, &w);
            if (rc == LT_WANT_OUTPUT) {
                rc = LT_OK;
            }
            sent += w;
        }
        size_t avail;
        const uint8_t *out = lt_conn_out_peek(from, &avail);
        size_t off = 0;
        while (off < avail && rc >= 0) {
            size_t n = p->chunk && p->chunk < avail - off ? p->chunk : avail - off;
            size_t used = 0;
            rc = lt_conn_feed(to, out + off, n, &used);
            off += used;
            size_t r = 0;
            while (rc >= 0 && recvd < len && lt_conn_read(to, got + recvd, len - recvd, &r) == LT_OK && r > 0) {
                recvd += r;
            }
            if (used == 0 && rc >= 0 && recvd >= len) {
                break;
            }
        }
        lt_conn_out_consume(from, off);
    }
    if (rc >= 0 && (recvd != len || memcmp(got, data, len) != 0)) {
        rc = LT_ERR_INTERNAL;
    }
    free(got);
    return rc < 0 ? rc : LT_OK;
}

size_t reframe_records(uint8_t *buf, size_t len, size_t cap, size_t frag, int merge, int *seen_ccs)
{
    uint8_t *out = malloc(cap);
    size_t o = 0, i = 0;
    size_t merge_hdr = (size_t)-1; /* position of the open merged record */
    if (out == NULL) {
        return len;
    }
    while (i + 5 <= len) {
        uint8_t type = buf[i];
        size_t n = ((size_t)buf[i + 3] << 8) | buf[i + 4];
        if (i + 5 + n > len) {
            break;
        }
        const uint8_t *body = buf + i + 5;
        int plain_hs = type == 22 && !*seen_ccs;
        if (type == 20) {
            *seen_ccs = 1;
        }
        if (plain_hs && merge) {
            if (merge_hdr != (size_t)-1 && (((size_t)out[merge_hdr + 3] << 8) | out[merge_hdr + 4]) + n <= 16384) {
                size_t cur = ((size_t)out[merge_hdr + 3] << 8) | out[merge_hdr + 4];
                memcpy(out + o, body, n);
                o += n;
                cur += n;
                out[merge_hdr + 3] = (uint8_t)(cur >> 8);
                out[merge_hdr + 4] = (uint8_t)cur;
            } else {
                merge_hdr = o;
                memcpy(out + o, buf + i, 5 + n);
                o += 5 + n;
            }
        } else if (plain_hs && frag > 0) {
            for (size_t k = 0; k < n; k += frag) {
                size_t m = n - k < frag ? n - k : frag;
                memcpy(out + o, buf + i, 3);
                out[o + 3] = (uint8_t)(m >> 8);
                out[o + 4] = (uint8_t)m;
                memcpy(out + o + 5, body + k, m);
                o += 5 + m;
            }
            merge_hdr = (size_t)-1;
        } else {
            memcpy(out + o, buf + i, 5 + n);
            o += 5 + n;
            merge_hdr = (size_t)-1;
        }
        i += 5 + n;
    }
    memcpy(out + o, buf + i, len - i); /* a trailing partial record, unchanged */
    o += len - i;
    memcpy(buf, out, o);
    free(out);
    return o;
}
