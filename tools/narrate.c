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
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_LEN 2048
/* Room for a value in full hex: a 4096-bit RSA ciphertext is 1024 digits. */
#define VALUE_LEN 1040
#define SHORT_HEX_BYTES 8

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
#define MAX_DEFERRED 2

/* Bob computes the ECDHE shared secret as soon as Alice's ServerKeyExchange
 * is verified, before her ServerHelloDone; the story tells it with his
 * ClientKeyExchange, after her flight is over. */
#define MAX_HELD 4

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
} side_state;

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

/* ---- output ---------------------------------------------------------------- */

static void print_header(narrator *n, int phase)
{
    if (phase >= 1 && phase <= NARR_PHASE_CLOSE) {
        fprintf(n->out, "\n%s\n", n->ecdhe ? PHASE_TITLE_ECDHE[phase] : PHASE_TITLE_RSA[phase]);
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
    const char *paren = strchr(covers, '(');
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
        {"the client", "Bob", "Bob"}, {"the server", "Alice", "Alice"},
        {"our ", "her ", "his "},     {"we sign ", "she signs ", "he signs "},
        {"we ", "she ", "he "},       {"both sides", "both", "both"},
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
    emit(n, side, NARR_PHASE_CERT, "%s checks %s's certificate: %s", who(side), who(other(side)), cs->text);
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
    if (subject == NULL) {
        emit(n, side, NARR_PHASE_CERT,
             "%s -> %s  Certificate (%s): her chain, %s certificate%s; the first carries her public key", who(sender),
             who(other(sender)), rfc_or(ev, "RFC 5246 7.4.2"), count, plural);
        return;
    }
    char subj[256], iss[256];
    common_name(subject, subj, sizeof subj);
    common_name(ftext(ev, "leaf_issuer"), iss, sizeof iss);
    emit(n, side, NARR_PHASE_CERT,
         "%s -> %s  Certificate (%s): her chain, %s certificate%s: '%s' (her public key), signed by CA '%s'",
         who(sender), who(other(sender)), rfc_or(ev, "RFC 5246 7.4.2"), count, plural, subj, iss);
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
    /* With both sides present, the decisions are Alice's to tell: Bob only
     * learns them from her ServerHello. */
    if (n->both_sides && side == LT_ROLE_CLIENT) {
        return;
    }
    char story[LINE_MAX_LEN];
    const char *why = NULL;
    if (ev->detail != NULL) {
        storify(ev->detail, side, story, sizeof story);
        why = story;
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
    const char *ek = enc_key(sender);
    const char *mk = mac_key(sender);
    switch (scheme) {
    case PROT_AEAD:
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
    /* Records before ChangeCipherSpec travel in the clear: nothing to tell. */
    if (prot == NULL || strstr(prot, "none") != NULL || strstr(prot, "NULL") != NULL) {
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
     * the record after the message (see side_state.deferred). */
    int defer = strcmp(type, "alert") == 0 || (sent && strcmp(type, "handshake") == 0);
    record_line(n, side, record_phase(n, side, type), defer, line);
    if (!n->side[side].told_protection) {
        n->side[side].told_protection = 1;
        snprintf(line, sizeof line, "      (protection: %s)", prot);
        record_line(n, side, record_phase(n, side, type), defer, line);
    }
}

static void on_ccs(narrator *n, lt_role side, const lt_event *ev, const lt_conn *conn)
{
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
    if (strcmp(name, "close_notify") == 0) {
        n->side[side].phase = NARR_PHASE_CLOSE;
        if (sent || !n->both_sides) {
            emit(n, side, NARR_PHASE_CLOSE, "%s -> %s  alert close_notify (%s): %s will send nothing more", who(sender),
                 who(other(sender)), rfc_or(ev, "RFC 5246 7.2.1"), who(sender));
        }
        return;
    }
    emit(n, side, n->side[side].phase, "%s -> %s  %s alert %s (%s)%s%s", who(sender), who(other(sender)), level, name,
         rfc_or(ev, "RFC 5246 7.2.2"), ev->detail ? ": " : "", ev->detail ? ev->detail : "");
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
    int ph = is_held_pms(side, ev) ? 0 : phase_of(ev);
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
