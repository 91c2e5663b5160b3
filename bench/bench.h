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

/* ---- The PKI both libraries use (pki.c) ---- */

typedef struct bench_pki {
    char *ca_pem;       /* the CA (RSA-2048): the clients' only trust anchor */
    char *chain_pem;    /* RSA-2048 server certificate, then the CA */
    char *key_pem;      /* its key */
    char *ec_chain_pem; /* P-256 server certificate (signed by the same CA), then the CA */
    char *ec_key_pem;   /* its key */
} bench_pki;

int bench_pki_make(bench_pki *pki, const char *host);
void bench_pki_free(bench_pki *pki);

/* ---- What one set of rows measures ---- */

/* The certificate and the signature scheme. TLS 1.3 cases use the ECDHE
 * values for "X25519 with an RSA-2048 / a P-256 certificate". */
enum { KX_RSA = 0, KX_ECDHE_RSA = 1, KX_ECDHE_ECDSA = 2 };
/* The record protection, for the EVP limit next to a bulk row. The TLS 1.3
 * ones seal 2^14 + 1 bytes (the content type byte, RFC 8446 5.2) under a
 * 5-byte AAD (the record header) per 16 KiB of payload. */
enum {
    BULK_GCM = 0,
    BULK_CBC_MTE = 1,
    BULK_CBC_ETM = 2,
    BULK_CHACHA = 3,
    BULK_GCM13 = 4,     /* TLS_AES_128_GCM_SHA256 */
    BULK_GCM256_13 = 5, /* TLS_AES_256_GCM_SHA384 */
    BULK_CHACHA13 = 6,  /* TLS_CHACHA20_POLY1305_SHA256 */
    BULK_COUNT = 7
};
enum { RUN_HS = 1, RUN_BULK = 2, RUN_MEM = 4 };

typedef struct bench_case {
    const char *label; /* the rows' names, e.g. "AES128-SHA256 EtM" */
    const char *suite; /* the OpenSSL name of the one suite both sides allow (TLS 1.3: the IANA name) */
    int kx;            /* KX_*: the certificate, the signature scheme, the crypto floor */
    int etm;           /* CBC suites: 1 encrypt-then-MAC in both libraries, 0 MAC-then-encrypt in both */
    int bulk;          /* BULK_*: which EVP limit */
    unsigned run;      /* RUN_* */
    int tls13;         /* 1: TLS 1.3 only in both libraries (else TLS 1.2 only) */
    int resume;        /* RESUME_*: every measured handshake resumes one session */
} bench_case;
/* TLS 1.3: a PSK from a ticket (psk_dhe_ke). TLS 1.2: an RFC 5077 ticket,
 * or a session ID from the server's cache (no tickets). */
enum { RESUME_NONE = 0, RESUME_TICKET = 1, RESUME_SESSION_ID = 2 };
/* TLS 1.2 resumption is measured only when lucidtls does it (detected at
 * run time: the case's context cannot prime a session otherwise). */
#define CASE_IS_TLS12_RESUME(cs) ((cs)->resume != RESUME_NONE && !(cs)->tls13)

/* ECDHE: the group and signature scheme both libraries are held to (and
 * checked to have used), by TLS name. NULL for RSA key transport. */
const char *case_group(const bench_case *cs);
const char *case_scheme(const bench_case *cs);
/* What the probe must report for the signature scheme: case_scheme, or "-"
 * when the handshake signs nothing (RSA key transport, TLS 1.3 resumption). */
const char *case_probe_scheme(const bench_case *cs);
/* NewSessionTickets per handshake: 1 in the resumption case (both servers
 * send one), 0 everywhere else (tickets off in both). */
int case_tickets(const bench_case *cs);

/* What a handshake negotiated, as a library reports it (TLS names, "-" for
 * none): checked against the case before anything is measured. */
