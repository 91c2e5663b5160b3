/*
 * Ticket key files (ticket.h): reading one safely and parsing it.
 *
 * The file holds secrets as valuable as a private key (whoever has them
 * decrypts every session resumed under them, and forges tickets), so:
 *  - it must be a regular file that "others" cannot access at all and the
 *    group cannot write (mode & 027 == 0), checked on the descriptor read
 *    (fstat), not on the name (no check-then-open race). ssh refuses a
 *    private key file with such bits in the same way; group-read stays
 *    allowed so that a deploy user can own the file and the server's group
 *    read it.
 *  - it is read with one bounded buffer (LT_TICKET_FILE_MAX), wiped after;
 *  - hex digits are decoded without branches or table look-ups on their
 *    values (the key material), and errors name a line and a column, never
 *    the text.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "crypto/ticket.h"

#define BAD_MODE_BITS 0027 /* group write, and anything for others */

static int file_error(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int file_error(char *err, size_t cap, const char *fmt, ...)
{
    if (err != NULL && cap > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, cap, fmt, ap);
        va_end(ap);
    }
    return LT_ERR_CONFIG;
}

/* ---- parsing ---- */

/* All ones when lo <= v <= hi, else 0, without a branch on v. */
static uint32_t ct_in_range(int32_t v, int32_t lo, int32_t hi)
{
    /* (v - lo) and (hi - v) are both >= 0 exactly in range: the sign bit
     * of their OR is 0. */
    return ~(uint32_t)(((v - lo) | (hi - v)) >> 31);
}

/* The value of one hex digit, and in *bad all ones if it is none. */
static uint8_t ct_hex_value(uint8_t c, uint32_t *bad)
{
    int32_t d = (int32_t)c - '0';
    int32_t l = (int32_t)(c | 0x20) - 'a';
    uint32_t is_digit = ct_in_range(d, 0, 9), is_alpha = ct_in_range(l, 0, 5);
    *bad |= ~(is_digit | is_alpha);
    return (uint8_t)(((uint32_t)d & is_digit) | ((uint32_t)(l + 10) & is_alpha));
}

