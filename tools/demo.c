/*
 * lucidtls demo: the seed's story, live. Alice (a server thread) and Bob (the
 * main thread) talk TLS over a loopback socket, with a CA and a certificate
 * made in memory a moment before, and the narrator tells what each of them
 * does.
 *
 * Three stories:
 *  - --kx rsa (the default): the seed's protocol as it is written, TLS 1.2
 *    with RSA key transport and MAC-then-encrypt. The seed is SSL, so this
 *    stays the default;
 *  - --kx ecdhe: what TLS 1.2 does today, ECDHE over x25519 signed with
 *    Alice's RSA certificate key (forward secrecy), and AES-128-CBC with
 *    encrypt-then-MAC (RFC 7366): the seed's four keys E_B, M_B, E_A, M_A
 *    are all still there, so the reversed order shows record by record;
 *  - --tls13: the same conversation in TLS 1.3 (RFC 8446): the key exchange
 *    in the hellos' key shares, the HKDF key schedule, AES-128-GCM, and
 *    Alice's Finished before Bob's. With --hrr Bob's first key share is for
 *    the wrong group (a HelloRetryRequest); with --resume Bob comes back a
 *    second time with Alice's ticket (a resumed handshake); with
 *    --key-update he changes his keys after the handshake and asks her to
 *    change hers (KeyUpdate).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"
#include "lucidtls/lucidtls_fd.h"
#include "narrate.h"
#include "trace_out.h"

#define DEMO_TIMEOUT_S 10
#define BOB_SAYS "Hello Alice, this is Bob."
#define ALICE_SAYS "Hello Bob, this is Alice."

/* One story's suites and settings. */
typedef struct demo_kx {
    const char *name;        /* the --kx value */
    const char *bob_suites;  /* what Bob offers */
    const char *alice_order; /* Alice's preference: she picks her first that Bob offers */
    int encrypt_then_mac;    /* RFC 7366 on both sides */
    const char *story;       /* one line for the intro */
} demo_kx;

/* rsa: Bob offers the six RSA key transport suites; Alice prefers the seed's
 * (MAC-then-encrypt with CBC), so she picks it. Encrypt-then-MAC is off on
 * both sides: the seed's order.
 * ecdhe: Bob offers ECDHE_RSA suites (the demo PKI is RSA); Alice prefers
 * CBC with encrypt-then-MAC over the AEAD ones, to show the seed's four keys
 * in the order RFC 7366 puts them. */
static const demo_kx DEMO_KX[] = {
    {"rsa",
     "TLS_RSA_WITH_AES_128_GCM_SHA256:TLS_RSA_WITH_AES_256_GCM_SHA384:"
     "TLS_RSA_WITH_AES_128_CBC_SHA256:TLS_RSA_WITH_AES_256_CBC_SHA256:"
     "TLS_RSA_WITH_AES_128_CBC_SHA:TLS_RSA_WITH_AES_256_CBC_SHA",
     "TLS_RSA_WITH_AES_128_CBC_SHA256:TLS_RSA_WITH_AES_128_GCM_SHA256:"
     "TLS_RSA_WITH_AES_256_GCM_SHA384:TLS_RSA_WITH_AES_256_CBC_SHA256",
     0,
     "They use the seed's protocol: RSA key transport (Bob encrypts the pre-master secret\n"
     "to Alice's key) and MAC-then-encrypt. 'lucidtls demo --kx ecdhe' tells today's version.\n"},
    {"ecdhe",
     "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256:"
     "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256:TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
     "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256:TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:"
     "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
     1,
     "This time they use ECDHE over x25519, signed with Alice's RSA key (forward secrecy),\n"
     "and AES-128-CBC with encrypt-then-MAC: the seed's four keys, the MAC after the encryption.\n"},
};

/* Alice's groups: x25519 first (RFC 8422 5.1.1; Bob offers lucidtls's
 * default list, x25519 first too). */
