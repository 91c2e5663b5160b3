/*
 * lucidtls-bench: lucidtls against OpenSSL libssl. See bench/README.md.
 *
 *   lucidtls-bench            default run (a minute or so)
 *   lucidtls-bench --quick    the same metrics with fewer repetitions
 *   lucidtls-bench --json     one JSON object on stdout (progress on stderr)
 *   lucidtls-bench --profile hs|bulk --lib lucidtls|openssl [--suite S] [--n N] [--side client|server]
 *                             one workload for one library, for callgrind/perf
 *                             (--side: under callgrind --collect-atstart=no, collect only that side)
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "bench.h"
#include "lucidtls/lucidtls.h"

#define REC 16384
#define MAX_ROUNDS 32

/* What is measured, case by case. The two key-transport cases carry the
 * handshake, bulk and memory rows they always had; the ECDHE cases add
 * handshakes (bulk is the same AES-GCM as above); ChaCha20 and EtM add
 * bulk rows. TLS 1.3: full handshakes with each certificate (tickets off in
 * both libraries), handshakes that resume one session (one ticket per
 * handshake in both), and bulk for its three suites (TLS 1.3 records differ
 * from TLS 1.2's: 5-byte AAD, the content type inside, so AES-128-GCM gets
 * its own bulk rows too). */
static const bench_case CASES[] = {
    {"AES128-SHA256 MtE", "AES128-SHA256", KX_RSA, 0, BULK_CBC_MTE, RUN_HS | RUN_BULK | RUN_MEM, 0, 0},
    {"AES128-GCM-SHA256", "AES128-GCM-SHA256", KX_RSA, 1, BULK_GCM, RUN_HS | RUN_BULK | RUN_MEM, 0, 0},
    {"ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", KX_ECDHE_RSA, 1, BULK_GCM, RUN_HS | RUN_MEM, 0, 0},
    {"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256", KX_ECDHE_ECDSA, 1, BULK_GCM, RUN_HS | RUN_MEM, 0,
     0},
    {"ECDHE-RSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305", KX_ECDHE_RSA, 1, BULK_CHACHA, RUN_BULK, 0, 0},
    {"AES128-SHA256 EtM", "AES128-SHA256", KX_RSA, 1, BULK_CBC_ETM, RUN_BULK, 0, 0},
    {"TLS1.3 ECDSA AES128-GCM-SHA256", "TLS_AES_128_GCM_SHA256", KX_ECDHE_ECDSA, 1, BULK_GCM13,
     RUN_HS | RUN_BULK | RUN_MEM, 1, 0},
    {"TLS1.3 RSA AES128-GCM-SHA256", "TLS_AES_128_GCM_SHA256", KX_ECDHE_RSA, 1, BULK_GCM13, RUN_HS | RUN_MEM, 1, 0},
    {"TLS1.3 resumed AES128-GCM-SHA256", "TLS_AES_128_GCM_SHA256", KX_ECDHE_ECDSA, 1, BULK_GCM13, RUN_HS | RUN_MEM, 1,
     1},
    {"TLS1.2 resumed ticket ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256", KX_ECDHE_ECDSA, 1,
     BULK_GCM, RUN_HS, 0, RESUME_TICKET},
    {"TLS1.2 resumed session ID ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256", KX_ECDHE_ECDSA, 1,
     BULK_GCM, RUN_HS, 0, RESUME_SESSION_ID},
    {"TLS1.3 AES256-GCM-SHA384", "TLS_AES_256_GCM_SHA384", KX_ECDHE_ECDSA, 1, BULK_GCM256_13, RUN_BULK, 1, 0},
    {"TLS1.3 CHACHA20-POLY1305-SHA256", "TLS_CHACHA20_POLY1305_SHA256", KX_ECDHE_ECDSA, 1, BULK_CHACHA13, RUN_BULK, 1,
     0},
};
#define N_CASES (sizeof CASES / sizeof CASES[0])
static bench_probe g_probe[N_CASES]; /* what each case negotiated (the same in both libraries) */
static const bench_lib *const LIBS[] = {&bench_lucidtls, &bench_openssl};
#define N_LIBS 2

typedef struct opts {
    int quick;
    int json;
    int rounds;       /* alternating rounds; the median round is reported */
    int hs_per_round; /* full handshakes per library, suite and round */
    int bulk_records; /* 16 KiB records per library, suite, direction and round */
    int mem_conns;    /* connections held open for the memory count */
    double evp_seconds;
    const char *profile;
    const char *profile_lib;
    const char *profile_suite;
    long profile_n;
} opts;

static FILE *logf_;
static double g_start_ns;

static void die(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "lucidtls-bench: ");
    fprintf(stderr, fmt, a, b);
    fprintf(stderr, "\n");
    exit(1);
}

