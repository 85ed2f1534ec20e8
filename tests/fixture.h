/* fixture.h - seeded test data and small helpers shared by the Check suites. Every helper is
 * plain loops and libc (randomness from rfm_rng): none calls into the harness or the models, so
 * a suite never checks code against itself. Helpers that take a file fail the running test
 * (ck_assert) when it cannot be read or written. */
#ifndef FIXTURE_H
#define FIXTURE_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "rfm.h"

/* Run every test of s with CK_NORMAL output (the summary line prints) and free the runner:
 * main's exit status, 0 when all passed and 1 otherwise. */
int fixture_run(Suite *s);

/* ---- data ---------------------------------------------------------------------------------- */

void fixture_normal(double *x, size_t count, uint64_t seed);          /* N(0, 1) entries */
void fixture_uniform(double *x, size_t count, double lo, double hi, uint64_t seed);
void fixture_spd(double *M, size_t d, uint64_t seed);                 /* B B^T / d + 0.1 I */
/* c well separated classes in d >= 2 dimensions, on the scale of standardised data: row i is of
 * class k = i mod c, centred at +-2.5 on coordinate k mod d, plus uniform noise in
 * [-0.5, 0.5]^d, so the classes are linearly separable. X: (n, d); Y: (n, c) one-hot, and
 * label: n classes, each skipped when NULL. */
void fixture_blobs(double *X, double *Y, int *label, size_t n, size_t d, size_t c,
                   uint64_t seed);

/* ---- independent references ---------------------------------------------------------------- */

/* Largest |a_i - b_i| over count entries (NaN when any difference is NaN). */
double fixture_maxdiff(const double *a, const double *b, size_t count);
/* ||a - b||_2 / ||b||_2 over len entries (the plain ||a - b|| when b = 0); NaN propagates. */
double fixture_relerr(const double *a, const double *b, size_t len);
/* The index of the largest of row[0..c), the first one on ties. */
size_t fixture_argmax(const double *row, size_t c);
/* Solve (A + reg I) X = B by Gaussian elimination with partial pivoting. A: (n, n), overwritten;
 * B: (n, c), read only; X: (n, c), may be B itself. */
void fixture_solve(double *A, size_t n, double reg, const double *B, size_t c, double *X);
/* The ReLU NTK of one pair (x, z) in d dimensions, depth layers, the first `fix` of them fixed,
 * straight from the recursion of Arora et al. with libm (baselines/ntk.c's definition). */
double fixture_ntk(const double *x, const double *z, size_t d, int depth, int fix);

/* ---- files --------------------------------------------------------------------------------- */

/* Path of a file in the source tree ($RFMBENCH_SRC/rel) or the build tree ($RFMBENCH_BIN/rel),
 * in one of 4 rotating static buffers; fixture_join: dir/rel in 4 buffers of its own (a path that
 * does not fit fails the test). */
const char *fixture_src(const char *rel);
const char *fixture_bin(const char *rel);
const char *fixture_join(const char *dir, const char *rel);
/* A fresh empty directory under /tmp, in a static buffer. */
const char *fixture_tmpdir(const char *tag);
/* Remove root and everything below it (symlinks are not followed); nftw's result, 0 on success.
 * Called last in a test, it runs only when the test passed, so a failure keeps its files. */
int fixture_rm_tree(const char *root);
/* The whole file, NUL-terminated, malloc'd (the caller frees); *len its size unless len is
 * NULL. */
char *fixture_slurp(const char *path, size_t *len);
/* Write text to path, replacing the file. */
void fixture_write_text(const char *path, const char *text);
/* 1 when path is a file of at least one byte. */
int fixture_nonempty(const char *path);
/* Run the printf-formatted command with system(): its exit status, or -1 when it did not exit. */
int fixture_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- the rfmbench executable ---------------------------------------------------------------- */

/* Start fixture_bin("rfmbench") with args (NULL-terminated, at most 38), stdout and stderr into
 * the files out and err (NULL: /dev/null); returns the child's pid. */
pid_t fixture_spawn_rfmbench(const char *out, const char *err, const char *const *args);
/* The same, run to the end: the exit code, or 128 + the signal that ended it. */
int fixture_run_rfmbench(const char *out, const char *err, const char *const *args);
/* The file at path must be exactly one line starting with "rfmbench: "; returns it (owned). */
char *fixture_one_line_error(const char *path);

/* ---- CSV ----------------------------------------------------------------------------------- */

/* A CSV file read by a reader of the tests' own (RFC 4180 quoting, LF or CRLF), to check what the
 * harness writes without the harness's reader. */
typedef struct {
    char **cell;       /* (rows + 1) x cols, the header first; owned */
    size_t rows, cols; /* rows: data records, the header excluded */
} fixture_csv;

/* Read path; fails the test on an unreadable or empty file, a final line without a newline, or
 * a record of another width than the header. Release with fixture_csv_free. */
fixture_csv *fixture_csv_read(const char *path);
void fixture_csv_free(fixture_csv *t); /* NULL is a no-op */
/* The header column named name; fails the test when there is none. */
long fixture_csv_col(const fixture_csv *t, const char *name);
/* Cell (row, c), row 0 being the header; the cell of column `name`; and that cell as a number,
 * NaN when empty. Borrowed from t. */
const char *fixture_csv_cell(const fixture_csv *t, size_t row, size_t c);
const char *fixture_csv_str(const fixture_csv *t, size_t row, const char *name);
double fixture_csv_num(const fixture_csv *t, size_t row, const char *name);

/* Laplace kernel by plain loops: K (m, n) = exp(-sqrt((z - x)^T M (z - x)) / L) for rows of
 * Z (m, d) against X (n, d); M (d, d), a d-vector when diag, or NULL for the identity. */
void fixture_laplace_kernel(const double *Z, size_t m, const double *X, size_t n, size_t d,
                            const double *M, int diag, double L, double *K);

/* Laplace kernel ridge regression by plain loops: alpha = (K_M(X, X) + reg I)^-1 Y by
 * fixture_solve, then out (m, c) = K_M(Z, X) alpha. X: (n, d), Y: (n, c), Z: (m, d); M as in
 * fixture_laplace_kernel. */
void fixture_krr_predict(const double *X, size_t n, const double *Y, size_t c, const double *Z,
                         size_t m, size_t d, const double *M, int diag, double L, double reg,
                         double *out);

/* Default RFM parameters with bandwidth L, ridge reg and iters fits. */
rfm_params fixture_params(double L, double reg, int iters);

#endif