static const uint16_t ALICE_GROUPS[] = {LT_GROUP_X25519, LT_GROUP_SECP256R1};

/* --hrr: Bob's first key share is for P-256, the first of his groups
 * (RFC 8446 4.2.8), but Alice prefers x25519, which he supports too: she
 * asks for it with a HelloRetryRequest (RFC 8446 4.1.4). */
static const uint16_t BOB_GROUPS_HRR[] = {LT_GROUP_SECP256R1, LT_GROUP_X25519};

/* The TLS 1.3 story's options. */
typedef struct demo13 {
    int on;         /* --tls13 */
    int hrr;        /* --hrr */
    int resume;     /* --resume: a second conversation, with the ticket */
    int key_update; /* --key-update */
} demo13;

typedef struct demo {
    lt_demo_pki pki;
    narrator *nar;
    const char *trace_json_path; /* --trace-json FILE */
    /* Bob's and Alice's connections, told by the one narrator, each its own
     * "conn" in the JSON lines. */
    trace_out bob_trace, alice_trace;
    const demo_kx *kx;
    demo13 t13;
    int show_secrets;
    int lfd;
    int port;
    lt_config *alice_cfg; /* one for every conversation: her ticket key lives in it */
    /* Alice's outcome, written by her thread, read after the join. */
    int alice_rc;
    char alice_err[600];
    /* What Bob's connection negotiated, printed after the story. */
    char summary[1024];
    /* --resume: the session Bob keeps from the first conversation. */
    uint8_t session[LT_SESSION_MAX_LEN];
    size_t session_len;
    int conversation; /* 0, then 1 for the resumed one */
} demo;

/* Reads one message into buf (NUL-terminated). */
static int read_message(lt_conn *conn, int fd, char *buf, size_t cap, size_t *len)
{
    size_t n = 0;
    int rc = lt_fd_read(conn, fd, buf, cap - 1, &n);
    buf[rc == LT_OK ? n : 0] = '\0';
    *len = n;
    return rc;
}

static int alice_talk(demo *d, lt_conn *conn, int fd)
{
    char msg[256];
    size_t len = 0;
    int rc = lt_fd_handshake(conn, fd);
    if (rc != LT_OK) {
        return rc;
    }
    rc = read_message(conn, fd, msg, sizeof msg, &len);
    if (rc != LT_OK) {
        return rc;
    }
    narrate_note(d->nar, LT_ROLE_SERVER, NARR_PHASE_DATA, "Alice reads: \"%s\"", msg);
    narrate_note(d->nar, LT_ROLE_SERVER, NARR_PHASE_DATA, "Alice writes: \"%s\"", ALICE_SAYS);
    rc = lt_fd_write(conn, fd, ALICE_SAYS, strlen(ALICE_SAYS), NULL);
    if (rc != LT_OK) {
        return rc;
    }
    /* Bob hangs up first; Alice answers his close_notify with hers. */
    rc = read_message(conn, fd, msg, sizeof msg, &len);
    if (rc != LT_CLOSED) {
        return rc == LT_OK ? LT_ERR_UNEXPECTED_MESSAGE : rc;
    }
    return lt_fd_close(conn, fd);
}