static void progress(const char *what)
{
    if (logf_ != NULL) {
        fprintf(logf_, "  ... %5.1f s  %s\n", (wall_ns() - g_start_ns) / 1e9, what);
        fflush(logf_);
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- Results ---- */

typedef struct row {
    const char *section; /* handshake, bulk, memory */
    char name[128];
    const char *unit;
    double lt, os;
    double limit;        /* bulk: the EVP seal+open limit, else 0 */
    const char *target;  /* e.g. "<= 0.85" (ratio), or NULL */
    double target_ratio; /* the bound on ratio */
    int target_le;       /* 1: ratio <= bound passes; 0: ratio >= bound */
    double target_limit; /* bulk: lucidtls / limit must be >= this (0: none) */
    char na[160];        /* not measured: why (the row prints "n/a" and this) */
} row;

int g_offer_session = 1;

static row g_rows[256];
static int g_nrows;

static row *add_row(const char *section, const char *unit, double lt, double os, const char *fmt, const char *a,
                    const char *b)
{
    if (g_nrows == (int)(sizeof g_rows / sizeof g_rows[0])) {
        die("%s%s", "too many rows", "");
    }
    row *r = &g_rows[g_nrows++];
    memset(r, 0, sizeof *r);
    r->section = section;
    r->unit = unit;
    r->lt = lt;
    r->os = os;
    snprintf(r->name, sizeof r->name, fmt, a, b);
    return r;
}

/* ---- Machine ---- */

typedef struct machine {
    char cpu[128];
    long nproc;
    char date[64];
    char kernel[400];
    char command[512];
    char loadavg[64]; /* /proc/loadavg at the start: other work on the machine */
} machine;

static void machine_info(machine *m, int argc, char **argv)
{
    memset(m, 0, sizeof *m);
    snprintf(m->cpu, sizeof m->cpu, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f != NULL) {
        char line[256];
        while (fgets(line, sizeof line, f) != NULL) {
            if (strncmp(line, "model name", 10) == 0) {
                char *v = strchr(line, ':');
                if (v != NULL) {
                    v++;
                    while (*v == ' ') {
                        v++;
                    }
                    v[strcspn(v, "\n")] = '\0';
                    snprintf(m->cpu, sizeof m->cpu, "%s", v);
                }
                break;
            }
        }
        fclose(f);
    }
    m->nproc = sysconf(_SC_NPROCESSORS_ONLN);
    f = fopen("/proc/loadavg", "r");
    if (f != NULL) {
        if (fgets(m->loadavg, sizeof m->loadavg, f) != NULL) {
            m->loadavg[strcspn(m->loadavg, "\n")] = '\0';
        }
        fclose(f);
    }
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(m->date, sizeof m->date, "%Y-%m-%d %H:%M:%S UTC", &tm);
    struct utsname u;
    if (uname(&u) == 0) {
        snprintf(m->kernel, sizeof m->kernel, "%s %s %s", u.sysname, u.release, u.machine);
    }
    size_t used = 0;
    for (int i = 0; i < argc && used + 1 < sizeof m->command; i++) {
        int n = snprintf(m->command + used, sizeof m->command - used, "%s%s", i ? " " : "", argv[i]);
        if (n < 0) {
            break;
        }
        used += (size_t)n;
    }
}

/* ---- Sanity: one handshake and data both ways, bytes compared ---- */

static void fill(uint8_t *buf, size_t len, uint32_t seed)
{
    for (size_t i = 0; i < len; i++) {
        seed = seed * 1103515245u + 12345u;
        buf[i] = (uint8_t)(seed >> 16);
    }
}

/* What both libraries must have negotiated in a case: the version, the
 * suite, the group, the signature scheme (none when resuming), EtM for CBC,
 * EMS in TLS 1.2 (RFC 7627 does not exist in TLS 1.3: nothing to check
 * there), resumption, and the tickets the client got (none with tickets
 * off; one per resumed TLS 1.3 handshake; none in a resumed TLS 1.2 one,
 * whose ticket is still fresh: neither library replaces it, RFC 5077 3.3). */
static int probe_tickets(const bench_case *cs)
{
    return cs->tls13 ? case_tickets(cs) : 0;
}

static void check_probe(const bench_lib *lib, const bench_case *cs, const bench_probe *got)
{
    const char *version = cs->tls13 ? "TLSv1.3" : "TLSv1.2";
    const char *group = case_group(cs) != NULL ? case_group(cs) : "-";
    const char *scheme = case_probe_scheme(cs);
    int cbc = cs->bulk == BULK_CBC_MTE || cs->bulk == BULK_CBC_ETM;
    int etm = cbc && cs->etm;
    int ems_ok = cs->tls13 || got->ems;
    char what[512];
    snprintf(what, sizeof what,
             "%s %s, group %s, scheme %s, EtM %d, EMS %d, resumed %d, tickets %d "
             "(wanted %s %s, %s, %s, %d, %s, %d, %d)",
             got->version, got->suite, got->group, got->scheme, got->etm, got->ems, got->resumed, got->tickets, version,
             cs->suite, group, scheme, etm, cs->tls13 ? "n/a" : "1", cs->resume, probe_tickets(cs));
    /* A resumed TLS 1.2 handshake has no key exchange: libssl reports the
     * session's group, lucidtls none; either is fine. */
    int group_ok = strcmp(got->group, group) == 0 || (cs->resume && !cs->tls13);
    if (strcmp(got->version, version) != 0 || strcmp(got->suite, cs->suite) != 0 || !group_ok ||
        strcmp(got->scheme, scheme) != 0 || got->etm != etm || !ems_ok || got->resumed != (cs->resume != 0) ||
        got->tickets != probe_tickets(cs)) {
        die("sanity: %s negotiated %s", lib->name, what);
    }
}

static void sanity(const bench_lib *lib, void *ctx, const bench_case *cs, bench_probe *probe)
{
    char err[512] = "";
    static uint8_t data[3 * REC + 7], got[3 * REC + 7];
    if (lib->probe(ctx, probe, err, sizeof err) != 0) {
        die("sanity: %s: %s", lib->name, err);
    }
    check_probe(lib, cs, probe);
    void *p = lib->pair_new(ctx);
    if (p == NULL || lib->pair_handshake(p, err, sizeof err) != 0 || lib->pair_check(p, cs, err, sizeof err) != 0) {
        die("sanity: %s: %s", lib->name, p == NULL ? "pair_new failed" : err);
    }
    static const size_t sizes[] = {1, 100, REC, REC + 1, 3 * REC + 7};
    for (int dir = 0; dir < 2; dir++) {
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            fill(data, sizes[i], (uint32_t)(i * 7 + (size_t)dir));
            memset(got, 0, sizes[i]);
            long n = lib->pair_send(p, dir == 0, data, sizes[i], got);
            if (n != (long)sizes[i] || memcmp(data, got, sizes[i]) != 0) {
                die("sanity: %s: data %s did not arrive intact", lib->name,
                    dir == 0 ? "client->server" : "server->client");
            }
        }
    }
    lib->pair_free(p);
}

/* ---- Handshake CPU ---- */

/* CPU one empty side_enter/side_leave interval adds (two clock reads);
 * subtracted from every timed interval. */
static double g_interval_ns;

static void calibrate_intervals(void)
{
    memset(g_side_ns, 0, sizeof g_side_ns);
    g_side_timing = 1;
    for (int i = 0; i < 20000; i++) {
        side_enter(SIDE_BENCH);
        side_leave();
    }
    g_interval_ns = g_side_ns[SIDE_BENCH] / 20000;
}

/* Per side: index 0 the server, 1 the client. */
typedef struct hs_result {
    double cpu_us[2];           /* median over rounds of the per-round mean */
    double floor_us[2];         /* median over rounds of the floor timed between this library's handshakes */
    double warm_floor_us[2];    /* median over rounds of the floor timed back to back (the same for both) */
    double overhead_us[2];      /* median over rounds of (CPU - the round's floor, the mean over both libraries) */
    double overhead_warm_us[2]; /* median over rounds of (CPU - the round's back-to-back floor) */
    double allocs[2];
    double intervals[2]; /* timed intervals per handshake (clock reads) */
} hs_result;

typedef struct hs_batch_out {
    double server_us, client_us;   /* CPU per handshake and side */
    double floor_s_us, floor_c_us; /* the floor, timed inside the batch (0 without floor_every) */
    double server_allocs, client_allocs;
    double intervals_s, intervals_c;
} hs_batch_out;

/* n full handshakes. With floor_every > 0, after every floor_every-th one
 * the batch also runs each side's crypto floor once through EVP alone
 * (timed on its own, charged to no side), so the floor sees the same
 * machine, cache and frequency conditions as this batch's handshakes. */
static void hs_batch(const bench_lib *lib, void *ctx, const bench_case *cs, int n, int floor_every, hs_batch_out *out)
{
    char err[512] = "";
    double fs = 0, fc = 0;
    int nf = 0;
    memset(out, 0, sizeof *out);
    memset(g_side_ns, 0, sizeof g_side_ns);
    memset(g_side_intervals, 0, sizeof g_side_intervals);
    long long a_s0 = g_alloc.side[SIDE_SERVER].nallocs, a_c0 = g_alloc.side[SIDE_CLIENT].nallocs;
    g_side_timing = 1;
    for (int i = 0; i < n; i++) {
        void *p = lib->pair_new(ctx);
        if (p == NULL || lib->pair_handshake(p, err, sizeof err) != 0) {
            die("%s: %s", lib->name, p == NULL ? "pair_new failed" : err);
        }
        if (lib->pair_check(p, cs, err, sizeof err) != 0) {
            die("%s: %s", lib->name, err);
        }
        lib->pair_free(p);
        if (floor_every > 0 && i % floor_every == 0 && case_floor(cs) >= 0) {
            double t0 = thread_cpu_ns();
            int ok = evp_hs_floor_run(case_floor(cs), SIDE_SERVER);
            double t1 = thread_cpu_ns();
            ok = ok && evp_hs_floor_run(case_floor(cs), SIDE_CLIENT);
            double t2 = thread_cpu_ns();
            if (!ok) {
                die("%s%s", "an EVP floor operation failed", "");
            }
            fs += t1 - t0 - g_interval_ns;
            fc += t2 - t1 - g_interval_ns;
            nf++;
        }
    }
    out->server_us = (g_side_ns[SIDE_SERVER] - (double)g_side_intervals[SIDE_SERVER] * g_interval_ns) / n / 1e3;
    out->client_us = (g_side_ns[SIDE_CLIENT] - (double)g_side_intervals[SIDE_CLIENT] * g_interval_ns) / n / 1e3;
    out->floor_s_us = nf > 0 ? fs / nf / 1e3 : 0;
    out->floor_c_us = nf > 0 ? fc / nf / 1e3 : 0;
    out->server_allocs = (double)(g_alloc.side[SIDE_SERVER].nallocs - a_s0) / n;
    out->client_allocs = (double)(g_alloc.side[SIDE_CLIENT].nallocs - a_c0) / n;
    out->intervals_s = (double)g_side_intervals[SIDE_SERVER] / n;
    out->intervals_c = (double)g_side_intervals[SIDE_CLIENT] / n;
}

/* One crypto floor per four handshakes keeps the run short. A round's
 * floor is the mean of what both libraries' chunks timed, so one and the
 * same floor is subtracted from both libraries' CPU in that round. Timed
 * between handshakes, the EVP calls find the caches a handshake leaves
 * (the P-256 generator table alone is 150 KB), as they do inside one: the
 * floor is then up to 30% above the same calls in a tight loop (a few % for
 * the RSA decryption, most for the EC operations), which the
 * "warm" rows show. */
#define FLOOR_EVERY 4
#define HS_CHUNK 24 /* a multiple of FLOOR_EVERY: every chunk times the same number of floors */
#define WARM_REPS 3 /* back-to-back floors per chunk */

static void run_handshakes(const opts *o, void *ctxs[N_LIBS], const bench_case *cs, hs_result res[N_LIBS])
{
    static const int side_of[2] = {SIDE_SERVER, SIDE_CLIENT};
    double cpu[N_LIBS][2][MAX_ROUNDS], fl[N_LIBS][2][MAX_ROUNDS], ov[N_LIBS][2][MAX_ROUNDS];
    double ovw[N_LIBS][2][MAX_ROUNDS], warm[2][MAX_ROUNDS];
    hs_batch_out b;
    for (int l = 0; l < N_LIBS; l++) {
        hs_batch(LIBS[l], ctxs[l], cs, 10, 0, &b); /* warm-up */
    }
    /* A round is made of chunks of HS_CHUNK handshakes, the libraries
     * taking turns chunk by chunk (and which goes first alternating), so
     * that both see the same machine: on this VM the speed drifts by 20-30%
     * within a second, which per-library batches of a whole round turned
     * into ratio noise. */
    int chunks = o->hs_per_round / HS_CHUNK > 0 ? o->hs_per_round / HS_CHUNK : 1;
    int per_chunk = o->hs_per_round / chunks;
    for (int r = 0; r < o->rounds; r++) {
        for (int l = 0; l < N_LIBS; l++) {
            for (int d = 0; d < 2; d++) {
                cpu[l][d][r] = fl[l][d][r] = 0;
            }
        }
        warm[0][r] = warm[1][r] = 0;
        for (int j = 0; j < chunks; j++) {
            for (int k = 0; k < N_LIBS; k++) {
                int l = ((r + j) % 2) ? N_LIBS - 1 - k : k;
                hs_batch(LIBS[l], ctxs[l], cs, per_chunk, FLOOR_EVERY, &b);
                cpu[l][0][r] += b.server_us / chunks;
                cpu[l][1][r] += b.client_us / chunks;
                fl[l][0][r] += b.floor_s_us / chunks;
                fl[l][1][r] += b.floor_c_us / chunks;
                res[l].allocs[0] = b.server_allocs;
                res[l].allocs[1] = b.client_allocs;
                res[l].intervals[0] = b.intervals_s;
                res[l].intervals[1] = b.intervals_c;
            }
            /* The same operations back to back, in the same turn: one
             * untimed pass to warm the caches, then WARM_REPS timed. */
            for (int d = 0; d < 2; d++) {
                int kind = case_floor(cs);
                if (kind < 0) {
                    continue; /* nothing asymmetric: the floor is 0 */
                }
                double us = evp_hs_floor_run(kind, side_of[d]) ? evp_hs_floor_us(kind, side_of[d], WARM_REPS) : -1;
                if (us <= 0) {
                    die("%s%s", "an EVP floor operation failed", "");
                }
                warm[d][r] += us / chunks;
            }
        }
        for (int d = 0; d < 2; d++) {
            double mean = 0;
            for (int l = 0; l < N_LIBS; l++) {
                mean += fl[l][d][r] / N_LIBS;
            }
            for (int l = 0; l < N_LIBS; l++) {
                ov[l][d][r] = cpu[l][d][r] - mean;
                ovw[l][d][r] = cpu[l][d][r] - warm[d][r];
            }
        }
    }
    for (int l = 0; l < N_LIBS; l++) {
        for (int d = 0; d < 2; d++) {
            res[l].cpu_us[d] = median(cpu[l][d], o->rounds);
            res[l].floor_us[d] = median(fl[l][d], o->rounds);
            res[l].overhead_us[d] = median(ov[l][d], o->rounds);
            res[l].overhead_warm_us[d] = median(ovw[l][d], o->rounds);
            double w[MAX_ROUNDS];
            memcpy(w, warm[d], sizeof w);
            res[l].warm_floor_us[d] = median(w, o->rounds);
        }
    }
}

/* ---- Bulk ---- */

#define BULK_CHUNK 500 /* 16 KiB records per library and turn */

static double bulk_round(const bench_lib *lib, void *pair, int from_client, int records, uint8_t *data, uint8_t *got)
{
    g_side_timing = 0;
    double t0 = thread_cpu_ns();
    for (int i = 0; i < records; i++) {
        memcpy(data, &i, sizeof i); /* a sequence stamp: records arrive in order */
        long n = lib->pair_send(pair, from_client, data, REC, got);
        if (n != REC || memcmp(got, &i, sizeof i) != 0) {
            die("bulk: %s: %s", lib->name, "a record did not arrive intact");
        }
    }
    double t1 = thread_cpu_ns();
    if (memcmp(got, data, REC) != 0) {
        die("bulk: %s: %s", lib->name, "the last record differs");
    }
    g_side_timing = 1;
    return (double)records * REC / (t1 - t0) * 1e3; /* MB/s, 10^6 bytes */
}

static void run_bulk(const opts *o, void *ctxs[N_LIBS], const bench_case *cs, double mbs[N_LIBS][2], double *limit)
{
    double lim[2 * MAX_ROUNDS];
    int nlim = 0;
    char err[512] = "";
    void *pairs[N_LIBS];
    static uint8_t data[REC], got[REC];
    fill(data, REC, 42);
    for (int l = 0; l < N_LIBS; l++) {
        pairs[l] = LIBS[l]->pair_new(ctxs[l]);
        if (pairs[l] == NULL || LIBS[l]->pair_handshake(pairs[l], err, sizeof err) != 0 ||
            LIBS[l]->pair_check(pairs[l], cs, err, sizeof err) != 0) {
            die("bulk: %s: %s", LIBS[l]->name, err);
        }
        for (int dir = 0; dir < 2; dir++) {
            (void)bulk_round(LIBS[l], pairs[l], dir == 0, 50, data, got); /* warm-up */
        }
    }
    /* As for handshakes, a round is made of chunks in which the libraries
     * and the EVP limit take turns, so that all three see the same machine.
     * A round's speed is its bytes over its CPU time (the harmonic mean of
     * its equal-sized chunks). */
    int chunks = o->bulk_records / BULK_CHUNK > 0 ? o->bulk_records / BULK_CHUNK : 1;
    int per_chunk = o->bulk_records / chunks;
    for (int dir = 0; dir < 2; dir++) {
        double v[N_LIBS][MAX_ROUNDS];
        for (int r = 0; r < o->rounds; r++) {
            double inv[N_LIBS] = {0}, inv_lim = 0;
            for (int j = 0; j < chunks; j++) {
                for (int k = 0; k < N_LIBS; k++) {
                    int l = ((r + j) % 2) ? N_LIBS - 1 - k : k;
                    inv[l] += 1 / bulk_round(LIBS[l], pairs[l], dir == 0, per_chunk, data, got);
                }
                double e = evp_bulk_mbs(cs->bulk, per_chunk);
                if (e <= 0) {
                    die("%s%s", "EVP bulk limit failed", "");
                }
                inv_lim += 1 / e;
            }
            for (int l = 0; l < N_LIBS; l++) {
                v[l][r] = chunks / inv[l];
            }
            lim[nlim++] = chunks / inv_lim;
        }
        for (int l = 0; l < N_LIBS; l++) {
            mbs[l][dir] = median(v[l], o->rounds);
        }
    }
    for (int l = 0; l < N_LIBS; l++) {
        LIBS[l]->pair_free(pairs[l]);
    }
    *limit = median(lim, nlim);
}

/* ---- Memory ---- */

typedef struct mem_result {
    double idle[SIDE_COUNT];        /* bytes per established connection, nothing in flight */
    double idle_crypto[SIDE_COUNT]; /* the part that came through OPENSSL_malloc */
    double after_data[SIDE_COUNT];  /* after 16 KiB each way on every connection */
    double peak[SIDE_COUNT];        /* median over handshakes of peak live during new + handshake */
    double allocs[SIDE_COUNT];      /* allocation calls per new + handshake */
    long long residual;             /* bytes left after freeing everything (leak check) */
} mem_result;

static void run_memory(const opts *o, const bench_lib *lib, void *ctx, const bench_case *cs, mem_result *m)
{
    char err[512] = "";
    int n = o->mem_conns;
    void **pairs = calloc((size_t)n, sizeof *pairs);
    double *peak_s = calloc((size_t)n, sizeof *peak_s);
    double *peak_c = calloc((size_t)n, sizeof *peak_c);
    static uint8_t data[REC], got[REC];
    if (pairs == NULL || peak_s == NULL || peak_c == NULL) {
        die("%s%s", "out of memory", "");
    }
    fill(data, REC, 7);
    memset(m, 0, sizeof *m);
    g_side_timing = 0;
    alloc_reset_side(SIDE_CLIENT);
    alloc_reset_side(SIDE_SERVER);
    for (int i = 0; i < n; i++) {
        side_mem *c = &g_alloc.side[SIDE_CLIENT], *s = &g_alloc.side[SIDE_SERVER];
        long long c0 = c->live, s0 = s->live;
        c->peak = c0;
        s->peak = s0;
        pairs[i] = lib->pair_new(ctx);
        if (pairs[i] == NULL || lib->pair_handshake(pairs[i], err, sizeof err) != 0 ||
            lib->pair_check(pairs[i], cs, err, sizeof err) != 0) {
            die("memory: %s: %s", lib->name, err);
        }
        peak_c[i] = (double)(c->peak - c0);
        peak_s[i] = (double)(s->peak - s0);
    }
    for (int side = SIDE_CLIENT; side <= SIDE_SERVER; side++) {
        m->idle[side] = (double)g_alloc.side[side].live / n;
        m->idle_crypto[side] = (double)g_alloc.side[side].crypto_live / n;
        m->allocs[side] = (double)g_alloc.side[side].nallocs / n;
    }
    m->peak[SIDE_CLIENT] = median(peak_c, n);
    m->peak[SIDE_SERVER] = median(peak_s, n);
    for (int i = 0; i < n; i++) {
        if (lib->pair_send(pairs[i], 1, data, REC, got) != REC || lib->pair_send(pairs[i], 0, data, REC, got) != REC) {
            die("memory: %s: %s", lib->name, "data did not arrive");
        }
    }
    for (int side = SIDE_CLIENT; side <= SIDE_SERVER; side++) {
        m->after_data[side] = (double)g_alloc.side[side].live / n;
    }
    for (int i = 0; i < n; i++) {
        lib->pair_free(pairs[i]);
    }
    m->residual = g_alloc.side[SIDE_CLIENT].live + g_alloc.side[SIDE_SERVER].live;
    g_side_timing = 1;
    free(pairs);
    free(peak_s);
    free(peak_c);
}

/* ---- TLS 1.2 resumption (detected) and the session cache ---- */

#define SESSION_CACHE_N 500 /* below both caches' default sizes (1024, 20480) */

/* Does lucidtls resume this TLS 1.2 case? Its context primes a session
 * (fails when no session comes out of a TLS 1.2 handshake) and its probe
 * resumes it. err says why not. */
static int lucidtls_resumes(const bench_pki *pki, const bench_case *cs, char *err, size_t errcap)
{
    void *ctx = bench_lucidtls.ctx_new(pki, cs, err, errcap);
    bench_probe pr;
    int ok = ctx != NULL && bench_lucidtls.probe(ctx, &pr, err, errcap) == 0;
    if (ok && !pr.resumed) {
        snprintf(err, errcap, "the offered TLS 1.2 session was not resumed");
        ok = 0;
    }
    if (ctx != NULL) {
        bench_lucidtls.ctx_free(ctx);
    }
    return ok;
}

static void not_built_rows(const bench_case *cs, const char *why)
{
    static const char *const who[2] = {"server", "client"};
    char na[160];
    snprintf(na, sizeof na, "n/a (not built: %.120s)", why);
    for (int d = 0; d < 2; d++) {
        add_row("handshake", "us", 0, 0, "%s %s CPU per handshake", cs->label, who[d]);
        snprintf(g_rows[g_nrows - 1].na, sizeof g_rows[0].na, "%s", na);
        add_row("handshake", "hs/s", 0, 0, "%s %s handshakes/s (1 / CPU)", cs->label, who[d]);
        snprintf(g_rows[g_nrows - 1].na, sizeof g_rows[0].na, "%s", na);
    }
    if (cs->resume == RESUME_SESSION_ID) {
        add_row("memory", "bytes", 0, 0, "%s%s", "TLS1.2 session cache, server heap per cached session", "");
        snprintf(g_rows[g_nrows - 1].na, sizeof g_rows[0].na, "n/a (the session cache is not built: %.100s)", why);
    }
}

/* Server heap each cached session costs: n full handshakes whose clients
 * offer nothing, each leaving one entry in the server's cache, and the
 * server's live heap after every connection is freed, per handshake. */
static double cache_entry_bytes(const bench_lib *lib, void *ctx, const bench_case *cs, int n)
{
    char err[512] = "";
    (void)cs;
    g_offer_session = 0;
    g_side_timing = 0;
    long long s0 = g_alloc.side[SIDE_SERVER].live;
    for (int i = 0; i < n; i++) {
        void *p = lib->pair_new(ctx);
        if (p == NULL || lib->pair_handshake(p, err, sizeof err) != 0) {
            die("session cache: %s: %s", lib->name, err);
        }
        lib->pair_free(p);
    }
    double per = (double)(g_alloc.side[SIDE_SERVER].live - s0) / n;
    g_offer_session = 1;
    g_side_timing = 1;
    return per;
}

/* ---- Profile mode: one workload, one library ---- */

static const bench_case *find_case(const char *name)
{
    for (size_t i = 0; i < N_CASES; i++) {
        if (strcmp(CASES[i].label, name) == 0) {
            return &CASES[i];
        }
    }
    for (size_t i = 0; i < N_CASES; i++) {
        if (strcmp(CASES[i].suite, name) == 0) {
            return &CASES[i];
        }
    }
    return NULL;
}

static int run_profile(const opts *o, const bench_pki *pki)
{
    const bench_lib *lib = strcmp(o->profile_lib, "openssl") == 0 ? &bench_openssl : &bench_lucidtls;
    const char *name = o->profile_suite != NULL ? o->profile_suite : "AES128-GCM-SHA256";
    const bench_case *cs = find_case(name);
    if (cs == NULL) {
        fprintf(stderr, "lucidtls-bench: no case '%s'; one of:", name);
        for (size_t i = 0; i < N_CASES; i++) {
            fprintf(stderr, " '%s'", CASES[i].label);
        }
        fprintf(stderr, "\n");
        return 2;
    }
    char err[512] = "";
    void *ctx = lib->ctx_new(pki, cs, err, sizeof err);
    if (ctx == NULL) {
        die("%s: %s", lib->name, err);
    }
    long n = o->profile_n > 0 ? o->profile_n : 50;
    if (strcmp(o->profile, "hs") == 0) {
        hs_batch_out b;
        hs_batch(lib, ctx, cs, (int)n, 0, &b);
        fprintf(stderr, "%s %s: %ld handshakes, server %.1f us, client %.1f us each\n", lib->name, cs->label, n,
                b.server_us, b.client_us);
    } else {
        static uint8_t data[REC], got[REC];
        void *p = lib->pair_new(ctx);
        if (p == NULL || lib->pair_handshake(p, err, sizeof err) != 0) {
            die("%s: %s", lib->name, err);
        }
        double v = bulk_round(lib, p, 1, (int)n, data, got);
        fprintf(stderr, "%s %s: %ld records client->server, %.0f MB/s\n", lib->name, cs->label, n, v);
        lib->pair_free(p);
    }
    lib->ctx_free(ctx);
    return 0;
}

/* ---- Output ---- */

static int row_pass(const row *r)
{
    if (r->target == NULL || r->os == 0) {
        return -1;
    }
    double ratio = r->os != 0 ? r->lt / r->os : 0;
    int ok = r->target_le ? ratio <= r->target_ratio : ratio >= r->target_ratio;
    if (r->target_limit > 0) {
        ok = ok && r->limit > 0 && r->lt / r->limit >= r->target_limit;
    }
    return ok;
}

static void print_json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            printf("\\%c", ch);
        } else if (ch < 0x20) {
            printf("\\u%04x", ch);
        } else if (ch >= 0x80) {
            putchar(ch); /* UTF-8 passes through */
        } else {
            putchar(ch);
        }
    }
    putchar('"');
}

