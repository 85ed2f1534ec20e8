/* rfm_util.c - the project-wide error helper, checked allocation, the seeded generator
 * (xoshiro256** seeded by splitmix64) and the clock. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "rfm.h"

rfm_view rfm_view_of(const double *data, size_t rows, size_t cols) {
    rfm_view v = {rows, cols, cols, data};
    return v;
}

rfm_status rfm_fail(rfm_error *err, rfm_status code, const char *fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

const char *rfm_status_name(rfm_status s) {
    switch (s) {
    case RFM_OK: return "ok";
    case RFM_EINVAL: return "invalid argument";
    case RFM_ENOMEM: return "out of memory";
    case RFM_ENUMERIC: return "numeric failure";
    case RFM_EIO: return "i/o error";
    case RFM_EFORMAT: return "malformed input";
    }
    return "unknown status";
}

rfm_status rfm_alloc(void **out, size_t rows, size_t cols, size_t size, const char *what,
                     rfm_error *err) {
    *out = NULL;
    double gib = (double)rows * (double)cols * (double)size / 1073741824.0;
    if (rows != 0 && cols > SIZE_MAX / rows) goto fail;
    size_t count = rows * cols;
    if (size != 0 && count > SIZE_MAX / size) goto fail;
    // malloc(0) may return NULL legitimately; a one-byte block keeps "NULL = failure" simple.
    size_t bytes = count * size;
    *out = malloc(bytes ? bytes : 1);
    if (*out) return RFM_OK;
fail:
    return rfm_fail(err, RFM_ENOMEM, "%s (%zu x %zu) needs %.2f GiB, which could not be allocated",
                    what, rows, cols, gib);
}

static uint64_t splitmix_(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void rfm_rng_seed(rfm_rng *r, uint64_t seed) {
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) r->s[i] = splitmix_(&x);
}

static uint64_t rotl_(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t rfm_rng_next(rfm_rng *r) {
    uint64_t *s = r->s;
    uint64_t out = rotl_(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl_(s[3], 45);
    return out;
}

double rfm_rng_uniform(rfm_rng *r) { return (double)(rfm_rng_next(r) >> 11) * 0x1.0p-53; }

double rfm_rng_normal(rfm_rng *r) {
    // Box-Muller; 1 - u keeps the logarithm's argument in (0, 1].
    double u = 1.0 - rfm_rng_uniform(r), v = rfm_rng_uniform(r);
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

size_t rfm_rng_below(rfm_rng *r, size_t n) {
    // Rejection keeps the draw unbiased when n does not divide 2^64.
    uint64_t limit = UINT64_MAX - UINT64_MAX % (uint64_t)n;
    uint64_t x;
    do {
        x = rfm_rng_next(r);
    } while (x >= limit);
    return (size_t)(x % (uint64_t)n);
}

double rfm_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
