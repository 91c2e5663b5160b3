#include "hs/keysched12.h"

#include <string.h>

#include "base/bytes.h"

int lt_ks12_master_secret(lt_hash_alg alg, const uint8_t *pms, size_t pms_len, int ems, const uint8_t *session_hash,
                          size_t session_hash_len, const uint8_t client_random[32], const uint8_t server_random[32],
                          uint8_t ms[LT_MASTER_SECRET_LEN])
{
    if (ems) {
        return lt_tls12_prf(alg, pms, pms_len, "extended master secret", session_hash, session_hash_len, NULL, 0, ms,
                            LT_MASTER_SECRET_LEN);
    }
    return lt_tls12_prf(alg, pms, pms_len, "master secret", client_random, 32, server_random, 32, ms,
                        LT_MASTER_SECRET_LEN);
}

int lt_ks12_key_block(const lt_suite *suite, const uint8_t ms[LT_MASTER_SECRET_LEN], const uint8_t client_random[32],
                      const uint8_t server_random[32], lt_key_block *kb)
{
    uint8_t block[2 * (48 + 32 + 16)];
    memset(kb, 0, sizeof *kb);
    kb->mac_len = lt_mac_key_len(suite->mac);
    kb->key_len = lt_cipher_key_len(suite->cipher);
    kb->iv_len = lt_cipher_fixed_iv_len(suite->cipher, LT_TLS1_2);
    size_t need = 2 * (kb->mac_len + kb->key_len + kb->iv_len);
    LT_ENSURE(need <= sizeof block, LT_ERR_INTERNAL);

    int rc = lt_tls12_prf(suite->prf_hash, ms, LT_MASTER_SECRET_LEN, "key expansion", server_random, 32, client_random,
                          32, block, need);
    if (rc == LT_OK) {
        const uint8_t *p = block;
        memcpy(kb->client_mac, p, kb->mac_len);
        p += kb->mac_len;
        memcpy(kb->server_mac, p, kb->mac_len);
        p += kb->mac_len;
        memcpy(kb->client_key, p, kb->key_len);
        p += kb->key_len;
        memcpy(kb->server_key, p, kb->key_len);
        p += kb->key_len;
        memcpy(kb->client_iv, p, kb->iv_len);
        p += kb->iv_len;
        memcpy(kb->server_iv, p, kb->iv_len);
    }
    lt_wipe(block, sizeof block);
    return rc;
}

int lt_ks12_finished(lt_hash_alg alg, const uint8_t ms[LT_MASTER_SECRET_LEN], int from_client,
                     const uint8_t *transcript_hash, size_t hash_len, uint8_t verify_data[12])
{
    const char *label = from_client ? "client finished" : "server finished";
    return lt_tls12_prf(alg, ms, LT_MASTER_SECRET_LEN, label, transcript_hash, hash_len, NULL, 0, verify_data, 12);
}

/* The PRF labels of TLS 1.2 itself (RFC 5246 6.3, 7.4.9, 8.1; RFC 7627 4).
 * libssl refuses an exporter label that begins with one of them
 * (tls1_export_keying_material); so do we, so that an export can never be
 * a key-schedule value, and so that both ends refuse the same labels. */
static const char *const RESERVED_LABELS[] = {"client finished", "server finished", "master secret",
                                              "extended master secret", "key expansion"};

static int label_reserved(const char *label, size_t label_len)
{
    for (size_t i = 0; i < sizeof RESERVED_LABELS / sizeof RESERVED_LABELS[0]; i++) {
        size_t n = strlen(RESERVED_LABELS[i]);
        if (label_len >= n && memcmp(label, RESERVED_LABELS[i], n) == 0) {
            return 1;
        }
    }
    return 0;
}

static int export12(lt_hash_alg alg, const uint8_t ms[LT_MASTER_SECRET_LEN], const uint8_t client_random[32],
                    const uint8_t server_random[32], const char *label, size_t label_len, const uint8_t *context,
                    size_t context_len, int use_context, uint8_t *out, size_t out_len)
{
    uint8_t context_len16[2];
    LT_ENSURE(ms != NULL && client_random != NULL && server_random != NULL, LT_ERR_USAGE);
    LT_ENSURE(label != NULL && label_len > 0 && !label_reserved(label, label_len), LT_ERR_USAGE);
    LT_ENSURE(context != NULL || context_len == 0, LT_ERR_USAGE);
    /* RFC 5705 4: "the context value length is encoded as an unsigned,
     * 16-bit quantity". */
    LT_ENSURE(!use_context || context_len <= UINT16_MAX, LT_ERR_USAGE);
    lt_put_u16(context_len16, (uint16_t)context_len);
    const lt_prf_seed seeds[4] = {{client_random, 32},
                                  {server_random, 32},
                                  {context_len16, use_context ? 2 : 0},
                                  {context, use_context ? context_len : 0}};
    /* lt_tls12_prf_seeds refuses what the PRF cannot take. */
    return lt_tls12_prf_seeds(alg, ms, LT_MASTER_SECRET_LEN, (const uint8_t *)label, label_len, seeds, 4, out, out_len);
}

int lt_ks12_export(lt_hash_alg alg, const uint8_t ms[LT_MASTER_SECRET_LEN], const uint8_t client_random[32],
                   const uint8_t server_random[32], const char *label, size_t label_len, const uint8_t *context,
                   size_t context_len, int use_context, uint8_t *out, size_t out_len)
{
    LT_ENSURE(out != NULL, LT_ERR_USAGE);
    int rc = export12(alg, ms, client_random, server_random, label, label_len, context, context_len, use_context, out,
                      out_len);
    if (rc != LT_OK) {
        lt_wipe(out, out_len);
    }
    return rc;
}