static void print_json(const machine *m, const opts *o, const evp_floor *ef, double clock_ns)
{
    static const char *const sections[] = {"handshake", "bulk", "memory"};
    printf("{\"machine\":{\"cpu\":");
    print_json_str(m->cpu);
    printf(",\"nproc\":%ld,\"date\":", m->nproc);
    print_json_str(m->date);
    printf(",\"loadavg\":");
    print_json_str(m->loadavg);
    printf(",\"kernel\":");
    print_json_str(m->kernel);
    printf(",\"openssl\":");
    print_json_str(OpenSSL_version(OPENSSL_VERSION));
    printf(",\"lucidtls\":\"%s\",\"command\":", LT_VERSION_STRING);
    print_json_str(m->command);
    printf(",\"mode\":\"%s\",\"rounds\":%d,\"handshakes_per_round\":%d,\"bulk_records_per_round\":%d,"
           "\"memory_connections\":%d,\"clock_read_ns\":%.0f,\"interval_ns_subtracted\":%.0f},\n",
           o->quick ? "quick" : "default", o->rounds, o->hs_per_round, o->bulk_records, o->mem_conns, clock_ns,
           g_interval_ns);
    for (size_t s = 0; s < 3; s++) {
        printf("\"%s\":[", sections[s]);
        int first = 1;
        for (int i = 0; i < g_nrows; i++) {
            const row *r = &g_rows[i];
            if (strcmp(r->section, sections[s]) != 0) {
                continue;
            }
            printf("%s\n {\"name\":", first ? "" : ",");
            first = 0;
            print_json_str(r->name);
            printf(",\"unit\":");
            print_json_str(r->unit);
            if (r->na[0] != '\0') {
                printf(",\"lucidtls\":null,\"openssl\":");
                r->os > 0 ? printf("%.6g", r->os) : printf("null");
                printf(",\"ratio\":null,\"na\":");
                print_json_str(r->na);
                printf("}");
                continue;
            }
            printf(",\"lucidtls\":%.6g,\"openssl\":%.6g,\"ratio\":%.4f", r->lt, r->os, r->os != 0 ? r->lt / r->os : 0);
            if (r->limit > 0) {
                printf(",\"evp_limit\":%.6g,\"lucidtls_of_limit\":%.4f", r->limit, r->lt / r->limit);
            }
            if (r->target != NULL) {
                printf(",\"target\":");
                print_json_str(r->target);
                int pass = row_pass(r);
                printf(",\"meets_target\":%s", pass < 0 ? "null" : pass ? "true" : "false");
            }
            printf("}");
        }
        printf("],\n");
    }
    printf("\"negotiated\":[");
    for (size_t i = 0; i < N_CASES; i++) {
        printf("%s\n {\"case\":", i ? "," : "");
        print_json_str(CASES[i].label);
        printf(",\"suite\":");
        print_json_str(CASES[i].suite);
        printf(",\"group\":");
        print_json_str(g_probe[i].group);
        printf(",\"signature_scheme\":");
        print_json_str(g_probe[i].scheme);
        printf(",\"version\":");
        print_json_str(g_probe[i].version);
        printf(",\"encrypt_then_mac\":%s,\"ems\":%s,\"resumed\":%s,\"tickets\":%d}", g_probe[i].etm ? "true" : "false",
               CASES[i].tls13   ? "null"
               : g_probe[i].ems ? "true"
                                : "false",
               g_probe[i].resumed ? "true" : "false", g_probe[i].tickets);
    }
    printf("],\n");
    printf("\"crypto_floor\":{\"rsa2048_decrypt_pkcs1_us\":%.2f,\"rsa2048_decrypt_tls_padding_us\":%.2f,"
           "\"rsa2048_encrypt_us\":%.2f,\"rsa2048_verify_sha256_us\":%.2f,\"x25519_keygen_us\":%.2f,"
           "\"x25519_derive_us\":%.2f,\"ecdsa_p256_sign_sha256_us\":%.2f,\"ecdsa_p256_verify_sha256_us\":%.2f,"
           "\"rsa2048_pss_sign_sha256_us\":%.2f,\"rsa2048_pss_verify_sha256_us\":%.2f,"
           "\"aes128gcm_encrypt_MBps\":%.1f,\"aes128gcm_seal_open_MBps\":%.1f,\"chacha20poly1305_seal_open_MBps\":%.1f,"
           "\"aes128cbc_hmac_sha256_encrypt_MBps\":%.1f,\"aes128cbc_hmac_sha256_seal_open_MBps\":%.1f,"
           "\"aes128cbc_then_hmac_sha256_etm_seal_open_MBps\":%.1f,"
           "\"aes128cbc_hmac_sha256_stitched_encrypt_MBps\":%.1f,"
           "\"ecdsa_p256_sign_certificate_verify_us\":%.2f,\"ecdsa_p256_verify_certificate_verify_us\":%.2f,"
           "\"rsa2048_pss_sign_certificate_verify_us\":%.2f,\"rsa2048_pss_verify_certificate_verify_us\":%.2f,"
           "\"leaf_cert_verify_ec_us\":%.2f,\"tls13_key_schedule_full_us\":%.2f,\"tls13_key_schedule_psk_us\":%.2f,"
           "\"tls13_aes128gcm_seal_open_MBps\":%.1f,\"tls13_aes256gcm_seal_open_MBps\":%.1f,"
           "\"tls13_chacha20poly1305_seal_open_MBps\":%.1f}}\n",
           ef->rsa_dec_pkcs1_us, ef->rsa_dec_tls_us, ef->rsa_enc_us, ef->rsa_verify_us, ef->x25519_keygen_us,
           ef->x25519_derive_us, ef->ecdsa_sign_us, ef->ecdsa_verify_us, ef->pss_sign_us, ef->pss_verify_us,
           ef->gcm_enc_mbs, ef->gcm_seal_open_mbs, ef->chacha_seal_open_mbs, ef->cbc_enc_mbs, ef->cbc_seal_open_mbs,
           ef->etm_seal_open_mbs, ef->stitched_enc_mbs, ef->op_us[OP_ECDSA_SIGN_CV], ef->op_us[OP_ECDSA_VERIFY_CV],
           ef->op_us[OP_PSS_SIGN_CV], ef->op_us[OP_PSS_VERIFY_CV], ef->op_us[OP_CERT_VERIFY_EC],
           ef->op_us[OP_KS13_FULL], ef->op_us[OP_KS13_PSK], ef->tls13_seal_open_mbs[0], ef->tls13_seal_open_mbs[1],
           ef->tls13_seal_open_mbs[2]);
}

