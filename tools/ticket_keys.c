/*
 * lucidtls ticket-keys FILE: make a ticket key file for a fleet of servers,
 * or rotate it (docs/RESUMPTION.md).
 *
 * No file yet: one with one fresh key (mode 0600). A file: a fresh key on
 * top, the keys it had below, the oldest dropped beyond 4 (lucidtls.h's
 * bound). The file is written next to the old one and renamed over it, so a server
 * that reads it at any moment sees either the old file or the new one,
 * never half of one. The file we rotate must be one lt_config_set_ticket_key_file
 * accepts (checked through that very call), so a damaged file is left as
 * it is, not rotated into a worse one.
 */
#define _GNU_SOURCE /* explicit_bzero */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

#define MAX_FILE_KEYS 4 /* as lucidtls.h says: at most 4 keys */
#define KEY_HEX_LEN 96  /* 16-byte name + 32-byte secret */
#define NAME_HEX_LEN 32
#define MAX_FILE_BYTES 16384

typedef struct key_lines {
    char line[MAX_FILE_KEYS + 1][KEY_HEX_LEN + 1]; /* [0]: the new key */
    size_t n;
} key_lines;

static const char USAGE[] = "usage: lucidtls ticket-keys FILE\n"
                            "  Creates FILE (mode 0600) with one fresh session ticket key, or rotates it:\n"
                            "  a fresh key on top, the oldest dropped beyond 4. Give the same FILE to\n"
                            "  `lucidtls server --ticket-keys FILE` (lt_config_set_ticket_key_file) on every\n"
                            "  server of a fleet; run this from cron and copy FILE to them all.\n"
                            "  -h, --help  this text\n";

static int fresh_key(char out[KEY_HEX_LEN + 1])
{
    unsigned char raw[KEY_HEX_LEN / 2];
    size_t got = 0;
    while (got < sizeof raw) {
        ssize_t n = getrandom(raw + got, sizeof raw - got, 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            fprintf(stderr, "lucidtls: ticket-keys: getrandom: %s\n", strerror(errno));
            return -1;
        }
        got += (size_t)n;
    }
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < sizeof raw; i++) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 15];
    }
    out[KEY_HEX_LEN] = '\0';
    explicit_bzero(raw, sizeof raw);
    return 0;
}

/* Is the file one the library takes? Asked of the library itself. */
static int file_is_usable(const char *path)
{
    lt_config *cfg = lt_config_new(LT_ROLE_SERVER);
    if (cfg == NULL) {
        fprintf(stderr, "lucidtls: out of memory\n");
        return 0;
    }
    int ok = lt_config_set_ticket_key_file(cfg, path) == LT_OK;
    if (!ok) {
        fprintf(stderr, "lucidtls: ticket-keys: %s; left as it is\n", lt_config_error(cfg));
    }
    lt_config_free(cfg);
    return ok;
}

/* The key lines of a file the library accepted (so each is 96 hex digits
 * once trimmed), after keys->line[0]. */
static int read_old_keys(const char *path, key_lines *keys)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "lucidtls: ticket-keys: %s: %s\n", path, strerror(errno));
        return -1;
    }
    char buf[MAX_FILE_BYTES + 2];
    while (fgets(buf, sizeof buf, f) != NULL) {
        char *s = buf;
        while (*s == ' ' || *s == '\t') {
            s++;
        }
        size_t len = strcspn(s, " \t\r\n");
        if (len == KEY_HEX_LEN && s[0] != '#' && keys->n < MAX_FILE_KEYS + 1) {
            memcpy(keys->line[keys->n], s, KEY_HEX_LEN);
            keys->line[keys->n][KEY_HEX_LEN] = '\0';
            keys->n++;
        }
    }
    explicit_bzero(buf, sizeof buf);
    fclose(f);
    return 0;
}

static int write_all(int fd, const char *s, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, s, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        s += n;
        len -= (size_t)n;
    }
    return 0;
}

