/* The handshake page of `lucidtls server --www` (www_page.h). */
#define _GNU_SOURCE /* open_memstream */
#include "www_page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common.h"
#include "narrate.h"
#include "trace_json.h"

/* The most fields an event carries (the ClientHello has 11). */
#define REC_MAX_FIELDS 16
/* Record rows on the page: the handshake's and the first few after it. */
#define PAGE_MAX_RECORD_ROWS 40
/* The whole response. The page of a handshake is about 35 KiB. */
#define PAGE_LIMIT (1024 * 1024)

/* One event, copied into one allocation: its fields, then their strings
 * and public bytes. A secret's bytes are never copied (the page never shows
 * them, whatever --show-secrets says). */
typedef struct rec_event {
    lt_event_kind kind;
    lt_role side;
    const char *what, *rfc, *detail;
    size_t nfields;
    lt_field fields[]; /* nfields of them, then the bytes they point to */
} rec_event;

struct www_page {
    rec_event *ev[WWW_PAGE_MAX_EVENTS];
    size_t n;
    size_t bytes;
    size_t dropped; /* events past the bounds */
};

www_page *www_page_new(void)
{
    return calloc(1, sizeof(www_page));
}

void www_page_free(www_page *p)
{
    if (p == NULL) {
        return;
    }
    for (size_t i = 0; i < p->n; i++) {
        free(p->ev[i]);
    }
    free(p);
}

/* ---- recording ------------------------------------------------------------ */

static size_t str_size(const char *s)
{
    return s != NULL ? strlen(s) + 1 : 0;
}

/* Copies s to *cur; NULL stays NULL. */
static const char *put_str(char **cur, const char *s)
{
    if (s == NULL) {
        return NULL;
    }
    size_t n = strlen(s) + 1;
    memcpy(*cur, s, n);
    const char *r = *cur;
    *cur += n;
    return r;
}

static int kept_bytes(const lt_field *f)
{
    return f->bytes != NULL && !f->is_secret;
}

void www_page_record(www_page *p, const lt_conn *conn, const lt_event *ev)
{
    size_t nf = ev->nfields < REC_MAX_FIELDS ? ev->nfields : REC_MAX_FIELDS;
    size_t size =
        sizeof(rec_event) + nf * sizeof(lt_field) + str_size(ev->what) + str_size(ev->rfc) + str_size(ev->detail);
    for (size_t i = 0; i < nf; i++) {
        const lt_field *f = &ev->fields[i];
        size += str_size(f->name) + (f->is_secret ? 0 : str_size(f->text)) + (kept_bytes(f) ? f->len : 0);
    }
    if (p->n == WWW_PAGE_MAX_EVENTS || p->bytes + size > WWW_PAGE_MAX_BYTES) {
        p->dropped++;
        return;
    }
    rec_event *r = malloc(size);
    if (r == NULL) {
        p->dropped++;
        return;
    }
    char *cur = (char *)&r->fields[nf];
    r->kind = ev->kind;
    r->side = lt_conn_role(conn);
    r->what = put_str(&cur, ev->what);
    r->rfc = put_str(&cur, ev->rfc);
    r->detail = put_str(&cur, ev->detail);
    r->nfields = nf;
    for (size_t i = 0; i < nf; i++) {
        const lt_field *f = &ev->fields[i];
        lt_field *g = &r->fields[i];
        g->name = put_str(&cur, f->name);
        g->text = f->is_secret ? NULL : put_str(&cur, f->text);
        g->len = f->len;
        g->is_secret = f->is_secret;
        g->bytes = NULL;
        if (kept_bytes(f)) {
            memcpy(cur, f->bytes, f->len);
            g->bytes = (const uint8_t *)cur;
            cur += f->len;
        }
    }
    p->ev[p->n++] = r;
    p->bytes += size;
}

static lt_event as_event(const rec_event *r)
{
    lt_event ev = {r->kind, r->what, r->rfc, r->detail, r->fields, r->nfields};
    return ev;
}

static const lt_field *find_field(const rec_event *r, const char *name)
{
    for (size_t i = 0; i < r->nfields; i++) {
        if (strcmp(r->fields[i].name, name) == 0) {
            return &r->fields[i];
        }
    }
    return NULL;
}