typedef struct bench_probe {
    char version[16]; /* "TLSv1.2", "TLSv1.3" */
    char suite[48];   /* as the case names it */
    char group[32];
    char scheme[48]; /* ServerKeyExchange (1.2) or CertificateVerify (1.3) */
    int etm;         /* encrypt-then-MAC in use (server's view) */
    int ems;         /* extended master secret (TLS 1.2 only: not a TLS 1.3 thing) */
    int resumed;     /* the client says it resumed */
    int tickets;     /* NewSessionTickets the client received */
} bench_probe;

/* ---- One library under test ---- */

typedef struct bench_lib {
    const char *name;
    /* Shared configuration for one case (one cipher suite, EtM on or off,
     * the certificate the suite needs, X25519, the signature scheme).
     * Untimed. */
    void *(*ctx_new)(const bench_pki *pki, const bench_case *cs, char *err, size_t errcap);
    void (*ctx_free)(void *ctx);
    /* A client/server pair: creation, handshake and free. Each side's calls
     * run between side_enter/side_leave, so CPU and heap are attributed to
     * the side. */
    void *(*pair_new)(void *ctx);
    int (*pair_handshake)(void *pair, char *err, size_t errcap);
    /* After the handshake: both established, TLS 1.2, the expected suite,
     * EMS, chain and hostname verified. Untimed. */
    int (*pair_check)(void *pair, const bench_case *cs, char *err, size_t errcap);
    /* Sends len bytes (one write call) from one side and reads them all at
     * the other into out. Returns the number of bytes read, or -1. */
    long (*pair_send)(void *pair, int from_client, const uint8_t *data, size_t len, uint8_t *out);
    void (*pair_free)(void *pair);
    /* One extra handshake that reports what was negotiated (lucidtls: with
     * a trace callback, so never during measurements). Untimed. */
    int (*probe)(void *ctx, bench_probe *out, char *err, size_t errcap);
    const char *(*version)(void);
} bench_lib;

extern const bench_lib bench_lucidtls;
extern const bench_lib bench_openssl;
extern const bench_lib bench_openssl_release;  /* the same with SSL_MODE_RELEASE_BUFFERS */
extern const bench_lib bench_lucidtls_release; /* lucidtls calling lt_conn_release_buffers when idle */

/* ---- Raw libcrypto floor (evp.c) ---- */

/* The crypto operations of a handshake, on the bench PKI's keys, each
 * with fresh contexts as both libraries do per handshake. */
enum {
    OP_RSA_DECRYPT = 0, /* RSA-2048 PKCS#1 v1.5 decryption of a 48-byte secret */
    OP_RSA_ENCRYPT,     /* its encryption with the public key */
    OP_CERT_VERIFY,     /* X509_verify of the RSA leaf with the CA's key (sha256WithRSAEncryption) */
    OP_CERT_VERIFY_EC,  /* the same for the P-256 leaf (also signed by the RSA CA) */
    OP_X25519_KEYGEN,
    OP_X25519_DERIVE,
    OP_ECDSA_SIGN, /* over 100 bytes: a TLS 1.2 ServerKeyExchange */
    OP_ECDSA_VERIFY,
    OP_PSS_SIGN,
    OP_PSS_VERIFY,
    OP_ECDSA_SIGN_CV, /* over 130 bytes: a TLS 1.3 CertificateVerify content (RFC 8446 4.4.3) */
    OP_ECDSA_VERIFY_CV,
    OP_PSS_SIGN_CV,
    OP_PSS_VERIFY_CV,
    OP_KS13_FULL, /* one side's TLS 1.3 key schedule, full handshake: 3 HKDF-Extract, 18 HKDF-Expand, 2 HMAC */
    OP_KS13_PSK,  /* the same with a resumption PSK: + binder key, binder, the next ticket's PSK (21 Expand, 3 HMAC) */
    OP_COUNT
};

/* The crypto floor of one side of a handshake, by kind of handshake. The
 * first three are the TLS 1.2 kinds (= KX_*). */
