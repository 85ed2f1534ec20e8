/* fixture.c - seeded fixtures, independent reference computations and file helpers for the
 * tests; all randomness goes through rfm_rng. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "fixture.h"

#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rfm.h"

int fixture_run(Suite *s) {
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed != 0;
}

/* ---- data ---------------------------------------------------------------------------------- */

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

void fixture_blobs(double *X, double *Y, int *label, size_t n, size_t d, size_t c,
                   uint64_t seed) {
    rfm_rng r;
    rfm_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++) {
        size_t k = i % c;
        for (size_t j = 0; j < d; j++) X[i * d + j] = rfm_rng_uniform(&r) - 0.5;
        X[i * d + k % d] += (k / d) % 2 ? -2.5 : 2.5; // classes beyond d use the other side
        if (Y)
            for (size_t q = 0; q < c; q++) Y[i * c + q] = q == k;
        if (label) label[i] = (int)k;
    }
}

/* ---- independent references ---------------------------------------------------------------- */

double fixture_maxdiff(const double *a, const double *b, size_t count) {
    double m = 0;
    for (size_t i = 0; i < count; i++) {
        double e = fabs(a[i] - b[i]);
        if (e > m || isnan(e)) m = e;
    }
    return m;
}

double fixture_relerr(const double *a, const double *b, size_t len) {
    double e = 0, s = 0;
    for (size_t i = 0; i < len; i++) {
        e += (a[i] - b[i]) * (a[i] - b[i]);
        s += b[i] * b[i];
    }
    return s > 0 ? sqrt(e / s) : sqrt(e);
}

size_t fixture_argmax(const double *row, size_t c) {
    size_t b = 0;
    for (size_t k = 1; k < c; k++)
        if (row[k] > row[b]) b = k;
    return b;
}

void fixture_solve(double *A, size_t n, double reg, const double *B, size_t c, double *X) {
    if (X != B) memcpy(X, B, n * c * sizeof *X);
    for (size_t i = 0; i < n; i++) A[i * n + i] += reg;
    for (size_t col = 0; col < n; col++) {
        size_t piv = col;
        for (size_t i = col + 1; i < n; i++)
            if (fabs(A[i * n + col]) > fabs(A[piv * n + col])) piv = i;
        for (size_t j = 0; j < n; j++) {
            double t = A[col * n + j];
            A[col * n + j] = A[piv * n + j];
            A[piv * n + j] = t;
        }
        for (size_t k = 0; k < c; k++) {
            double t = X[col * c + k];
            X[col * c + k] = X[piv * c + k];
            X[piv * c + k] = t;
        }
        for (size_t i = col + 1; i < n; i++) {
            double f = A[i * n + col] / A[col * n + col];
            for (size_t j = col; j < n; j++) A[i * n + j] -= f * A[col * n + j];
            for (size_t k = 0; k < c; k++) X[i * c + k] -= f * X[col * c + k];
        }
    }
    for (size_t i = n; i-- > 0;) { // back substitution: rows below i already hold the solution
        for (size_t k = 0; k < c; k++) {
            double s = X[i * c + k];
            for (size_t j = i + 1; j < n; j++) s -= A[i * n + j] * X[j * c + k];
            X[i * c + k] = s / A[i * n + i];
        }
    }
}

double fixture_ntk(const double *x, const double *z, size_t d, int depth, int fix) {
    const double pi = 3.14159265358979323846;
    double sxz = 0, sxx = 0, szz = 0;
    for (size_t p = 0; p < d; p++) {
        sxz += x[p] * z[p];
        sxx += x[p] * x[p];
        szz += z[p] * z[p];
    }
    double theta = fix == 0 ? sxz : 0;
    for (int h = 1; h <= depth; h++) {
        double norm = fmax(sqrt(sxx * szz), 1e-9), rho = fmin(fmax(sxz / norm, -1), 1);
        double k0 = (pi - acos(rho)) / pi;
        double k1 = (rho * (pi - acos(rho)) + sqrt(1 - rho * rho)) / pi;
        sxz = norm * k1 / 2;
        sxx /= 2; // kappa1(1) = 1: a row's own covariance halves each layer
        szz /= 2;
        theta = theta * k0 / 2 + (h >= fix ? sxz : 0);
    }
    return theta;
}