static lt_config *alice_config(demo *d)
{
    lt_config *cfg = lt_config_new(LT_ROLE_SERVER);
    if (cfg == NULL) {
        return NULL;
    }
    if (lt_config_set_cert_chain_pem(cfg, d->pki.chain_pem, strlen(d->pki.chain_pem)) != LT_OK ||
        lt_config_set_key_pem(cfg, d->pki.key_pem, strlen(d->pki.key_pem)) != LT_OK ||
        (!d->t13.on && lt_config_set_ciphers(cfg, d->kx->alice_order) != LT_OK) ||
        lt_config_set_groups(cfg, ALICE_GROUPS, sizeof ALICE_GROUPS / sizeof ALICE_GROUPS[0]) != LT_OK) {
        const char *why = lt_config_error(cfg);
        snprintf(d->alice_err, sizeof d->alice_err, "Alice's configuration failed: %s", why ? why : "?");
        lt_config_free(cfg);
        return NULL;
    }
    if (d->t13.on && lt_config_set_versions(cfg, LT_TLS1_3, LT_TLS1_3) != LT_OK) {
        snprintf(d->alice_err, sizeof d->alice_err, "Alice's configuration failed: %s", lt_config_error(cfg));
        lt_config_free(cfg);
        return NULL;
    }
    lt_config_set_encrypt_then_mac(cfg, d->kx->encrypt_then_mac);
    lt_config_set_trace(cfg, trace_out_fn, &d->alice_trace, d->show_secrets);
    tool_keylog_setup(cfg);
    return cfg;
}

/* Wait for Bob, but not forever: if he never comes, the demo must end. */
static int accept_bob(int lfd)
{
    struct pollfd pf = {lfd, POLLIN, 0};
    if (poll(&pf, 1, DEMO_TIMEOUT_S * 1000) <= 0) {
        return -1;
    }
    return accept(lfd, NULL, NULL);
}

/* One conversation of Alice's, in her thread; her config is d->alice_cfg. */
static void *alice_main(void *arg)
{
    demo *d = arg;
    d->alice_rc = LT_ERR_INTERNAL;
    int fd = accept_bob(d->lfd);
    if (fd < 0) {
        snprintf(d->alice_err, sizeof d->alice_err, "Alice: Bob never connected");
        return NULL;
    }
    tool_set_timeouts(fd, DEMO_TIMEOUT_S);
    lt_conn *conn = lt_conn_new(d->alice_cfg);
    if (conn != NULL) {
        int rc = alice_talk(d, conn, fd);
        int e = errno;
        d->alice_rc = rc;
        if (rc != LT_OK) {
            tool_describe_error(conn, rc, e, "Bob", d->alice_err, sizeof d->alice_err);
        }
    }
    lt_conn_free(conn);
    close(fd);
    return NULL;
}

/* Bob offers TLS 1.3 only, with lucidtls's default suites and groups (or,
 * for --hrr, P-256 first). */
static int bob_config13(demo *d, lt_config *cfg)
{
    if (lt_config_set_versions(cfg, LT_TLS1_3, LT_TLS1_3) != LT_OK) {
        return -1;
    }
    if (d->t13.hrr &&
        lt_config_set_groups(cfg, BOB_GROUPS_HRR, sizeof BOB_GROUPS_HRR / sizeof BOB_GROUPS_HRR[0]) != LT_OK) {
        return -1;
    }
    return 0;
}

static lt_config *bob_config(demo *d)
{
    lt_config *cfg = lt_config_new(LT_ROLE_CLIENT);
    if (cfg == NULL) {
        return NULL;
    }
    if (lt_config_set_ca_pem(cfg, d->pki.ca_pem, strlen(d->pki.ca_pem)) != LT_OK ||
        (d->t13.on ? bob_config13(d, cfg) != 0 : lt_config_set_ciphers(cfg, d->kx->bob_suites) != LT_OK)) {
        const char *why = lt_config_error(cfg);
        fprintf(stderr, "lucidtls demo: Bob's configuration failed: %s\n", why ? why : "?");
        lt_config_free(cfg);
        return NULL;
    }
    lt_config_set_encrypt_then_mac(cfg, d->kx->encrypt_then_mac);
    lt_config_set_trace(cfg, trace_out_fn, &d->bob_trace, d->show_secrets);
    tool_keylog_setup(cfg);
    return cfg;
}

