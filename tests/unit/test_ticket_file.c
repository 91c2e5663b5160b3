/*
 * Ticket keys from a file (src/crypto/ticket_file.c, ticket.c;
 * lt_config_set_ticket_key_file): the parser on good and bad files, the
 * mode check, reloading when the file changes (at most once per
 * LT_TICKET_KEY_RECHECK_S), a damaged file keeping the old keys, no
 * rotation by time, and through whole handshakes: two server configs that
 * share a file resume each other's sessions, before and after a rotation,
 * and a ticket whose key has left the file gets a full handshake.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/ticket.h"
#include "pair.h"
#include "test.h"

#define T0 5000000u

static char g_dir[64];

/* Key number `seed`: name 16 bytes of seed, secret 32 bytes of seed ^ 0x5a. */
static void key_hex(unsigned seed, char out[LT_TICKET_FILE_LINE_LEN + 1])
{
    for (int i = 0; i < LT_TICKET_FILE_LINE_LEN / 2; i++) {
        unsigned b = i < LT_TICKET_KEY_NAME_LEN ? seed : (seed ^ 0x5a) + (unsigned)i;
        snprintf(out + 2 * i, 3, "%02x", b & 0xff);
    }
}

static void key_name(unsigned seed, uint8_t name[LT_TICKET_KEY_NAME_LEN])
{
    memset(name, (int)(seed & 0xff), LT_TICKET_KEY_NAME_LEN);
}

static const char *path_of(const char *name)
{
    static char buf[128];
    snprintf(buf, sizeof buf, "%s/%s", g_dir, name);
    return buf;
}

/* Writes text to path with this mode, atomically (a temporary file, then
 * rename: a new inode, as `lucidtls ticket-keys` does). */
static void write_file(const char *path, const char *text, mode_t mode)
{
    char tmp[160];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    EXPECT(f != NULL);
    if (f == NULL) {
        return;
    }
    fputs(text, f);
    fclose(f);
    EXPECT_EQ(chmod(tmp, mode), 0);
    EXPECT_EQ(rename(tmp, path), 0);
}

/* A file of the keys seeds[0..n), newest first, with a comment on top. */
static void write_keys(const char *path, const unsigned *seeds, size_t n)
{
    char text[1024] = "# lucidtls ticket keys, newest first\n";
    for (size_t i = 0; i < n; i++) {
        char line[LT_TICKET_FILE_LINE_LEN + 1];
        key_hex(seeds[i], line);
        strcat(text, line);
        strcat(text, "\n");
    }
    write_file(path, text, 0600);
}

static int parse(const char *text, lt_ticket_file_keys *k, char *err)
{
    memset(k, 0xAA, sizeof *k);
    err[0] = '\0';
    return lt_ticket_file_parse(text, strlen(text), k, err, 200);
}

static int all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        if (b[i] != 0) {
            return 0;
        }
    }
    return 1;
}

/* ---- the parser ---- */

static void test_parse_good_file(void)
{
    char k1[LT_TICKET_FILE_LINE_LEN + 1], k2[LT_TICKET_FILE_LINE_LEN + 1], text[512];
    key_hex(1, k1);
    key_hex(2, k2);
    /* upper-case digits, blanks around, CR LF, comments, blank lines, no
     * newline at the end */
    for (char *c = k2; *c; c++) {
        *c = (char)(*c >= 'a' && *c <= 'f' ? *c - 32 : *c);
    }
    snprintf(text, sizeof text, "# comment\n\n  \t%s \r\n   # indented comment\n\t\n%s", k1, k2);
    lt_ticket_file_keys k;
    char err[200];
    EXPECT_EQ(parse(text, &k, err), LT_OK);
    EXPECT_EQ(k.n, 2);
    uint8_t name[LT_TICKET_KEY_NAME_LEN];
    key_name(1, name);
    EXPECT_MEM(k.key[0].name, name, sizeof name);
    key_name(2, name);
    EXPECT_MEM(k.key[1].name, name, sizeof name);
    EXPECT_EQ(k.key[0].secret[0], (uint8_t)((1 ^ 0x5a) + 16));
    EXPECT_EQ(k.key[1].secret[31], (uint8_t)((2 ^ 0x5a) + 47));
    /* exactly four keys is fine */
    char four[512] = "";
    for (unsigned i = 1; i <= 4; i++) {
        key_hex(i, k1);
        strcat(four, k1);
        strcat(four, "\n");
    }
    EXPECT_EQ(parse(four, &k, err), LT_OK);
    EXPECT_EQ(k.n, 4);
}

