/* Reference for the benchmarks: libsodium's one-shot crypto_box_seal / crypto_box_seal_open doing
 * the whole file-to-file job (read the whole file, one call, write the result).
 *
 * usage: oneshot open SK_HEX_FILE IN OUT [--prefault] [--thp] [--fsync]
 *        oneshot seal PK_HEX_FILE IN OUT [--prefault] [--thp] [--fsync]
 * The key is read from a file (64 hex digits), never from the command line.
 *
 * It prints on stderr:
 *   crypto_seconds S   the crypto call alone, on data already in memory
 *   prefaulted 0|1     whether the output buffer was touched (memset) before that call
 *   prefault_seconds S the memset alone (--prefault), i.e. the cost of faulting the buffer in
 *   output_pages_faulted_in_call N  minor page faults taken during the call (getrusage)
 *
 * --prefault  memset the freshly malloc'd output buffer before the timed call, so the call does
 *             not pay the kernel's page faults (first touch of every 4 KiB page) on it. Without it
 *             (the default, what a plain one-shot program does) the crypto call itself faults in
 *             the whole output buffer.
 * --thp       allocate the output buffer 2 MiB-aligned and madvise(MADV_HUGEPAGE) it, so that it is
 *             faulted in 2 MiB at a time (transparent huge pages are `madvise`-only on many systems)
 * --fsync     fsync OUT before closing it (nbkey fsyncs its output before renaming it into place;
 *             this gives the reference the same durability for a like-for-like row). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>

static unsigned char *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(1); }
    fseeko(f, 0, SEEK_END); *len = (size_t)ftello(f); fseeko(f, 0, SEEK_SET);
    unsigned char *buf = malloc(*len ? *len : 1);
    if (!buf || fread(buf, 1, *len, f) != *len) { perror("read"); exit(1); }
    fclose(f);
    return buf;
}

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static long minflt(void) { struct rusage r; getrusage(RUSAGE_SELF, &r); return r.ru_minflt; }

static unsigned char *alloc_out(size_t n, int thp) {
    if (n == 0) n = 1;
    if (!thp) return malloc(n);
    void *p = NULL;
    size_t huge = (size_t)2 << 20, rounded = (n + huge - 1) / huge * huge;
    if (posix_memalign(&p, huge, rounded) != 0) return NULL;
    if (madvise(p, rounded, MADV_HUGEPAGE) != 0) perror("madvise(MADV_HUGEPAGE)");
    return p;
}

/* 32 bytes from a file of 64 hex digits (a trailing newline allowed); the text is wiped. */
static int read_key(const char *path, unsigned char key[32]) {
    char text[80]; size_t bin_len = 0; const char *end = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    size_t got = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[got] = 0;
    int rc = sodium_hex2bin(key, 32, text, got, NULL, &bin_len, &end);
    int ok = rc == 0 && bin_len == 32 && (*end == 0 || strcmp(end, "\n") == 0);
    sodium_memzero(text, sizeof text);
    return ok ? 0 : -1;
}

int main(int argc, char **argv) {
    int prefault = 0, do_fsync = 0, thp = 0;
    double prefault_seconds = 0;
    for (int i = 5; i < argc; i++) {
        if (strcmp(argv[i], "--prefault") == 0) prefault = 1;
        else if (strcmp(argv[i], "--thp") == 0) thp = 1;
        else if (strcmp(argv[i], "--fsync") == 0) do_fsync = 1;
        else { fprintf(stderr, "unknown option %s\n", argv[i]); return 2; }
    }
    if (argc < 5 || sodium_init() < 0) { fprintf(stderr, "usage: oneshot open|seal KEY_HEX_FILE IN OUT [--prefault] [--thp] [--fsync]\n"); return 2; }
    unsigned char key[32];
    if (read_key(argv[2], key) != 0) { fprintf(stderr, "bad key file\n"); return 2; }
    size_t n; unsigned char *in = read_all(argv[3], &n);
    unsigned char *out; size_t outlen; double t0, t1; long f0, f1;
    if (strcmp(argv[1], "open") == 0) {
        if (n < crypto_box_SEALBYTES) return 1;
        unsigned char pk[32]; crypto_scalarmult_base(pk, key);
        outlen = n - crypto_box_SEALBYTES; out = alloc_out(outlen, thp);
        if (!out) { perror("malloc"); return 1; }
        if (prefault) { double p0 = now(); memset(out, 0xA5, outlen); prefault_seconds = now() - p0; }
        f0 = minflt(); t0 = now();
        if (crypto_box_seal_open(out, in, n, pk, key) != 0) { fprintf(stderr, "auth failed\n"); return 1; }
        t1 = now(); f1 = minflt();
    } else if (strcmp(argv[1], "seal") == 0) {
        outlen = n + crypto_box_SEALBYTES; out = alloc_out(outlen, thp);
        if (!out) { perror("malloc"); return 1; }
        if (prefault) { double p0 = now(); memset(out, 0xA5, outlen); prefault_seconds = now() - p0; }
        f0 = minflt(); t0 = now();
        if (crypto_box_seal(out, in, n, key) != 0) { fprintf(stderr, "seal failed\n"); return 1; }
        t1 = now(); f1 = minflt();
    } else { fprintf(stderr, "usage: oneshot open|seal KEYHEX IN OUT [--prefault] [--thp] [--fsync]\n"); return 2; }
    fprintf(stderr, "crypto_seconds %.6f\nprefaulted %d\nprefault_seconds %.6f\noutput_pages_faulted_in_call %ld\n",
            t1 - t0, prefault, prefault_seconds, f1 - f0);
    FILE *f = fopen(argv[4], "wb");
    if (!f || fwrite(out, 1, outlen, f) != outlen || fflush(f) != 0) { perror(argv[4]); return 1; }
    if (do_fsync && fsync(fileno(f)) != 0) { perror("fsync"); return 1; }
    if (fclose(f) != 0) { perror(argv[4]); return 1; }
    return 0;
}
