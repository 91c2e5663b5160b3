/*
 * libFuzzer target: a whole server connection fed from fuzz bytes.
 *
 * Input: one flags byte (chunking, echo, close, EOF: see fuzz_drive in
 * fuzz_common.h), then the bytes the client sends, as one stream. The server
 * is sans-I/O, so it does not matter that the whole client side arrives
 * before the server's answer is read: it processes records in order.
 *
 * The server uses the TEST-ONLY certificate and key in fuzz/testkeys/ and a
 * deterministic RNG reset for every input, so its server_random is the one
 * gen_seeds recorded against: the seeds in corpus/server are complete client
 * flights (ClientHello, then ClientKeyExchange + ChangeCipherSpec + Finished,
 * then application data and close_notify) that reach CONNECTED, and the
 * fuzzer mutates from there.
 *
 * Flags bit 6 picks a server that asks for a client certificate (trusting
 * the client CA in testkeys/), bit 7 one that requires it: the client's
 * Certificate and CertificateVerify of TLS 1.2 and 1.3 (the gen_*_mtls
 * seeds carry a whole mutual-TLS handshake with the test client identity).
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_common.h"

static lt_config *g_cfg;
static lt_config *g_cfg_request, *g_cfg_require;
static fuzz_rng g_rng;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    if (g_cfg == NULL) {
        g_cfg = fuzz_server_config();
        fuzz_trace(g_cfg);
        g_cfg_request = fuzz_server_auth_config(LT_CLIENT_AUTH_REQUEST);
        g_cfg_require = fuzz_server_auth_config(LT_CLIENT_AUTH_REQUIRE);
    }
    lt_config *cfg = !(data[0] & 0x40) ? g_cfg : (data[0] & 0x80) ? g_cfg_require : g_cfg_request;
    fuzz_rng_reset(&g_rng, FUZZ_SEED_SERVER);
    fuzz_rng_use(&g_rng);
    lt_conn *c = lt_conn_new(cfg);
    if (c == NULL) {
        fuzz_die("lt_conn_new", LT_ERR_NOMEM);
    }
    (void)fuzz_drive(c, data[0], data + 1, size - 1);
    lt_conn_free(c);
    return 0;
}