/* Every refusal: LT_ERR_CONFIG, a line naming where, the output wiped, and
 * no key material in the message. */
static void expect_refused(const char *text, size_t len, const char *want_in_err)
{
    lt_ticket_file_keys k;
    char err[200] = "";
    memset(&k, 0xAA, sizeof k);
    EXPECT_EQ(lt_ticket_file_parse(text, len, &k, err, sizeof err), LT_ERR_CONFIG);
    EXPECT(all_zero(&k, sizeof k));
    if (strstr(err, want_in_err) == NULL) {
        fprintf(stderr, "  error was '%s', wanted '%s' in it\n", err, want_in_err);
        EXPECT(0);
    }
    EXPECT(strstr(err, "5a5a") == NULL && strstr(err, "0101010101") == NULL);
}

static void test_parse_bad_files(void)
{
    char k[LT_TICKET_FILE_LINE_LEN + 1], text[2048];

    /* too many keys */
    text[0] = '\0';
    for (unsigned i = 1; i <= 5; i++) {
        key_hex(i, k);
        strcat(text, k);
        strcat(text, "\n");
    }
    expect_refused(text, strlen(text), "line 5: more than 4 keys");

    /* bad hex, at column 11 of line 2 */
    key_hex(1, k);
    k[10] = 'g';
    snprintf(text, sizeof text, "# x\n%s\n", k);
    expect_refused(text, strlen(text), "line 2, column 11: not a hex digit");

    /* a short line, a long line, a key with a space inside */
    key_hex(1, k);
    snprintf(text, sizeof text, "%.*s\n", LT_TICKET_FILE_LINE_LEN - 1, k);
    expect_refused(text, strlen(text), "line 1: a key is 96 hex digits");
    snprintf(text, sizeof text, "%s0\n", k);
    expect_refused(text, strlen(text), "this line has 97");
    snprintf(text, sizeof text, "%.40s %s\n", k, k + 40);
    expect_refused(text, strlen(text), "this line has 97");

    /* a trailing comment on a key line is not a comment */
    snprintf(text, sizeof text, "%s # newest\n", k);
    expect_refused(text, strlen(text), "line 1: a key is 96");

    /* comments only, empty */
    expect_refused("# nothing\n\n", 11, "no key in the file");
    expect_refused("", 0, "no key in the file");

    /* two keys of one name */
    char k2[LT_TICKET_FILE_LINE_LEN + 1];
    key_hex(1, k2);
    k2[95] = k2[95] == '0' ? '1' : '0'; /* same name, other secret */
    snprintf(text, sizeof text, "%s\n%s\n", k, k2);
    expect_refused(text, strlen(text), "line 2: the same key name as key 1");

    /* a NUL byte in a key line */
    snprintf(text, sizeof text, "%s\n", k);
    text[20] = '\0';
    expect_refused(text, LT_TICKET_FILE_LINE_LEN + 1, "line 1, column 21: not a hex digit");

    /* larger than the bound */
    char *big = malloc(LT_TICKET_FILE_MAX + 2);
    memset(big, '#', LT_TICKET_FILE_MAX + 1);
    expect_refused(big, LT_TICKET_FILE_MAX + 1, "at most 16384");
    free(big);
}

/* ---- files ---- */