static int bob_talk(demo *d, lt_conn *conn, int fd)
{
    char msg[256];
    size_t len = 0;
    int rc = lt_fd_handshake(conn, fd);
    if (rc != LT_OK) {
        return rc;
    }
    /* RFC 8446 4.6.3: new keys for Bob, and a request for Alice's; the
     * KeyUpdate goes out with his message. */
    if (d->t13.key_update) {
        narrate_note(d->nar, LT_ROLE_CLIENT, NARR_PHASE_DATA,
                     "Bob decides to change his keys, and asks Alice to "
                     "change hers");
        rc = lt_conn_key_update(conn, 1);
        if (rc != LT_OK) {
            return rc;
        }
    }
    narrate_note(d->nar, LT_ROLE_CLIENT, NARR_PHASE_DATA, "Bob writes: \"%s\"", BOB_SAYS);
    rc = lt_fd_write(conn, fd, BOB_SAYS, strlen(BOB_SAYS), NULL);
    if (rc != LT_OK) {
        return rc;
    }
    rc = read_message(conn, fd, msg, sizeof msg, &len);
    if (rc != LT_OK) {
        return rc;
    }
    narrate_note(d->nar, LT_ROLE_CLIENT, NARR_PHASE_DATA, "Bob reads: \"%s\"", msg);
    rc = lt_fd_close(conn, fd);
    if (rc != LT_OK) {
        return rc;
    }
    rc = read_message(conn, fd, msg, sizeof msg, &len);
    return rc == LT_CLOSED ? LT_OK : (rc == LT_OK ? LT_ERR_UNEXPECTED_MESSAGE : rc);
}

/* --resume, second conversation: Bob offers what he kept from the first
 * (RFC 8446 2.2). 0, or -1. */
static int bob_offer_session(demo *d, lt_conn *conn)
{
    if (d->conversation == 0 || d->session_len == 0) {
        return 0;
    }
    return lt_conn_set_session(conn, d->session, d->session_len) == LT_OK ? 0 : -1;
}

/* --resume, first conversation: the ticket Alice sent after the handshake
 * (it came with her reply). */
static void bob_keep_session(demo *d, const lt_conn *conn)
{
    if (d->t13.resume && d->conversation == 0 &&
        lt_conn_get_session(conn, d->session, sizeof d->session, &d->session_len) != LT_OK) {
        d->session_len = 0;
    }
}

static const char *group_name(uint16_t g)
{
    return g == LT_GROUP_X25519      ? "x25519"
           : g == LT_GROUP_SECP256R1 ? "secp256r1"
           : g == LT_GROUP_SECP384R1 ? "secp384r1"
                                     : "?";
}

/* TLS 1.2: tool_summary. TLS 1.3 has no extended master secret or
 * renegotiation to report (RFC 8446 takes both out); it has a group and,
 * maybe, a resumption. */
static void summarize(demo *d, const lt_conn *conn)
{
    if (lt_conn_version(conn) != LT_TLS1_3) {
        tool_summary(conn, d->summary, sizeof d->summary);
        return;
    }
    uint16_t suite = lt_conn_cipher_suite(conn);
    const char *iana = lt_suite_name(suite);
    const char *ossl = lt_suite_openssl_name(suite);
    const char *sni = lt_conn_server_name(conn);
    snprintf(d->summary, sizeof d->summary,
             "Protocol: TLSv1.3\n"
             "Cipher: %s (%s)\n"
             "Group: %s\n"
             "Server name: %s\n"
             "Resumed: %s\n",
             iana ? iana : "(none)", ossl ? ossl : "-", group_name(lt_conn_group(conn)),
             (sni != NULL && sni[0] != '\0') ? sni : "(none)", lt_conn_resumed(conn) ? "yes" : "no");
}

