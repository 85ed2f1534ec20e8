/* bench_rfm.c - RFM fit speed and memory against the machine's own BLAS/LAPACK rates.
 *
 * For n in {2000, 5000, 10000} and d in {20, 200}, c = 3, T = 5 (seeded synthetic data), fits
 * RFM and prints CSV lines `phase,n,d,c,seconds,gflops,peak_gflops` for kernel, solve, agop
 * and total, where peak_gflops is the dgemm (kernel, agop) or dpotrf (solve) rate measured at
 * the same shape in the same run. Each shape runs in its own child process so that its peak
 * RSS (ru_maxrss, measured right after the fit, before the reference calls allocate) belongs to
 * that fit alone. Usage: bench_rfm [n ...]  (default 2000 5000 10000). */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rfm.h"

void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info);

static double fit_rss_mb_ = 0; /* ru_maxrss right after the fit */

static double peak_rss_mb_(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0;
}

/* Rate of one dgemm C (m, n) = A (m, k) B (k, n), best of two calls. */
static double dgemm_rate_(size_t m, size_t n, size_t k) {
    double *A = malloc(m * k * sizeof *A), *B = malloc(k * n * sizeof *B),
           *C = malloc(m * n * sizeof *C), best = 1e30;
    for (size_t i = 0; i < m * k; i++) A[i] = (double)(i % 7) * 0.1;
    for (size_t i = 0; i < k * n; i++) B[i] = (double)(i % 5) * 0.1;
    for (int rep = 0; rep < 2; rep++) {
        double t0 = rfm_seconds();
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)n, (int)k, 1.0, A,
                    (int)k, B, (int)n, 0.0, C, (int)n);
        double t = rfm_seconds() - t0;
        if (t < best) best = t;
    }
    free(A);
    free(B);
    free(C);
    return 2.0 * (double)m * (double)n * (double)k / best / 1e9;
}

/* Rate of dpotrf on an SPD n x n matrix (a diagonally dominant one). */
static double dpotrf_rate_(size_t n) {
    double *K = malloc(n * n * sizeof *K);
    rfm_rng r;
    rfm_rng_seed(&r, 7);
    for (size_t i = 0; i < n * n; i++) K[i] = rfm_rng_uniform(&r) * 1e-3;
    for (size_t i = 0; i < n; i++) K[i * n + i] = 1.0;
    int in = (int)n, info;
    double t0 = rfm_seconds();
    dpotrf_("U", &in, K, &in, &info);
    double t = rfm_seconds() - t0;
    free(K);
    return (double)n * (double)n * (double)n / 3.0 / t / 1e9;
}

static int run_shape_(size_t n, size_t d, size_t c, int T) {
    double *X = malloc(n * d * sizeof *X), *Y = calloc(n * c, sizeof *Y);
    rfm_rng r;
    rfm_rng_seed(&r, 1000 + n + d);
    for (size_t i = 0; i < n * d; i++) X[i] = rfm_rng_normal(&r);
    // Three classes from a rank-2 projection, so the AGOP has structure to find.
    for (size_t i = 0; i < n; i++) {
        double a = X[i * d] + 0.5 * X[i * d + 1], b = X[i * d + 1] - X[i * d + 2 % d];
        Y[i * c + (a > 0.5 ? 0 : b > 0 ? 1 : 2)] = 1.0;
    }
    rfm_params p = rfm_params_default();
    p.iters = T;
    rfm_view xv = rfm_view_of(X, n, d), yv = rfm_view_of(Y, n, c);
    rfm_model *m = NULL;
    rfm_error err;
    double t0 = rfm_seconds();
    if (rfm_fit(&p, NULL, &xv, &yv, NULL, NULL, &m, &err)) {
        fprintf(stderr, "bench_rfm: n = %zu, d = %zu: %s\n", n, d, err.msg);
        return 1;
    }
    double total = rfm_seconds() - t0, rss = peak_rss_mb_();
    fit_rss_mb_ = rss;
    size_t h;
    const rfm_iter_record *hist = rfm_model_history(m, &h);
    double tk = 0, ts = 0, ta = 0;
    for (size_t t = 0; t < h; t++) {
        tk += hist[t].kernel_seconds;
        ts += hist[t].solve_seconds;
        ta += hist[t].agop_seconds;
    }
    rfm_free(m);
    free(X);
    free(Y);
    double dn = (double)n, dd = (double)d, dc = (double)c, fits = (double)h,
           agops = (double)(h - 1);
    // Flops actually done: kernel = X M and the cross-term dgemm; solve = Cholesky + solves;
    // agop = W [A (.) P] and W A (dsymm) + the dsyrk accumulation.
    double fk = fits * (2 * dn * dn * dd + 2 * dn * dd * dd);
    double fs = fits * (dn * dn * dn / 3 + 2 * dn * dn * dc);
    double fa = agops * (2 * dn * dn * dc * dd + 2 * dn * dn * dc + dn * dc * dd * (dd + 1));
    double pk = dgemm_rate_(n, n, d), pa = dgemm_rate_(n, c * d, n), ps = dpotrf_rate_(n);
    printf("kernel,%zu,%zu,%zu,%.3f,%.1f,%.1f\n", n, d, c, tk, fk / tk / 1e9, pk);
    printf("solve,%zu,%zu,%zu,%.3f,%.1f,%.1f\n", n, d, c, ts, fs / ts / 1e9, ps);
    printf("agop,%zu,%zu,%zu,%.3f,%.1f,%.1f\n", n, d, c, ta, fa / ta / 1e9, pa);
    printf("total,%zu,%zu,%zu,%.3f,%.1f,\n", n, d, c, total, (fk + fs + fa) / total / 1e9);
    printf("rss_mb,%zu,%zu,%.1f,limit,%.1f\n", n, d, rss, 1.5 * 8 * dn * dn / 1048576.0 + 100);
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv) {
    size_t ns[16] = {2000, 5000, 10000}, nn = 3, ds[2] = {20, 200};
    if (argc > 1) {
        nn = 0;
        for (int i = 1; i < argc && nn < 16; i++) ns[nn++] = (size_t)strtoul(argv[i], NULL, 10);
    }
    printf("phase,n,d,c,seconds,gflops,peak_gflops\n");
    fflush(stdout);
    double worst = 0;
    for (size_t i = 0; i < nn; i++) {
        for (size_t j = 0; j < 2; j++) {
            int fd[2];
            if (pipe(fd) != 0) return 1;
            pid_t pid = fork();
            if (pid == 0) {
                close(fd[0]);
                int rc = run_shape_(ns[i], ds[j], 3, 5);
                double rss = fit_rss_mb_;
                if (write(fd[1], &rss, sizeof rss) != (ssize_t)sizeof rss) rc = 1;
                _exit(rc);
            }
            close(fd[1]);
            double rss = 0;
            if (read(fd[0], &rss, sizeof rss) == (ssize_t)sizeof rss && rss > worst) worst = rss;
            close(fd[0]);
            int status;
            waitpid(pid, &status, 0);
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return 1;
        }
    }
    // The largest fit's peak RSS over all shapes.
    printf("peak_rss_mb,%.1f\n", worst);
    return 0;
}
