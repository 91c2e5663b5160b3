/*
 * lucidtls-bench: lucidtls against OpenSSL's libssl, in one process, one
 * thread, over the same in-memory transport, with the same certificate and
 * key and the same libcrypto.
 *
 * Both libraries are driven through one small interface (bench_lib) so the
 * handshake, bulk and memory loops in main.c are the same code for both.
 */
#ifndef LT_BENCH_H
#define LT_BENCH_H

#include <stddef.h>
#include <stdint.h>

/* ---- Sides: who is running right now (alloc.c, timing) ---- */

enum { SIDE_BENCH = 0, SIDE_CLIENT = 1, SIDE_SERVER = 2, SIDE_COUNT = 3 };

typedef struct side_mem {
    long long live;        /* bytes currently allocated (malloc_usable_size) */
    long long peak;        /* highest live since the last reset */
    long long nallocs;     /* malloc/calloc/realloc/memalign calls */
    long long crypto_live; /* part of live that came through OPENSSL_malloc */
} side_mem;

typedef struct alloc_stats {
    side_mem side[SIDE_COUNT];
    long long total_live; /* the whole process */
    int crypto_hook_ok;   /* CRYPTO_set_mem_functions was accepted */
} alloc_stats;

extern alloc_stats g_alloc;
extern int g_alloc_interposed; /* 0 in sanitizer builds: heap is not counted */
extern int g_alloc_side;
extern int g_collect_side; /* callgrind: collect only inside this side's calls (-1: off) */

/* Installs OpenSSL's allocator hook (must run before any other OpenSSL
 * call). The malloc family itself is interposed in alloc.c. */
void alloc_install_crypto_hook(void);
void alloc_reset_side(int side);

/* ---- Per-side CPU accounting ---- */

extern int g_side_timing; /* when 0, side_enter/leave only switch the alloc side */
extern double g_side_ns[SIDE_COUNT];
extern long long g_side_intervals[SIDE_COUNT];

double thread_cpu_ns(void);
double wall_ns(void);
void side_enter(int side);
void side_leave(void);

/* ---- The in-memory wire: two static byte pipes (no heap) ---- */

#define WIRE_CAP (1u << 20)
typedef struct wire_pipe {
    uint8_t *buf;
    size_t off;
    size_t len;
} wire_pipe;

/* wire[0]: client -> server, wire[1]: server -> client. Only one
 * connection pair is active at any time, so all pairs share them. */
extern wire_pipe g_wire[2];
void wire_reset(void);
size_t wire_put(wire_pipe *p, const uint8_t *data, size_t len);

/* ---- The PKI both libraries use ---- */

typedef struct bench_pki {
    const char *ca_pem;
    const char *chain_pem;
    const char *key_pem;
} bench_pki;

/* ---- One library under test ---- */

typedef struct bench_lib {
    const char *name;
    /* Shared configuration for one cipher suite (OpenSSL name, e.g.
     * "AES128-GCM-SHA256"). Untimed. */
    void *(*ctx_new)(const bench_pki *pki, const char *suite, char *err, size_t errcap);
    void (*ctx_free)(void *ctx);
    /* A client/server pair: creation, handshake and free. Each side's calls
     * run between side_enter/side_leave, so CPU and heap are attributed to
     * the side. */
    void *(*pair_new)(void *ctx);
    int (*pair_handshake)(void *pair, char *err, size_t errcap);
    /* After the handshake: both established, TLS 1.2, the expected suite,
     * EMS, chain and hostname verified. Untimed. */
    int (*pair_check)(void *pair, const char *suite, char *err, size_t errcap);
    /* Sends len bytes (one write call) from one side and reads them all at
     * the other into out. Returns the number of bytes read, or -1. */
    long (*pair_send)(void *pair, int from_client, const uint8_t *data, size_t len, uint8_t *out);
    void (*pair_free)(void *pair);
    const char *(*version)(void);
} bench_lib;

extern const bench_lib bench_lucidtls;
extern const bench_lib bench_openssl;
extern const bench_lib bench_openssl_release;  /* the same with SSL_MODE_RELEASE_BUFFERS */
extern const bench_lib bench_lucidtls_release; /* lucidtls calling lt_conn_release_buffers when idle */

/* ---- Raw libcrypto floor (evp.c) ---- */

typedef struct evp_floor {
    double rsa_dec_pkcs1_us;  /* EVP_PKEY_decrypt, RSA_PKCS1_PADDING, 48-byte secret */
    double rsa_dec_tls_us;    /* same with RSA_PKCS1_WITH_TLS_PADDING (what both libraries call) */
    double rsa_enc_us;        /* EVP_PKEY_encrypt, RSA_PKCS1_PADDING */
    double rsa_verify_us;     /* EVP_DigestVerify sha256WithRSA (the leaf signature check) */
    double gcm_enc_mbs;       /* AES-128-GCM seal of 16 KiB, MB/s */
    double gcm_seal_open_mbs; /* seal + open of the same buffer: one encryption and one decryption per byte */
    double cbc_enc_mbs;       /* HMAC-SHA256 + AES-128-CBC encrypt of 16 KiB (separate passes) */
    double cbc_seal_open_mbs; /* the same, then decrypt + HMAC */
    double stitched_enc_mbs;  /* AES-128-CBC-HMAC-SHA256 (libssl's stitched cipher), 0 if unavailable */
} evp_floor;

/* RSA-2048 PKCS#1 v1.5 decryption of a 48-byte secret, n times, CPU us per
 * call (tls_padding: RSA_PKCS1_WITH_TLS_PADDING). */
int evp_rsa_prepare(const bench_pki *pki);
double evp_rsa_decrypt_us(int n, int tls_padding);

/* Seal + open of n 16 KiB buffers (AES-128-GCM, or AES-128-CBC + HMAC-SHA256
 * in separate passes), MB/s. */
int evp_bulk_prepare(void);
double evp_bulk_mbs(int gcm, int n);

int evp_measure(const bench_pki *pki, double seconds, evp_floor *out, char *err, size_t errcap);

#endif
