/*
 * The narrator: trace events -> the seed's story (see narrate.h).
 *
 * Vocabulary (ssl-notes.md): Bob is the client, Alice the server. The
 * pre-master secret is the PMS; encrypted under Alice's public key it is the
 * "EMS" of the notes. The four session keys are E_B, M_B (Bob -> Alice) and
 * E_A, M_A (Alice -> Bob), i.e. client_write_key, client_write_MAC_key,
 * server_write_key, server_write_MAC_key in RFC 5246.
 *
 * Two key exchanges, two stories for step 3 of the notes:
 *  - RSA key transport (the seed's): Bob makes the PMS and encrypts it to
 *    Alice's certificate key; she decrypts it.
 *  - ECDHE (RFC 8422): both send a fresh public key, Alice's signed by her
 *    certificate key (ServerKeyExchange); each computes the same shared
 *    secret, which is the PMS. Nothing secret is sent: forward secrecy.
 * Which one a connection uses comes from lt_suite_get_info(), never from the
 * suite's name; which record protection from the record events' protection
 * text (MAC-then-encrypt, encrypt-then-MAC (RFC 7366) or AEAD).
 */
#include "narrate.h"

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_LEN 2048
/* Room for a value in full hex: a 4096-bit RSA ciphertext is 1024 digits. */
#define VALUE_LEN 1040
#define SHORT_HEX_BYTES 8
/* A public key told in words: "a fresh x25519 public key, 32 bytes = <value>". */
#define KEY_SHARE_TEXT_LEN (VALUE_LEN + 128)

/* One line of the story. */
typedef struct narr_line {
    int phase;
    unsigned long seq;
    lt_role side;
    char *text;
} narr_line;

/* Certificate checks arrive one event each; they are told as one line. */
typedef struct cert_story {
    int active;
    char text[LINE_MAX_LEN];
} cert_story;

/* A record line told after the event that follows it: the record carrying a
 * Finished or an alert is protected before the message itself is reported,
 * but reads better after it. */
#define MAX_DEFERRED 3

/* Bob computes the ECDHE shared secret as soon as Alice's ServerKeyExchange
 * is verified, before her ServerHelloDone; the story tells it with his
 * ClientKeyExchange, after her flight is over. */
#define MAX_HELD 4

/* TLS 1.3: lines told after a later message of the same side: Alice
 * computes the (EC)DHE shared secret before she sends her ServerHello, and
 * Bob prices his ticket (the binder) before his ClientHello; the story
 * tells each after the message. */
#define MAX_LATER 8

typedef struct side_state {
    int phase; /* where this side is in the story */
    char deferred[MAX_DEFERRED][LINE_MAX_LEN];
    int ndeferred;
    char held[MAX_HELD][LINE_MAX_LEN];
    int nheld;
    int finished_pending; /* the peer's Finished arrived; its verdict is next */
    int told_protection;  /* told the record protection scheme once */
    uint16_t suite;       /* the negotiated suite, once known (0: not yet) */
    int etm;              /* the encrypt_then_mac choice: 0 not told, 1 no, 2 yes */
    cert_story cert;
    /* TLS 1.3 */
    int tls13;               /* this side's connection speaks TLS 1.3 */
    int hrr;                 /* a HelloRetryRequest went by */
    int resumed;             /* the ticket was taken: no certificate */
    const char *epoch_write; /* "handshake" or "application": our records' keys */
    const char *epoch_read;  /* the same for the peer's records */
    unsigned gen_write;      /* KeyUpdates of our application keys (RFC 8446 7.2) */
    unsigned gen_read;       /* ... and of the peer's */
    char group[32];          /* the (EC)DHE group, once chosen */
    char later[MAX_LATER][LINE_MAX_LEN];
    int later_phase[MAX_LATER];
    int nlater;
    char later_after[32]; /* the message after which the later lines are told */
} side_state;

/* Both sides present: a step both of them take (a part of the key
 * schedule) is told in full by the first, in one line by the second. */
typedef struct shared_step {
    int teller; /* 0: not told yet; else the role + 1 of who told it */
    int echoed; /* the other side said "the same" */
} shared_step;

struct narrator {
    FILE *out;
    int show_secrets;
    int both_sides;
    pthread_mutex_t mu;
    int printed_phase; /* one-side mode: last header printed */
    unsigned long seq;
    narr_line *lines;
    size_t nlines, cap;
    side_state side[2];
    int told_master_any;   /* some side told the master secret formula */
    int told_keyblock_any; /* some side told the key block slicing */
    int told_groups;       /* Bob's ClientHello told the groups he offers */
    int told_secrecy;      /* told what a stolen certificate key would reveal */
    int ecdhe;             /* the handshake uses ECDHE: the headers say so */
    /* TLS 1.3 (the headers and the things told once) */
    int tls13;                             /* the handshake is TLS 1.3: the headers say so */
    int resumed;                           /* ... and resumed a session */
    int told13_nonces;                     /* where the nonces went */
    int told13_no_rsa;                     /* no key transport: the shared secret is the PMS's heir */
    int told13_slicing;                    /* how the four keys fold into key + IV per epoch */
    int told13_order;                      /* Alice's Finished before Bob's, and why */
    int told13_cv_why;                     /* what CertificateVerify proves */
    int told13_ccs;                        /* what the dummy ChangeCipherSpec is */
    int told13_ticket;                     /* how a ticket's PSK is made */
    int told13_inner_type;                 /* the real content type travels encrypted */
    int sh_sender_told;                    /* both sides: Alice told her ServerHello herself */
    char sh_key_share[KEY_SHARE_TEXT_LEN]; /* ... else Bob tells it, with her key share */
    shared_step sched_shared;              /* the (EC)DHE shared secret */
    shared_step sched_hs;                  /* handshake secret and traffic secrets */
    shared_step sched_app;                 /* master secret and application traffic secrets */
    shared_step sched_res;                 /* the resumption master secret */
};

static const char *const PHASE_TITLE_RSA[] = {
    "",
    "1. Hello: nonces and algorithms",
    "2. Alice proves who she is",
    "3. The pre-master secret",
    "4. Keys",
    "5. Finished: MACs over the handshake",
    "6. Data",
    "7. Close",
};

/* With ECDHE, Alice's proof includes her signature on a fresh key, and the
 * pre-master secret is agreed, not sent. */
static const char *const PHASE_TITLE_ECDHE[] = {
    "",
    "1. Hello: nonces and algorithms",
    "2. Alice proves who she is, and signs a fresh key",
    "3. The pre-master secret: agreed with ECDHE, never sent",
    "4. Keys",
    "5. Finished: MACs over the handshake",
    "6. Data",
    "7. Close",
};

/* TLS 1.3 (RFC 8446 2): the same seven slots, in the order things happen
 * now. The key exchange rides in the hellos, so the shared secret and the
 * keys come before Alice proves who she is; and her Finished comes before
 * Bob's. */
enum {
    P13_HELLO = NARR_PHASE_HELLO,
    P13_SECRET = 2,
    P13_KEYS = 3,
    P13_ALICE = 4,
    P13_BOB = 5,
    P13_DATA = NARR_PHASE_DATA,
    P13_CLOSE = NARR_PHASE_CLOSE
};

static const char *const PHASE_TITLE_TLS13[] = {
    "",
    "1. Hello: nonces and algorithms",
    "2. The shared secret: (EC)DHE from the key shares, in the pre-master secret's place",
    "3. Keys: the HKDF key schedule, and the handshake keys",
    "4. Alice proves who she is, and sends her MAC over the handshake first",
    "5. Bob's MAC over the handshake, second; the application keys",
    "6. Data",
    "7. Close",
};

/* Resumed (RFC 8446 2.2): the ticket's PSK vouches for Alice. */
static const char *const PHASE4_TITLE_RESUMED =
    "4. Alice's flight: no certificate, the ticket's PSK vouches for her; her MAC "
    "over the handshake first";

/* ---- output ---------------------------------------------------------------- */

static const char *phase_title(const narrator *n, int phase)
{
    if (n->tls13) {
        return (phase == P13_ALICE && n->resumed) ? PHASE4_TITLE_RESUMED : PHASE_TITLE_TLS13[phase];
    }
    return n->ecdhe ? PHASE_TITLE_ECDHE[phase] : PHASE_TITLE_RSA[phase];
}

static void print_header(narrator *n, int phase)
{
    if (phase >= 1 && phase <= NARR_PHASE_CLOSE) {
        fprintf(n->out, "\n%s\n", phase_title(n, phase));
    }
}

static const char *side_prefix(const narrator *n, lt_role side)
{
    if (!n->both_sides) {
        return "  ";
    }
    return side == LT_ROLE_CLIENT ? "[Bob]   " : "[Alice] ";
}

/* Called with the lock held. */
static void emit_text(narrator *n, lt_role side, int phase, const char *text)
{
    if (phase < 1) {
        phase = 1;
    }
    if (!n->both_sides) {
        if (phase > n->printed_phase) {
            print_header(n, phase);
            n->printed_phase = phase;
        }
        fprintf(n->out, "%s%s\n", side_prefix(n, side), text);
        fflush(n->out);
        return;
    }
    if (n->nlines == n->cap) {
        size_t ncap = n->cap ? n->cap * 2 : 64;
        narr_line *nl = realloc(n->lines, ncap * sizeof *nl);
        if (nl == NULL) {
            return;
        }
        n->lines = nl;
        n->cap = ncap;
    }
    narr_line *l = &n->lines[n->nlines];
    l->text = strdup(text);
    if (l->text == NULL) {
        return;
    }
    l->phase = phase;
    l->seq = n->seq++;
    l->side = side;
    n->nlines++;
}

static void emitv(narrator *n, lt_role side, int phase, const char *fmt, va_list ap)
{
    char buf[LINE_MAX_LEN];
    vsnprintf(buf, sizeof buf, fmt, ap);
    emit_text(n, side, phase, buf);
}