static void test_file_checks(void)
{
    unsigned seeds[] = {1};
    char err[256], p[128], missing[128];
    snprintf(p, sizeof p, "%s", path_of("mode.keys"));
    snprintf(missing, sizeof missing, "%s", path_of("missing.keys"));
    write_keys(p, seeds, 1);
    lt_ticket_keys *k = lt_ticket_keys_from_file(p, T0, err, sizeof err);
    EXPECT(k != NULL);
    EXPECT(lt_ticket_keys_file_backed(k));
    lt_ticket_keys_free(k);

    EXPECT_EQ(chmod(p, 0640), 0); /* group-read is allowed */
    k = lt_ticket_keys_from_file(p, T0, err, sizeof err);
    EXPECT(k != NULL);
    lt_ticket_keys_free(k);

    const mode_t bad[] = {0644, 0604, 0660, 0601};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        EXPECT_EQ(chmod(p, bad[i]), 0);
        err[0] = '\0';
        EXPECT(lt_ticket_keys_from_file(p, T0, err, sizeof err) == NULL);
        EXPECT(strstr(err, "chmod 600") != NULL);
    }
    EXPECT(lt_ticket_keys_from_file(missing, T0, err, sizeof err) == NULL);
    EXPECT(strstr(err, "No such file") != NULL);
    EXPECT(lt_ticket_keys_from_file(g_dir, T0, err, sizeof err) == NULL);
    EXPECT(strstr(err, "not a regular file") != NULL);

    /* through the config: a client config refuses, a bad file is a line */
    lt_config *c = lt_config_new(LT_ROLE_CLIENT);
    EXPECT_EQ(chmod(p, 0600), 0);
    EXPECT_EQ(lt_config_set_ticket_key_file(c, p), LT_ERR_CONFIG);
    lt_config_free(c);
    lt_config *s = lt_config_new(LT_ROLE_SERVER);
    EXPECT_EQ(lt_config_set_ticket_key_file(s, missing), LT_ERR_CONFIG);
    EXPECT(strstr(lt_config_error(s), "missing.keys") != NULL);
    EXPECT_EQ(lt_config_set_ticket_key_file(s, NULL), LT_ERR_USAGE);
    EXPECT_EQ(lt_config_set_ticket_key_file(s, p), LT_OK);
    lt_config_free(s);
}

typedef struct sealed {
    uint8_t buf[64 + LT_TICKET_OVERHEAD];
    size_t len;
} sealed;

static const uint8_t PT[40] = "the session state a ticket would carry";

static void seal_at(lt_ticket_keys *k, uint64_t now, sealed *t)
{
    EXPECT_EQ(lt_ticket_seal(k, now, PT, sizeof PT, t->buf, sizeof t->buf, &t->len), LT_OK);
}

static int opens_at(lt_ticket_keys *k, uint64_t now, const sealed *t)
{
    uint8_t pt[64];
    size_t n = 0;
    return lt_ticket_open(k, now, t->buf, t->len, pt, sizeof pt, &n) == LT_OK && n == sizeof PT &&
           memcmp(pt, PT, n) == 0;
}

static int sealed_by(const sealed *t, unsigned seed)
{
    uint8_t name[LT_TICKET_KEY_NAME_LEN];
    key_name(seed, name);
    return memcmp(t->buf, name, sizeof name) == 0;
}

