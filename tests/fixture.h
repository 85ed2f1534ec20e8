/* fixture.h - seeded test data and small helpers shared by the Check suites. */
#ifndef FIXTURE_H
#define FIXTURE_H

#include <stddef.h>
#include <stdint.h>

void fixture_normal(double *x, size_t count, uint64_t seed);          /* N(0, 1) entries */
void fixture_uniform(double *x, size_t count, double lo, double hi, uint64_t seed);
void fixture_spd(double *M, size_t d, uint64_t seed);                 /* B B^T / d + 0.1 I */
/* Largest |a_i - b_i| over count entries. */
double fixture_maxdiff(const double *a, const double *b, size_t count);
/* Path of a file in the source tree ($RFMBENCH_SRC/rel) or the build tree ($RFMBENCH_BIN/rel),
 * in a static buffer. */
const char *fixture_src(const char *rel);
const char *fixture_bin(const char *rel);
/* A fresh empty directory under /tmp, in a static buffer. */
const char *fixture_tmpdir(const char *tag);

#endif