/* Bob's side, in the calling thread. Returns 0 on success. */
static int run_bob(demo *d, char *err, size_t errcap)
{
    lt_config *cfg = bob_config(d);
    if (cfg == NULL) {
        snprintf(err, errcap, "Bob's configuration failed");
        return -1;
    }
    char port[16];
    snprintf(port, sizeof port, "%d", d->port);
    int fd = tool_connect("127.0.0.1", port, err, errcap);
    if (fd < 0) {
        lt_config_free(cfg);
        return -1;
    }
    tool_set_timeouts(fd, DEMO_TIMEOUT_S);
    int status = -1;
    lt_conn *conn = lt_conn_new(cfg);
    if (conn != NULL && lt_conn_set_hostname(conn, "localhost") == LT_OK && bob_offer_session(d, conn) == 0) {
        int rc = bob_talk(d, conn, fd);
        if (rc == LT_OK) {
            status = 0;
        } else {
            tool_describe_error(conn, rc, errno, "Alice", err, errcap);
        }
    } else {
        snprintf(err, errcap, "cannot create Bob's connection");
    }
    /* Only a completed handshake has something to summarize. */
    if (status == 0) {
        summarize(d, conn);
        bob_keep_session(d, conn);
    }
    lt_conn_free(conn);
    close(fd);
    lt_config_free(cfg);
    return status;
}

static void intro13(const demo *d)
{
    printf("They speak TLS 1.3 (RFC 8446). The seed's steps are all there, moved and changed:\n"
           "the key exchange rides in the hellos ((EC)DHE over x25519, no RSA key transport), HKDF\n"
           "makes the keys, AES-128-GCM protects the records, and Alice's MAC over the handshake\n"
           "comes before Bob's. 'lucidtls demo' tells the seed's own TLS 1.2 story.\n");
    if (d->t13.hrr) {
        printf("Bob's first key share is for P-256, but Alice prefers x25519: she asks again.\n");
    }
    if (d->t13.key_update) {
        printf("After the handshake Bob changes his keys and asks Alice to change hers (KeyUpdate).\n");
    }
    if (d->t13.resume) {
        printf("Then Bob comes back with the ticket Alice gave him: a resumed handshake.\n");
    }
}

/* The options that make this story, for the --show-secrets hint. */
static void story_args(const demo *d, char *buf, size_t cap)
{
    if (!d->t13.on) {
        snprintf(buf, cap, "%s%s", d->kx == &DEMO_KX[0] ? "" : " --kx ", d->kx == &DEMO_KX[0] ? "" : d->kx->name);
        return;
    }
    snprintf(buf, cap, " --tls13%s%s%s", d->t13.hrr ? " --hrr" : "", d->t13.resume ? " --resume" : "",
             d->t13.key_update ? " --key-update" : "");
}

static void intro(const demo *d)
{
    printf("lucidtls demo: Bob (the client) talks to Alice (the server) over TLS %s on "
           "127.0.0.1:%d.\n"
           "A moment ago a throwaway CA, 'lucidtls demo CA', was made in memory, and it "
           "signed\nAlice's certificate for 'localhost'. Bob trusts that CA and nothing "
           "else.\n",
           d->t13.on ? "1.3" : "1.2", d->port);
    if (d->t13.on) {
        intro13(d);
    } else {
        printf("%s", d->kx->story);
    }
    if (!d->show_secrets) {
        char args[64];
        story_args(d, args, sizeof args);
        printf("(Secrets are hidden; run 'lucidtls demo%s --show-secrets' to see every key.)\n", args);
    }
}

static const demo_kx *find_kx(const char *name)
{
    for (size_t i = 0; i < sizeof DEMO_KX / sizeof DEMO_KX[0]; i++) {
        if (strcmp(DEMO_KX[i].name, name) == 0) {
            return &DEMO_KX[i];
        }
    }
    return NULL;
}