/* ---- files --------------------------------------------------------------------------------- */

enum { PATHS_ = 4, PATH_MAX_ = 4096 };
typedef struct {
    char buf[PATHS_][PATH_MAX_];
    int next;
} paths_;

// root/rel in the next of the pool's buffers: a caller may hold PATHS_ results at once.
static const char *join_(paths_ *pool, const char *root, const char *rel) {
    char *out = pool->buf[pool->next];
    pool->next = (pool->next + 1) % PATHS_;
    snprintf(out, PATH_MAX_, "%s/%s", root, rel);
    return out;
}

static paths_ tree_paths_, joined_paths_; // apart, so that neither use evicts the other's

const char *fixture_src(const char *rel) {
    const char *root = getenv("RFMBENCH_SRC");
    return join_(&tree_paths_, root ? root : "..", rel);
}

const char *fixture_bin(const char *rel) {
    const char *root = getenv("RFMBENCH_BIN");
    return join_(&tree_paths_, root ? root : ".", rel);
}

const char *fixture_join(const char *dir, const char *rel) {
    const char *p = join_(&joined_paths_, dir, rel);
    ck_assert_msg(strlen(p) == strlen(dir) + 1 + strlen(rel), "path too long: %s/%s", dir, rel);
    return p;
}

const char *fixture_tmpdir(const char *tag) {
    static char buf[4096];
    snprintf(buf, sizeof buf, "/tmp/rfmbench-test-%s-XXXXXX", tag);
    if (!mkdtemp(buf)) return NULL;
    return buf;
}

static int rm_one_(const char *path, const struct stat *sb, int flag, struct FTW *f) {
    (void)sb, (void)flag, (void)f;
    return remove(path);
}

int fixture_rm_tree(const char *root) { return nftw(root, rm_one_, 16, FTW_DEPTH | FTW_PHYS); }

char *fixture_slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot read %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    ck_assert_msg(fread(s, 1, (size_t)n, f) == (size_t)n, "short read of %s", path);
    s[n] = '\0';
    fclose(f);
    if (len) *len = (size_t)n;
    return s;
}

void fixture_write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot create %s", path);
    ck_assert_uint_eq(fwrite(text, 1, strlen(text), f), strlen(text));
    fclose(f);
}

int fixture_nonempty(const char *path) {
    struct stat sb;
    return stat(path, &sb) == 0 && sb.st_size > 0;
}

