/*
 * The TLS 1.2 key schedule (RFC 5246 6.3, 7.4.9, 8.1; RFC 7627 4): from the
 * pre-master secret to the master secret, the key block, and the Finished
 * verify_data. Pure functions: the state machine narrates what they do.
 */
#ifndef LT_HS_KEYSCHED12_H
#define LT_HS_KEYSCHED12_H

#include <stddef.h>
#include <stdint.h>

#include "hs/suites.h"

#define LT_PMS_LEN 48
#define LT_MASTER_SECRET_LEN 48

/* The key block sliced in RFC 5246 6.3 order. In the seed's words:
 * E_B = client_key, M_B = client_mac, E_A = server_key, M_A = server_mac. */
typedef struct lt_key_block {
    uint8_t client_mac[48];
    uint8_t server_mac[48];
    uint8_t client_key[32];
    uint8_t server_key[32];
    uint8_t client_iv[16];
    uint8_t server_iv[16];
    size_t mac_len;
    size_t key_len;
    size_t iv_len;
} lt_key_block;

/* The pre-master secret is pms_len bytes: 48 for RSA key transport
 * (RFC 5246 7.4.7.1), the shared secret's length for ECDHE (RFC 8422 5.10).
 * master_secret = PRF(pre_master_secret, "master secret",
 *                     ClientHello.random + ServerHello.random)[0..47]   (8.1)
 * or, with the extended master secret (RFC 7627 4):
 *   PRF(pre_master_secret, "extended master secret", session_hash)[0..47] */
LT_MUST_USE int lt_ks12_master_secret(lt_hash_alg alg, const uint8_t *pms, size_t pms_len, int ems,
                                      const uint8_t *session_hash, size_t session_hash_len,
                                      const uint8_t client_random[32], const uint8_t server_random[32],
                                      uint8_t ms[LT_MASTER_SECRET_LEN]);

/* key_block = PRF(master_secret, "key expansion",
 *                 server_random + client_random)                           (6.3) */
LT_MUST_USE int lt_ks12_key_block(const lt_suite *suite, const uint8_t ms[LT_MASTER_SECRET_LEN],
                                  const uint8_t client_random[32], const uint8_t server_random[32], lt_key_block *kb);

/* verify_data = PRF(master_secret, finished_label,
 *                   Hash(handshake_messages))[0..11]                       (7.4.9) */
LT_MUST_USE int lt_ks12_finished(lt_hash_alg alg, const uint8_t ms[LT_MASTER_SECRET_LEN], int from_client,
                                 const uint8_t *transcript_hash, size_t hash_len, uint8_t verify_data[12]);

/* The exporter (RFC 5705 4):
 *   PRF(master_secret, label, client_random + server_random
 *       [+ context_value_length + context_value])[length]
 * with the context part (a uint16 length, then the value) only when
 * use_context: in TLS 1.2 no context and an empty one differ. label is
 * label_len raw bytes, at least one. A label that begins with one of the
 * PRF labels TLS 1.2 itself uses is LT_ERR_USAGE (RFC 5705 4 warns of the
 * collision; libssl refuses the same five). So is a label and context
 * longer together than the PRF takes (LT_TLS12_PRF_MAX_INPUT - 64 - 2
 * bytes). */
LT_MUST_USE int lt_ks12_export(lt_hash_alg alg, const uint8_t ms[LT_MASTER_SECRET_LEN], const uint8_t client_random[32],
                               const uint8_t server_random[32], const char *label, size_t label_len,
                               const uint8_t *context, size_t context_len, int use_context, uint8_t *out,
                               size_t out_len);

#endif