static void print_table(const machine *m, const opts *o, const evp_floor *ef, double clock_ns)
{
    printf("lucidtls-bench: lucidtls %s vs OpenSSL libssl\n", LT_VERSION_STRING);
    printf("  date:     %s\n", m->date);
    printf("  machine:  %s, nproc %ld, %s\n", m->cpu, m->nproc, m->kernel);
    printf("  load:     %s (/proc/loadavg at start; other work shares the CPUs)\n", m->loadavg);
    printf("  openssl:  %s (libssl and libcrypto; lucidtls uses the same libcrypto)\n",
           OpenSSL_version(OPENSSL_VERSION));
    printf("  command:  %s\n", m->command);
    printf("  mode:     %s: %d rounds x %d handshakes, %d x 16 KiB records per direction, %d connections held\n",
           o->quick ? "quick" : "default", o->rounds, o->hs_per_round, o->bulk_records, o->mem_conns);
#ifdef __OPTIMIZE__
    printf("  build:    optimised\n");
#else
    printf("  build:    NOT optimised (use -DCMAKE_BUILD_TYPE=Release for numbers)\n");
#endif
    printf("  CPU time: CLOCK_THREAD_CPUTIME_ID around each side's calls; one read costs %.0f ns, the %.0f ns\n"
           "            an empty interval measures is subtracted from every interval\n",
           clock_ns, g_interval_ns);
    if (g_alloc_interposed) {
        printf("  heap:     malloc family interposed, malloc_usable_size bytes; OpenSSL hook %s\n\n",
               g_alloc.crypto_hook_ok ? "installed" : "NOT installed");
    } else {
        printf("  heap:     NOT counted (sanitizer build: the sanitizer owns malloc); memory rows are 0\n\n");
    }

    static const char *const sections[] = {"handshake", "bulk", "memory"};
    static const char *const titles[] = {
        ("Handshakes (TLS 1.2: full, EMS; TLS 1.3: full with tickets off, or resumed (PSK, psk_dhe_ke) with one\n"
         "  ticket each; full handshakes: client verifies chain + hostname; ECDHE over X25519)"),
        "Bulk: 16 KiB writes over an established connection, sender + receiver CPU in one thread",
        "Memory (heap bytes, malloc_usable_size)"};
    for (size_t s = 0; s < 3; s++) {
        printf("%s\n", titles[s]);
        printf("  %-60s %-8s %12s %12s %7s  %s\n", "metric", "unit", "lucidtls", "OpenSSL", "ratio", "target");
        for (int i = 0; i < g_nrows; i++) {
            const row *r = &g_rows[i];
            if (strcmp(r->section, sections[s]) != 0) {
                continue;
            }
            char tgt[96] = "";
            if (r->target != NULL) {
                int pass = row_pass(r);
                snprintf(tgt, sizeof tgt, "%s %s", r->target, pass < 0 ? "n/a" : pass ? "MET" : "MISSED");
            }
            if (r->na[0] != '\0') {
                printf("  %-60s %-8s %12s %12s %7s  %s\n", r->name, r->unit, "n/a", r->os > 0 ? "" : "n/a", "", r->na);
                if (r->os > 0) {
                    printf("  %-60s %-8s %12s %12.1f\n", "", "", "", r->os);
                }
                continue;
            }
            printf("  %-60s %-8s %12.1f %12.1f %7.3f  %s\n", r->name, r->unit, r->lt, r->os,
                   r->os != 0 ? r->lt / r->os : 0, tgt);
            if (r->limit > 0) {
                printf("  %-60s %-8s %12.1f %12.1f %7s  lucidtls at %.0f%% of it, OpenSSL at %.0f%%\n",
                       "    EVP limit (seal+open, same cipher, same chunks)", r->unit, r->limit, r->limit, "",
                       100 * r->lt / r->limit, 100 * r->os / r->limit);
            }
        }
        printf("\n");
    }
    printf("Negotiated (checked in both libraries before measuring)\n");
    for (size_t i = 0; i < N_CASES; i++) {
        const bench_probe *pr = &g_probe[i];
        int cbc = CASES[i].bulk == BULK_CBC_MTE || CASES[i].bulk == BULK_CBC_ETM;
        printf("  %-33s ", CASES[i].label);
        if (pr->version[0] == '\0') {
            printf("not measured (lucidtls does not resume TLS 1.2 yet)\n");
            continue;
        }
        if (CASES[i].tls13) {
            printf("%s %s, group %s, ", pr->version, pr->suite, pr->group);
            if (pr->resumed) {
                printf("resumed (PSK, psk_dhe_ke), %d ticket per handshake\n", pr->tickets);
            } else {
                printf("CertificateVerify signed with %s, %d tickets\n", pr->scheme, pr->tickets);
            }
            continue;
        }
        if (CASES[i].kx == KX_RSA) {
            printf("RSA key transport");
        } else {
            printf("group %s, ServerKeyExchange signed with %s", pr->group, pr->scheme);
        }
        printf(", EMS%s\n", cbc ? (pr->etm ? ", encrypt-then-MAC" : ", MAC-then-encrypt") : "");
    }
    printf("\n");

    printf("Crypto floor (EVP alone, the calls both libraries make, fresh contexts per operation)\n");
    printf("  RSA-2048 decrypt, PKCS#1 v1.5, 48-byte secret   %8.1f us\n", ef->rsa_dec_pkcs1_us);
    printf("  RSA-2048 decrypt, RSA_PKCS1_WITH_TLS_PADDING    %8.1f us  (what both libraries call)\n",
           ef->rsa_dec_tls_us);
    printf("  RSA-2048 encrypt, PKCS#1 v1.5                   %8.1f us\n", ef->rsa_enc_us);
    printf("  RSA-2048 verify, sha256WithRSAEncryption        %8.1f us  (X509_verify: the leaf under the CA key)\n",
           ef->rsa_verify_us);
    printf("  X25519 keygen (+ raw public key)                %8.1f us\n", ef->x25519_keygen_us);
    printf("  X25519 derive (peer key from 32 bytes + derive) %8.1f us\n", ef->x25519_derive_us);
    printf("  ECDSA P-256 sign, SHA-256, 100 bytes            %8.1f us  (ServerKeyExchange)\n", ef->ecdsa_sign_us);
    printf("  ECDSA P-256 verify, SHA-256                     %8.1f us\n", ef->ecdsa_verify_us);
    printf("  RSA-2048 PSS sign, SHA-256 (rsa_pss_rsae_sha256)%8.1f us  (ServerKeyExchange)\n", ef->pss_sign_us);
    printf("  RSA-2048 PSS verify, SHA-256                    %8.1f us\n", ef->pss_verify_us);
    printf("  ECDSA P-256 sign, TLS 1.3 CertificateVerify      %8.1f us  (130 bytes signed)\n",
           ef->op_us[OP_ECDSA_SIGN_CV]);
    printf("  ECDSA P-256 verify, TLS 1.3 CertificateVerify    %8.1f us\n", ef->op_us[OP_ECDSA_VERIFY_CV]);
    printf("  RSA-2048 PSS sign, TLS 1.3 CertificateVerify     %8.1f us\n", ef->op_us[OP_PSS_SIGN_CV]);
    printf("  RSA-2048 PSS verify, TLS 1.3 CertificateVerify   %8.1f us\n", ef->op_us[OP_PSS_VERIFY_CV]);
    printf("  leaf cert verify, the P-256 leaf (RSA CA)        %8.1f us\n", ef->op_us[OP_CERT_VERIFY_EC]);
    printf("  TLS 1.3 key schedule, full handshake, one side   %8.1f us  (HKDF: 3 Extract + 18 Expand, 2 HMAC)\n",
           ef->op_us[OP_KS13_FULL]);
    printf("  TLS 1.3 key schedule, PSK resumption, one side   %8.1f us  (HKDF: 3 Extract + 21 Expand, 3 HMAC)\n",
           ef->op_us[OP_KS13_PSK]);
    printf("  per handshake (the handshake rows re-time these sums between their handshakes):\n");
    for (int fl = 0; fl < FLOOR_COUNT; fl++) {
        for (int side = SIDE_SERVER; side >= SIDE_CLIENT; side--) {
            int ops[6];
            int k = evp_hs_floor_ops(fl, side, ops);
            double us = 0;
            for (int i = 0; i < k; i++) {
                us += ops[i] == OP_RSA_DECRYPT ? ef->rsa_dec_pkcs1_us : ef->op_us[ops[i]];
            }
            printf("    %-22s %s %8.1f us = %s\n", floor_name(fl), side == SIDE_SERVER ? "server" : "client", us,
                   evp_hs_floor_text(fl, side));
        }
    }
    printf("  AES-128-GCM encrypt, 16 KiB                     %8.1f MB/s\n", ef->gcm_enc_mbs);
    printf("  AES-128-GCM seal + open, 16 KiB                 %8.1f MB/s\n", ef->gcm_seal_open_mbs);
    printf("  ChaCha20-Poly1305 seal + open, 16 KiB           %8.1f MB/s\n", ef->chacha_seal_open_mbs);
    printf("  AES-128-CBC + HMAC-SHA256 encrypt, 16 KiB       %8.1f MB/s  (separate passes)\n", ef->cbc_enc_mbs);
    printf("  AES-128-CBC + HMAC-SHA256 seal + open, 16 KiB   %8.1f MB/s  (MtE, separate passes)\n",
           ef->cbc_seal_open_mbs);
    printf("  AES-128-CBC then HMAC-SHA256 seal + open        %8.1f MB/s  (EtM: MAC over the ciphertext)\n",
           ef->etm_seal_open_mbs);
    printf("  TLS 1.3 records (5-byte AAD, 16385 bytes sealed per 16 KiB), seal + open:\n");
    printf("    AES-128-GCM %.1f MB/s, AES-256-GCM %.1f MB/s, ChaCha20-Poly1305 %.1f MB/s\n",
           ef->tls13_seal_open_mbs[0], ef->tls13_seal_open_mbs[1], ef->tls13_seal_open_mbs[2]);
    if (ef->stitched_enc_mbs > 0) {
        printf("  AES-128-CBC-HMAC-SHA256 stitched encrypt        %8.1f MB/s  (libssl's one-pass cipher, MtE only)\n",
               ef->stitched_enc_mbs);
    } else {
        printf("  AES-128-CBC-HMAC-SHA256 stitched encrypt            n/a  (not available here)\n");
    }
}