static const char USAGE[] =
    "usage: lucidtls demo [--kx rsa|ecdhe] [--show-secrets] [--trace-json FILE]\n"
    "       lucidtls demo --tls13 [--hrr] [--resume] [--key-update] [--show-secrets] [--trace-json FILE]\n"
    "  --kx rsa      the seed's story: TLS 1.2, RSA key transport, MAC-then-encrypt (the default)\n"
    "  --kx ecdhe    TLS 1.2 with ECDHE (x25519, forward secrecy), encrypt-then-MAC\n"
    "  --tls13       the same conversation in TLS 1.3\n"
    "  --hrr         TLS 1.3: Bob's first key share is for the wrong group (HelloRetryRequest)\n"
    "  --resume      TLS 1.3: Bob comes back with Alice's ticket (a resumed handshake)\n"
    "  --key-update  TLS 1.3: Bob changes his keys after the handshake, and asks Alice to (KeyUpdate)\n"
    "  --show-secrets  print the keys and secrets in full (the demo always narrates)\n"
    "  --trace-json FILE  also write both sides' trace events as JSON lines (docs/TRACE.md)\n"
    "  -h, --help    this text\n";

/* A mistake on the command line: what, then the usage, on stderr. 2. */
static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "lucidtls demo: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", USAGE);
    return 2;
}

/* One TLS 1.3 option; 1 if argv[i] was one. */
static int parse_arg13(demo13 *t, const char *arg)
{
    int *flag = strcmp(arg, "--tls13") == 0        ? &t->on
                : strcmp(arg, "--hrr") == 0        ? &t->hrr
                : strcmp(arg, "--resume") == 0     ? &t->resume
                : strcmp(arg, "--key-update") == 0 ? &t->key_update
                                                   : NULL;
    if (flag == NULL) {
        return 0;
    }
    *flag = 1;
    return 1;
}

/* --kx VALUE or --kx=VALUE: the story, or NULL after a line on stderr. */
static const demo_kx *parse_kx(int argc, char **argv, int *i)
{
    const char *v = NULL;
    if (strncmp(argv[*i], "--kx=", 5) == 0) {
        v = argv[*i] + 5;
    } else if (*i + 1 < argc) {
        v = argv[++*i];
    } else {
        usage_error("option '%s' needs an argument (rsa or ecdhe)", "--kx");
        return NULL;
    }
    const demo_kx *kx = find_kx(v);
    if (kx == NULL) {
        usage_error("--kx takes rsa or ecdhe, not '%s'", v);
    }
    return kx;
}

/* [--kx rsa|ecdhe] or [--tls13 [--hrr] [--resume] [--key-update]], and
 * [--show-secrets], in any order. 0, 1 after --help (exit 0), or 2 (usage). */
static int parse_args(demo *d, int argc, char **argv)
{
    int kx_given = 0;
    d->kx = &DEMO_KX[0];
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(USAGE, stdout);
            return 1;
        } else if (strcmp(argv[i], "--show-secrets") == 0) {
            d->show_secrets = 1;
        } else if (strcmp(argv[i], "--trace-json") == 0 || strncmp(argv[i], "--trace-json=", 13) == 0) {
            if (argv[i][12] == '=') {
                d->trace_json_path = argv[i] + 13;
            } else if (i + 1 < argc) {
                d->trace_json_path = argv[++i];
            } else {
                return usage_error("option '%s' needs an argument (a file, or - for stdout)", "--trace-json");
            }
        } else if (strcmp(argv[i], "--kx") == 0 || strncmp(argv[i], "--kx=", 5) == 0) {
            d->kx = parse_kx(argc, argv, &i);
            if (d->kx == NULL) {
                return 2;
            }
            kx_given = 1;
        } else if (!parse_arg13(&d->t13, argv[i])) {
            return usage_error(argv[i][0] == '-' ? "unknown option '%s'" : "unexpected argument '%s'", argv[i]);
        }
    }
    /* --kx chooses a TLS 1.2 key exchange; the TLS 1.3 options need --tls13. */
    if (d->t13.on && kx_given) {
        return usage_error("%s: --kx is a TLS 1.2 story, --tls13 the TLS 1.3 one", "--kx with --tls13");
    }
    const char *extra = d->t13.hrr ? "--hrr" : d->t13.resume ? "--resume" : d->t13.key_update ? "--key-update" : NULL;
    if (extra != NULL && !d->t13.on) {
        return usage_error("%s is a TLS 1.3 option: give --tls13 too", extra);
    }
    return 0;
}