static int write_keys(int fd, const key_lines *keys)
{
    char stamp[32] = "";
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm) != NULL) {
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    char head[512];
    int hl = snprintf(head, sizeof head,
                      "# lucidtls session ticket keys (lt_config_set_ticket_key_file), newest first.\n"
                      "# The first key seals new tickets; all of them open tickets.\n"
                      "# As secret as a private key. Rotated with `lucidtls ticket-keys` at %s.\n",
                      stamp);
    if (hl < 0 || write_all(fd, head, (size_t)hl) != 0) {
        return -1;
    }
    for (size_t i = 0; i < keys->n; i++) {
        if (write_all(fd, keys->line[i], KEY_HEX_LEN) != 0 || write_all(fd, "\n", 1) != 0) {
            return -1;
        }
    }
    return fsync(fd);
}

/* The directory entry of the rename is on disk too. */
static void sync_dir_of(const char *path)
{
    char copy[4096];
    snprintf(copy, sizeof copy, "%s", path);
    int dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        (void)fsync(dfd);
        close(dfd);
    }
}

/* keys into path: a temporary file in the same directory (so that rename
 * is atomic), mode 0600 or the old file's (owner and group read only),
 * then rename over path. */
static int replace_file(const char *path, const key_lines *keys, const struct stat *old)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path) >= (int)sizeof tmp) {
        fprintf(stderr, "lucidtls: ticket-keys: path too long\n");
        return -1;
    }
    int fd = mkstemp(tmp); /* mode 0600 */
    if (fd < 0) {
        fprintf(stderr, "lucidtls: ticket-keys: cannot create %s: %s\n", tmp, strerror(errno));
        return -1;
    }
    int bad = 0;
    if (old != NULL) {
        /* Keep a group the operator gave the file (a server group that
         * reads it), and its group-read bit; never more. */
        (void)fchown(fd, (uid_t)-1, old->st_gid);
        bad = fchmod(fd, old->st_mode & 0640) != 0;
    }
    bad = bad || write_keys(fd, keys) != 0;
    bad = close(fd) != 0 || bad;
    if (!bad && rename(tmp, path) != 0) {
        bad = 1;
    }
    if (bad) {
        fprintf(stderr, "lucidtls: ticket-keys: cannot write %s: %s\n", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    sync_dir_of(path);
    return 0;
}

int cmd_ticket_keys(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(USAGE, stdout);
            return 0;
        }
    }
    /* A FILE beginning with '-' is taken for an option; ./-name reaches it. */
    if (argc == 2 && argv[1][0] == '-') {
        fprintf(stderr, "lucidtls ticket-keys: unknown option '%s'\n%s", argv[1], USAGE);
        return 2;
    }
    if (argc != 2) {
        fprintf(stderr, "lucidtls ticket-keys: %s\n%s", argc < 2 ? "FILE is required" : "one FILE only", USAGE);
        return 2;
    }
    const char *path = argv[1];
    key_lines keys;
    memset(&keys, 0, sizeof keys);
    struct stat st;
    int exists = stat(path, &st) == 0;
    if (!exists && errno != ENOENT) {
        fprintf(stderr, "lucidtls: ticket-keys: %s: %s\n", path, strerror(errno));
        return 1;
    }
    int rc = 1;
    if (fresh_key(keys.line[0]) == 0) {
        keys.n = 1;
        if (!exists || (file_is_usable(path) && read_old_keys(path, &keys) == 0)) {
            size_t dropped = keys.n > MAX_FILE_KEYS ? keys.n - MAX_FILE_KEYS : 0;
            keys.n -= dropped;
            if (replace_file(path, &keys, exists ? &st : NULL) == 0) {
                /* Key names are public (every ticket carries its key's). */
                printf("%s: %s, %zu key%s; the new key (name %.*s) seals from now on%s\n", path,
                       exists ? "rotated" : "created", keys.n, keys.n == 1 ? "" : "s", NAME_HEX_LEN, keys.line[0],
                       dropped > 0 ? "; the oldest was dropped" : "");
                rc = 0;
            }
        }
    }
    explicit_bzero(&keys, sizeof keys);
    return rc;
}
