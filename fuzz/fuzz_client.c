/*
 * libFuzzer target: a whole client connection; the fuzz bytes play the
 * server.
 *
 * Input: one flags byte (chunking, echo, close, EOF: see fuzz_drive in
 * fuzz_common.h), then the bytes the server sends, as one stream. The client
 * first queues its ClientHello (to "localhost"), which is drained and
 * dropped.
 *
 * The client trusts the TEST-ONLY CA in fuzz/testkeys/ and draws every
 * random byte (client_random, the pre-master secret, the PKCS#1 padding of
 * its ClientKeyExchange, CBC IVs) from a deterministic stream reset for
 * every input. Its transcript is therefore the one gen_seeds recorded, and
 * the seeds in corpus/client (ServerHello .. ServerHelloDone, then CCS +
 * Finished, then application data, HelloRequest, close_notify) verify and
 * reach CONNECTED.
 *
 * The client has a certificate (testkeys/test-only-client-chain.pem, ECDSA
 * P-256, clientAuth) to answer a CertificateRequest with; flags bit 6 takes
 * it away (an empty Certificate). The gen_*_mtls seeds are servers that ask.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_common.h"

static lt_config *g_cfg, *g_cfg_anon;
static fuzz_rng g_rng;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    if (g_cfg == NULL) {
        g_cfg = fuzz_client_config();
        fuzz_trace(g_cfg);
        g_cfg_anon = fuzz_client_config_id(0);
    }
    fuzz_rng_reset(&g_rng, FUZZ_SEED_CLIENT);
    fuzz_rng_use(&g_rng);
    lt_conn *c = lt_conn_new((data[0] & 0x40) ? g_cfg_anon : g_cfg);
    if (c == NULL) {
        fuzz_die("lt_conn_new", LT_ERR_NOMEM);
    }
    int rc = lt_conn_set_hostname(c, FUZZ_HOSTNAME);
    if (rc != LT_OK) {
        fuzz_die("lt_conn_set_hostname", rc);
    }
    /* The ClientHello: queued before any server byte arrives. */
    rc = lt_conn_handshake(c);
    if (rc != LT_WANT_INPUT) {
        fuzz_die("lt_conn_handshake (ClientHello)", rc);
    }
    size_t len = 0;
    (void)lt_conn_out_peek(c, &len);
    lt_conn_out_consume(c, len);
    (void)fuzz_drive(c, data[0], data + 1, size - 1);
    lt_conn_free(c);
    return 0;
}