int fixture_sh(const char *fmt, ...) {
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* ---- the rfmbench executable ---------------------------------------------------------------- */

pid_t fixture_spawn_rfmbench(const char *out, const char *err, const char *const *args) {
    const char *bin = fixture_bin("rfmbench");
    char *argv[40] = {(char *)bin};
    for (int i = 0; args[i] && i < 38; i++) argv[i + 1] = (char *)args[i];
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int fo = open(out ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fe = open(err ? err : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fo < 0 || fe < 0 || dup2(fo, 1) < 0 || dup2(fe, 2) < 0) _exit(126);
        execv(bin, argv);
        _exit(127);
    }
    return pid;
}

int fixture_run_rfmbench(const char *out, const char *err, const char *const *args) {
    int status = 0;
    pid_t pid = fixture_spawn_rfmbench(out, err, args);
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(!(WIFEXITED(status) && WEXITSTATUS(status) == 127), "cannot exec rfmbench");
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

char *fixture_one_line_error(const char *path) {
    char *e = fixture_slurp(path, NULL);
    ck_assert_ptr_nonnull(e);
    char *nl = strchr(e, '\n');
    ck_assert_msg(!strncmp(e, "rfmbench: ", 10) && nl && nl[1] == '\0',
                  "stderr is not one 'rfmbench: ' line: [%s]", e);
    return e;
}

/* ---- CSV ----------------------------------------------------------------------------------- */

fixture_csv *fixture_csv_read(const char *path) {
    size_t len = 0;
    char *s = fixture_slurp(path, &len);
    ck_assert_msg(len > 0 && s[len - 1] == '\n', "%s: empty or torn final line", path);
    fixture_csv *t = calloc(1, sizeof *t);
    size_t cap = 0, n = 0, fields = 0, line = 1;
    char *field = malloc(len + 1);
    for (size_t i = 0; i < len;) {
        size_t fl = 0;
        if (s[i] == '"') { // a doubled quote inside stands for one
            for (i++; i < len && !(s[i] == '"' && (i + 1 >= len || s[i + 1] != '"')); i++) {
                if (s[i] == '"') i++;
                field[fl++] = s[i];
            }
            i++; // the closing quote
        } else {
            while (i < len && s[i] != ',' && s[i] != '\n' && s[i] != '\r') field[fl++] = s[i++];
        }
        field[fl] = '\0';
        if (n == cap) t->cell = realloc(t->cell, (cap = cap ? 2 * cap : 256) * sizeof *t->cell);
        t->cell[n++] = strdup(field);
        fields++;
        if (i < len && s[i] == '\r') i++;
        ck_assert_msg(i < len, "%s: no newline at the end", path);
        if (s[i++] == ',') continue;
        if (!t->cols) t->cols = fields;
        ck_assert_msg(fields == t->cols, "%s:%zu: %zu fields, the header has %zu (a torn row?)",
                      path, line, fields, t->cols);
        fields = 0;
        line++;
    }
    t->rows = n / t->cols - 1;
    free(field);
    free(s);
    return t;
}

void fixture_csv_free(fixture_csv *t) {
    if (!t) return;
    for (size_t i = 0; i < (t->rows + 1) * t->cols; i++) free(t->cell[i]);
    free(t->cell);
    free(t);
}

long fixture_csv_col(const fixture_csv *t, const char *name) {
    for (size_t c = 0; c < t->cols; c++)
        if (!strcmp(t->cell[c], name)) return (long)c;
    ck_abort_msg("no column '%s'", name);
    return -1;
}

const char *fixture_csv_cell(const fixture_csv *t, size_t row, size_t c) {
    return t->cell[row * t->cols + c];
}

const char *fixture_csv_str(const fixture_csv *t, size_t row, const char *name) {
    return fixture_csv_cell(t, row, (size_t)fixture_csv_col(t, name));
}

double fixture_csv_num(const fixture_csv *t, size_t row, const char *name) {
    const char *s = fixture_csv_str(t, row, name);
    return *s ? strtod(s, NULL) : NAN;
}

// Laplace K (m, n): exp(-sqrt((z - x)^T M (z - x)) / L), M a d-vector when diag, NULL = I.
void fixture_laplace_kernel(const double *Z, size_t m, const double *X, size_t n, size_t d,
                            const double *M, int diag, double L, double *K) {
    for (size_t j = 0; j < m; j++) {
        for (size_t i = 0; i < n; i++) {
            double s = 0;
            for (size_t p = 0; p < d; p++)
                for (size_t r = 0; r < d; r++) {
                    double w = !M ? (p == r) : diag ? (p == r ? M[p] : 0.0) : M[p * d + r];
                    s += (Z[j * d + p] - X[i * d + p]) * w * (Z[j * d + r] - X[i * d + r]);
                }
            K[j * n + i] = exp(-sqrt(s) / L);
        }
    }
}

void fixture_krr_predict(const double *X, size_t n, const double *Y, size_t c, const double *Z,
                         size_t m, size_t d, const double *M, int diag, double L, double reg,
                         double *out) {
    double *K = malloc(n * n * sizeof *K), *A = malloc(n * c * sizeof *A);
    double *Kz = malloc(m * n * sizeof *Kz);
    ck_assert(K && A && Kz);
    fixture_laplace_kernel(X, n, X, n, d, M, diag, L, K);
    fixture_solve(K, n, reg, Y, c, A);
    fixture_laplace_kernel(Z, m, X, n, d, M, diag, L, Kz);
    for (size_t i = 0; i < m; i++)
        for (size_t k = 0; k < c; k++) {
            double s = 0;
            for (size_t j = 0; j < n; j++) s += Kz[i * n + j] * A[j * c + k];
            out[i * c + k] = s;
        }
    free(K);
    free(A);
    free(Kz);
}

rfm_params fixture_params(double L, double reg, int iters) {
    rfm_params p = rfm_params_default();
    p.kernel.bandwidth = L;
    p.reg = reg;
    p.iters = iters;
    return p;
}