static int is_hex_digit(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* One key line, already trimmed, into out[0..48). */
static int parse_key_line(const char *s, size_t len, size_t line_no, uint8_t out[LT_TICKET_FILE_LINE_LEN / 2],
                          char *err, size_t cap)
{
    if (len != LT_TICKET_FILE_LINE_LEN) {
        return file_error(err, cap,
                          "line %zu: a key is %d hex digits (16-byte name, 32-byte secret), this line has %zu", line_no,
                          LT_TICKET_FILE_LINE_LEN, len);
    }
    uint32_t bad = 0;
    for (size_t i = 0; i < len / 2; i++) {
        uint8_t hi = ct_hex_value((uint8_t)s[2 * i], &bad);
        uint8_t lo = ct_hex_value((uint8_t)s[2 * i + 1], &bad);
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    if (bad != 0) {
        /* The file is unusable anyway: now finding the place may branch. */
        size_t col = 0;
        while (col < len && is_hex_digit(s[col])) {
            col++;
        }
        lt_wipe(out, LT_TICKET_FILE_LINE_LEN / 2);
        return file_error(err, cap, "line %zu, column %zu: not a hex digit", line_no, col + 1);
    }
    return LT_OK;
}

/* Adds a parsed key, refusing a 5th one and a name seen before (two keys
 * under one name could not both open). */
static int add_key(lt_ticket_file_keys *out, const uint8_t raw[LT_TICKET_FILE_LINE_LEN / 2], size_t line_no, char *err,
                   size_t cap)
{
    if (out->n == LT_TICKET_MAX_KEYS) {
        return file_error(err, cap, "line %zu: more than %d keys (a file holds the newest %d)", line_no,
                          LT_TICKET_MAX_KEYS, LT_TICKET_MAX_KEYS);
    }
    for (size_t i = 0; i < out->n; i++) {
        /* Key names are public (they travel in every ticket). */
        if (memcmp(out->key[i].name, raw, LT_TICKET_KEY_NAME_LEN) == 0) {
            return file_error(err, cap, "line %zu: the same key name as key %zu", line_no, i + 1);
        }
    }
    memcpy(out->key[out->n].name, raw, LT_TICKET_KEY_NAME_LEN);
    memcpy(out->key[out->n].secret, raw + LT_TICKET_KEY_NAME_LEN, LT_TICKET_SECRET_LEN);
    out->n++;
    return LT_OK;
}

static int parse_line(const char *s, size_t len, size_t line_no, lt_ticket_file_keys *out, char *err, size_t cap)
{
    if (len > 0 && s[len - 1] == '\r') {
        len--;
    }
    while (len > 0 && is_blank(s[0])) {
        s++;
        len--;
    }
    while (len > 0 && is_blank(s[len - 1])) {
        len--;
    }
    if (len == 0 || s[0] == '#') {
        return LT_OK;
    }
    uint8_t raw[LT_TICKET_FILE_LINE_LEN / 2];
    int rc = parse_key_line(s, len, line_no, raw, err, cap);
    if (rc == LT_OK) {
        rc = add_key(out, raw, line_no, err, cap);
    }
    lt_wipe(raw, sizeof raw);
    return rc;
}

int lt_ticket_file_parse(const char *text, size_t len, lt_ticket_file_keys *out, char *err, size_t errcap)
{
    if (out == NULL || (text == NULL && len > 0)) {
        return LT_ERR_USAGE;
    }
    memset(out, 0, sizeof *out);
    int rc = LT_OK;
    if (len > LT_TICKET_FILE_MAX) {
        rc = file_error(err, errcap, "%zu bytes: a ticket key file is at most %d", len, LT_TICKET_FILE_MAX);
    }
    size_t pos = 0, line_no = 0;
    while (rc == LT_OK && pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl != NULL ? (size_t)(nl - text) : len;
        rc = parse_line(text + pos, end - pos, ++line_no, out, err, errcap);
        pos = nl != NULL ? end + 1 : len;
    }
    if (rc == LT_OK && out->n == 0) {
        rc = file_error(err, errcap, "no key in the file (one line of %d hex digits per key)", LT_TICKET_FILE_LINE_LEN);
    }
    if (rc != LT_OK) {
        lt_wipe(out, sizeof *out);
    }
    return rc;
}

/* ---- reading ---- */

static void id_of(const struct stat *st, lt_ticket_file_id *id)
{
    memset(id, 0, sizeof *id);
    id->dev = (uint64_t)st->st_dev;
    id->ino = (uint64_t)st->st_ino;
    id->size = (uint64_t)st->st_size;
    id->mtime_s = (int64_t)st->st_mtim.tv_sec;
    id->mtime_ns = (int64_t)st->st_mtim.tv_nsec;
    id->ctime_s = (int64_t)st->st_ctim.tv_sec;
    id->ctime_ns = (int64_t)st->st_ctim.tv_nsec;
}

int lt_ticket_file_stat(const char *path, lt_ticket_file_id *id)
{
    struct stat st;
    if (path == NULL || stat(path, &st) != 0) {
        return LT_ERR_CONFIG;
    }
    id_of(&st, id);
    return LT_OK;
}

static int check_file(const char *path, const struct stat *st, char *err, size_t cap)
{
    if (!S_ISREG(st->st_mode)) {
        return file_error(err, cap, "ticket key file %s: not a regular file", path);
    }
    if ((st->st_mode & BAD_MODE_BITS) != 0) {
        return file_error(err, cap, "ticket key file %s: mode %04o lets %s; it holds secrets: chmod 600 (or 640) it",
                          path, (unsigned)(st->st_mode & 07777),
                          (st->st_mode & 0007) != 0 ? "other users at it" : "its group write it");
    }
    if ((uint64_t)st->st_size > LT_TICKET_FILE_MAX) {
        return file_error(err, cap, "ticket key file %s: %lld bytes, at most %d", path, (long long)st->st_size,
                          LT_TICKET_FILE_MAX);
    }
    return LT_OK;
}

/* All of fd (at most cap bytes; one more means too large). */
static int read_all(int fd, char *buf, size_t cap, size_t *len)
{
    size_t got = 0;
    while (got < cap) {
        ssize_t n = read(fd, buf + got, cap - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return -1;
        }
        if (n == 0) {
            break;
        }
        got += (size_t)n;
    }
    *len = got;
    return 0;
}

int lt_ticket_file_load(const char *path, lt_ticket_file_keys *out, lt_ticket_file_id *id, char *err, size_t errcap)
{
    if (path == NULL || out == NULL || id == NULL) {
        return LT_ERR_USAGE;
    }
    memset(out, 0, sizeof *out);
    /* O_NONBLOCK: a FIFO put in the file's place must not hang the open
     * (it is then refused as not a regular file). */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        return file_error(err, errcap, "ticket key file %s: %s", path, strerror(errno));
    }
    struct stat st;
    int rc = fstat(fd, &st) == 0 ? check_file(path, &st, err, errcap)
                                 : file_error(err, errcap, "ticket key file %s: %s", path, strerror(errno));
    char buf[LT_TICKET_FILE_MAX + 1];
    size_t len = 0;
    if (rc == LT_OK && read_all(fd, buf, sizeof buf, &len) != 0) {
        rc = file_error(err, errcap, "ticket key file %s: %s", path, strerror(errno));
    }
    close(fd);
    if (rc == LT_OK) {
        char why[160];
        rc = lt_ticket_file_parse(buf, len, out, why, sizeof why);
        if (rc != LT_OK) {
            file_error(err, errcap, "ticket key file %s: %s", path, why);
        }
    }
    lt_wipe(buf, sizeof buf);
    if (rc == LT_OK) {
        id_of(&st, id);
    }
    return rc;
}