static void test_reload_on_change(void)
{
    const char *p = path_of("reload.keys");
    unsigned one[] = {1};
    write_keys(p, one, 1);
    lt_ticket_keys *k = lt_ticket_keys_from_file(p, T0, NULL, 0);
    EXPECT(k != NULL);
    if (k == NULL) {
        return;
    }
    sealed a, b;
    seal_at(k, T0, &a);
    EXPECT(sealed_by(&a, 1));

    /* a rotation: key 2 on top, key 1 kept */
    unsigned two[] = {2, 1};
    write_keys(p, two, 2);
    /* within the recheck interval: not seen yet */
    seal_at(k, T0, &b);
    EXPECT(sealed_by(&b, 1));
    EXPECT_EQ(lt_ticket_keys_reloads(k), 0);
    /* one interval later: reloaded, key 2 seals, the ticket of key 1 opens */
    seal_at(k, T0 + LT_TICKET_KEY_RECHECK_S, &b);
    EXPECT(sealed_by(&b, 2));
    EXPECT_EQ(lt_ticket_keys_reloads(k), 1);
    EXPECT_EQ(lt_ticket_keys_count(k), 2);
    EXPECT(opens_at(k, T0 + 2, &a));
    EXPECT(opens_at(k, T0 + 2, &b));
    /* an unchanged file is not read again */
    EXPECT(opens_at(k, T0 + 10, &a));
    EXPECT_EQ(lt_ticket_keys_reloads(k), 1);

    /* no rotation by time: ten days on, key 2 still seals, key 1 opens */
    seal_at(k, T0 + 864000, &b);
    EXPECT(sealed_by(&b, 2));
    EXPECT(opens_at(k, T0 + 864000, &a));

    /* a file rewritten in place (same inode) is seen too */
    FILE *f = fopen(p, "w");
    char line[LT_TICKET_FILE_LINE_LEN + 1];
    key_hex(3, line);
    fprintf(f, "%s\n", line);
    key_hex(2, line);
    fprintf(f, "%s\n", line);
    fclose(f);
    seal_at(k, T0 + 864001, &b);
    EXPECT(sealed_by(&b, 3));
    EXPECT_EQ(lt_ticket_keys_count(k), 2);
    /* key 1 left the file: its ticket no longer opens */
    EXPECT(!opens_at(k, T0 + 864001, &a));
    lt_ticket_keys_free(k);
}

static void test_damaged_file_keeps_old_keys(void)
{
    const char *p = path_of("damaged.keys");
    unsigned two[] = {2, 1};
    write_keys(p, two, 2);
    lt_ticket_keys *k = lt_ticket_keys_from_file(p, T0, NULL, 0);
    EXPECT(k != NULL);
    if (k == NULL) {
        return;
    }
    sealed a, b;
    seal_at(k, T0, &a);

    /* half a file (what a non-atomic writer might leave) */
    char half[LT_TICKET_FILE_LINE_LEN + 1];
    key_hex(9, half);
    half[50] = '\0';
    write_file(p, half, 0600);
    seal_at(k, T0 + 1, &b);
    EXPECT(sealed_by(&b, 2));
    EXPECT_EQ(lt_ticket_keys_count(k), 2);
    EXPECT(opens_at(k, T0 + 1, &a));
    EXPECT_EQ(lt_ticket_keys_reloads(k), 0);

    /* gone */
    EXPECT_EQ(unlink(p), 0);
    EXPECT(opens_at(k, T0 + 2, &a));
    seal_at(k, T0 + 2, &b);
    EXPECT(sealed_by(&b, 2));

    /* good keys, but world-readable: refused, old keys kept */
    unsigned three[] = {3, 2};
    write_keys(p, three, 2);
    EXPECT_EQ(chmod(p, 0644), 0);
    seal_at(k, T0 + 3, &b);
    EXPECT(sealed_by(&b, 2));
    EXPECT_EQ(lt_ticket_keys_reloads(k), 0);
    /* fixed (chmod changes ctime): loaded */
    EXPECT_EQ(chmod(p, 0600), 0);
    seal_at(k, T0 + 4, &b);
    EXPECT(sealed_by(&b, 3));
    EXPECT_EQ(lt_ticket_keys_reloads(k), 1);
    EXPECT(opens_at(k, T0 + 4, &a)); /* a was sealed by key 2, still in the file */
    lt_ticket_keys_free(k);
}

/* ---- whole handshakes: two servers sharing a file ---- */

static lt_config *server_with_file(const lt_pair *p, const char *path)
{
    lt_config *s = lt_config_new(LT_ROLE_SERVER);
    EXPECT_EQ(lt_config_set_cert_chain_pem(s, p->pki.chain_pem, strlen(p->pki.chain_pem)), LT_OK);
    EXPECT_EQ(lt_config_set_key_pem(s, p->pki.key_pem, strlen(p->pki.key_pem)), LT_OK);
    EXPECT_EQ(lt_config_set_ticket_key_file(s, path), LT_OK);
    return s;
}