static const char *field_text(const rec_event *r, const char *name)
{
    const lt_field *f = find_field(r, name);
    return f != NULL ? f->text : NULL;
}

static int is(const rec_event *r, lt_event_kind kind, const char *what)
{
    return r->kind == kind && r->what != NULL && strcmp(r->what, what) == 0;
}

/* ---- HTML pieces ---------------------------------------------------------- */

static void h_text(tool_str *o, const char *t)
{
    tool_str_html(o, t != NULL ? t : "");
}

/* The IANA names of code points browsers offer that lucidtls does not
 * implement (the trace shows them as hex): the page names them. */
static const char *unimplemented_name(const char *list, const char *item)
{
    static const struct {
        const char *list;
        const char *hex;
        const char *name;
    } NAMES[] = {
        {"cipher_suites", "0x009e", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"},
        {"cipher_suites", "0x009f", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"},
        {"cipher_suites", "0xccaa", "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
        {"cipher_suites", "0x0067", "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256"},
        {"cipher_suites", "0x006b", "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256"},
        {"cipher_suites", "0x0033", "TLS_DHE_RSA_WITH_AES_128_CBC_SHA"},
        {"cipher_suites", "0x0039", "TLS_DHE_RSA_WITH_AES_256_CBC_SHA"},
        {"cipher_suites", "0x000a", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
        {"cipher_suites", "0x00ff", "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"},
        {"cipher_suites", "0x5600", "TLS_FALLBACK_SCSV"},
        {"groups", "0x001e", "x448"},
        {"groups", "0x0019", "secp521r1"},
        {"groups", "0x0100", "ffdhe2048"},
        {"groups", "0x0101", "ffdhe3072"},
        {"groups", "0x0102", "ffdhe4096"},
        {"groups", "0x0103", "ffdhe6144"},
        {"groups", "0x0104", "ffdhe8192"},
        {"groups", "0x11ec", "X25519MLKEM768"},
        {"groups", "0x6399", "X25519Kyber768Draft00"},
        {"signature_algorithms", "0x0807", "ed25519"},
        {"signature_algorithms", "0x0808", "ed448"},
        {"signature_algorithms", "0x0809", "rsa_pss_pss_sha256"},
        {"signature_algorithms", "0x080a", "rsa_pss_pss_sha384"},
        {"signature_algorithms", "0x080b", "rsa_pss_pss_sha512"},
        {"signature_algorithms", "0x0603", "ecdsa_secp521r1_sha512"},
        {"signature_algorithms", "0x0201", "rsa_pkcs1_sha1"},
        {"signature_algorithms", "0x0203", "ecdsa_sha1"},
        {"signature_algorithms", "0x0301", "rsa_pkcs1_sha224"},
        {"signature_algorithms", "0x0303", "ecdsa_sha224"},
        {"signature_algorithms", "0x0302", "dsa_sha224"},
        {"signature_algorithms", "0x0402", "dsa_sha256"},
        {"signature_algorithms", "0x0502", "dsa_sha384"},
        {"signature_algorithms", "0x0602", "dsa_sha512"},
        {"signature_algorithms", "0x0202", "dsa_sha1"},
        {"signature_algorithms", "0x0904", "mldsa44"},
        {"signature_algorithms", "0x0905", "mldsa65"},
        {"signature_algorithms", "0x0906", "mldsa87"},
    };
    const char *hex = strncmp(item, "SCSV(", 5) == 0 ? item + 5 : item;
    if (strcmp(list, "key_shares") == 0) {
        list = "groups"; /* "0x11ec (1216 bytes)": a group's share */
    }
    for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++) {
        if (strcmp(NAMES[i].list, list) == 0 && strncmp(NAMES[i].hex, hex, 6) == 0) {
            return NAMES[i].name;
        }
    }
    return NULL;
}

/* The next item of a `sep`-separated list at *p, copied (cut to cap) into
 * item; 0 when the list is done. */
static int next_item(const char **p, const char *sep, char *item, size_t cap)
{
    if (*p == NULL) {
        return 0;
    }
    const char *next = strstr(*p, sep);
    size_t n = next != NULL ? (size_t)(next - *p) : strlen(*p);
    snprintf(item, cap, "%.*s", (int)(n < cap ? n : cap - 1), *p);
    *p = next != NULL ? next + strlen(sep) : NULL;
    return 1;
}

/* One item of an offered list, GREASE marked, a code point lucidtls does
 * not implement named. */
static void h_item(tool_str *o, const char *field, const char *item)
{
    if (strncmp(item, "GREASE(", 7) == 0) {
        tool_str_add(o, "<li class=grease title=\"GREASE (RFC 8701): a made-up value we must pass over\">");
        h_text(o, item);
        tool_str_add(o, " <mark>GREASE</mark></li>");
        return;
    }
    const char *unimpl = unimplemented_name(field, item);
    tool_str_add(o, "<li>");
    if (unimpl != NULL) {
        h_text(o, unimpl);
        tool_str_add(o, " <span class=unimpl>");
        h_text(o, item);
        tool_str_add(o, ", not in lucidtls</span>");
    } else {
        h_text(o, item);
    }
    tool_str_add(o, "</li>");
}

/* A list of names ("a, b, GREASE(0x0a0a)") as inline items; `field` is the
 * ClientHello field it came from. */
static void h_list(tool_str *o, const char *field, const char *list)
{
    if (list == NULL || list[0] == '\0') {
        tool_str_add(o, "<span class=none>(none)</span>");
        return;
    }
    tool_str_add(o, "<ol class=items>");
    char item[512];
    for (const char *p = list; next_item(&p, ", ", item, sizeof item);) {
        h_item(o, field, item);
    }
    tool_str_add(o, "</ol>");
}

/* A chain's text ("1. SUBJECT (issued by ISSUER); 2. ...") as a list. */
static void h_chain(tool_str *o, const char *chain)
{
    tool_str_add(o, "<ul class=chain>");
    char item[600];
    for (const char *p = chain; next_item(&p, "; ", item, sizeof item);) {
        tool_str_add(o, "<li>");
        h_text(o, item);
        tool_str_add(o, "</li>");
    }
    tool_str_add(o, "</ul>");
}

static void h_hex(tool_str *o, const uint8_t *b, size_t n)
{
    tool_str_add(o, "<code class=hex>");
    tool_str_hex(o, b, n);
    tool_str_add(o, "</code>");
}

/* A field's value: its text, its public bytes in hex, or for a secret
 * only that it is hidden and how long it is. */
static void h_value(tool_str *o, const lt_field *f)
{
    if (f->is_secret) {
        tool_str_addf(o, "<span class=secret>secret, hidden (%zu bytes)</span>", f->len);
        return;
    }
    if (f->text != NULL) {
        h_text(o, f->text);
    }
    if (f->bytes != NULL) {
        if (f->text != NULL) {
            tool_str_add(o, " ");
        }
        h_hex(o, f->bytes, f->len);
        tool_str_addf(o, " <span class=len>(%zu bytes)</span>", f->len);
    } else if (f->text == NULL) {
        tool_str_addf(o, "<span class=len>%zu bytes</span>", f->len);
    }
}

static void h_rfc(tool_str *o, const char *rfc)
{
    if (rfc != NULL) {
        tool_str_add(o, "<span class=rfc>");
        h_text(o, rfc);
        tool_str_add(o, "</span>");
    }
}

/* Every field of an event as rows of a table (but `skip`, shown already). */
static void h_fields(tool_str *o, const rec_event *r, const char *skip)
{
    tool_str_add(o, "<table class=fields>");
    for (size_t i = 0; i < r->nfields; i++) {
        if (skip != NULL && strcmp(r->fields[i].name, skip) == 0) {
            continue;
        }
        tool_str_add(o, "<tr><th>");
        h_text(o, r->fields[i].name);
        tool_str_add(o, "</th><td>");
        h_value(o, &r->fields[i]);
        tool_str_add(o, "</td></tr>");
    }
    tool_str_add(o, "</table>");
}

static void h_section(tool_str *o, const char *id, const char *title, const char *intro)
{
    tool_str_addf(o, "<section id=%s><h2>%s</h2><p class=intro>", id, title);
    tool_str_add(o, intro);
    tool_str_add(o, "</p>");
}

/* ---- the sections ---------------------------------------------------------- */

/* Fields of the ClientHello shown as lists, and their separators. */
static const struct {
    const char *name;
    const char *label;
} OFFER_LISTS[] = {
    {"supported_versions", "Versions (supported_versions, RFC 8446 4.2.1)"},
    {"cipher_suites", "Cipher suites, in the client's order"},
    {"groups", "Groups (supported_groups)"},
    {"key_shares", "Key shares (key_share, RFC 8446 4.2.8)"},
    {"signature_algorithms", "Signature schemes (signature_algorithms)"},
    {"extensions_in_order", "Extensions, in the order sent"},
};

static void section_offer(tool_str *o, const www_page *p)
{
    h_section(o, "offer", "1. The offer: Bob's ClientHello",
              "Bob (your browser) opens with a ClientHello: the versions, cipher suites, groups and key "
              "shares, and signature schemes he can use, and his random nonce. Values marked GREASE "
              "(RFC 8701) are made up on purpose, so that servers learn to pass over what they do not know.");
    int n = 0;
    for (size_t i = 0; i < p->n; i++) {
        const rec_event *r = p->ev[i];
        if (!is(r, LT_EV_MSG_RECV, "ClientHello")) {
            continue;
        }
        n++;
        tool_str_addf(o, "<h3>%s <span class=rfc>", n == 1 ? "ClientHello" : "ClientHello, again");
        h_text(o, r->rfc);
        tool_str_add(o, "</span></h3><table class=offer>");
        static const char *const plain[] = {"client_version", "server_name", "random", "session_id"};
        for (size_t k = 0; k < sizeof plain / sizeof plain[0]; k++) {
            const lt_field *f = find_field(r, plain[k]);
            if (f != NULL) {
                tool_str_add(o, "<tr><th>");
                h_text(o, f->name);
                tool_str_add(o, "</th><td>");
                h_value(o, f);
                tool_str_add(o, "</td></tr>");
            }
        }
        for (size_t k = 0; k < sizeof OFFER_LISTS / sizeof OFFER_LISTS[0]; k++) {
            tool_str_addf(o, "<tr class=%s><th>%s</th><td>", OFFER_LISTS[k].name, OFFER_LISTS[k].label);
            const char *t = field_text(r, OFFER_LISTS[k].name);
            h_list(o, OFFER_LISTS[k].name, t != NULL && strcmp(t, "(none)") != 0 ? t : "");
            tool_str_add(o, "</td></tr>");
        }
        tool_str_add(o, "</table>");
    }
    if (n == 0) {
        tool_str_add(o, "<p>(no ClientHello was recorded)</p>");
    }
    tool_str_add(o, "</section>");
}

static void section_choices(tool_str *o, const www_page *p)
{
    h_section(o, "choices", "2. The choices: what Alice chose, and why",
              "Alice (this server) answers with a ServerHello. Each choice below is hers, made from Bob's offer "
              "and her own preferences, with the reason and the RFC section it follows.");
    tool_str_add(o, "<table class=choices><tr><th>choice</th><th>chosen</th><th>why</th><th>RFC</th></tr>");
    for (size_t i = 0; i < p->n; i++) {
        const rec_event *r = p->ev[i];
        if (r->kind != LT_EV_CHOICE) {
            continue;
        }
        tool_str_add(o, "<tr><td class=what>");
        h_text(o, r->what);
        tool_str_add(o, "</td><td class=chosen>");
        lt_event ev = as_event(r);
        const char *c = trace_json_choice_outcome(&ev);
        if (c != NULL) {
            h_text(o, c);
        } else {
            for (size_t k = 0; k < r->nfields; k++) {
                tool_str_add(o, k ? "<br>" : "");
                h_text(o, r->fields[k].name);
                tool_str_add(o, ": ");
                h_value(o, &r->fields[k]);
            }
        }
        tool_str_add(o, "</td><td>");
        h_text(o, r->detail);
        tool_str_add(o, "</td><td>");
        h_rfc(o, r->rfc);
        tool_str_add(o, "</td></tr>");
    }
    tool_str_add(o, "</table></section>");
}

static void section_identity(tool_str *o, const www_page *p)
{
    h_section(o, "identity", "3. The proof of identity",
              "Alice sends her certificate chain, leaf first; Bob checks it up to a CA he trusts and that it "
              "names the host he asked for. Then she proves she holds the leaf's private key: by signing her "
              "key share (TLS 1.2 ServerKeyExchange) or the transcript (TLS 1.3 CertificateVerify), or, with "
              "RSA key transport, by being able to decrypt the pre-master secret.");
    for (size_t i = 0; i < p->n; i++) {
        const rec_event *r = p->ev[i];
        int sent = r->kind == LT_EV_MSG_SENT;
        if ((r->kind == LT_EV_MSG_SENT || r->kind == LT_EV_MSG_RECV) &&
            (strcmp(r->what, "Certificate") == 0 || strcmp(r->what, "CertificateVerify") == 0 ||
             strcmp(r->what, "ServerKeyExchange") == 0 || strcmp(r->what, "CertificateRequest") == 0)) {
            tool_str_addf(o, "<h3>%s %s ", sent ? "Alice sends" : "Bob sends", r->what);
            h_rfc(o, r->rfc);
            tool_str_add(o, "</h3>");
            const char *chain = strcmp(r->what, "Certificate") == 0 ? field_text(r, "chain") : NULL;
            if (chain != NULL && chain[0] != '\0') {
                h_chain(o, chain);
            }
            h_fields(o, r, chain != NULL ? "chain" : NULL);
        } else if (r->kind == LT_EV_CERT_CHECK) {
            tool_str_add(o, "<h3>Alice checks Bob's certificate: ");
            h_text(o, r->what);
            tool_str_add(o, "</h3>");
            h_fields(o, r, NULL);
        }
    }
    tool_str_add(o, "</section>");
}

static int is_finished_key(const rec_event *r)
{
    return r->kind == LT_EV_KEY_DERIVE &&
           (strcmp(r->what, "client_finished") == 0 || strcmp(r->what, "server_finished") == 0);
}

static void section_keys(tool_str *o, const www_page *p)
{
    h_section(o, "keys", "4. The keys",
              "From the shared secret (the pre-master secret, or the (EC)DHE secret of the key shares) and "
              "both nonces, each side derives the same secrets and keys, never sent. Each step below is "
              "named with its label and its length; the secrets themselves stay hidden, here always.");
    for (size_t i = 0; i < p->n; i++) {
        const rec_event *r = p->ev[i];
        if (r->kind != LT_EV_KEY_DERIVE || is_finished_key(r)) {
            continue;
        }
        tool_str_add(o, "<div class=step><h3>");
        h_text(o, r->what);
        tool_str_add(o, " ");
        h_rfc(o, r->rfc);
        tool_str_add(o, "</h3>");
        if (r->detail != NULL) {
            tool_str_add(o, "<p>");
            h_text(o, r->detail);
            tool_str_add(o, "</p>");
        }
        h_fields(o, r, NULL);
        tool_str_add(o, "</div>");
    }
    tool_str_add(o, "</section>");
}

static void section_macs(tool_str *o, const www_page *p)
{
    h_section(o, "macs", "5. The MACs: what each Finished covered",
              "Each side ends its flight with a Finished message: a MAC, keyed from the secrets, over the hash "
              "of every handshake message so far. It proves that both saw the same conversation and hold the "
              "same keys; a single changed byte anywhere makes it fail.");
    for (size_t i = 0; i < p->n; i++) {
        const rec_event *r = p->ev[i];
        if (is_finished_key(r) ||
            ((r->kind == LT_EV_MSG_RECV || r->kind == LT_EV_MSG_SENT) && strcmp(r->what, "Finished") == 0)) {
            int bobs = strcmp(r->what, "client_finished") == 0 ||
                       (strcmp(r->what, "Finished") == 0 && r->kind == LT_EV_MSG_RECV);
            tool_str_addf(o, "<h3>%s %s ", bobs ? "Bob's" : "Alice's",
                          r->kind == LT_EV_KEY_DERIVE ? "Finished MAC" : "Finished message");
            h_rfc(o, r->rfc);
            tool_str_add(o, "</h3>");
            h_fields(o, r, NULL);
        }
    }
    tool_str_add(o, "</section>");
}

static void section_records(tool_str *o, const www_page *p)
{
    h_section(o, "records", "6. The records",
              "Everything travels in records. Until the keys are in place a record is sent in the clear; after "
              "that each one is sealed: encrypted and authenticated with the keys above and its sequence "
              "number.");
    tool_str_add(o, "<table class=records><tr><th>direction</th><th>content</th><th>seq</th><th>plaintext</th>"
                    "<th>record</th><th>protection</th></tr>");
    int rows = 0;
    for (size_t i = 0; i < p->n && rows < PAGE_MAX_RECORD_ROWS; i++) {
        const rec_event *r = p->ev[i];
        if (r->kind != LT_EV_RECORD_PROTECT && r->kind != LT_EV_RECORD_UNPROTECT) {
            continue;
        }
        rows++;
        tool_str_addf(o, "<tr><td>%s</td><td>",
                      r->kind == LT_EV_RECORD_PROTECT ? "Alice &rarr; Bob" : "Bob &rarr; Alice");
        h_text(o, r->what);
        static const char *const cols[] = {"seq", "plaintext_length", "record_length", "protection"};
        for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++) {
            tool_str_add(o, "</td><td>");
            h_text(o, field_text(r, cols[k]));
        }
        tool_str_add(o, "</td></tr>");
    }
    tool_str_add(o, "</table></section>");
}

/* The story explain mode tells, told again from the recorded events. */
static void section_story(tool_str *o, const www_page *p, const lt_conn *conn)
{
    h_section(o, "story", "7. The story, as explain mode tells it",
              "What <code>lucidtls server --explain</code> would have printed for your connection, step by step "
              "(secrets hidden).");
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    narrator *nar = mem != NULL ? narrator_new(mem, 0, 0) : NULL;
    if (nar != NULL) {
        for (size_t i = 0; i < p->n; i++) {
            lt_event ev = as_event(p->ev[i]);
            narrate_trace(nar, conn, &ev);
        }
        narrate_flush(nar);
        narrator_free(nar);
    }
    if (mem != NULL) {
        fclose(mem);
    }
    tool_str_add(o, "<pre class=story>");
    h_text(o, buf != NULL ? buf : "(the narration could not be made)");
    tool_str_add(o, "</pre></section>");
    free(buf);
}

static const char STYLE[] =
    "body{font-family:sans-serif;max-width:72em;margin:1em auto;padding:0 1em;color:#222;line-height:1.4}"
    "h1{font-size:1.6em}h2{border-bottom:2px solid #36c;padding-bottom:.2em;margin-top:2em}"
    "h3{font-size:1.05em;margin-bottom:.3em}.rfc{color:#666;font-weight:normal;font-size:.85em}"
    "table{border-collapse:collapse;margin:.3em 0;width:100%}th,td{border:1px solid #ccc;padding:.25em .5em;"
    "vertical-align:top;text-align:left}th{background:#f3f5fa;width:18em}table.choices th,table.records th{width:auto}"
    ".hex{font-family:monospace;font-size:.8em;word-break:break-all}.secret{color:#a33;font-style:italic}"
    "ol.items{margin:0;padding:0;list-style:none;display:flex;flex-wrap:wrap;gap:.25em}"
    "ol.items li{border:1px solid #ccd;border-radius:.3em;padding:0 .35em;background:#fafbff;font-size:.9em}"
    "ol.items li.grease{color:#666;background:#fff8d6}mark{background:#fd5;padding:0 .2em;font-size:.8em}"
    ".unimpl{color:#888;font-size:.85em}ul.chain{margin:.2em 0 .5em}"
    ".intro{color:#444}pre{background:#f6f6f6;padding:.8em;font-size:.85em;white-space:pre-wrap}"
    ".len{color:#666;font-size:.85em}.none{color:#888}";

static void page_head(tool_str *o, const lt_conn *conn, unsigned long id, const char *peer)
{
    char summary[1024], subject[256];
    tool_summary(conn, summary, sizeof summary);
    tool_peer_subject(conn, subject, sizeof subject);
    tool_str_add(o, "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
                    "<meta name=viewport content=\"width=device-width\">"
                    "<link rel=icon href=\"data:,\"><title>Your TLS handshake with lucidtls</title><style>");
    tool_str_add(o, STYLE);
    tool_str_add(o, "</style></head><body><h1>Your TLS handshake with lucidtls</h1><p>");
    tool_str_addf(o, "Connection #%lu from <b>", id);
    h_text(o, peer);
    tool_str_add(o, "</b>. In the seed's terms, <b>Bob</b> is your browser (the client) and <b>Alice</b> is "
                    "this server. Here is what each said, chose and computed, as the server saw it. "
                    "<a href=\"/handshake.json\">/handshake.json</a> has the same as JSON.</p>"
                    "<pre id=summary>");
    tool_str_addf(o, "lucidtls %s\n\n", LT_VERSION_STRING);
    h_text(o, summary);
    tool_str_add(o, "Client certificate: ");
    h_text(o, subject);
    tool_str_add(o, "</pre>");
}

void www_page_html(const www_page *p, const lt_conn *conn, unsigned long id, const char *peer, tool_str *out)
{
    tool_str body;
    tool_str_init(&body, PAGE_LIMIT);
    page_head(&body, conn, id, peer);
    section_offer(&body, p);
    section_choices(&body, p);
    section_identity(&body, p);
    section_keys(&body, p);
    section_macs(&body, p);
    section_records(&body, p);
    section_story(&body, p, conn);
    if (p->dropped > 0) {
        tool_str_addf(&body, "<p class=intro>(%zu further events were not kept: a page stays small.)</p>", p->dropped);
    }
    tool_str_add(&body, "</body></html>\n");
    /* Nothing may come from anywhere else: only the page's own inline
     * style (and the empty data: icon) are allowed. */
    tool_str_addf(out,
                  "HTTP/1.0 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %zu\r\n"
                  "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; img-src data:\r\n"
                  "Cache-Control: no-store\r\nConnection: close\r\n\r\n",
                  body.len);
    tool_str_addn(out, tool_str_cstr(&body), body.len);
    tool_str_free(&body);
}

void www_page_json(const www_page *p, const lt_conn *conn, unsigned long id, const char *peer, tool_str *out)
{
    tool_str body;
    tool_str_init(&body, PAGE_LIMIT);
    uint16_t v = lt_conn_version(conn);
    const char *suite = lt_suite_name(lt_conn_cipher_suite(conn));
    const char *sni = lt_conn_server_name(conn);
    char alpn[300], subject[256];
    size_t alpn_len = 0;
    (void)lt_conn_alpn(conn, &alpn_len);
    tool_alpn_text(conn, alpn, sizeof alpn);
    tool_peer_subject(conn, subject, sizeof subject);
    int has_cert = lt_conn_peer_cert_count(conn) > 0;
    const char *group = NULL;
    for (size_t i = 0; i < p->n; i++) {
        if (is(p->ev[i], LT_EV_CHOICE, "group")) {
            group = field_text(p->ev[i], "chosen");
        }
    }
    tool_str_addf(&body, "{\"v\":%d,\"summary\":{\"conn\":%lu,\"peer\":", TRACE_JSON_VERSION, id);
    tool_str_json_string(&body, peer);
    tool_str_add(&body, ",\"version\":");
    tool_str_json_string(&body, v == LT_TLS1_3 ? "TLS 1.3" : v == LT_TLS1_2 ? "TLS 1.2" : "unknown");
    tool_str_add(&body, ",\"cipher_suite\":");
    tool_str_json_string(&body, suite);
    tool_str_add(&body, ",\"group\":");
    tool_str_json_string(&body, group);
    tool_str_add(&body, ",\"server_name\":");
    tool_str_json_string(&body, sni != NULL && sni[0] != '\0' ? sni : NULL);
    tool_str_add(&body, ",\"alpn\":");
    tool_str_json_string(&body, alpn_len > 0 ? alpn : NULL);
    tool_str_addf(&body, ",\"resumed\":%s,\"client_certificate\":", lt_conn_resumed(conn) ? "true" : "false");
    tool_str_json_string(&body, has_cert ? subject : NULL);
    tool_str_addf(&body, ",\"events_left_out\":%zu},\"events\":[", p->dropped);
    for (size_t i = 0; i < p->n; i++) {
        lt_event ev = as_event(p->ev[i]);
        tool_str_add(&body, i ? ",\n" : "\n");
        trace_json_event(&body, id, i + 1, p->ev[i]->side, &ev);
    }
    tool_str_add(&body, "\n]}\n");
    tool_str_addf(out,
                  "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                  "Cache-Control: no-store\r\nConnection: close\r\n\r\n",
                  body.len);
    tool_str_addn(out, tool_str_cstr(&body), body.len);
    tool_str_free(&body);
}