/* The bounds on lucidtls / OpenSSL server CPU per handshake (0:
 * none): RSA key transport 0.85x, ECDHE-ECDSA 0.6x in TLS 1.2, and the
 * full TLS 1.3 handshake with the ECDSA certificate 0.6x. */
static double server_cpu_target(const bench_case *cs)
{
    if (cs->tls13) {
        return cs->kx == KX_ECDHE_ECDSA && !cs->resume ? 0.6 : 0;
    }
    return cs->kx == KX_RSA ? 0.85 : cs->kx == KX_ECDHE_ECDSA ? 0.6 : 0;
}

/* ---- main ---- */

static void usage(void)
{
    fprintf(stderr,
            "usage: lucidtls-bench [--quick] [--json]\n"
            "       lucidtls-bench --profile hs|bulk --lib lucidtls|openssl [--suite NAME] [--n N]\n"
            "                      [--side client|server]  (with valgrind --tool=callgrind --collect-atstart=no)\n");
    exit(2);
}

int main(int argc, char **argv)
{
    /* Before any other OpenSSL call: later it would be refused. */
    alloc_install_crypto_hook();

    opts o;
    memset(&o, 0, sizeof o);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) {
            o.quick = 1;
        } else if (strcmp(argv[i], "--json") == 0) {
            o.json = 1;
        } else if (strcmp(argv[i], "--profile") == 0 && i + 1 < argc) {
            o.profile = argv[++i];
        } else if (strcmp(argv[i], "--lib") == 0 && i + 1 < argc) {
            o.profile_lib = argv[++i];
        } else if (strcmp(argv[i], "--suite") == 0 && i + 1 < argc) {
            o.profile_suite = argv[++i];
        } else if (strcmp(argv[i], "--side") == 0 && i + 1 < argc) {
            i++;
            g_collect_side = strcmp(argv[i], "server") == 0 ? SIDE_SERVER : SIDE_CLIENT;
        } else if (strcmp(argv[i], "--n") == 0 && i + 1 < argc) {
            o.profile_n = atol(argv[++i]);
        } else {
            usage();
        }
    }
    if (o.profile != NULL &&
        (o.profile_lib == NULL || (strcmp(o.profile, "hs") != 0 && strcmp(o.profile, "bulk") != 0))) {
        usage();
    }
    if (o.quick) {
        o.rounds = 7;
        o.hs_per_round = 100;
        o.bulk_records = 1500;
        o.mem_conns = 100;
        o.evp_seconds = 0.25;
    } else {
        o.rounds = 9;
        o.hs_per_round = 400;
        o.bulk_records = 6000;
        o.mem_conns = 200;
        o.evp_seconds = 1.5;
    }
    logf_ = stderr;
    g_start_ns = wall_ns();

    machine m;
    machine_info(&m, argc, argv);

    /* One PKI for both libraries. */
    bench_pki pki;
    if (bench_pki_make(&pki, "localhost") != 0) {
        die("%s%s", "bench_pki_make failed", "");
    }

    if (o.profile != NULL) {
        int rc = run_profile(&o, &pki);
        bench_pki_free(&pki);
        return rc;
    }

    double c0 = thread_cpu_ns();
    for (int i = 0; i < 10000; i++) {
        (void)thread_cpu_ns();
    }
    double clock_ns = (thread_cpu_ns() - c0) / 10001;

    calibrate_intervals();
    progress("crypto floor (EVP)");
    evp_floor ef;
    char err[512] = "";
    if (evp_hs_prepare(&pki) != 0 || evp_bulk_prepare() != 0) {
        die("%s%s", "EVP floor setup failed", "");
    }
    if (evp_measure(o.evp_seconds, &ef, err, sizeof err) != 0) {
        die("%s%s", err, "");
    }

    for (size_t ci = 0; ci < N_CASES; ci++) {
        const bench_case *cs = &CASES[ci];
        const char *label = cs->label;
        if (CASE_IS_TLS12_RESUME(cs) && !lucidtls_resumes(&pki, cs, err, sizeof err)) {
            not_built_rows(cs, err);
            continue;
        }
        void *ctxs[N_LIBS];
        bench_probe probes[N_LIBS];
        for (int l = 0; l < N_LIBS; l++) {
            ctxs[l] = LIBS[l]->ctx_new(&pki, cs, err, sizeof err);
            if (ctxs[l] == NULL) {
                die("%s: %s", LIBS[l]->name, err);
            }
            sanity(LIBS[l], ctxs[l], cs, &probes[l]);
        }
        g_probe[ci] = probes[0];

        char what[128];
        row *r;
        if (cs->run & RUN_HS) {
            snprintf(what, sizeof what, "%s: handshakes", label);
            progress(what);
            hs_result hr[N_LIBS];
            run_handshakes(&o, ctxs, cs, hr);
            static const char *const who[2] = {"server", "client"};
            for (int d = 0; d < 2; d++) {
                r = add_row("handshake", "us", hr[0].cpu_us[d], hr[1].cpu_us[d], "%s %s CPU per handshake", label,
                            who[d]);
                if (d == 0 && server_cpu_target(cs) > 0) {
                    r->target = server_cpu_target(cs) == 0.6 ? "<= 0.6x" : "<= 0.85x";
                    r->target_ratio = server_cpu_target(cs);
                    r->target_le = 1;
                }
            }
            for (int d = 0; d < 2 && cs->resume; d++) {
                add_row("handshake", "hs/s", 1e6 / hr[0].cpu_us[d], 1e6 / hr[1].cpu_us[d],
                        "%s %s handshakes/s (1 / CPU)", label, who[d]);
            }
            if (cs->resume == RESUME_SESSION_ID) {
                double per[N_LIBS];
                for (int l = 0; l < N_LIBS; l++) {
                    per[l] = cache_entry_bytes(LIBS[l], ctxs[l], cs, SESSION_CACHE_N);
                }
                r = add_row("memory", "bytes", per[0], per[1], "%s%s",
                            "TLS1.2 session cache, server heap per cached session", "");
            }
            for (int d = 0; d < 2; d++) {
                add_row("handshake", "us", hr[0].floor_us[d], hr[1].floor_us[d],
                        "%s   %s floor between each library's handshakes", label, who[d]);
            }
            for (int d = 0; d < 2; d++) {
                add_row("handshake", "us", hr[0].warm_floor_us[d], hr[1].warm_floor_us[d],
                        "%s   %s floor back to back (warm EVP loop)", label, who[d]);
            }
            for (int d = 0; d < 2; d++) {
                r = add_row("handshake", "us", hr[0].overhead_us[d], hr[1].overhead_us[d],
                            "%s %s overhead (CPU - floor)", label, who[d]);
                if (d == 0 && cs->kx == KX_ECDHE_ECDSA && !cs->resume) {
                    r->target = "<= 0.5x";
                    r->target_ratio = 0.5;
                    r->target_le = 1;
                }
            }
            for (int d = 0; d < 2; d++) {
                add_row("handshake", "us", hr[0].overhead_warm_us[d], hr[1].overhead_warm_us[d],
                        "%s %s overhead (CPU - warm floor)", label, who[d]);
            }
            for (int d = 0; d < 2; d++) {
                add_row("handshake", "calls", hr[0].allocs[d], hr[1].allocs[d], "%s %s allocations per handshake",
                        label, who[d]);
            }
        }

        if (cs->run & RUN_BULK) {
            snprintf(what, sizeof what, "%s: bulk", label);
            progress(what);
            double mbs[N_LIBS][2], limit = 0;
            run_bulk(&o, ctxs, cs, mbs, &limit);
            for (int dir = 0; dir < 2; dir++) {
                r = add_row("bulk", "MB/s", mbs[0][dir], mbs[1][dir], "%s %s", label,
                            dir == 0 ? "client->server" : "server->client");
                r->limit = limit;
                if (cs->bulk == BULK_GCM) {
                    r->target = ">= 1.2x, >= 85% EVP";
                    r->target_ratio = 1.2;
                    r->target_le = 0;
                    r->target_limit = 0.85;
                } else if (cs->tls13) {
                    r->target = ">= 90% EVP";
                    r->target_ratio = 0; /* no bound on the ratio */
                    r->target_le = 0;
                    r->target_limit = 0.90;
                }
            }
        }

        if (cs->run & RUN_MEM) {
            snprintf(what, sizeof what, "%s: memory", label);
            progress(what);
            mem_result mr[N_LIBS];
            for (int l = 0; l < N_LIBS; l++) {
                run_memory(&o, LIBS[l], ctxs[l], cs, &mr[l]);
                if (mr[l].residual > 1024 || mr[l].residual < -1024) {
                    fprintf(stderr, "  note: %s left %lld bytes after freeing every connection (lazy caches?)\n",
                            LIBS[l]->name, mr[l].residual);
                }
            }
            mem_result mrel;
            {
                void *rctx = bench_openssl_release.ctx_new(&pki, cs, err, sizeof err);
                if (rctx == NULL) {
                    die("%s: %s", bench_openssl_release.name, err);
                }
                run_memory(&o, &bench_openssl_release, rctx, cs, &mrel);
                bench_openssl_release.ctx_free(rctx);
            }
            mem_result mlrel;
            {
                void *rctx = bench_lucidtls_release.ctx_new(&pki, cs, err, sizeof err);
                if (rctx == NULL) {
                    die("%s: %s", bench_lucidtls_release.name, err);
                }
                run_memory(&o, &bench_lucidtls_release, rctx, cs, &mlrel);
                bench_lucidtls_release.ctx_free(rctx);
            }
            for (int side = SIDE_SERVER; side >= SIDE_CLIENT; side--) {
                const char *who = side == SIDE_SERVER ? "server" : "client";
                r = add_row("memory", "bytes", mr[0].idle[side], mr[1].idle[side], "%s %s heap per idle connection",
                            label, who);
                r->target = "<= 0.5x";
                r->target_ratio = 0.5;
                r->target_le = 1;
                add_row("memory", "bytes", mr[0].idle_crypto[side], mr[1].idle_crypto[side],
                        "%s %s   of which via OPENSSL_malloc", label, who);
                add_row("memory", "bytes", mr[0].after_data[side], mr[1].after_data[side],
                        "%s %s heap after 16 KiB each way", label, who);
                add_row("memory", "bytes", mr[0].peak[side], mr[1].peak[side], "%s %s heap peak during handshake",
                        label, who);
                add_row("memory", "bytes", mr[0].idle[side], mrel.idle[side], "%s %s idle vs OpenSSL RELEASE_BUFFERS",
                        label, who);
                /* Both libraries giving their record buffers back while
                 * idle: lt_conn_release_buffers (on demand, what lucidtls
                 * server does for a waiting connection) against
                 * SSL_MODE_RELEASE_BUFFERS. */
                add_row("memory", "bytes", mlrel.idle[side], mrel.idle[side], "%s %s idle, both releasing buffers",
                        label, who);
                add_row("memory", "bytes", mlrel.idle[side], mr[1].idle[side],
                        "%s %s idle, lucidtls releasing vs OpenSSL default", label, who);
            }
        }
        for (int l = 0; l < N_LIBS; l++) {
            LIBS[l]->ctx_free(ctxs[l]);
        }
    }
    progress("done");

    if (o.json) {
        print_json(&m, &o, &ef, clock_ns);
    } else {
        print_table(&m, &o, &ef, clock_ns);
    }
    bench_pki_free(&pki);
    return 0;
}