static size_t take_session(lt_pair *p, uint8_t *buf, size_t cap)
{
    uint8_t b[1];
    size_t n = 0, len = 0;
    pair_pump(p);
    (void)lt_conn_read(p->client, b, sizeof b, &n);
    EXPECT_EQ(lt_conn_get_session(p->client, buf, cap, &len), LT_OK);
    return len;
}

/* A handshake with `server` (the pair's server config from now on),
 * offering sess when len > 0; returns whether both sides resumed. */
static int handshake_with(lt_pair *p, lt_config *server, const uint8_t *sess, size_t len)
{
    p->scfg = server;
    EXPECT_EQ(pair_new_conns(p), LT_OK);
    if (len > 0) {
        EXPECT_EQ(lt_conn_set_session(p->client, sess, len), LT_OK);
    }
    EXPECT_EQ(pair_handshake(p), LT_OK);
    EXPECT_EQ(lt_conn_resumed(p->client), lt_conn_resumed(p->server));
    return lt_conn_resumed(p->client);
}

static void test_fleet_handshakes(void)
{
    char path[128], other[128];
    snprintf(path, sizeof path, "%s", path_of("fleet.keys"));
    snprintf(other, sizeof other, "%s", path_of("other.keys"));
    unsigned one[] = {1}, two[] = {2, 1}, unrelated[] = {7};
    write_keys(path, one, 1);
    write_keys(other, unrelated, 1);

    lt_pair p;
    EXPECT_EQ(pair_init(&p, 0), LT_OK);
    lt_config *own = p.scfg;
    lt_config *a = server_with_file(&p, path), *b = server_with_file(&p, path), *c = server_with_file(&p, other);
    /* a lifetime change does not swap the file's keys for keys of its own */
    EXPECT_EQ(lt_config_set_tickets(b, 2, 3600), LT_OK);

    uint8_t s1[LT_SESSION_MAX_LEN], s2[LT_SESSION_MAX_LEN];
    EXPECT(!handshake_with(&p, a, NULL, 0));
    size_t n1 = take_session(&p, s1, sizeof s1);
    EXPECT(handshake_with(&p, b, s1, n1));    /* A's ticket resumes on B */
    EXPECT(!handshake_with(&p, c, s1, n1));   /* another file: full handshake */
    EXPECT(!handshake_with(&p, own, s1, n1)); /* the config's own keys: full */

    /* rotate: key 2 on top; after the recheck interval the old ticket
     * still resumes on both, and a new one from B resumes on A */
    write_keys(path, two, 2);
    usleep((LT_TICKET_KEY_RECHECK_S * 1000u + 150u) * 1000u);
    EXPECT(handshake_with(&p, a, s1, n1));
    EXPECT(handshake_with(&p, b, s1, n1));
    size_t n2 = take_session(&p, s2, sizeof s2);
    EXPECT(handshake_with(&p, a, s2, n2));

    /* key 1 leaves the file: s1's ticket (sealed by key 1) gives a full
     * handshake, s2's (key 2) still resumes */
    unsigned only2[] = {2};
    write_keys(path, only2, 1);
    usleep((LT_TICKET_KEY_RECHECK_S * 1000u + 150u) * 1000u);
    EXPECT(!handshake_with(&p, a, s1, n1));
    EXPECT(handshake_with(&p, b, s2, n2));

    /* The pair's connections use b now: pair_free frees them, then b. */
    pair_free(&p);
    lt_config_free(a);
    lt_config_free(c);
    lt_config_free(own);
}

int main(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/lt-ticket-file.XXXXXX");
    if (mkdtemp(g_dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    LT_RUN(test_parse_good_file);
    LT_RUN(test_parse_bad_files);
    LT_RUN(test_file_checks);
    LT_RUN(test_reload_on_change);
    LT_RUN(test_damaged_file_keeps_old_keys);
    LT_RUN(test_fleet_handshakes);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "could not remove %s\n", g_dir);
    }
    return lt_test_summary();
}
