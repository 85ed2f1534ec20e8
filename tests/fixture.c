/* fixture.c - seeded fixtures for the tests; all randomness goes through rfm_rng. */
#include "fixture.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "rfm.h"

void fixture_normal(double *x, size_t count, uint64_t seed) {
    rfm_rng r;
    rfm_rng_seed(&r, seed);
    for (size_t i = 0; i < count; i++) x[i] = rfm_rng_normal(&r);
}

void fixture_uniform(double *x, size_t count, double lo, double hi, uint64_t seed) {
    rfm_rng r;
    rfm_rng_seed(&r, seed);
    for (size_t i = 0; i < count; i++) x[i] = lo + (hi - lo) * rfm_rng_uniform(&r);
}

void fixture_spd(double *M, size_t d, uint64_t seed) {
    double *B = malloc(d * d * sizeof *B);
    fixture_normal(B, d * d, seed);
    for (size_t i = 0; i < d; i++) {
        for (size_t j = 0; j < d; j++) {
            double s = 0;
            for (size_t k = 0; k < d; k++) s += B[i * d + k] * B[j * d + k];
            M[i * d + j] = s / (double)d + (i == j ? 0.1 : 0.0);
        }
    }
    free(B);
}

double fixture_maxdiff(const double *a, const double *b, size_t count) {
    double m = 0;
    for (size_t i = 0; i < count; i++) {
        double e = fabs(a[i] - b[i]);
        if (e > m || isnan(e)) m = e;
    }
    return m;
}

static const char *join_(const char *env, const char *fallback, const char *rel) {
    static char buf[4][4096];
    static int next = 0;
    const char *root = getenv(env);
    char *out = buf[next];
    next = (next + 1) % 4;
    snprintf(out, sizeof buf[0], "%s/%s", root ? root : fallback, rel);
    return out;
}

const char *fixture_src(const char *rel) { return join_("RFMBENCH_SRC", "..", rel); }
const char *fixture_bin(const char *rel) { return join_("RFMBENCH_BIN", ".", rel); }

const char *fixture_tmpdir(const char *tag) {
    static char buf[4096];
    snprintf(buf, sizeof buf, "/tmp/rfmbench-test-%s-XXXXXX", tag);
    if (!mkdtemp(buf)) return NULL;
    return buf;
}
