/*
 * Shared by the handshake fuzz targets (fuzz_server, fuzz_client) and the
 * seed generator (gen_seeds): deterministic randomness and the fixed
 * TEST-ONLY PKI in fuzz/testkeys/.
 *
 * Determinism matters because a seed is a recorded flight: it only drives
 * the target through a whole handshake if the target draws exactly the
 * random bytes the recording run drew (server_random, the pre-master secret,
 * PKCS#1 padding, CBC IVs).
 */
#ifndef LT_FUZZ_COMMON_H
#define LT_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "lucidtls/lucidtls.h"

/* Stream seeds: one per role, so a side's bytes do not depend on how the
 * two sides' calls interleave in the recording run. */
#define FUZZ_SEED_CLIENT 0x636c69656e74ULL /* "client" */
#define FUZZ_SEED_SERVER 0x736572766572ULL /* "server" */

typedef struct fuzz_rng {
    uint64_t state;
} fuzz_rng;

void fuzz_rng_reset(fuzz_rng *r, uint64_t seed);
/* Makes r the source of every random byte: lt_random (through
 * lt_test_set_rng) and libcrypto's RAND_bytes (through a RAND_METHOD, which
 * the PKCS#1 v1.5 padding of the ClientKeyExchange and RSA blinding use). */
void fuzz_rng_use(fuzz_rng *r);

/* The TEST-ONLY PKI, read once; aborts if the files are missing. */
typedef struct fuzz_pki {
    char *chain_pem;
    char *key_pem;
    char *ca_pem;
    char *client_chain_pem; /* the client's identity: its certificate, then the client CA */
    char *client_key_pem;
    char *client_ca_pem; /* what a server that asks for client certificates trusts */
} fuzz_pki;
const fuzz_pki *fuzz_pki_get(void);

/* Configs that the targets and gen_seeds agree on. The server has every
 * suite in default order; the client trusts the test CA and is used with
 * the hostname "localhost". */
lt_config *fuzz_server_config(void);
/* Traces cfg's connections (secrets included) into a callback that reads
 * every byte of every field: the explain layer runs on hostile input too. */
void fuzz_trace(lt_config *cfg);
lt_config *fuzz_client_config(void);
/* A server like fuzz_server_config that asks for client certificates
 * (mode: LT_CLIENT_AUTH_REQUEST or _REQUIRE), trusting the client CA; a
 * client with (1) or without (0) the client identity (fuzz_client_config
 * has it: it answers a CertificateRequest with it). */
lt_config *fuzz_server_auth_config(int mode);
lt_config *fuzz_client_config_id(int with_identity);
#define FUZZ_HOSTNAME "localhost"

/* Aborts with a message: for setup failures, which are not findings. */
void fuzz_die(const char *what, int rc) __attribute__((noreturn));

/* The handshake targets' driver. flags (the first input byte):
 *   bits 0-2  bytes per lt_conn_feed call: all, 1, 3, 7, 64, 511, 2048, all
 *   bit 3     echo: write back the application data read (once established)
 *   bit 4     close: lt_conn_close once established
 *   bit 5     lt_conn_feed_eof after the last byte
 *   bits 6-7  not read here: the targets' own (fuzz_server: bit 6 asks for
 *             a client certificate, bit 7 then requires one; fuzz_client:
 *             bit 6 takes the client identity away)
 * Feeds `data` to c, calling lt_conn_handshake and lt_conn_read and draining
 * output after each feed, and traps on a broken API promise: an error outside
 * the peer-caused range, a result that is not sticky, a stall (no byte taken
 * and nothing to read), an established connection without a suite. Returns
 * 1 if the connection got established. With LT_FUZZ_VERBOSE set in the
 * environment, prints where the connection ended (to check seeds). */
int fuzz_drive(lt_conn *c, uint8_t flags, const uint8_t *data, size_t size);

/* fuzz_record: the record protection modes, chosen by the first input byte
 * (mode % FUZZ_RECORD_MODES). Mode 0 is no protection (before CCS); 1-4 the
 * TLS 1.2 AES suites, 5 TLS 1.2 ChaCha20-Poly1305, 6 TLS 1.2
 * encrypt-then-MAC, 7 TLS 1.3 AES-128-GCM. */
#define FUZZ_RECORD_MODES 8
/* A record cipher with fixed test keys for mode 1..7 (enc = 1 seals), or
 * NULL for mode 0. */
struct lt_rc *fuzz_record_rc(unsigned mode, int enc);
const char *fuzz_record_mode_name(unsigned mode);
#endif
