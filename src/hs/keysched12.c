#include "hs/keysched12.h"

#include <string.h>

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