enum {
    FLOOR_RSA_KT = KX_RSA,
    FLOOR_ECDHE_RSA = KX_ECDHE_RSA,
    FLOOR_ECDHE_ECDSA = KX_ECDHE_ECDSA,
    FLOOR_TLS13_RSA,   /* full TLS 1.3, X25519, RSA-2048 certificate (rsa_pss_rsae_sha256) */
    FLOOR_TLS13_ECDSA, /* full TLS 1.3, X25519, P-256 certificate */
    FLOOR_TLS13_PSK,   /* TLS 1.3 resumption, psk_dhe_ke over X25519 */
    FLOOR_COUNT
};
/* 0: clients do not offer the context's session (the session cache
 * memory rows: every handshake full, each leaving a cache entry). */
extern int g_offer_session;

/* -1 for an abbreviated TLS 1.2 handshake: no asymmetric operation at all. */
int case_floor(const bench_case *cs);
const char *floor_name(int fl);

int evp_hs_prepare(const bench_pki *pki);
/* CPU us per call of one operation, over n calls (-1 on failure). */
double evp_op_us(int op, int n);
/* The crypto floor of one side of a handshake of this kind (the sum of its
 * operations, each timed n times). */
double evp_hs_floor_us(int fl, int side, int n);
/* Those operations once each, untimed (the caller times them); 0 on failure. */
int evp_hs_floor_run(int fl, int side);
/* The same as text, e.g. "X25519 keygen + derive + ECDSA sign". */
const char *evp_hs_floor_text(int fl, int side);
/* The operations of that floor (at most 6); returns how many. */
int evp_hs_floor_ops(int fl, int side, int ops[6]);
const char *evp_op_name(int op);

/* Seal + open of n 16 KiB buffers with one case's record protection
 * (BULK_*), through EVP alone, MB/s. */
int evp_bulk_prepare(void);
double evp_bulk_mbs(int bulk, int n);

typedef struct evp_floor {
    double rsa_dec_pkcs1_us;       /* EVP_PKEY_decrypt, RSA_PKCS1_PADDING, 48-byte secret */
    double rsa_dec_tls_us;         /* same with RSA_PKCS1_WITH_TLS_PADDING (what both libraries call) */
    double rsa_enc_us;             /* EVP_PKEY_encrypt, RSA_PKCS1_PADDING */
    double rsa_verify_us;          /* EVP_DigestVerify sha256WithRSA (the leaf signature check) */
    double x25519_keygen_us;       /* EVP_PKEY_keygen X25519 + the raw public key */
    double x25519_derive_us;       /* the peer's key from its 32 bytes + EVP_PKEY_derive */
    double ecdsa_sign_us;          /* EVP_DigestSign, P-256 key, SHA-256, 100 bytes (a ServerKeyExchange) */
    double ecdsa_verify_us;        /* EVP_DigestVerify of the same */
    double pss_sign_us;            /* EVP_DigestSign, RSA-2048, PSS (rsae, SHA-256, salt = 32) */
    double pss_verify_us;          /* EVP_DigestVerify of the same */
    double gcm_enc_mbs;            /* AES-128-GCM seal of 16 KiB, MB/s */
    double gcm_seal_open_mbs;      /* seal + open of the same buffer: one encryption and one decryption per byte */
    double chacha_seal_open_mbs;   /* ChaCha20-Poly1305 seal + open */
    double cbc_enc_mbs;            /* HMAC-SHA256 + AES-128-CBC encrypt of 16 KiB (separate passes) */
    double cbc_seal_open_mbs;      /* the same, then decrypt + HMAC */
    double etm_seal_open_mbs;      /* AES-128-CBC then HMAC-SHA256 over the ciphertext, and back (EtM) */
    double stitched_enc_mbs;       /* AES-128-CBC-HMAC-SHA256 (libssl's stitched cipher), 0 if unavailable */
    double op_us[OP_COUNT];        /* every handshake operation, warm loop */
    double tls13_seal_open_mbs[3]; /* TLS 1.3 records: AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305 */
} evp_floor;

int evp_measure(double seconds, evp_floor *out, char *err, size_t errcap);

#endif