/* Alice in her thread, Bob in this one; then the story, both sides
 * together, and what they agreed on. 0, or 1. */
static int run_conversation(demo *d)
{
    char err[600] = "";
    pthread_t alice;
    /* Bob first: his connection is the lower "conn" of the pair. */
    trace_out_next_conn(&d->bob_trace);
    trace_out_next_conn(&d->alice_trace);
    if (pthread_create(&alice, NULL, alice_main, d) != 0) {
        fprintf(stderr, "lucidtls demo: cannot start Alice's thread\n");
        return 1;
    }
    int bob_status = run_bob(d, err, sizeof err);
    pthread_join(alice, NULL);
    narrate_flush(d->nar);
    if (bob_status != 0 || d->alice_rc != LT_OK) {
        if (bob_status != 0) {
            fprintf(stderr, "lucidtls demo: Bob failed: %s\n", err);
        }
        if (d->alice_rc != LT_OK) {
            fprintf(stderr, "lucidtls demo: Alice failed: %s\n", d->alice_err);
        }
        return 1;
    }
    printf("\nWhat Bob and Alice agreed on:\n%s", d->summary);
    return 0;
}

/* --resume: the second conversation, Bob offering the ticket he kept. */
static int run_resumed_conversation(demo *d)
{
    if (d->session_len == 0) {
        fprintf(stderr, "lucidtls demo: Alice sent no ticket, so Bob has nothing to resume with\n");
        return 1;
    }
    printf("\n=== Later, Bob comes back to Alice with her ticket ===\n");
    narrator_reset(d->nar);
    d->conversation = 1;
    return run_conversation(d);
}

int cmd_demo(int argc, char **argv)
{
    demo d;
    memset(&d, 0, sizeof d);
    int prc = parse_args(&d, argc, argv);
    if (prc != 0) {
        return prc == 1 ? 0 : prc;
    }
    int rc = lt_demo_pki_make(&d.pki, "localhost");
    if (rc != LT_OK) {
        fprintf(stderr, "lucidtls demo: cannot make the demo PKI: %s\n", lt_result_name(rc));
        return 1;
    }
    char err[600] = "";
    d.lfd = tool_listen("127.0.0.1", "0", &d.port, err, sizeof err);
    if (d.lfd < 0) {
        fprintf(stderr, "lucidtls demo: %s\n", err);
        lt_demo_pki_free(&d.pki);
        return 1;
    }
    d.nar = narrator_new(stdout, d.show_secrets, 1);
    d.bob_trace.nar = d.alice_trace.nar = d.nar;
    if (d.trace_json_path != NULL) {
        d.bob_trace.json = d.alice_trace.json = trace_json_open(d.trace_json_path);
        if (d.bob_trace.json == NULL) {
            close(d.lfd);
            narrator_free(d.nar);
            lt_demo_pki_free(&d.pki);
            return 1;
        }
    }
    d.alice_cfg = alice_config(&d);
    if (d.alice_cfg == NULL) {
        fprintf(stderr, "lucidtls demo: %s\n", d.alice_err);
        close(d.lfd);
        narrator_free(d.nar);
        trace_json_close(d.bob_trace.json);
        lt_demo_pki_free(&d.pki);
        return 1;
    }
    intro(&d);
    int status = run_conversation(&d);
    if (status == 0 && d.t13.resume) {
        status = run_resumed_conversation(&d);
    }
    if (status == 0) {
        printf("\nBoth said what they had to say and closed with close_notify. The end.\n");
    }
    close(d.lfd);
    lt_config_free(d.alice_cfg);
    narrator_free(d.nar);
    if (trace_json_close(d.bob_trace.json) != 0) {
        status = 1;
    }
    lt_demo_pki_free(&d.pki);
    return status;
}