static void emit(narrator *n, lt_role side, int phase, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void emit(narrator *n, lt_role side, int phase, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emitv(n, side, phase, fmt, ap);
    va_end(ap);
}

/* ---- field helpers ----------------------------------------------------------- */

static const lt_field *fld(const lt_event *ev, const char *name)
{
    for (size_t i = 0; i < ev->nfields; i++) {
        if (ev->fields[i].name != NULL && strcmp(ev->fields[i].name, name) == 0) {
            return &ev->fields[i];
        }
    }
    return NULL;
}

static const char *ftext(const lt_event *ev, const char *name)
{
    const lt_field *f = fld(ev, name);
    return (f != NULL && f->text != NULL) ? f->text : NULL;
}

static const char *ftext_or(const lt_event *ev, const char *name, const char *dflt)
{
    const char *t = ftext(ev, name);
    return t != NULL ? t : dflt;
}

static size_t flen(const lt_event *ev, const char *name)
{
    const lt_field *f = fld(ev, name);
    return f != NULL ? f->len : 0;
}

/* A value for humans: hex shortened to its first bytes (all of it with
 * --show-secrets), or the hidden-secret notice. */
static void fmt_value(const narrator *n, const lt_field *f, char *buf, size_t cap)
{
    static const char digits[] = "0123456789abcdef";
    if (f == NULL) {
        snprintf(buf, cap, "(not reported)");
        return;
    }
    if (f->bytes == NULL) {
        if (f->is_secret) {
            snprintf(buf, cap, "(hidden: %zu bytes; --show-secrets to reveal)", f->len);
        } else if (f->text != NULL) {
            snprintf(buf, cap, "%s", f->text);
        } else {
            snprintf(buf, cap, "(%zu bytes)", f->len);
        }
        return;
    }
    if (f->len == 0) {
        snprintf(buf, cap, "(empty)");
        return;
    }
    size_t show = f->len;
    if (!n->show_secrets && show > SHORT_HEX_BYTES) {
        show = SHORT_HEX_BYTES;
    }
    size_t o = 0;
    for (size_t i = 0; i < show && o + 3 < cap; i++) {
        buf[o++] = digits[f->bytes[i] >> 4];
        buf[o++] = digits[f->bytes[i] & 15];
    }
    buf[o] = '\0';
    if (show < f->len && o + 4 < cap) {
        strcat(buf, "...");
    }
}

static void fmt_named(const narrator *n, const lt_event *ev, const char *name, char *buf, size_t cap)
{
    fmt_value(n, fld(ev, name), buf, cap);
}

/* How many items in a comma-separated list. */
static int count_list(const char *s)
{
    if (s == NULL || *s == '\0') {
        return 0;
    }
    int k = 1;
    for (; *s; s++) {
        if (*s == ',') {
            k++;
        }
    }
    return k;
}

/* "CN=lucidtls demo CA, O=..." -> "lucidtls demo CA": the part people read. */
static void common_name(const char *dn, char *buf, size_t cap)
{
    const char *cn = dn != NULL ? strstr(dn, "CN=") : NULL;
    if (cn == NULL) {
        snprintf(buf, cap, "%s", dn != NULL ? dn : "?");
        return;
    }
    cn += 3;
    size_t len = strcspn(cn, ",/+");
    if (len >= cap) {
        len = cap - 1;
    }
    memcpy(buf, cn, len);
    buf[len] = '\0';
}

/* "Nov 27 15:44:00 2025 GMT" -> "Nov 27"; anything else stays as it is. */
static void short_date(const char *d, char *buf, size_t cap)
{
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (d == NULL) {
        snprintf(buf, cap, "?");
        return;
    }
    for (size_t i = 0; i < 12; i++) {
        if (strncmp(d, months[i], 3) == 0 && d[3] == ' ') {
            const char *p = d + 4;
            while (*p == ' ') {
                p++;
            }
            size_t dl = strspn(p, "0123456789");
            snprintf(buf, cap, "%s %.*s", months[i], (int)dl, p);
            return;
        }
    }
    snprintf(buf, cap, "%s", d);
}

/* "ClientHello, ServerHello, ..., ClientKeyExchange (5 messages, 2178 bytes)"
 * -> "ClientHello..ClientKeyExchange (5 messages, 2178 bytes)". */
static void short_covers(const char *covers, char *buf, size_t cap)
{
    const char *first_comma = strchr(covers, ',');
    /* " (5 messages, ...)": not the parenthesis of "message_hash(ClientHello1)". */
    const char *paren = strstr(covers, " (");
    paren = paren != NULL ? paren + 1 : NULL;
    if (first_comma == NULL || (paren != NULL && paren < first_comma)) {
        snprintf(buf, cap, "%s", covers);
        return;
    }
    size_t list_end = paren != NULL ? (size_t)(paren - covers) : strlen(covers);
    while (list_end > 0 && covers[list_end - 1] == ' ') {
        list_end--;
    }
    const char *last = covers + list_end;
    while (last > covers && last[-1] != ' ' && last[-1] != ',') {
        last--;
    }
    snprintf(buf, cap, "%.*s..%.*s%s%s", (int)(first_comma - covers), covers, (int)(covers + list_end - last), last,
             paren != NULL ? " " : "", paren != NULL ? paren : "");
}

/* "RSA-2048 (from the server's certificate)" -> "RSA-2048". */
static void first_word(const char *text, char *buf, size_t cap)
{
    size_t len = strcspn(text, " ");
    snprintf(buf, cap, "%.*s", (int)len, text);
}

/* A list of names, separated by commas and/or spaces, as "a, b, c". */
static void tidy_list(const char *in, char *buf, size_t cap)
{
    size_t o = 0;
    buf[0] = '\0';
    while (*in != '\0') {
        in += strspn(in, ", ");
        size_t len = strcspn(in, ", ");
        if (len == 0) {
            break;
        }
        int k = snprintf(buf + o, cap - o, "%s%.*s", o > 0 ? ", " : "", (int)len, in);
        if (k < 0 || (size_t)k >= cap - o) {
            break;
        }
        o += (size_t)k;
        in += len;
    }
}

/* The library explains its choices as "the client" and "our list"; the story
 * has names. */
static void storify(const char *in, lt_role side, char *buf, size_t cap)
{
    static const struct {
        const char *from;
        const char *to_server; /* told by Alice */
        const char *to_client; /* told by Bob */
    } words[] = {
        {"the client", "Bob", "Bob"},
        {"the server", "Alice", "Alice"},
        {"our ", "her ", "his "},
        {"we sign ", "she signs ", "he signs "},
        {"we speak", "she speaks", "he speaks"},
        {"we do not", "she does not", "he does not"},
        {"we have", "she has", "he has"},
        {"we send", "she sends", "he sends"},
        {"we ", "she ", "he "},
        {"both sides", "both", "both"},
    };
    size_t o = 0;
    while (*in != '\0' && o + 1 < cap) {
        size_t i;
        for (i = 0; i < sizeof words / sizeof words[0]; i++) {
            size_t fl = strlen(words[i].from);
            if (strncmp(in, words[i].from, fl) == 0) {
                const char *to = side == LT_ROLE_SERVER ? words[i].to_server : words[i].to_client;
                int k = snprintf(buf + o, cap - o, "%s", to);
                o += (k > 0 && (size_t)k < cap - o) ? (size_t)k : 0;
                in += fl;
                break;
            }
        }
        if (i == sizeof words / sizeof words[0]) {
            buf[o++] = *in++;
        }
    }
    buf[o] = '\0';
}

/* ---- the TLS 1.3 story (below), as the shared steps call it ---------------- */

static int is13(const narrator *n, lt_role side);
static const char *rfc13(const lt_event *ev, const char *sec13);
static int client_hello_offers13(const lt_event *ev);
static void msg_client_hello13(narrator *n, lt_role side, lt_role sender, int sent, const lt_event *ev);
static int on_message13(narrator *n, lt_role side, lt_role sender, int sent, const lt_event *ev);
static int on_choice13(narrator *n, lt_role side, const lt_event *ev, const char *why);
static int on_key_derive13(narrator *n, lt_role side, const lt_event *ev);
static void key13_name(const narrator *n, lt_role side, lt_role sender, char *buf, size_t cap);

/* ---- names ------------------------------------------------------------------- */

static const char *who(lt_role r)
{
    return r == LT_ROLE_CLIENT ? "Bob" : "Alice";
}
static lt_role other(lt_role r)
{
    return r == LT_ROLE_CLIENT ? LT_ROLE_SERVER : LT_ROLE_CLIENT;
}
static const char *enc_key(lt_role sender)
{
    return sender == LT_ROLE_CLIENT ? "E_B" : "E_A";
}
static const char *mac_key(lt_role sender)
{
    return sender == LT_ROLE_CLIENT ? "M_B" : "M_A";
}
static const char *his_her(lt_role r)
{
    return r == LT_ROLE_CLIENT ? "his" : "her";
}

static int suite_is_aead(uint16_t suite)
{
    lt_suite_info info;
    return lt_suite_get_info(suite, &info) == LT_OK && info.aead;
}

/* What this side's connection negotiated (lt_suite_get_info): 1, or 0 while
 * no suite is known yet. */
static int side_suite(const narrator *n, lt_role side, lt_suite_info *info)
{
    uint16_t id = n->side[side].suite;
    return id != 0 && lt_suite_get_info(id, info) == LT_OK;
}

static int side_is_ecdhe(const narrator *n, lt_role side)
{
    lt_suite_info info;
    return side_suite(n, side, &info) && info.forward_secret;
}

/* The AEAD cipher's name ("AES-128-GCM", "ChaCha20-Poly1305") and the RFC
 * that defines it for TLS 1.2. */
static const char *aead_cipher(const narrator *n, lt_role side)
{
    lt_suite_info info;
    return side_suite(n, side, &info) ? info.cipher : "the AEAD cipher";
}

static const char *aead_rfc(const char *cipher)
{
    return strstr(cipher, "ChaCha20") != NULL ? "RFC 7905 2" : "RFC 5288 3";
}

static const char *suite_hash(uint16_t suite)
{
    lt_suite_info info;
    return lt_suite_get_info(suite, &info) == LT_OK ? info.prf_hash : "SHA-256";
}

/* "RSA key transport, AES-128-CBC, HMAC-SHA256", from the suite's own
 * description (lt_suite_get_info), never guessed from its name. */
static void explain_suite(uint16_t id, const char *name, char *buf, size_t cap)
{
    lt_suite_info info;
    if (lt_suite_get_info(id, &info) != LT_OK) {
        snprintf(buf, cap, "%s", name != NULL ? name : "?");
        return;
    }
    char kx[96];
    if (info.forward_secret) {
        snprintf(kx, sizeof kx, "%s key agreement signed with %s (forward secrecy)", info.key_exchange,
                 info.authentication);
    } else {
        snprintf(kx, sizeof kx, "%s key transport", info.key_exchange);
    }
    if (info.aead) {
        snprintf(buf, cap, "%s, %s (AEAD: its tag replaces the MAC), PRF with %s", kx, info.cipher, info.prf_hash);
    } else {
        snprintf(buf, cap, "%s, %s, %s", kx, info.cipher, info.mac);
    }
}

/* ---- certificate checks (one line) ------------------------------------------- */

static void cert_story_flush(narrator *n, lt_role side)
{
    cert_story *cs = &n->side[side].cert;
    if (!cs->active) {
        return;
    }
    emit(n, side, is13(n, side) ? P13_ALICE : NARR_PHASE_CERT, "%s checks %s's certificate: %s", who(side),
         who(other(side)), cs->text);
    cs->active = 0;
    cs->text[0] = '\0';
}

static void cert_story_add(narrator *n, lt_role side, const char *part)
{
    cert_story *cs = &n->side[side].cert;
    size_t used = strlen(cs->text);
    snprintf(cs->text + used, sizeof cs->text - used, "%s%s", cs->active ? "; " : "", part);
    cs->active = 1;
}

static void on_cert_check(narrator *n, lt_role side, const lt_event *ev)
{
    const char *res = ftext_or(ev, "result", "?");
    int ok = strcmp(res, "ok") == 0;
    const char *verdict = ok ? "ok" : "FAILED";
    char part[LINE_MAX_LEN];
    if (strcmp(ev->what, "chain") == 0) {
        char anchor[256];
        common_name(ftext(ev, "anchor"), anchor, sizeof anchor);
        if (ok) {
            snprintf(part, sizeof part, "chain to trusted CA '%s' ok", anchor);
        } else {
            snprintf(part, sizeof part, "chain FAILED%s%s%s", ev->detail ? " (" : "", ev->detail ? ev->detail : "",
                     ev->detail ? ")" : "");
        }
    } else if (strcmp(ev->what, "validity") == 0) {
        char nb[64], na[64];
        short_date(ftext(ev, "not_before"), nb, sizeof nb);
        short_date(ftext(ev, "not_after"), na, sizeof na);
        snprintf(part, sizeof part, "valid %s .. %s %s", nb, na, verdict);
    } else if (strcmp(ev->what, "hostname") == 0) {
        const char *wanted = ftext_or(ev, "wanted", "?");
        if (ok) {
            snprintf(part, sizeof part, "name '%s' in SAN ok", wanted);
        } else {
            snprintf(part, sizeof part, "name '%s' FAILED (certificate has %s)", wanted,
                     ftext_or(ev, "names", "no names"));
        }
    } else if (strcmp(ev->what, "security_level") == 0) {
        snprintf(part, sizeof part, "key %s at security level %s %s", ftext_or(ev, "key", "?"),
                 ftext_or(ev, "level", "?"), verdict);
    } else if (strcmp(ev->what, "key_usage") == 0) {
        /* What the key exchange will do with the certificate's key. */
        const char *wanted = ftext_or(ev, "wanted", "?");
        const char *use = strcmp(wanted, "digitalSignature") == 0  ? " (her key will sign, not decrypt)"
                          : strcmp(wanted, "keyEncipherment") == 0 ? " (the EMS will be encrypted to her key)"
                                                                   : "";
        snprintf(part, sizeof part, "keyUsage allows %s%s %s", wanted, use, verdict);
    } else {
        snprintf(part, sizeof part, "%s %s", ev->what, verdict);
    }
    cert_story_add(n, side, part);
    if (!ok) {
        cert_story_flush(n, side);
    }
}

/* ---- handshake messages ------------------------------------------------------ */

static const char *rfc_or(const lt_event *ev, const char *dflt)
{
    return (ev->rfc != NULL && ev->rfc[0] != '\0') ? ev->rfc : dflt;
}

static void tell_extensions(narrator *n, lt_role side, const lt_event *ev)
{
    const char *exts = ftext(ev, "extensions");
    char list[512];
    tidy_list(exts != NULL ? exts : "", list, sizeof list);
    if (list[0] != '\0') {
        emit(n, side, NARR_PHASE_HELLO, "      extensions: %s", list);
    }
}

static void msg_client_hello(narrator *n, lt_role side, lt_role sender, const lt_event *ev)
{
    if (client_hello_offers13(ev)) {
        msg_client_hello13(n, side, sender, sender == side, ev);
        return;
    }
    char rnd[VALUE_LEN];
    fmt_named(n, ev, "random", rnd, sizeof rnd);
    const char *suites = ftext(ev, "cipher_suites");
    int k = count_list(suites);
    emit(n, side, NARR_PHASE_HELLO,
         "%s -> %s  ClientHello (%s): Bob offers %d cipher suite%s and his nonce, "
         "client_random = %s",
         who(sender), who(other(sender)), rfc_or(ev, "RFC 5246 7.4.1.2"), k, k == 1 ? "" : "s", rnd);
    if (suites != NULL) {
        emit(n, side, NARR_PHASE_HELLO, "      suites, Bob's preference first: %s", suites);
    }
    tell_extensions(n, side, ev);
    const char *groups = ftext(ev, "groups");
    if (groups != NULL && strcmp(groups, "(none)") != 0) {
        char list[256];
        tidy_list(groups, list, sizeof list);
        emit(n, side, NARR_PHASE_HELLO, "      groups for ECDHE (supported_groups, RFC 8422 5.1.1): %s", list);
        n->told_groups = 1;
    }
}

/* Both sides present: Alice tells the groups she read in Bob's ClientHello
 * when his own report of it did not list them. */
static void recv_client_hello_groups(narrator *n, lt_role side, const lt_event *ev)
{
    const char *groups = ftext(ev, "groups");
    if (n->told_groups || groups == NULL || strcmp(groups, "(none)") == 0) {
        return;
    }
    char list[256];
    tidy_list(groups, list, sizeof list);
    emit(n, side, NARR_PHASE_HELLO,
         "Alice reads the groups Bob can do ECDHE with (supported_groups, RFC 8422 5.1.1): %s", list);
    n->told_groups = 1;
}

static void msg_server_hello(narrator *n, lt_role side, lt_role sender, const lt_event *ev)
{
    char rnd[VALUE_LEN];
    fmt_named(n, ev, "random", rnd, sizeof rnd);
    emit(n, side, NARR_PHASE_HELLO, "%s -> %s  ServerHello (%s): Alice's choice %s and her nonce, server_random = %s",
         who(sender), who(other(sender)), rfc_or(ev, "RFC 5246 7.4.1.3"), ftext_or(ev, "cipher_suite", "?"), rnd);
    tell_extensions(n, side, ev);
}

static void msg_certificate(narrator *n, lt_role side, lt_role sender, const lt_event *ev)
{
    const char *count = ftext_or(ev, "count", "?");
    const char *plural = strcmp(count, "1") == 0 ? "" : "s";
    const char *subject = ftext(ev, "leaf_subject");
    int t13 = is13(n, side);
    int phase = !t13 ? NARR_PHASE_CERT : sender == LT_ROLE_SERVER ? P13_ALICE : P13_BOB;
    const char *rfc = t13 ? rfc13(ev, "RFC 8446 4.4.2") : rfc_or(ev, "RFC 5246 7.4.2");
    /* RFC 8446 4.4.2.4, RFC 5246 7.4.6: Bob's answer to a CertificateRequest when he has none. */
    if (sender == LT_ROLE_CLIENT && strcmp(count, "0") == 0) {
        emit(n, side, phase, "%s -> %s  Certificate (%s): empty: Bob has no certificate to give", who(sender),
             who(other(sender)), rfc);
        return;
    }
    const char *hidden = t13 ? "; under her handshake keys, so unlike in TLS 1.2 no eavesdropper sees it" : "";
    if (subject == NULL || subject[0] == '\0') {
        emit(n, side, phase,
             "%s -> %s  Certificate (%s): her chain, %s certificate%s; the first carries her public key%s", who(sender),
             who(other(sender)), rfc, count, plural, hidden);
        return;
    }
    char subj[256], iss[256];
    common_name(subject, subj, sizeof subj);
    common_name(ftext(ev, "leaf_issuer"), iss, sizeof iss);
    emit(n, side, phase,
         "%s -> %s  Certificate (%s): her chain, %s certificate%s: '%s' (her public key), signed by CA '%s'%s",
         who(sender), who(other(sender)), rfc, count, plural, subj, iss, hidden);
}

/* RFC 8422 5.4: Alice's fresh public key, signed by her certificate's key. */
static void msg_server_key_exchange(narrator *n, lt_role side, lt_role sender, int sent, const lt_event *ev)
{
    const char *group = ftext_or(ev, "group", "?");
    const char *scheme = ftext_or(ev, "signature_scheme", "?");
    char pub[VALUE_LEN], sig[VALUE_LEN];
    fmt_named(n, ev, "public_key", pub, sizeof pub);
    fmt_named(n, ev, "signature", sig, sizeof sig);
    if (sent) {
        emit(n, side, NARR_PHASE_CERT,
             "%s -> %s  ServerKeyExchange (%s): the public half of a fresh %s key pair she made for this handshake "
             "only, %zu bytes = %s",
             who(sender), who(other(sender)), rfc_or(ev, "RFC 8422 5.4"), group, flen(ev, "public_key"), pub);
        emit(n, side, NARR_PHASE_CERT,
             "      she signs it with her certificate's private key (%s) over client_random + server_random + "
             "the group and public key: signature, %zu bytes = %s",
             scheme, flen(ev, "signature"), sig);
        emit(
            n, side, NARR_PHASE_CERT,
            "      her long-term key only signs: it will decrypt nothing (with RSA key transport it decrypts the EMS)");
        return;
    }
    emit(n, side, NARR_PHASE_CERT,
         "%s -> %s  ServerKeyExchange (%s): her fresh %s public key, %zu bytes = %s, signed with %s "
         "(%zu bytes = %s)",
         who(sender), who(side), rfc_or(ev, "RFC 8422 5.4"), group, flen(ev, "public_key"), pub, scheme,
         flen(ev, "signature"), sig);
}

/* Bob's check of the ServerKeyExchange signature, told in both modes: it is
 * what ties Alice's fresh key to her certificate. */
static void verify_server_key_exchange(narrator *n, lt_role side, const lt_event *ev)
{
    const char *how = ftext_or(ev, "signed", "");
    const char *group = ftext_or(ev, "group", "?");
    const char *scheme = ftext_or(ev, "signature_scheme", "?");
    if (strncmp(how, "verified", 8) == 0) {
        emit(n, side, NARR_PHASE_CERT,
             "Bob checks Alice's signature on her %s key with the public key in her certificate (%s): ok -- the key "
             "is Alice's and fresh (the signature covers both nonces): no one in the middle can swap in their own",
             group, scheme);
    } else {
        emit(n, side, NARR_PHASE_CERT,
             "Bob checks Alice's signature on her %s key with the public key in her certificate (%s): it does NOT "
             "verify -- the key, the nonces or the signature were changed on the way; Bob stops here",
             group, scheme);
    }
}

static void tell_secrecy(narrator *n, lt_role side, int ecdhe);

/* RFC 5246 7.4.7.1 (the EMS) or RFC 8422 5.7 (Bob's fresh public key). */
static void msg_client_key_exchange(narrator *n, lt_role side, lt_role sender, int sent, const lt_event *ev)
{
    if (fld(ev, "group") == NULL) {
        char c[VALUE_LEN];
        fmt_named(n, ev, "encrypted_pre_master_secret", c, sizeof c);
        emit(n, side, NARR_PHASE_PMS, "%s -> %s  ClientKeyExchange (%s): the EMS, %zu bytes = %s", who(sender),
             who(other(sender)), rfc_or(ev, "RFC 5246 7.4.7.1"), flen(ev, "encrypted_pre_master_secret"), c);
        return;
    }
    /* The core names RFC 5246 7.4.7 for every ClientKeyExchange it sends;
     * the ECDHE one is RFC 8422 5.7. */
    const char *rfc = rfc_or(ev, "RFC 8422 5.7");
    if (strncmp(rfc, "RFC 8422", 8) != 0) {
        rfc = "RFC 8422 5.7";
    }
    char pub[VALUE_LEN];
    fmt_named(n, ev, "public_key", pub, sizeof pub);
    emit(n, side, NARR_PHASE_PMS,
         "%s -> %s  ClientKeyExchange (%s): his fresh %s public key, %zu bytes = %s -- nothing secret and "
         "nothing encrypted (with RSA key transport this carries the EMS)",
         who(sender), who(other(sender)), rfc, ftext_or(ev, "group", "?"), flen(ev, "public_key"), pub);
    /* One side alone: Bob has now done all his part of the agreement. */
    if (sent && !n->both_sides) {
        tell_secrecy(n, side, 1);
    }
}

static void msg_finished(narrator *n, lt_role side, lt_role sender, int sent, const lt_event *ev)
{
    char vd[VALUE_LEN];
    fmt_named(n, ev, "verify_data", vd, sizeof vd);
    if (sent) {
        emit(n, side, NARR_PHASE_FINISHED,
             "%s -> %s  Finished (%s): verify_data = %s, the first handshake message under %s new keys", who(sender),
             who(other(sender)), rfc_or(ev, "RFC 5246 7.4.9"), vd, his_her(sender));
        return;
    }
    if (!n->both_sides) {
        emit(n, side, NARR_PHASE_FINISHED, "%s -> %s  Finished (%s): verify_data = %s", who(sender), who(side),
             rfc_or(ev, "RFC 5246 7.4.9"), vd);
    }
    /* The core reports the message before it compares: the verdict is the
     * next thing this side does (a decrypt_error alert, or going on). */
    n->side[side].finished_pending = 1;
}

/* Called with the event that follows a received Finished. */
static void finished_verdict(narrator *n, lt_role side, const lt_event *next)
{
    if (!n->side[side].finished_pending) {
        return;
    }
    n->side[side].finished_pending = 0;
    lt_role peer = other(side);
    if (next != NULL && next->kind == LT_EV_ALERT_SENT && next->what != NULL &&
        strcmp(next->what, "close_notify") != 0) {
        emit(n, side, NARR_PHASE_FINISHED,
             "%s compares %s's verify_data with %s own: they DIFFER -- different keys, or someone changed the "
             "handshake messages",
             who(side), who(peer), his_her(side));
        return;
    }
    emit(n, side, NARR_PHASE_FINISHED,
         "%s compares %s's verify_data with %s own: they match, so %s has the same master secret and saw the same "
         "handshake messages",
         who(side), who(peer), his_her(side), who(peer));
}

static void on_message(narrator *n, lt_role side, const lt_event *ev)
{
    int sent = ev->kind == LT_EV_MSG_SENT;
    lt_role sender = sent ? side : other(side);
    const char *m = ev->what != NULL ? ev->what : "?";
    if (is13(n, side) && on_message13(n, side, sender, sent, ev)) {
        return;
    }
    if (strcmp(m, "Finished") == 0) {
        msg_finished(n, side, sender, sent, ev);
        return;
    }
    /* Bob checks the signature on Alice's fresh key whoever tells the
     * message. */
    if (strcmp(m, "ServerKeyExchange") == 0 && !sent) {
        if (!n->both_sides) {
            msg_server_key_exchange(n, side, sender, sent, ev);
        }
        verify_server_key_exchange(n, side, ev);
        return;
    }
    if (strcmp(m, "ClientHello") == 0 && !sent && n->both_sides) {
        recv_client_hello_groups(n, side, ev);
        return;
    }
    /* With both sides present, the sender tells each message once. */
    if (!sent && n->both_sides) {
        return;
    }
    if (strcmp(m, "ClientHello") == 0) {
        msg_client_hello(n, side, sender, ev);
    } else if (strcmp(m, "ServerHello") == 0) {
        msg_server_hello(n, side, sender, ev);
    } else if (strcmp(m, "Certificate") == 0) {
        msg_certificate(n, side, sender, ev);
    } else if (strcmp(m, "ServerHelloDone") == 0) {
        emit(n, side, NARR_PHASE_CERT, "%s -> %s  ServerHelloDone (%s): that is all from Alice", who(sender),
             who(other(sender)), rfc_or(ev, "RFC 5246 7.4.5"));
    } else if (strcmp(m, "ServerKeyExchange") == 0) {
        msg_server_key_exchange(n, side, sender, sent, ev);
    } else if (strcmp(m, "ClientKeyExchange") == 0) {
        msg_client_key_exchange(n, side, sender, sent, ev);
    } else if (strcmp(m, "HelloRequest") == 0) {
        emit(n, side, n->side[side].phase, "%s -> %s  HelloRequest (%s): Alice asks for a new handshake", who(sender),
             who(other(sender)), rfc_or(ev, "RFC 5246 7.4.1.1"));
    } else {
        emit(n, side, n->side[side].phase, "%s -> %s  %s%s%s", who(sender), who(other(sender)), m,
             ev->detail ? ": " : "", ev->detail ? ev->detail : "");
    }
}

/* ---- negotiation choices ----------------------------------------------------- */

static void choice_suite(narrator *n, lt_role side, const lt_event *ev, const char *why)
{
    const char *chosen = ftext_or(ev, "chosen", "?");
    uint16_t id = (uint16_t)strtoul(ftext_or(ev, "id", "0"), NULL, 16);
    char expl[256];
    explain_suite(id, chosen, expl, sizeof expl);
    /* Only Alice knows why she chose it; Bob just learns the choice. */
    if (side == LT_ROLE_SERVER && why != NULL) {
        emit(n, side, NARR_PHASE_HELLO, "Alice chose %s: %s -- %s", chosen, expl, why);
    } else {
        emit(n, side, NARR_PHASE_HELLO, "Alice chose %s: %s", chosen, expl);
    }
}

/* RFC 7366: the order of the seed's "MAC then encrypt", and why it matters. */
static void choice_etm(narrator *n, lt_role side, const lt_event *ev, const char *why)
{
    const char *used = ftext_or(ev, "used", "?");
    emit(n, side, NARR_PHASE_HELLO, "Encrypt-then-MAC (%s): %s%s%s", rfc_or(ev, "RFC 7366 3"), used, why ? " -- " : "",
         why ? why : "");
    if (strcmp(used, "yes") == 0) {
        emit(n, side, NARR_PHASE_HELLO,
             "      the seed's \"MAC then encrypt\" is reversed on the wire: each record is encrypted with E_B "
             "(or E_A) first, then MACed with M_B (or M_A) over the ciphertext");
        emit(n, side, NARR_PHASE_HELLO,
             "      why: the receiver checks the MAC before any decryption or padding is looked at, so a forged "
             "record is rejected untouched -- this removes the padding-oracle class (Lucky13, POODLE-style attacks)");
    } else {
        emit(n, side, NARR_PHASE_HELLO,
             "      that is the seed's order: the receiver must decrypt and strip the padding before it can check "
             "the MAC -- the gap that padding-oracle attacks (Lucky13, POODLE-style) aim at");
    }
}

static void on_choice(narrator *n, lt_role side, const lt_event *ev)
{
    const char *w = ev->what != NULL ? ev->what : "?";
    if (strcmp(w, "encrypt_then_mac") == 0) {
        n->side[side].etm = strcmp(ftext_or(ev, "used", "no"), "yes") == 0 ? 2 : 1;
    }
    char story[LINE_MAX_LEN];
    const char *why = NULL;
    if (ev->detail != NULL) {
        storify(ev->detail, side, story, sizeof story);
        why = story;
    }
    /* TLS 1.3's, and the resumption choices Bob makes before he knows
     * the version. */
    if ((is13(n, side) || strncmp(w, "resumption", 10) == 0 || strcmp(w, "ticket") == 0) &&
        on_choice13(n, side, ev, why)) {
        return;
    }
    /* With both sides present, the decisions are Alice's to tell: Bob only
     * learns them from her ServerHello. */
    if (n->both_sides && side == LT_ROLE_CLIENT) {
        return;
    }
    if (strcmp(w, "cipher_suite") == 0) {
        choice_suite(n, side, ev, why);
    } else if (strcmp(w, "group") == 0) {
        emit(n, side, NARR_PHASE_HELLO, "Group for ECDHE (%s): %s%s%s", rfc_or(ev, "RFC 8422 5.1.1"),
             ftext_or(ev, "chosen", "?"), why ? " -- " : "", why ? why : "");
    } else if (strcmp(w, "signature_scheme") == 0) {
        emit(n, side, NARR_PHASE_HELLO, "Signature scheme for her ServerKeyExchange (%s): %s%s%s",
             rfc_or(ev, "RFC 5246 7.4.1.4.1"), ftext_or(ev, "chosen", "?"), why ? " -- " : "", why ? why : "");
    } else if (strcmp(w, "encrypt_then_mac") == 0) {
        choice_etm(n, side, ev, why);
    } else if (strcmp(w, "extended_master_secret") == 0) {
        emit(n, side, NARR_PHASE_HELLO, "Extended master secret (RFC 7627): %s%s%s", ftext_or(ev, "used", "?"),
             why ? " -- " : "", why ? why : "");
    } else if (strcmp(w, "secure_renegotiation") == 0) {
        emit(n, side, NARR_PHASE_HELLO, "Secure renegotiation (RFC 5746): %s%s%s", ftext_or(ev, "used", "?"),
             why ? " -- " : "", why ? why : "");
    } else if (strcmp(w, "server_name") == 0) {
        emit(n, side, NARR_PHASE_HELLO, "Server name (SNI, RFC 6066 3): Bob asked for '%s'", ftext_or(ev, "name", "?"));
    } else if (strcmp(w, "version") == 0) {
        emit(n, side, NARR_PHASE_HELLO, "Version: %s%s%s", ftext_or(ev, "chosen", "?"), why ? " -- " : "",
             why ? why : "");
    } else {
        emit(n, side, n->side[side].phase, "%s: %s", w, why ? why : "");
    }
}

/* ---- key derivation ---------------------------------------------------------- */

/* What a thief of Alice's certificate key could do with a recording of this
 * conversation: told once, when the PMS is settled (by Alice when both sides
 * are present). */
static void tell_secrecy(narrator *n, lt_role side, int ecdhe)
{
    if (n->told_secrecy) {
        return;
    }
    n->told_secrecy = 1;
    if (!ecdhe) {
        emit(n, side, NARR_PHASE_PMS,
             "      (no forward secrecy: whoever records the EMS and later obtains Alice's private key can decrypt "
             "it, and with it every key of this session)");
        return;
    }
    emit(n, side, NARR_PHASE_PMS,
         "Forward secrecy: Alice's certificate key only signed her fresh key; it decrypted nothing, and the PMS never "
         "crossed the wire, not even encrypted");
    emit(n, side, NARR_PHASE_PMS,
         "      both fresh (ephemeral) private keys are thrown away when the handshake ends: someone who records this "
         "conversation and later steals Alice's long-term private key still cannot compute the PMS, so cannot "
         "decrypt the recording");
}

/* Lines Bob tells later, with his ClientKeyExchange (side_state.held). */
static void hold(narrator *n, lt_role side, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void hold(narrator *n, lt_role side, const char *fmt, ...)
{
    side_state *st = &n->side[side];
    char line[LINE_MAX_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (st->nheld == MAX_HELD) {
        emit_text(n, side, NARR_PHASE_PMS, line);
        return;
    }
    snprintf(st->held[st->nheld++], LINE_MAX_LEN, "%s", line);
}

static void release_held(narrator *n, lt_role side)
{
    side_state *st = &n->side[side];
    if (st->nheld == 0) {
        return;
    }
    if (st->phase < NARR_PHASE_PMS) {
        st->phase = NARR_PHASE_PMS;
    }
    for (int i = 0; i < st->nheld; i++) {
        emit_text(n, side, NARR_PHASE_PMS, st->held[i]);
    }
    st->nheld = 0;
}

/* RFC 8422 5.10: the ECDH shared secret is the PMS. */
static void derive_pms_ecdhe(narrator *n, lt_role side, const lt_event *ev)
{
    char v[VALUE_LEN];
    fmt_named(n, ev, "pre_master_secret", v, sizeof v);
    const char *group = ftext_or(ev, "group", "?");
    const char *rfc = rfc_or(ev, "RFC 8422 5.10");
    size_t len = flen(ev, "pre_master_secret");
    if (side == LT_ROLE_CLIENT) {
        hold(n, side,
             "Bob makes his own fresh %s key pair and combines his private key with Alice's public key (ECDH): "
             "the shared secret, %zu bytes, is the pre-master secret (PMS) (%s)",
             group, len, rfc);
        hold(n, side,
             "      not the seed's step 3: Bob does not invent the PMS and encrypt it to Alice; each side computes "
             "it, and it is never sent");
        hold(n, side, "      PMS = %s", v);
        return;
    }
    emit(n, side, NARR_PHASE_PMS,
         "Alice combines her private key with Bob's public key (ECDH): the same shared secret, so the same PMS, "
         "%zu bytes (%s)",
         len, rfc);
    emit(n, side, NARR_PHASE_PMS, "      PMS = %s", v);
    tell_secrecy(n, side, 1);
}

static void derive_pms(narrator *n, lt_role side, const lt_event *ev)
{
    if (fld(ev, "group") != NULL) {
        derive_pms_ecdhe(n, side, ev);
        return;
    }
    char v[VALUE_LEN];
    fmt_named(n, ev, "pre_master_secret", v, sizeof v);
    if (side == LT_ROLE_CLIENT) {
        emit(n, side, NARR_PHASE_PMS,
             "Bob makes the pre-master secret (PMS): %zu bytes = version 03 03 + 46 random bytes",
             flen(ev, "pre_master_secret"));
    } else {
        emit(n, side, NARR_PHASE_PMS, "Alice decrypts the EMS with her RSA private key -> the PMS, %zu bytes (%s)",
             flen(ev, "pre_master_secret"), rfc_or(ev, "RFC 5246 7.4.7.1"));
        emit(n, side, NARR_PHASE_PMS,
             "      (had the EMS been tampered with, she would go on with a random PMS and fail at Finished: "
             "no padding oracle for attackers)");
    }
    emit(n, side, NARR_PHASE_PMS, "      PMS = %s", v);
    if (side == LT_ROLE_SERVER) {
        tell_secrecy(n, side, 0);
    }
}

static void derive_epms(narrator *n, lt_role side, const lt_event *ev)
{
    char c[VALUE_LEN], key[64];
    fmt_named(n, ev, "ciphertext", c, sizeof c);
    first_word(ftext_or(ev, "key", "RSA"), key, sizeof key);
    emit(n, side, NARR_PHASE_PMS,
         "Bob encrypts the PMS under Alice's %s public key -> the encrypted pre-master secret "
         "(EMS in the seed's words), %zu bytes = %s",
         key, flen(ev, "ciphertext"), c);
    if (!n->both_sides) {
        tell_secrecy(n, side, 0);
    }
}

static void derive_master(narrator *n, lt_role side, const lt_event *ev)
{
    char v[VALUE_LEN];
    fmt_named(n, ev, "master_secret", v, sizeof v);
    const char *label = ftext_or(ev, "label", "master secret");
    int ems = strstr(label, "extended") != NULL;
    if (n->both_sides && n->told_master_any) {
        const char *how = side_is_ecdhe(n, side) ? (side == LT_ROLE_SERVER ? "she computed" : "he computed")
                                                 : (side == LT_ROLE_SERVER ? "she decrypted" : "he made");
        emit(n, side, NARR_PHASE_KEYS, "%s computes the same master secret from the PMS %s", who(side), how);
        if (n->show_secrets) {
            emit(n, side, NARR_PHASE_KEYS, "      master_secret = %s", v);
        }
        return;
    }
    n->told_master_any = 1;
    /* The seed's "same key derivation function" on both sides. */
    emit(n, side, NARR_PHASE_KEYS, "Master secret = PRF(PMS, \"%s\", %s) (%s)", label,
         ems ? "session_hash" : "client_random + server_random", rfc_or(ev, ems ? "RFC 7627 4" : "RFC 5246 8.1"));
    if (ems) {
        char h[VALUE_LEN];
        fmt_named(n, ev, "session_hash", h, sizeof h);
        emit(n, side, NARR_PHASE_KEYS, "      session_hash = hash of ClientHello..ClientKeyExchange = %s", h);
    }
    emit(n, side, NARR_PHASE_KEYS, "      master_secret = %s", v);
}

static void key_value_line(narrator *n, lt_role side, const lt_event *ev, const char *alias, const char *name)
{
    const lt_field *f = fld(ev, name);
    if (f == NULL || f->len == 0) {
        return;
    }
    char v[VALUE_LEN];
    fmt_value(n, f, v, sizeof v);
    emit(n, side, NARR_PHASE_KEYS, "      %-4s %-21s = %s", alias, name, v);
}

static void derive_key_block(narrator *n, lt_role side, const lt_event *ev)
{
    if (n->both_sides && n->told_keyblock_any) {
        emit(n, side, NARR_PHASE_KEYS,
             "%s slices the same key block: %s encrypts with %s%s%s and checks %s's records "
             "with %s%s%s",
             who(side), side == LT_ROLE_SERVER ? "she" : "he", enc_key(side),
             flen(ev, "client_write_MAC_key") ? " + " : "", flen(ev, "client_write_MAC_key") ? mac_key(side) : "",
             who(other(side)), enc_key(other(side)), flen(ev, "client_write_MAC_key") ? " + " : "",
             flen(ev, "client_write_MAC_key") ? mac_key(other(side)) : "");
        return;
    }
    n->told_keyblock_any = 1;
    emit(n, side, NARR_PHASE_KEYS, "Key block = PRF(master_secret, \"%s\", %s) (%s)",
         ftext_or(ev, "label", "key expansion"), "server_random + client_random", rfc_or(ev, "RFC 5246 6.3"));
    size_t mac = flen(ev, "client_write_MAC_key");
    size_t key = flen(ev, "client_write_key");
    size_t iv = flen(ev, "client_write_IV");
    if (mac > 0) {
        emit(n, side, NARR_PHASE_KEYS,
             "The key block is sliced into the four keys: E_B = client_write_key (%zu bytes), "
             "M_B = client_write_MAC_key (%zu bytes), E_A = server_write_key, M_A = "
             "server_write_MAC_key%s",
             key, mac, iv > 0 ? ", plus IVs" : "; no IVs: each CBC record carries its own (RFC 5246 6.2.3.2)");
    } else {
        const char *cipher = aead_cipher(n, side);
        emit(n, side, NARR_PHASE_KEYS,
             "The key block is sliced into two keys: E_B = client_write_key (%zu bytes), E_A = "
             "server_write_key, plus %zu-byte implicit IVs. No MAC keys: with %s the AEAD tag "
             "replaces the MAC (%s)",
             key, iv, cipher, aead_rfc(cipher));
    }
    key_value_line(n, side, ev, "E_B", "client_write_key");
    key_value_line(n, side, ev, "M_B", "client_write_MAC_key");
    key_value_line(n, side, ev, "", "client_write_IV");
    key_value_line(n, side, ev, "E_A", "server_write_key");
    key_value_line(n, side, ev, "M_A", "server_write_MAC_key");
    key_value_line(n, side, ev, "", "server_write_IV");
}

static void derive_finished(narrator *n, lt_role side, const lt_event *ev, const lt_conn *conn)
{
    lt_role owner = strncmp(ev->what, "client", 6) == 0 ? LT_ROLE_CLIENT : LT_ROLE_SERVER;
    char vd[VALUE_LEN], th[256];
    fmt_named(n, ev, "verify_data", vd, sizeof vd);
    fmt_named(n, ev, "transcript_hash", th, sizeof th);
    char covers[256];
    short_covers(ftext_or(ev, "covers", "all handshake messages so far"), covers, sizeof covers);
    const char *label = ftext_or(ev, "label", owner == LT_ROLE_CLIENT ? "client finished" : "server finished");
    if (owner == side) {
        emit(n, side, NARR_PHASE_FINISHED,
             "%s's Finished: verify_data = PRF(master_secret, \"%s\", %s(all handshake messages "
             "so far)) -- a MAC over %s (%s)",
             who(side), label, suite_hash(lt_conn_cipher_suite(conn)), covers, rfc_or(ev, "RFC 5246 7.4.9"));
        emit(n, side, NARR_PHASE_FINISHED, "      transcript hash = %s, verify_data = %s", th, vd);
    } else {
        emit(n, side, NARR_PHASE_FINISHED,
             "%s computes what %s's verify_data must be: PRF(master_secret, \"%s\", hash of %s) = %s", who(side),
             who(owner), label, covers, vd);
    }
}

static void on_key_derive(narrator *n, lt_role side, const lt_event *ev, const lt_conn *conn)
{
    const char *w = ev->what != NULL ? ev->what : "?";
    if (is13(n, side) && ev->what != NULL && on_key_derive13(n, side, ev)) {
        return;
    }
    if (strcmp(w, "pre_master_secret") == 0) {
        derive_pms(n, side, ev);
    } else if (strcmp(w, "encrypted_pre_master_secret") == 0) {
        derive_epms(n, side, ev);
    } else if (strcmp(w, "master_secret") == 0) {
        derive_master(n, side, ev);
    } else if (strcmp(w, "key_block") == 0) {
        derive_key_block(n, side, ev);
    } else if (strcmp(w, "client_finished") == 0 || strcmp(w, "server_finished") == 0) {
        derive_finished(n, side, ev, conn);
    } else {
        emit(n, side, n->side[side].phase, "%s derives %s%s%s", who(side), w, ev->detail ? ": " : "",
             ev->detail ? ev->detail : "");
    }
}

/* ---- TLS 1.3 (RFC 8446) ---------------------------------------------------------
 *
 * The seed's story, moved: the nonces are still the randoms; Bob's list of
 * algorithms is now suites (an AEAD and a hash), groups and signature
 * schemes; the pre-master secret's part is played by the (EC)DHE shared
 * secret of the key shares (there is no RSA key transport); the KDF is the
 * HKDF key schedule, whose traffic secrets are sliced into one key and one
 * IV per direction and epoch (E_B, E_A: no MAC keys with an AEAD); and
 * Alice's MAC over the handshake now comes before Bob's. */

static int is13(const narrator *n, lt_role side)
{
    return n->side[side].tls13;
}

/* The core shares some code, and so some RFC citations, with TLS 1.2
 * ("RFC 5246 7.4.2" for a Certificate); the TLS 1.3 story cites RFC 8446. */
static const char *rfc13(const lt_event *ev, const char *sec13)
{
    const char *r = rfc_or(ev, sec13);
    return strncmp(r, "RFC 8446", 8) == 0 ? r : sec13;
}

/* RFC 8446 4.1.3: a HelloRetryRequest is a ServerHello whose random is
 * SHA-256("HelloRetryRequest"). Alice's own report names the group she
 * asks for instead. */
static const uint8_t HRR_RANDOM[32] = {0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C,
                                       0x02, 0x1E, 0x65, 0xB8, 0x91, 0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB,
                                       0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};

static int is_hello_retry(const lt_event *ev)
{
    const lt_field *r = fld(ev, "random");
    if (fld(ev, "selected_group") != NULL) {
        return 1;
    }
    return r != NULL && r->bytes != NULL && r->len == 32 && memcmp(r->bytes, HRR_RANDOM, 32) == 0;
}

static int lists(const char *list, const char *item)
{
    return list != NULL && strstr(list, item) != NULL;
}

/* RFC 8446 4.2.1: a server that answers with TLS 1.2 "MUST NOT send the
 * supported_versions extension"; with it, the ServerHello is TLS 1.3. */
static int server_hello_is13(const lt_event *ev)
{
    return fld(ev, "key_share") != NULL || fld(ev, "selected_group") != NULL ||
           lists(ftext(ev, "extensions"), "supported_versions");
}

static int client_hello_offers13(const lt_event *ev)
{
    return lists(ftext(ev, "extensions"), "supported_versions") || fld(ev, "cookie") != NULL;
}

/* Is this side's connection TLS 1.3 from this event on? The version is
 * known once chosen; Bob's report of the ServerHello comes just before. */
static void note_version(narrator *n, lt_role side, const lt_conn *conn, const lt_event *ev)
{
    side_state *st = &n->side[side];
    int v13 = lt_conn_version(conn) == LT_TLS1_3;
    if (!v13 && (ev->kind == LT_EV_MSG_RECV || ev->kind == LT_EV_MSG_SENT) && ev->what != NULL &&
        strcmp(ev->what, "ServerHello") == 0) {
        v13 = server_hello_is13(ev);
    }
    if (v13) {
        st->tls13 = 1;
        n->tls13 = 1;
    }
    if (lt_conn_resumed(conn)) {
        st->resumed = 1;
        n->resumed = 1;
    }
}

/* ---- lines told after a later message (side_state.later) ---- */

static void later(narrator *n, lt_role side, int phase, const char *after, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void later(narrator *n, lt_role side, int phase, const char *after, const char *fmt, ...)
{
    side_state *st = &n->side[side];
    char line[LINE_MAX_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (st->nlater == MAX_LATER) {
        emit_text(n, side, phase, line);
        return;
    }
    snprintf(st->later_after, sizeof st->later_after, "%s", after);
    st->later_phase[st->nlater] = phase;
    snprintf(st->later[st->nlater++], LINE_MAX_LEN, "%s", line);
}

static void release_later(narrator *n, lt_role side)
{
    side_state *st = &n->side[side];
    for (int i = 0; i < st->nlater; i++) {
        if (st->later_phase[i] > st->phase) {
            st->phase = st->later_phase[i];
        }
        emit_text(n, side, st->later_phase[i], st->later[i]);
    }
    st->nlater = 0;
}

/* After the message the later lines wait for. */
static void release_later_after(narrator *n, lt_role side, const lt_event *ev)
{
    side_state *st = &n->side[side];
    if (st->nlater > 0 && (ev->kind == LT_EV_MSG_SENT || ev->kind == LT_EV_MSG_RECV) && ev->what != NULL &&
        strcmp(ev->what, st->later_after) == 0) {
        release_later(n, side);
    }
}

/* Both sides present: 1 when the other side told this step already (and
 * this side has said, once, that it computes the same). */
static int told_by_other(narrator *n, lt_role side, shared_step *step, const char *same)
{
    if (!n->both_sides) {
        return 0;
    }
    if (step->teller == 0) {
        step->teller = (int)side + 1;
        return 0;
    }
    if (step->teller == (int)side + 1) {
        return 0;
    }
    if (!step->echoed && same != NULL) {
        step->echoed = 1;
        emit(n, side, n->side[side].phase, "%s %s", who(side), same);
    }
    return 1;
}

/* ---- the keys of TLS 1.3: E_B and E_A, per epoch ---- */

/* "E_B (handshake keys)", "E_A (application keys, generation 1)". */
static void key13_name(const narrator *n, lt_role side, lt_role sender, char *buf, size_t cap)
{
    const side_state *st = &n->side[side];
    int ours = sender == side;
    const char *epoch = ours ? st->epoch_write : st->epoch_read;
    unsigned gen = ours ? st->gen_write : st->gen_read;
    if (epoch == NULL) {
        epoch = "handshake";
    }
    if (gen > 0) {
        snprintf(buf, cap, "%s (%s keys, generation %u)", enc_key(sender), epoch, gen);
    } else {
        snprintf(buf, cap, "%s (%s keys)", enc_key(sender), epoch);
    }
}

/* The hash of the suite: "SHA-256"; and its length. */
static const char *hash13(const narrator *n, lt_role side)
{
    lt_suite_info info;
    return side_suite(n, side, &info) ? info.prf_hash : "SHA-256";
}

static size_t hash13_len(const narrator *n, lt_role side)
{
    return strcmp(hash13(n, side), "SHA-384") == 0 ? 48 : 32;
}

/* RFC 8446 7.3, told once: the seed's four keys in TLS 1.3. */
static void tell_slicing13(narrator *n, lt_role side, int phase)
{
    if (n->told13_slicing) {
        return;
    }
    n->told13_slicing = 1;
    emit(n, side, phase,
         "The seed's four session keys in TLS 1.3 (RFC 8446 7.3): each direction gets one AEAD key plus an IV, "
         "sliced from its own traffic secret -- E_B from a client_*_traffic_secret, E_A from a "
         "server_*_traffic_secret -- and no MAC key: with an AEAD the tag is the MAC, so M_B and M_A fold into "
         "E_B and E_A (RFC 8446 5.2)");
    emit(n, side, phase,
         "      and new keys for each epoch: handshake keys for the rest of the handshake, application keys for the "
         "data, new ones again at each KeyUpdate; a record's nonce is the IV XOR its sequence number (RFC 8446 5.3)");
}

/* What a *_traffic_keys event installs: whose records, which epoch. */
static int keys13_of(lt_role side, const char *what, lt_role *sender, const char **epoch, int *update)
{
    static const struct {
        const char *what;
        int client; /* 1 client, 0 server, -1 ours, -2 the peer's */
        const char *epoch;
        int update;
    } KEYS[] = {
        {"client_handshake_traffic_keys", 1, "handshake", 0},
        {"server_handshake_traffic_keys", 0, "handshake", 0},
        {"client_application_traffic_keys", 1, "application", 0},
        {"server_application_traffic_keys", 0, "application", 0},
        {"our_updated_traffic_keys", -1, "application", 1},
        {"peer_updated_traffic_keys", -2, "application", 1},
    };
    for (size_t i = 0; i < sizeof KEYS / sizeof KEYS[0]; i++) {
        if (strcmp(what, KEYS[i].what) == 0) {
            *sender = KEYS[i].client == 1    ? LT_ROLE_CLIENT
                      : KEYS[i].client == 0  ? LT_ROLE_SERVER
                      : KEYS[i].client == -1 ? side
                                             : other(side);
            *epoch = KEYS[i].epoch;
            *update = KEYS[i].update;
            return 1;
        }
    }
    return 0;
}

/* RFC 8446 7.2: KeyUpdate moves a direction to its next traffic secret. */
static void tell_key_update_secret(narrator *n, lt_role side, lt_role sender, unsigned gen, int phase)
{
    const char *c = sender == LT_ROLE_CLIENT ? "client" : "server";
    emit(n, side, phase,
         "%s's next generation (RFC 8446 7.2): %s_application_traffic_secret_%u = HKDF-Expand-Label(%s_application_"
         "traffic_secret_%u, \"traffic upd\", \"\", %zu); nothing else changes",
         who(sender), c, gen, c, gen - 1, hash13_len(n, side));
}

static void derive_keys13(narrator *n, lt_role side, const lt_event *ev)
{
    lt_role sender;
    const char *epoch;
    int update;
    side_state *st = &n->side[side];
    if (!keys13_of(side, ev->what, &sender, &epoch, &update)) {
        return;
    }
    int ours = sender == side;
    if (ours) {
        st->epoch_write = epoch;
        st->gen_write += (unsigned)update;
    } else {
        st->epoch_read = epoch;
        st->gen_read += (unsigned)update;
    }
    /* Both sides present: each direction's keys are told by their sender. */
    if (n->both_sides && !ours) {
        return;
    }
    int phase = st->phase;
    tell_slicing13(n, side, phase);
    unsigned gen = ours ? st->gen_write : st->gen_read;
    if (update) {
        tell_key_update_secret(n, side, sender, gen, phase);
    }
    char name[64], secret[64], k[VALUE_LEN], iv[VALUE_LEN];
    key13_name(n, side, sender, name, sizeof name);
    if (update || strcmp(epoch, "application") == 0) {
        snprintf(secret, sizeof secret, "%s_application_traffic_secret_%u",
                 sender == LT_ROLE_CLIENT ? "client" : "server", gen);
    } else {
        snprintf(secret, sizeof secret, "%s_handshake_traffic_secret", sender == LT_ROLE_CLIENT ? "client" : "server");
    }
    fmt_named(n, ev, "key", k, sizeof k);
    fmt_named(n, ev, "iv", iv, sizeof iv);
    emit(n, side, phase,
         "%s = key + IV from %s (%s): key = HKDF-Expand-Label(secret, \"key\", \"\", %zu), iv = "
         "HKDF-Expand-Label(secret, \"iv\", \"\", %zu): %s's records from here on%s",
         name, secret, rfc13(ev, "RFC 8446 7.3"), flen(ev, "key"), flen(ev, "iv"), who(sender),
         n->both_sides ? (sender == LT_ROLE_CLIENT ? " (Alice derives the same to open them)"
                                                   : " (Bob derives the same to open them)")
                       : "");
    emit(n, side, phase, "      %s key = %s, IV = %s", enc_key(sender), k, iv);
}

/* ---- the key schedule (RFC 8446 7.1) ---- */

/* "client_handshake_traffic_secret = Derive-Secret(...) = <value>". */
static void tell_secret13(narrator *n, lt_role side, const lt_event *ev, int phase, const char *why)
{
    char v[VALUE_LEN];
    fmt_named(n, ev, "secret", v, sizeof v);
    emit(n, side, phase, "      %s = %s%s%s", ev->what, ftext_or(ev, "covers", "?"), why != NULL ? ": " : "",
         why != NULL ? why : "");
    emit(n, side, phase, "            = %s", v);
}

/* A line of the shared-secret step. Alice computes the secret before she
 * sends her ServerHello: her lines are told after it (side_state.later). */
static void tell_shared13(narrator *n, lt_role side, const char *line)
{
    if (side == LT_ROLE_SERVER) {
        later(n, side, P13_SECRET, "ServerHello", "%s", line);
    } else {
        emit_text(n, side, P13_SECRET, line);
    }
}

/* RFC 8446 1.2, told once: only ephemeral key exchanges are left. */
static void tell_secrecy13(narrator *n, lt_role side)
{
    if (n->told_secrecy) {
        return;
    }
    n->told_secrecy = 1;
    tell_shared13(n, side,
                  "Forward secrecy, always: TLS 1.3 keeps only ephemeral key exchanges; Alice's certificate key will "
                  "only sign (her CertificateVerify), it decrypts nothing");
    tell_shared13(n, side,
                  "      both ephemeral private keys are thrown away after the handshake: someone who records this "
                  "conversation and later steals Alice's long-term private key still cannot compute the shared "
                  "secret, so cannot decrypt the recording");
    if (n->side[side].resumed) {
        tell_shared13(n, side,
                      "      (resumed with psk_dhe_ke, RFC 8446 4.2.9: the fresh (EC)DHE still runs, so even a later "
                      "leak of the ticket's PSK does not open this session)");
    }
}

/* RFC 8446 7.4: the (EC)DHE shared secret, where the pre-master secret was. */
static void derive_shared13(narrator *n, lt_role side, const lt_event *ev)
{
    char v[VALUE_LEN], line[LINE_MAX_LEN];
    fmt_named(n, ev, "shared_secret", v, sizeof v);
    int second = n->both_sides && n->sched_shared.teller != 0 && n->sched_shared.teller != (int)side + 1;
    if (n->sched_shared.teller == 0) {
        n->sched_shared.teller = (int)side + 1;
    }
    snprintf(line, sizeof line,
             "%s combines %s ephemeral %s private key with %s's key_share (ECDH): %s shared secret, %zu bytes (%s)",
             who(side), his_her(side), ftext_or(ev, "group", "?"), who(other(side)), second ? "the same" : "the",
             flen(ev, "shared_secret"), rfc13(ev, "RFC 8446 7.4"));
    tell_shared13(n, side, line);
    if (!n->told13_no_rsa) {
        n->told13_no_rsa = 1;
        tell_shared13(n, side,
                      "      it plays the pre-master secret's part: TLS 1.3 has no RSA key transport (RFC 8446 1.2), "
                      "so no one invents a PMS and nothing like the EMS is sent; each side computes this secret, "
                      "and it never crosses the wire");
    }
    snprintf(line, sizeof line, "      (EC)DHE shared secret = %s", v);
    tell_shared13(n, side, line);
    tell_secrecy13(n, side);
}

/* RFC 8446 7.1: the Early Secret (from the PSK, or zeros) and the
 * Handshake Secret (from the shared secret). */
static void derive_handshake_secret13(narrator *n, lt_role side, const lt_event *ev)
{
    if (told_by_other(n, side, &n->sched_hs,
                      "computes the same key schedule: the same shared secret and the same transcript give the same "
                      "Handshake Secret and handshake traffic secrets")) {
        return;
    }
    size_t hl = flen(ev, "secret");
    int resumed = n->side[side].resumed;
    char v[VALUE_LEN];
    fmt_named(n, ev, "secret", v, sizeof v);
    emit(n, side, P13_KEYS,
         "The KDF is the HKDF key schedule (RFC 8446 7.1), with %s: a chain of three secrets, each adding one input",
         hash13(n, side));
    if (resumed) {
        emit(n, side, P13_KEYS,
             "      Early Secret = HKDF-Extract(salt = 0, IKM = the PSK of Bob's ticket): the keys that came from the "
             "ticket -- its PSK (made from the last session's resumption_master_secret) is the first link, so every "
             "secret below depends on it, and on the fresh (EC)DHE too");
    } else {
        emit(n, side, P13_KEYS,
             "      Early Secret = HKDF-Extract(salt = 0, IKM = %zu zero bytes): no PSK, a full handshake", hl);
    }
    if (fld(ev, "early_secret") != NULL) {
        char e[VALUE_LEN];
        fmt_named(n, ev, "early_secret", e, sizeof e);
        emit(n, side, P13_KEYS, "      early_secret = %s", e);
    }
    emit(n, side, P13_KEYS,
         "      Handshake Secret = HKDF-Extract(salt = Derive-Secret(Early Secret, \"derived\", \"\"), IKM = the "
         "(EC)DHE shared secret) -- the seed's master secret came from the PMS; this one comes from the shared "
         "secret");
    emit(n, side, P13_KEYS, "      handshake_secret = %s", v);
    emit(n, side, P13_KEYS,
         "      Derive-Secret(Secret, Label, Messages) = HKDF-Expand-Label(Secret, Label, Transcript-Hash(Messages), "
         "%zu): each traffic secret is tied to the handshake messages so far, the two nonces among them",
         hl);
}

static void derive_hs_traffic13(narrator *n, lt_role side, const lt_event *ev)
{
    if (n->both_sides && n->sched_hs.teller != (int)side + 1) {
        return; /* told with the Handshake Secret by the other side */
    }
    tell_secret13(n, side, ev, P13_KEYS, NULL);
}

/* RFC 8446 7.1: the Master Secret and what comes from it. */
static void derive_app_secret13(narrator *n, lt_role side, const lt_event *ev)
{
    if (told_by_other(n, side, &n->sched_app,
                      "computes the same Master Secret and application traffic secrets (the same transcript, up to "
                      "Alice's Finished)")) {
        return;
    }
    int phase = P13_BOB;
    if (strcmp(ev->what, "client_application_traffic_secret_0") == 0) {
        emit(n, side, phase,
             "Master Secret = HKDF-Extract(salt = Derive-Secret(Handshake Secret, \"derived\", \"\"), IKM = %zu zero "
             "bytes) (RFC 8446 7.1): the last link; it adds no input, the transcript makes the rest",
             flen(ev, "secret"));
        if (fld(ev, "master_secret") != NULL) {
            char m[VALUE_LEN];
            fmt_named(n, ev, "master_secret", m, sizeof m);
            emit(n, side, phase, "      master_secret = %s", m);
        }
        tell_secret13(n, side, ev, phase, "Bob's application data");
    } else if (strcmp(ev->what, "server_application_traffic_secret_0") == 0) {
        tell_secret13(n, side, ev, phase, "Alice's application data (she may send it before Bob's Finished)");
    } else {
        tell_secret13(n, side, ev, phase, "for keying material exporters (RFC 8446 7.5)");
    }
}

static void derive_res_secret13(narrator *n, lt_role side, const lt_event *ev)
{
    if (told_by_other(n, side, &n->sched_res, "computes the same resumption_master_secret")) {
        return;
    }
    tell_secret13(n, side, ev, P13_BOB, "the root of the PSK in each of Alice's tickets (RFC 8446 4.6.1)");
}

/* ---- Finished (RFC 8446 4.4.4): Alice's first ---- */

static void tell_order13(narrator *n, lt_role side)
{
    if (n->told13_order) {
        return;
    }
    n->told13_order = 1;
    emit(n, side, P13_ALICE,
         "The seed's steps 5 and 6 swap places: Alice's MAC over the handshake (her Finished) comes before Bob's "
         "(RFC 8446 2)");
    if (n->side[side].resumed) {
        emit(n, side, P13_ALICE,
             "      why: Alice sends her whole flight at once -- ServerHello, then under her handshake keys "
             "EncryptedExtensions and Finished (no certificate: the ticket's PSK vouches for her) -- without waiting "
             "for Bob; her Finished authenticates it, and Bob answers after, with his Finished: one round trip");
        return;
    }
    emit(n, side, P13_ALICE,
         "      why: Alice sends her whole flight at once -- ServerHello, then under her handshake keys "
         "EncryptedExtensions, Certificate, CertificateVerify and Finished -- without waiting for Bob; her "
         "CertificateVerify and her Finished authenticate it, and Bob answers after, with his Finished: one round "
         "trip, where TLS 1.2 took two");
}

/* "ClientHello..CertificateVerify (5 messages, 2282 bytes)". Bob's
 * Finished covers Alice's Finished (and, when she asked for one, his empty
 * Certificate): the last message is named by whose it is. */
static void covers13(const char *covers, lt_role owner, char *buf, size_t cap)
{
    static const char *const LAST[][2] = {{"..Finished", "..Alice's Finished"},
                                          {"..Certificate ", "..Bob's Certificate "}};
    short_covers(covers, buf, cap);
    if (owner != LT_ROLE_CLIENT) {
        return;
    }
    for (size_t i = 0; i < sizeof LAST / sizeof LAST[0]; i++) {
        char *f = strstr(buf, LAST[i][0]);
        if (f != NULL) {
            char rest[256];
            snprintf(rest, sizeof rest, "%s", f + strlen(LAST[i][0]));
            snprintf(f, cap - (size_t)(f - buf), "%s%s", LAST[i][1], rest);
            return;
        }
    }
}

static void derive_finished13(narrator *n, lt_role side, const lt_event *ev)
{
    lt_role owner = strncmp(ev->what, "client", 6) == 0 ? LT_ROLE_CLIENT : LT_ROLE_SERVER;
    int phase = owner == LT_ROLE_SERVER ? P13_ALICE : P13_BOB;
    const char *c = owner == LT_ROLE_CLIENT ? "client" : "server";
    char vd[VALUE_LEN], th[256], covers[256];
    fmt_named(n, ev, "verify_data", vd, sizeof vd);
    fmt_named(n, ev, "transcript_hash", th, sizeof th);
    covers13(ftext_or(ev, "covers", "the handshake so far"), owner, covers, sizeof covers);
    if (owner == LT_ROLE_SERVER) {
        tell_order13(n, side);
    }
    if (owner != side) {
        emit(n, side, phase,
             "%s computes what %s's verify_data must be: HMAC(finished_key from %s_handshake_traffic_secret, hash "
             "of %s) = %s",
             who(side), who(owner), c, covers, vd);
        return;
    }
    emit(n, side, phase,
         "%s's Finished (%s): verify_data = HMAC(finished_key, Transcript-Hash(%s)), finished_key = "
         "HKDF-Expand-Label(%s_handshake_traffic_secret, \"finished\", \"\", %zu) -- %s MAC over the handshake%s",
         who(side), rfc13(ev, "RFC 8446 4.4.4"), covers, c, flen(ev, "verify_data"), his_her(side),
         owner == LT_ROLE_CLIENT ? ", after Alice's" : ", first");
    emit(n, side, phase, "      transcript hash = %s, verify_data = %s", th, vd);
}

static void finished_verdict13(narrator *n, lt_role side, const lt_event *ev)
{
    lt_role peer = other(side);
    int phase = peer == LT_ROLE_SERVER ? P13_ALICE : P13_BOB;
    if (strcmp(ftext_or(ev, "result", "?"), "match") != 0) {
        emit(n, side, phase,
             "%s compares %s's verify_data with %s own: they DIFFER -- different keys, or someone changed the "
             "handshake messages; %s stops here (decrypt_error, RFC 8446 4.4.4)",
             who(side), who(peer), his_her(side), who(side));
        return;
    }
    emit(n, side, phase,
         "%s compares %s's verify_data with %s own: they match, so %s has the same handshake traffic secret -- the "
         "same shared secret%s -- and saw the same handshake messages",
         who(side), who(peer), his_her(side), who(peer), n->side[side].resumed ? " and the same PSK" : "");
    if (peer == LT_ROLE_SERVER && n->side[side].resumed) {
        emit(n, side, phase,
             "      with no certificate this time, this is what shows Alice is the Alice of the ticket: only she "
             "could open it, and only its PSK gives these keys");
    }
}

static void msg_finished13(narrator *n, lt_role side, lt_role sender, int sent, const lt_event *ev)
{
    int phase = sender == LT_ROLE_SERVER ? P13_ALICE : P13_BOB;
    char vd[VALUE_LEN];
    fmt_named(n, ev, "verify_data", vd, sizeof vd);
    if (sent) {
        emit(n, side, phase, "%s -> %s  Finished (%s): verify_data = %s, %s", who(sender), who(other(sender)),
             rfc13(ev, "RFC 8446 4.4.4"), vd,
             sender == LT_ROLE_SERVER ? "the last message of her flight"
                                      : "under his handshake keys, the last message of the handshake");
        return;
    }
    if (!n->both_sides) {
        emit(n, side, phase, "%s -> %s  Finished (%s): verify_data = %s", who(sender), who(side),
             rfc13(ev, "RFC 8446 4.4.4"), vd);
    }
    finished_verdict13(n, side, ev);
}

/* ---- Alice's flight: EncryptedExtensions, Certificate, CertificateVerify ---- */

static void msg_encrypted_extensions(narrator *n, lt_role side, lt_role sender, const lt_event *ev)
{
    const char *sni = ftext(ev, "server_name");
    emit(n, side, P13_ALICE,
         "%s -> %s  EncryptedExtensions (%s): the first message under her handshake keys: the extensions that do "
         "not shape the keys, now encrypted%s%s%s",
         who(sender), who(other(sender)), rfc13(ev, "RFC 8446 4.3.1"), sni != NULL ? " (server_name: " : "",
         sni != NULL ? sni : "", sni != NULL ? ")" : "");
}

/* RFC 8446 4.4.3, told once: what the signature proves, and why so. */
static void tell_cv_why(narrator *n, lt_role side)
{
    if (n->told13_cv_why) {
        return;
    }
    n->told13_cv_why = 1;
    emit(n, side, P13_ALICE,
         "      why: it proves that Alice holds the private key of the certificate she just sent, over exactly this "
         "handshake: the transcript hash covers both nonces, both key shares and her certificate, so the signature "
         "fits no other handshake");
    emit(n, side, P13_ALICE,
         "      the 64 spaces and the context string keep it from passing for a client's signature, or for a TLS 1.2 "
         "one over other bytes; in TLS 1.2 with ECDHE her ServerKeyExchange signature did this job, with the "
         "seed's RSA key transport her decrypting the EMS did");
}

static void msg_certificate_verify(narrator *n, lt_role side, lt_role sender, int sent, const lt_event *ev)
{
    const char *scheme = ftext_or(ev, "scheme", "?");
    const char *rfc = rfc13(ev, "RFC 8446 4.4.3");
    if (sent) {
        emit(n, side, P13_ALICE,
             "%s -> %s  CertificateVerify (%s): she signs, with her certificate's private key (%s): %s", who(sender),
             who(other(sender)), rfc, scheme,
             ftext_or(ev, "signs", "64 spaces, \"TLS 1.3, server CertificateVerify\", 0, the transcript hash"));
        tell_cv_why(n, side);
        return;
    }
    char th[VALUE_LEN];
    fmt_named(n, ev, "transcript_hash", th, sizeof th);
    if (!n->both_sides) {
        emit(n, side, P13_ALICE,
             "%s -> %s  CertificateVerify (%s): her %s signature over 64 spaces, \"TLS 1.3, server "
             "CertificateVerify\", 0, and the transcript hash of ClientHello..Certificate = %s",
             who(sender), who(side), rfc, scheme, th);
        tell_cv_why(n, side);
    }
    if (strcmp(ftext_or(ev, "result", "?"), "verified") == 0) {
        emit(n, side, P13_ALICE,
             "%s checks the signature with the public key in %s's certificate (%s): ok -- %s holds that "
             "certificate's key, and signed this very handshake",
             who(side), who(sender), scheme, who(sender));
    } else {
        emit(n, side, P13_ALICE,
             "%s checks the signature with the public key in %s's certificate (%s): it does NOT verify -- %s stops "
             "here (decrypt_error, RFC 8446 4.4.3)",
             who(side), who(sender), scheme, who(side));
    }
}

/* ---- the hellos ---- */

/* TLS 1.3's suites are the 0x13xx ones (RFC 8446 B.4); what each is made
 * of comes from lt_suite_get_info. */
static int suite13_by_name(const char *name, size_t len, lt_suite_info *info)
{
    for (uint16_t id = 0x1301; id <= 0x1305; id++) {
        const char *nm = lt_suite_name(id);
        if (nm != NULL && strlen(nm) == len && strncmp(nm, name, len) == 0 && lt_suite_get_info(id, info) == LT_OK &&
            info->version == LT_TLS1_3) {
            return 1;
        }
    }
    return 0;
}

/* Splits Bob's suites: TLS 1.3 ones with their AEAD and hash, and the
 * others (for a TLS 1.2 Alice). */
static void split_suites(const char *suites, char *s13, size_t cap13, int *n13, char *s12, size_t cap12, int *n12)
{
    size_t o13 = 0, o12 = 0;
    s13[0] = s12[0] = '\0';
    *n13 = *n12 = 0;
    while (suites != NULL && *suites != '\0') {
        suites += strspn(suites, ", ");
        size_t len = strcspn(suites, ", ");
        if (len == 0) {
            break;
        }
        lt_suite_info info;
        int k;
        if (suite13_by_name(suites, len, &info)) {
            k = snprintf(s13 + o13, cap13 - o13, "%s%.*s (%s + %s)", o13 ? ", " : "", (int)len, suites, info.cipher,
                         info.prf_hash);
            o13 += (k > 0 && (size_t)k < cap13 - o13) ? (size_t)k : 0;
            (*n13)++;
        } else {
            k = snprintf(s12 + o12, cap12 - o12, "%s%.*s", o12 ? ", " : "", (int)len, suites);
            o12 += (k > 0 && (size_t)k < cap12 - o12) ? (size_t)k : 0;
            (*n12)++;
        }
        suites += len;
    }
}

/* "x25519, secp256r1" -> "x25519". */
static void first_item(const char *list, char *buf, size_t cap)
{
    size_t len = list != NULL ? strcspn(list, ", ") : 0;
    snprintf(buf, cap, "%.*s", (int)len, list != NULL ? list : "");
}

static void hello13_suites(narrator *n, lt_role side, const lt_event *ev)
{
    char s13[1024], s12[2048];
    int n13, n12;
    split_suites(ftext(ev, "cipher_suites"), s13, sizeof s13, &n13, s12, sizeof s12, &n12);
    emit(n, side, P13_HELLO, "      TLS 1.3 suites, an AEAD and a hash each (RFC 8446 B.4), his preference first: %s",
         n13 > 0 ? s13 : "(none)");
    if (n12 > 0) {
        emit(n, side, P13_HELLO, "      and %d TLS 1.2 suites, in case Alice speaks only TLS 1.2: %s", n12, s12);
    }
}

static void hello13_groups_and_share(narrator *n, lt_role side, int sent, const lt_event *ev)
{
    const char *groups = ftext(ev, "groups");
    char list[256], first[32];
    tidy_list(groups != NULL ? groups : "", list, sizeof list);
    if (list[0] != '\0' && strcmp(list, "(none)") != 0) {
        emit(n, side, P13_HELLO, "      groups for the (EC)DHE key exchange (supported_groups, RFC 8446 4.2.7): %s",
             list);
        n->told_groups = 1;
    }
    if (!lists(ftext(ev, "extensions"), "key_share")) {
        return;
    }
    /* lucidtls sends one key share, for its first group (the report
     * names it when it says). */
    first_item(list, first, sizeof first);
    const char *share = ftext(ev, "key_share");
    if (sent) {
        snprintf(n->side[side].group, sizeof n->side[side].group, "%s", share != NULL ? share : first);
        emit(n, side, P13_HELLO,
             "      key_share (RFC 8446 4.2.8): already a fresh %s public key -- Bob guesses the group Alice will "
             "take, so the key exchange fits in this one round trip",
             share != NULL ? share : first);
    } else {
        emit(n, side, P13_HELLO,
             "      key_share (RFC 8446 4.2.8): already his fresh public key(s), for the group(s) he guesses Alice "
             "will take");
    }
}

static void hello13_sigalgs(narrator *n, lt_role side, const lt_event *ev)
{
    const char *sig = ftext(ev, "signature_algorithms");
    if (sig == NULL || strcmp(sig, "(none)") == 0) {
        return;
    }
    char list[512];
    tidy_list(sig, list, sizeof list);
    emit(n, side, P13_HELLO,
         "      signature schemes he accepts from Alice (signature_algorithms, RFC 8446 4.2.3): %s%s", list,
         strstr(list, "rsa_pkcs1") != NULL ? " (rsa_pkcs1_* only for TLS 1.2 and for certificates)" : "");
}

/* RFC 8446 4.1.2: a ClientHello that offers TLS 1.3. */
static void msg_client_hello13(narrator *n, lt_role side, lt_role sender, int sent, const lt_event *ev)
{
    char rnd[VALUE_LEN];
    fmt_named(n, ev, "random", rnd, sizeof rnd);
    emit(n, side, P13_HELLO,
         "%s -> %s  ClientHello (%s): Bob's nonce, client_random = %s, and his lists of algorithms; he offers TLS "
         "1.3",
         who(sender), who(other(sender)), rfc13(ev, "RFC 8446 4.1.2"), rnd);
    const char *versions = ftext(ev, "versions");
    emit(n, side, P13_HELLO,
         "      versions (supported_versions, RFC 8446 4.2.1): %s; legacy_version stays %s for old servers and "
         "middleboxes",
         versions != NULL ? versions : "TLS 1.3 is offered here", ftext_or(ev, "client_version", "TLS 1.2 (0x0303)"));
    hello13_suites(n, side, ev);
    hello13_groups_and_share(n, side, sent, ev);
    hello13_sigalgs(n, side, ev);
    if (lists(ftext(ev, "extensions"), "pre_shared_key")) {
        emit(n, side, P13_HELLO,
             "      pre_shared_key (RFC 8446 4.2.11): a ticket from an earlier session, to resume it; with "
             "psk_key_exchange_modes psk_dhe_ke, a fresh (EC)DHE runs as well");
    }
    tell_extensions(n, side, ev);
}

/* RFC 8446 4.1.2: ClientHello2, after a HelloRetryRequest. */
static void msg_client_hello2(narrator *n, lt_role side, lt_role sender, const lt_event *ev)
{
    const char *share = ftext(ev, "key_share");
    const char *cookie = ftext(ev, "cookie");
    char rnd[VALUE_LEN];
    side_state *st = &n->side[side];
    if (share != NULL) {
        snprintf(st->group, sizeof st->group, "%s", share);
    } else if (st->group[0] != '\0') {
        share = st->group;
    }
    fmt_named(n, ev, "random", rnd, sizeof rnd);
    emit(n, side, P13_HELLO,
         "%s -> %s  ClientHello, again (%s): the same offer and the same nonce%s%s, now with a key share for %s%s",
         who(sender), who(other(sender)), rfc13(ev, "RFC 8446 4.1.2"), fld(ev, "random") ? ", client_random = " : "",
         fld(ev, "random") ? rnd : "", share != NULL ? share : "the group Alice asked for",
         cookie != NULL && strcmp(cookie, "none") != 0 ? ", and Alice's cookie echoed" : "");
    emit(n, side, P13_HELLO,
         "      (RFC 8446 4.1.2 lets only key_share, cookie, early_data, pre_shared_key and padding change)");
}

/* RFC 8446 4.1.4. */
static void msg_hello_retry_request(narrator *n, lt_role side, lt_role sender, const lt_event *ev)
{
    const char *group = ftext(ev, "selected_group");
    n->side[side].hrr = 1;
    emit(n, side, P13_HELLO,
         "%s -> %s  HelloRetryRequest (%s): not her hello yet, but a ServerHello whose random is the fixed "
         "SHA-256(\"HelloRetryRequest\"): she asks for a key share for %s",
         who(sender), who(other(sender)), "RFC 8446 4.1.4",
         group != NULL ? group : "another group (her first choice that he supports)");
    emit(n, side, P13_HELLO,
         "      it costs a round trip: Bob's guess was wrong; the transcript keeps ClientHello1 only as its hash "
         "(message_hash, RFC 8446 4.4.1), then the HelloRetryRequest and ClientHello2");
}

/* RFC 8446 4.1.3. */
static void msg_server_hello13(narrator *n, lt_role side, lt_role sender, int sent, const lt_event *ev)
{
    if (is_hello_retry(ev)) {
        msg_hello_retry_request(n, side, sender, ev);
        return;
    }
    char rnd[VALUE_LEN], ks[KEY_SHARE_TEXT_LEN];
    const char *group = n->side[side].group[0] != '\0' ? n->side[side].group : "(EC)DHE";
    fmt_named(n, ev, "random", rnd, sizeof rnd);
    if (fld(ev, "key_share") != NULL) {
        char pub[VALUE_LEN];
        fmt_named(n, ev, "key_share", pub, sizeof pub);
        snprintf(ks, sizeof ks, "a fresh %s public key, %zu bytes = %s", group, flen(ev, "key_share"), pub);
    } else if (!sent && n->sh_key_share[0] != '\0') {
        snprintf(ks, sizeof ks, "%s", n->sh_key_share);
    } else {
        snprintf(ks, sizeof ks, "a fresh public key for his group");
    }
    if (sent && n->both_sides) {
        snprintf(n->sh_key_share, sizeof n->sh_key_share, "%s", ks);
    }
    emit(n, side, P13_HELLO, "%s -> %s  ServerHello (%s): her nonce%s%s, her choice of suite %s, and her key_share: %s",
         who(sender), who(other(sender)), rfc13(ev, "RFC 8446 4.1.3"), fld(ev, "random") ? ", server_random = " : "",
         fld(ev, "random") ? rnd : "", ftext_or(ev, "cipher_suite", "?"), ks);
    if (lists(ftext(ev, "extensions"), "pre_shared_key")) {
        emit(n, side, P13_HELLO, "      pre_shared_key: she takes Bob's ticket");
    }
    if (!n->told13_nonces) {
        n->told13_nonces = 1;
        emit(n, side, P13_HELLO,
             "      the nonces are still the two randoms; in TLS 1.3 they reach every key through the transcript "
             "hash that each Derive-Secret takes (RFC 8446 4.4.1, 7.1)");
    }
}

/* Both sides present: Alice tells her ServerHello, unless her report
 * lacks the nonce; then Bob tells it as he read it, with her key share. */
static void both_sides_server_hello13(narrator *n, lt_role side, lt_role sender, int sent, const lt_event *ev)
{
    if (sent) {
        n->sh_sender_told = fld(ev, "random") != NULL || is_hello_retry(ev);
        if (n->sh_sender_told) {
            msg_server_hello13(n, side, sender, sent, ev);
        } else {
            char pub[VALUE_LEN];
            fmt_named(n, ev, "key_share", pub, sizeof pub);
            snprintf(n->sh_key_share, sizeof n->sh_key_share, "a fresh %s public key, %zu bytes = %s",
                     n->side[side].group[0] ? n->side[side].group : "(EC)DHE", flen(ev, "key_share"), pub);
        }
        return;
    }
    if (is_hello_retry(ev)) {
        n->side[side].hrr = 1;
        return;
    }
    if (!n->sh_sender_told) {
        msg_server_hello13(n, side, sender, sent, ev);
    }
}

/* ---- after the handshake: tickets, KeyUpdate ---- */

static void msg_new_session_ticket(narrator *n, lt_role side, lt_role sender, const lt_event *ev)
{
    const char *life = ftext_or(ev, "lifetime", "?");
    if (n->told13_ticket) {
        emit(n, side, P13_DATA, "%s -> %s  NewSessionTicket (%s): another ticket, %zu bytes, valid %s", who(sender),
             who(other(sender)), rfc13(ev, "RFC 8446 4.6.1"), flen(ev, "ticket"), life);
        return;
    }
    n->told13_ticket = 1;
    emit(n, side, P13_DATA,
         "%s -> %s  NewSessionTicket (%s): a ticket to resume this session later, %zu bytes, valid %s; Bob keeps "
         "the latest",
         who(sender), who(other(sender)), rfc13(ev, "RFC 8446 4.6.1"), flen(ev, "ticket"), life);
    emit(n, side, P13_DATA,
         "      its PSK = HKDF-Expand-Label(resumption_master_secret, \"resumption\", ticket_nonce, %zu), which both "
         "compute; the ticket itself is sealed under a key only Alice has, so she keeps nothing per ticket",
         hash13_len(n, side));
}

static void msg_key_update(narrator *n, lt_role side, lt_role sender, const lt_event *ev)
{
    int requested = strcmp(ftext_or(ev, "request_update", "?"), "update_requested") == 0;
    emit(n, side, P13_DATA, "%s -> %s  KeyUpdate (%s, %s): %s next records use new keys%s%s%s", who(sender),
         who(other(sender)), rfc13(ev, "RFC 8446 4.6.3"), ftext_or(ev, "request_update", "?"), his_her(sender),
         requested ? ", and " : " (an answer: it asks for nothing back, so the two cannot ping-pong)",
         requested ? who(sender) : "",
         requested ? (sender == LT_ROLE_CLIENT ? " asks Alice to change hers too" : " asks Bob to change his too")
                   : "");
}

/* RFC 8446 4.3.2: Alice asks Bob for a certificate (without one, RFC 8446
 * 4.4.2 lets him answer with an empty one); the engine's detail says which. */
static void msg_certificate_request13(narrator *n, lt_role side, lt_role sender, const lt_event *ev)
{
    char what[LINE_MAX_LEN] = "Alice asks for a client certificate";
    if (ev->detail != NULL) {
        storify(ev->detail, side, what, sizeof what);
    }
    emit(n, side, P13_ALICE, "%s -> %s  CertificateRequest (%s): %s", who(sender), who(other(sender)),
         rfc13(ev, "RFC 8446 4.3.2"), what);
}

/* The messages TLS 1.3 tells its own way; 1 when told. */
static int on_message13(narrator *n, lt_role side, lt_role sender, int sent, const lt_event *ev)
{
    const char *m = ev->what;
    if (strcmp(m, "Finished") == 0) {
        msg_finished13(n, side, sender, sent, ev);
        return 1;
    }
    if (strcmp(m, "CertificateVerify") == 0) {
        msg_certificate_verify(n, side, sender, sent, ev);
        return 1;
    }
    if (strcmp(m, "ServerHello") == 0 && n->both_sides) {
        both_sides_server_hello13(n, side, sender, sent, ev);
        return 1;
    }
    /* With both sides present, the sender tells each message once. */
    if (!sent && n->both_sides) {
        return 1;
    }
    if (strcmp(m, "ServerHello") == 0) {
        msg_server_hello13(n, side, sender, sent, ev);
    } else if (strcmp(m, "ClientHello") == 0 && n->side[side].hrr) {
        msg_client_hello2(n, side, sender, ev);
    } else if (strcmp(m, "EncryptedExtensions") == 0) {
        msg_encrypted_extensions(n, side, sender, ev);
    } else if (strcmp(m, "NewSessionTicket") == 0) {
        msg_new_session_ticket(n, side, sender, ev);
    } else if (strcmp(m, "KeyUpdate") == 0) {
        msg_key_update(n, side, sender, ev);
    } else if (strcmp(m, "CertificateRequest") == 0) {
        msg_certificate_request13(n, side, sender, ev);
    } else {
        return 0;
    }
    return 1;
}

/* ---- choices ---- */

/* RFC 8446 4.1.1: the suite is only an AEAD and a hash now. */
static void choice_suite13(narrator *n, lt_role side, const lt_event *ev, const char *why)
{
    const char *chosen = ftext_or(ev, "chosen", "?");
    uint16_t id = (uint16_t)strtoul(ftext_or(ev, "id", "0"), NULL, 16);
    lt_suite_info info;
    const char *cipher = "its AEAD", *hash = "its hash";
    if (lt_suite_get_info(id, &info) == LT_OK) {
        cipher = info.cipher;
        hash = info.prf_hash;
    }
    emit(n, side, P13_HELLO,
         "Alice chose %s (RFC 8446 4.1.1): %s, an AEAD, protects every record (encryption and MAC in one); %s drives "
         "HKDF and the transcript hash%s%s",
         chosen, cipher, hash, side == LT_ROLE_SERVER && why != NULL ? " -- " : "",
         side == LT_ROLE_SERVER && why != NULL ? why : "");
    emit(n, side, P13_HELLO,
         "      the suite no longer says how keys are exchanged or what signs: key_share and signature_algorithms "
         "do, apart");
}

static void choice_resumption_offer(narrator *n, lt_role side, const lt_event *ev)
{
    char t[VALUE_LEN], b[VALUE_LEN];
    fmt_named(n, ev, "ticket", t, sizeof t);
    fmt_named(n, ev, "binder", b, sizeof b);
    /* Made before the ClientHello is sent; told after it. */
    if (n->side[side].hrr) {
        later(n, side, P13_HELLO, "ClientHello",
              "Bob offers the ticket again, with a new binder = %s: an HMAC over ClientHello2, with the "
              "HelloRetryRequest before it (RFC 8446 4.2.11.2)",
              b);
        return;
    }
    later(n, side, P13_HELLO, "ClientHello",
          "Bob offers the ticket from last time (pre_shared_key, %s): ticket, %zu bytes = %s, and binder = %s",
          rfc13(ev, "RFC 8446 4.2.11"), flen(ev, "ticket"), t, b);
    later(n, side, P13_HELLO, "ClientHello",
          "      the binder is an HMAC over this ClientHello keyed from the ticket's PSK (RFC 8446 4.2.11.2): it "
          "proves Bob holds the PSK without sending it");
}

static void choice_client_key_share(narrator *n, lt_role side, const lt_event *ev)
{
    char pub[VALUE_LEN];
    fmt_named(n, ev, "public_key", pub, sizeof pub);
    emit(n, side, P13_HELLO, "Alice takes Bob's %s key share (%s): his fresh public key, %zu bytes = %s",
         ftext_or(ev, "group", "?"), rfc13(ev, "RFC 8446 4.2.8"), flen(ev, "public_key"), pub);
}

/* RFC 8446 4.1.4: Alice tells why she asks; Bob learns for which group. */
static void choice_hello_retry(narrator *n, lt_role side, const lt_event *ev, const char *why)
{
    side_state *st = &n->side[side];
    st->hrr = 1;
    if (side == LT_ROLE_SERVER) {
        emit(n, side, P13_HELLO, "HelloRetryRequest (%s): %s", rfc13(ev, "RFC 8446 4.1.4"), why);
        return;
    }
    const char *group = ftext_or(ev, "group", "(unchanged)");
    int cookie = strcmp(ftext_or(ev, "cookie", "no"), "yes") == 0;
    if (strcmp(group, "(unchanged)") != 0) {
        snprintf(st->group, sizeof st->group, "%s", group);
    }
    emit(n, side, P13_HELLO, "      she asks for a key share for %s%s: Bob will say hello again, with that share",
         strcmp(group, "(unchanged)") != 0 ? group : "the same group", cookie ? ", and sends a cookie to echo" : "");
}

/* What a choice tells the rest of the story: the group, a resumption. */
static void note_choice13(narrator *n, lt_role side, const lt_event *ev)
{
    side_state *st = &n->side[side];
    if (strcmp(ev->what, "group") == 0) {
        snprintf(st->group, sizeof st->group, "%s", ftext_or(ev, "chosen", "?"));
    }
    if (strcmp(ev->what, "resumption") == 0 && strcmp(rfc_or(ev, ""), "RFC 8446 2.2") == 0) {
        st->resumed = 1;
        n->resumed = 1;
    }
}

/* Whose choices are told: with both sides present, the decisions are
 * Alice's to tell (Bob's offer of a ticket is his); after a
 * HelloRetryRequest she makes the same choices again on ClientHello2 (RFC
 * 8446 4.1.4: the suite must not change), told once. */
static int choice13_told_already(const narrator *n, lt_role side, const char *w)
{
    if (strcmp(w, "resumption_offer") == 0 || strcmp(w, "resumption_offer12") == 0) {
        return 0;
    }
    if (n->both_sides && side == LT_ROLE_CLIENT) {
        return 1;
    }
    return side == LT_ROLE_SERVER && n->side[side].hrr &&
           (strcmp(w, "version") == 0 || strcmp(w, "cipher_suite") == 0 || strcmp(w, "group") == 0);
}

/* The choices TLS 1.3 tells its own way; 1 when told (or not to be told). */
static int on_choice13(narrator *n, lt_role side, const lt_event *ev, const char *why)
{
    const char *w = ev->what;
    int phase = n->side[side].phase;
    note_choice13(n, side, ev);
    if (choice13_told_already(n, side, w)) {
        return 1;
    }
    const char *whyd = why ? " -- " : "";
    const char *whyt = why ? why : "";
    if (strcmp(w, "resumption_offer") == 0) {
        choice_resumption_offer(n, side, ev);
    } else if (strcmp(w, "cipher_suite") == 0) {
        choice_suite13(n, side, ev, why);
    } else if (strcmp(w, "version") == 0) {
        emit(n, side, P13_HELLO, "Version (supported_versions, %s): %s%s%s", rfc13(ev, "RFC 8446 4.2.1"),
             ftext_or(ev, "chosen", "?"), whyd, whyt);
    } else if (strcmp(w, "group") == 0) {
        emit(n, side, P13_HELLO, "Group for the (EC)DHE key exchange (%s): %s%s%s", rfc13(ev, "RFC 8446 4.2.7"),
             ftext_or(ev, "chosen", "?"), whyd, whyt);
    } else if (strcmp(w, "signature_scheme") == 0) {
        emit(n, side, P13_HELLO, "Signature scheme for her CertificateVerify (%s): %s%s%s", rfc13(ev, "RFC 8446 4.2.3"),
             ftext_or(ev, "chosen", "?"), whyd, whyt);
    } else if (strcmp(w, "client_key_share") == 0) {
        choice_client_key_share(n, side, ev);
    } else if (strcmp(w, "hello_retry") == 0) {
        choice_hello_retry(n, side, ev, whyt);
    } else if (strcmp(w, "resumption_offer12") == 0) {
        /* TLS 1.2 (RFC 5246 7.4.1.2, RFC 5077): a session ID or a ticket. */
        emit(n, side, P13_HELLO, "Resumption offer (%s): %s", rfc_or(ev, "RFC 5246 7.4.1.2"), whyt);
    } else if (strcmp(w, "resumption") == 0) {
        /* TLS 1.2's (RFC 5246, 5077, 7627) keep their own sections. */
        emit(n, side, P13_HELLO, "Resumption (%s): %s",
             strncmp(rfc_or(ev, ""), "RFC 8446", 8) == 0 || is13(n, side) ? rfc13(ev, "RFC 8446 2.2")
                                                                          : rfc_or(ev, "RFC 5246 7.3"),
             whyt);
    } else if (strcmp(w, "early_data") == 0) {
        emit(n, side, phase, "Early data (0-RTT, %s): %s", rfc13(ev, "RFC 8446 4.2.10"), whyt);
    } else if (strcmp(w, "ticket") == 0) {
        emit(n, side, phase, "Ticket (%s): %s", rfc13(ev, "RFC 8446 4.6.1"), whyt);
    } else {
        return 0;
    }
    return 1;
}

/* ---- key derivation ---- */

static int on_key_derive13(narrator *n, lt_role side, const lt_event *ev)
{
    const char *w = ev->what;
    if (strcmp(w, "ecdhe_shared_secret") == 0) {
        derive_shared13(n, side, ev);
    } else if (strcmp(w, "handshake_secret") == 0) {
        derive_handshake_secret13(n, side, ev);
    } else if (strcmp(w, "client_handshake_traffic_secret") == 0 || strcmp(w, "server_handshake_traffic_secret") == 0) {
        derive_hs_traffic13(n, side, ev);
    } else if (strncmp(w, "client_application_traffic_secret", 33) == 0 ||
               strncmp(w, "server_application_traffic_secret", 33) == 0 || strcmp(w, "exporter_master_secret") == 0) {
        derive_app_secret13(n, side, ev);
    } else if (strcmp(w, "resumption_master_secret") == 0) {
        derive_res_secret13(n, side, ev);
    } else if (strcmp(w, "client_finished") == 0 || strcmp(w, "server_finished") == 0) {
        derive_finished13(n, side, ev);
    } else if (strstr(w, "_keys") != NULL) {
        derive_keys13(n, side, ev);
    } else {
        return 0;
    }
    return 1;
}

/* ---- the dummy ChangeCipherSpec (RFC 8446 D.4) ---- */

static void on_ccs13(narrator *n, lt_role side, const lt_event *ev)
{
    int sent = ev->kind == LT_EV_CCS_SENT;
    lt_role sender = sent ? side : other(side);
    int phase = n->side[side].phase;
    if (!sent && n->both_sides) {
        return;
    }
    if (!n->told13_ccs) {
        n->told13_ccs = 1;
        emit(n, side, phase,
             "%s -> %s  ChangeCipherSpec (%s): a dummy, in the clear; it switches no keys (in TLS 1.2 it did) and is "
             "there only so that middleboxes that know TLS 1.2 let the handshake through",
             who(sender), who(other(sender)), rfc13(ev, "RFC 8446 D.4"));
    } else {
        emit(n, side, phase, "%s -> %s  ChangeCipherSpec (%s): the dummy again, in the clear", who(sender),
             who(other(sender)), rfc13(ev, "RFC 8446 D.4"));
    }
    if (!sent) {
        emit(n, side, phase, "      %s drops it unread, as RFC 8446 5 says: it changes nothing", who(side));
    }
}

/* Which phase a TLS 1.3 event moves its side to (0: it does not move it). */
static int key_phase13(lt_role side, const char *w)
{
    if (strcmp(w, "ecdhe_shared_secret") == 0) {
        /* Alice's is told after her ServerHello (side_state.later). */
        return side == LT_ROLE_SERVER ? 0 : P13_SECRET;
    }
    if (strstr(w, "handshake") != NULL) {
        return P13_KEYS;
    }
    if (strcmp(w, "server_finished") == 0) {
        return P13_ALICE;
    }
    if (strstr(w, "updated") != NULL) {
        return P13_DATA;
    }
    return P13_BOB;
}

static int phase_of13(lt_role side, const lt_event *ev)
{
    const char *w = ev->what != NULL ? ev->what : "";
    lt_role sender = ev->kind == LT_EV_MSG_SENT ? side : other(side);
    switch (ev->kind) {
    case LT_EV_MSG_SENT:
    case LT_EV_MSG_RECV:
        if (strcmp(w, "ClientHello") == 0 || strcmp(w, "ServerHello") == 0) {
            return P13_HELLO;
        }
        if (strcmp(w, "EncryptedExtensions") == 0 || strcmp(w, "CertificateRequest") == 0 ||
            strcmp(w, "CertificateVerify") == 0) {
            return P13_ALICE;
        }
        if (strcmp(w, "Certificate") == 0 || strcmp(w, "Finished") == 0) {
            return sender == LT_ROLE_SERVER ? P13_ALICE : P13_BOB;
        }
        return strcmp(w, "NewSessionTicket") == 0 || strcmp(w, "KeyUpdate") == 0 ? P13_DATA : 0;
    case LT_EV_CHOICE: return strcmp(w, "early_data") == 0 || strcmp(w, "ticket") == 0 ? 0 : P13_HELLO;
    case LT_EV_CERT_CHECK: return P13_ALICE;
    case LT_EV_KEY_DERIVE: return key_phase13(side, w);
    case LT_EV_RECORD_PROTECT:
    case LT_EV_RECORD_UNPROTECT: return strcmp(w, "application_data") == 0 ? P13_DATA : 0;
    default: return 0;
    }
}

/* ---- records, CCS, alerts ---------------------------------------------------- */

static void record_line(narrator *n, lt_role side, int phase, int defer, const char *text)
{
    side_state *st = &n->side[side];
    if (!defer || st->ndeferred == MAX_DEFERRED) {
        emit_text(n, side, phase, text);
        return;
    }
    snprintf(st->deferred[st->ndeferred++], LINE_MAX_LEN, "%s", text);
}

static int record_phase(narrator *n, lt_role side, const char *type)
{
    if (strcmp(type, "application_data") == 0) {
        return NARR_PHASE_DATA;
    }
    if (is13(n, side)) {
        return n->side[side].phase;
    }
    if (strcmp(type, "handshake") == 0 && n->side[side].phase <= NARR_PHASE_FINISHED) {
        return NARR_PHASE_FINISHED;
    }
    return n->side[side].phase;
}

/* How a record is protected. The record event's protection text says it
 * ("(MAC-then-encrypt)", "(encrypt-then-MAC)", "(AEAD)"); without those
 * words, the suite and the encrypt_then_mac choice do. */
typedef enum { PROT_MTE, PROT_ETM, PROT_AEAD } prot_scheme;

static prot_scheme record_scheme(const narrator *n, lt_role side, const char *prot)
{
    if (strstr(prot, "(AEAD)") != NULL) {
        return PROT_AEAD;
    }
    if (strstr(prot, "encrypt-then-MAC") != NULL) {
        return PROT_ETM;
    }
    if (strstr(prot, "MAC-then-encrypt") != NULL) {
        return PROT_MTE;
    }
    lt_suite_info info;
    if (side_suite(n, side, &info) && info.aead) {
        return PROT_AEAD;
    }
    return n->side[side].etm == 2 ? PROT_ETM : PROT_MTE;
}

/* "record #1 application_data (Bob -> Alice): 25 bytes -> <the steps, in
 * the order they happen> -> 85 bytes". */
static void record_steps(const narrator *n, lt_role side, prot_scheme scheme, int sent, lt_role sender, char *buf,
                         size_t cap)
{
    /* TLS 1.3: E_B or E_A of the epoch the record is in. */
    char ek13[64];
    key13_name(n, side, sender, ek13, sizeof ek13);
    const char *ek = is13(n, side) ? ek13 : enc_key(sender);
    const char *mk = mac_key(sender);
    switch (scheme) {
    case PROT_AEAD:
        if (is13(n, side)) {
            snprintf(buf, cap,
                     sent ? "one AEAD seal with %s -- %s encrypts and appends a tag; the tag is the MAC"
                          : "one AEAD open with %s -- %s: the tag, which is the MAC, must match before anything is "
                            "accepted: ok",
                     ek, aead_cipher(n, side));
            return;
        }
        if (sent) {
            snprintf(buf, cap, "one AEAD seal with %s (%s encrypts and appends a tag; the tag is the MAC)", ek,
                     aead_cipher(n, side));
        } else {
            snprintf(buf, cap,
                     "one AEAD open with %s (%s: the tag, which is the MAC, must match before anything is "
                     "accepted): ok",
                     ek, aead_cipher(n, side));
        }
        return;
    case PROT_ETM:
        if (sent) {
            snprintf(buf, cap, "encrypt with %s, then MAC the ciphertext with %s", ek, mk);
        } else {
            snprintf(buf, cap, "check the MAC with %s first, then decrypt with %s: ok", mk, ek);
        }
        return;
    case PROT_MTE:
    default:
        if (sent) {
            snprintf(buf, cap, "MAC with %s, encrypt with %s", mk, ek);
        } else {
            snprintf(buf, cap, "decrypt with %s, check the MAC with %s: ok", ek, mk);
        }
        return;
    }
}

static void on_record(narrator *n, lt_role side, const lt_event *ev)
{
    const char *type = ev->what != NULL ? ev->what : "?";
    const char *prot = ftext(ev, "protection");
    /* Records before ChangeCipherSpec travel in the clear: nothing to tell.
     * In TLS 1.3 the ChangeCipherSpec record itself is never protected
     * (RFC 8446 5), whatever keys are in place. */
    if (prot == NULL || strstr(prot, "none") != NULL || strstr(prot, "NULL") != NULL ||
        (is13(n, side) && strcmp(type, "change_cipher_spec") == 0)) {
        return;
    }
    int sent = ev->kind == LT_EV_RECORD_PROTECT;
    lt_role sender = sent ? side : other(side);
    const char *seq = ftext_or(ev, "seq", "?");
    const char *pt = ftext_or(ev, "plaintext_length", "?");
    const char *rec = ftext_or(ev, "record_length", "?");
    char what[128], steps[512];
    snprintf(what, sizeof what, "record #%s %s (%s -> %s)", seq, type, who(sender), who(other(sender)));
    record_steps(n, side, record_scheme(n, side, prot), sent, sender, steps, sizeof steps);
    char line[LINE_MAX_LEN];
    snprintf(line, sizeof line, "%s: %s bytes -> %s -> %s bytes", what, sent ? pt : rec, steps, sent ? rec : pt);
    /* A protected Finished or alert is reported before its message: tell
     * the record after the message (see side_state.deferred). In TLS 1.3
     * a received handshake record too: it reads better after what it
     * carried. */
    int defer = strcmp(type, "alert") == 0 || ((sent || is13(n, side)) && strcmp(type, "handshake") == 0);
    record_line(n, side, record_phase(n, side, type), defer, line);
    if (!n->side[side].told_protection) {
        n->side[side].told_protection = 1;
        snprintf(line, sizeof line, "      (protection: %s)", prot);
        record_line(n, side, record_phase(n, side, type), defer, line);
    }
    /* RFC 8446 5.2: the real type is inside the encryption. */
    if (is13(n, side) && !n->told13_inner_type) {
        n->told13_inner_type = 1;
        snprintf(line, sizeof line,
                 "      (on the wire every protected TLS 1.3 record says application_data; the real type, here %s, "
                 "travels encrypted, RFC 8446 5.2)",
                 type);
        record_line(n, side, record_phase(n, side, type), defer, line);
    }
}

static void on_ccs13(narrator *n, lt_role side, const lt_event *ev);

static void on_ccs(narrator *n, lt_role side, const lt_event *ev, const lt_conn *conn)
{
    if (is13(n, side) || strncmp(rfc_or(ev, ""), "RFC 8446", 8) == 0) {
        on_ccs13(n, side, ev);
        return;
    }
    int sent = ev->kind == LT_EV_CCS_SENT;
    lt_role sender = sent ? side : other(side);
    int aead = suite_is_aead(lt_conn_cipher_suite(conn));
    char keys[32];
    snprintf(keys, sizeof keys, "%s%s%s", enc_key(sender), aead ? "" : " and ", aead ? "" : mac_key(sender));
    if (sent) {
        emit(n, side, NARR_PHASE_FINISHED,
             "%s -> %s  ChangeCipherSpec (%s): from here on %s's records are protected with %s", who(sender),
             who(other(sender)), rfc_or(ev, "RFC 5246 7.1"), who(sender), keys);
    } else if (!n->both_sides) {
        emit(n, side, NARR_PHASE_FINISHED,
             "%s -> %s  ChangeCipherSpec (%s): %s's next records arrive protected with %s", who(sender), who(side),
             rfc_or(ev, "RFC 5246 7.1"), who(sender), keys);
    }
}

static void on_alert(narrator *n, lt_role side, const lt_event *ev)
{
    int sent = ev->kind == LT_EV_ALERT_SENT;
    lt_role sender = sent ? side : other(side);
    const char *name = ev->what != NULL ? ev->what : "?";
    const char *level = ftext_or(ev, "level", "fatal");
    int t13 = is13(n, side);
    if (strcmp(name, "close_notify") == 0) {
        n->side[side].phase = NARR_PHASE_CLOSE;
        if (sent || !n->both_sides) {
            emit(n, side, NARR_PHASE_CLOSE, "%s -> %s  alert close_notify (%s): %s will send nothing more", who(sender),
                 who(other(sender)), t13 ? rfc13(ev, "RFC 8446 6.1") : rfc_or(ev, "RFC 5246 7.2.1"), who(sender));
        }
        return;
    }
    emit(n, side, n->side[side].phase, "%s -> %s  %s alert %s (%s)%s%s", who(sender), who(other(sender)), level, name,
         t13 ? rfc13(ev, "RFC 8446 6.2") : rfc_or(ev, "RFC 5246 7.2.2"), ev->detail ? ": " : "",
         ev->detail ? ev->detail : "");
}

/* ---- dispatch ---------------------------------------------------------------- */

/* Which phase an event moves its side to (0: it does not move it). */
static int phase_of(const lt_event *ev)
{
    const char *w = ev->what != NULL ? ev->what : "";
    switch (ev->kind) {
    case LT_EV_MSG_SENT:
    case LT_EV_MSG_RECV:
        if (strcmp(w, "ClientHello") == 0 || strcmp(w, "ServerHello") == 0) {
            return NARR_PHASE_HELLO;
        }
        if (strcmp(w, "Certificate") == 0 || strcmp(w, "ServerKeyExchange") == 0 || strcmp(w, "ServerHelloDone") == 0) {
            return NARR_PHASE_CERT;
        }
        if (strcmp(w, "ClientKeyExchange") == 0) {
            return NARR_PHASE_PMS;
        }
        if (strcmp(w, "Finished") == 0) {
            return NARR_PHASE_FINISHED;
        }
        return 0;
    case LT_EV_CHOICE: return NARR_PHASE_HELLO;
    case LT_EV_CERT_CHECK: return NARR_PHASE_CERT;
    case LT_EV_KEY_DERIVE:
        if (strstr(w, "pre_master") != NULL) {
            return NARR_PHASE_PMS;
        }
        if (strstr(w, "finished") != NULL) {
            return NARR_PHASE_FINISHED;
        }
        return NARR_PHASE_KEYS;
    case LT_EV_CCS_SENT:
    case LT_EV_CCS_RECV: return NARR_PHASE_FINISHED;
    case LT_EV_RECORD_PROTECT:
    case LT_EV_RECORD_UNPROTECT: return strcmp(w, "application_data") == 0 ? NARR_PHASE_DATA : 0;
    default: return 0;
    }
}

/* Bob's ECDHE shared secret: told later, with his ClientKeyExchange. */
static int is_held_pms(lt_role side, const lt_event *ev)
{
    return side == LT_ROLE_CLIENT && ev->kind == LT_EV_KEY_DERIVE && ev->what != NULL &&
           strcmp(ev->what, "pre_master_secret") == 0 && fld(ev, "group") != NULL;
}

/* What may come between Bob's ECDHE shared secret and his ClientKeyExchange
 * without ending the wait: the rest of Alice's flight (and the records in
 * the clear that carry it), and his empty Certificate when she asked for
 * one. */
static int keeps_held(const lt_event *ev)
{
    const char *w = ev->what != NULL ? ev->what : "";
    const char *prot;
    switch (ev->kind) {
    case LT_EV_STATE: return 1;
    case LT_EV_RECORD_PROTECT:
    case LT_EV_RECORD_UNPROTECT: prot = ftext(ev, "protection"); return prot == NULL || strncmp(prot, "none", 4) == 0;
    case LT_EV_MSG_RECV: return strcmp(w, "ServerHelloDone") == 0 || strcmp(w, "CertificateRequest") == 0;
    case LT_EV_MSG_SENT: return strcmp(w, "Certificate") == 0;
    default: return 0;
    }
}

/* The suite, once negotiated, decides how steps 3 and the records are told. */
static void note_suite(narrator *n, lt_role side, const lt_conn *conn)
{
    uint16_t id = lt_conn_cipher_suite(conn);
    if (id == 0) {
        return;
    }
    n->side[side].suite = id;
    lt_suite_info info;
    if (lt_suite_get_info(id, &info) == LT_OK && info.forward_secret) {
        n->ecdhe = 1;
    }
}

void narrate_trace(void *arg, const lt_conn *conn, const lt_event *ev)
{
    narrator *n = arg;
    if (n == NULL || ev == NULL) {
        return;
    }
    lt_role side = lt_conn_role(conn) == LT_ROLE_SERVER ? LT_ROLE_SERVER : LT_ROLE_CLIENT;
    pthread_mutex_lock(&n->mu);
    note_version(n, side, conn, ev);
    note_suite(n, side, conn);
    if (ev->kind != LT_EV_CERT_CHECK) {
        cert_story_flush(n, side);
    }
    if (!keeps_held(ev)) {
        release_held(n, side);
    }
    finished_verdict(n, side, ev);
    /* Record lines waiting for this event are told after it. */
    side_state *st = &n->side[side];
    char waiting[MAX_DEFERRED][LINE_MAX_LEN];
    int nwaiting = st->ndeferred;
    memcpy(waiting, st->deferred, sizeof waiting);
    st->ndeferred = 0;
    /* A side's phase only moves forward; a renegotiation's messages are told
     * where they happen. */
    int ph = is13(n, side) ? phase_of13(side, ev) : is_held_pms(side, ev) ? 0 : phase_of(ev);
    if (ph > n->side[side].phase) {
        n->side[side].phase = ph;
    }
    switch (ev->kind) {
    case LT_EV_MSG_SENT:
    case LT_EV_MSG_RECV: on_message(n, side, ev); break;
    case LT_EV_CHOICE: on_choice(n, side, ev); break;
    case LT_EV_CERT_CHECK: on_cert_check(n, side, ev); break;
    case LT_EV_KEY_DERIVE: on_key_derive(n, side, ev, conn); break;
    case LT_EV_RECORD_PROTECT:
    case LT_EV_RECORD_UNPROTECT: on_record(n, side, ev); break;
    case LT_EV_ALERT_SENT:
    case LT_EV_ALERT_RECV: on_alert(n, side, ev); break;
    case LT_EV_CCS_SENT:
    case LT_EV_CCS_RECV: on_ccs(n, side, ev, conn); break;
    case LT_EV_STATE:
    default:
        /* State moves are the machine's bookkeeping, not the story. */
        break;
    }
    for (int i = 0; i < nwaiting; i++) {
        emit_text(n, side, st->phase, waiting[i]);
    }
    release_later_after(n, side, ev);
    pthread_mutex_unlock(&n->mu);
}

static void side_flush(narrator *n, lt_role side);

void narrate_note(narrator *n, lt_role side, int phase, const char *fmt, ...)
{
    va_list ap;
    pthread_mutex_lock(&n->mu);
    side_flush(n, side);
    va_start(ap, fmt);
    emitv(n, side, phase, fmt, ap);
    va_end(ap);
    pthread_mutex_unlock(&n->mu);
}

/* ---- lifecycle --------------------------------------------------------------- */

static int line_cmp(const void *a, const void *b)
{
    const narr_line *x = a, *y = b;
    if (x->phase != y->phase) {
        return x->phase < y->phase ? -1 : 1;
    }
    return x->seq < y->seq ? -1 : (x->seq > y->seq ? 1 : 0);
}

static void free_lines(narrator *n)
{
    for (size_t i = 0; i < n->nlines; i++) {
        free(n->lines[i].text);
    }
    n->nlines = 0;
}

static void side_flush(narrator *n, lt_role side)
{
    side_state *st = &n->side[side];
    cert_story_flush(n, side);
    release_held(n, side);
    release_later(n, side);
    finished_verdict(n, side, NULL);
    for (int i = 0; i < st->ndeferred; i++) {
        emit_text(n, side, st->phase, st->deferred[i]);
    }
    st->ndeferred = 0;
}

void narrate_flush(narrator *n)
{
    pthread_mutex_lock(&n->mu);
    side_flush(n, LT_ROLE_CLIENT);
    side_flush(n, LT_ROLE_SERVER);
    if (n->both_sides && n->nlines > 0) {
        qsort(n->lines, n->nlines, sizeof n->lines[0], line_cmp);
        int last = 0;
        for (size_t i = 0; i < n->nlines; i++) {
            if (n->lines[i].phase != last) {
                last = n->lines[i].phase;
                print_header(n, last);
            }
            fprintf(n->out, "%s%s\n", side_prefix(n, n->lines[i].side), n->lines[i].text);
        }
        free_lines(n);
    }
    fflush(n->out);
    pthread_mutex_unlock(&n->mu);
}

narrator *narrator_new(FILE *out, int show_secrets, int both_sides)
{
    narrator *n = calloc(1, sizeof *n);
    if (n == NULL) {
        return NULL;
    }
    n->out = out;
    n->show_secrets = show_secrets;
    n->both_sides = both_sides;
    pthread_mutex_init(&n->mu, NULL);
    return n;
}

void narrator_reset(narrator *n)
{
    pthread_mutex_lock(&n->mu);
    free_lines(n);
    memset(n->side, 0, sizeof n->side);
    n->printed_phase = 0;
    n->told_master_any = 0;
    n->told_keyblock_any = 0;
    n->told_groups = 0;
    n->told_secrecy = 0;
    n->ecdhe = 0;
    /* The TLS 1.3 fields are the last of the struct. */
    memset(&n->tls13, 0, sizeof *n - offsetof(narrator, tls13));
    pthread_mutex_unlock(&n->mu);
}

void narrator_free(narrator *n)
{
    if (n == NULL) {
        return;
    }
    free_lines(n);
    free(n->lines);
    pthread_mutex_destroy(&n->mu);
    free(n);
}
