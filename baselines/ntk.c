/* ntk.c - Gram matrices of the fully connected ReLU NTK (Arora et al. 2020's UCI kernel).
 *
 * The network, in the NTK parametrisation with c_sigma = 1 (as in the UCI code, which does not
 * use the factor 2 of Jacot et al.): g1 = W1 x, g(h+1) = W(h+1) relu(g(h)) / sqrt(m),
 * f = w . relu(gD) / sqrt(m), all weights N(0, 1), width m -> infinity. With
 * rho = S(x,z) / sqrt(S(x,x) S(z,z)) and the arc-cosine kernels of Cho & Saul (2009),
 *     kappa0(rho) = (pi - acos rho) / pi,
 *     kappa1(rho) = (rho (pi - acos rho) + sqrt(1 - rho^2)) / pi,
 * the layer covariances and derivative covariances are (Arora et al. 2019, "On Exact
 * Computation with an Infinitely Wide Neural Net", section 3; E over (u, v) ~ N(0, Lambda(h-1))):
 *     Sigma0(x, z)   = x . z
 *     Sigma_h(x, z)  = E[relu(u) relu(v)]   = sqrt(S(x,x) S(z,z)) kappa1(rho) / 2
 *     Sdot_h(x, z)   = E[relu'(u) relu'(v)] = kappa0(rho) / 2          (rho from layer h-1)
 *     Theta_D(x, z)  = sum_{h=F..D} Sigma_h(x, z) prod_{h'=h+1..D} Sdot_h'(x, z)
 * Term h is the gradient inner product of the weights that read layer h (h = D: the output
 * layer), so fixing the bottom F weight layers drops the terms h < F. This is the recursion of
 * NTK.py's kernel_value_batch (H += S when fix_dep <= dep; S <- kappa1 P / 2; H <- H kappa0 / 2),
 * including its two guards: P = max(sqrt(S(x,x) S(z,z)), 1e-9) and rho clipped to [-1, 1].
 * Because c_sigma = 1, S(x,x) halves at each layer; the kernel's scale matters for the SVM's C,
 * so it is kept as published.
 *
 * Cost: one GEMM (or SYRK, half the entries) for Sigma0, then per row one vectorised sweep per
 * layer with a branch-free acos (libm's is scalar and was 3-6x slower here: n = 2500, D = 4
 * takes 0.14 s cross, 0.08 s symmetric on 2 cores). The diagonal terms S_h(x,x) follow the
 * same rule, tabulated per row. */
#include "ntk.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>

#define NTK_MAX_DEPTH_ 100

/* Below this, sqrt(S(x,x) S(z,z)) is treated as 1e-9, as in the reference: it keeps rho finite
 * for an all-zero row (whose kernel values are then ~0 instead of 0/0). */
#define NTK_MIN_NORM_ 1e-9

static const double inv_2pi_ = 0.15915494309189533577; // 1 / (2 pi)
static const double pi_ = 3.14159265358979323846;

ntk_params ntk_params_default(void) {
    ntk_params p = {1, 0};
    return p;
}

const char *ntk_params_check(const ntk_params *p) {
    if (p->depth < 0 || p->depth > NTK_MAX_DEPTH_) return "depth: must be in 0..100";
    if (p->fix < 0 || p->fix > p->depth) return "fix: must be in 0..depth";
    return NULL;
}

/* asin(x) for 0 <= x <= 0.5 from its Taylor series in x^2, asin x = sum_k c_k x^(2k+1) with
 * c_k = c_(k-1) (2k-1)^2 / (2k (2k+1)), c_0 = 1. At x = 0.5 term k is below
 * c_k 4^-k < 1e-17 from k = 24 on, so 25 terms are exact to rounding. Straight-line code, so
 * that the loops below vectorise (libm's acos is a scalar call). c: the 25 coefficients. */
#define NTK_ASIN_TERMS_ 25
static inline double asin_small_(double x, const double *c) {
    double t = x * x, p = c[NTK_ASIN_TERMS_ - 1];
    // Fully unrolled: a loop here would keep the caller's row loop from vectorising.
#pragma GCC unroll 32
    for (int k = NTK_ASIN_TERMS_ - 2; k >= 0; k--) p = p * t + c[k];
    return p * x;
}

static void asin_coefficients_(double *c) {
    c[0] = 1.0;
    for (int k = 1; k < NTK_ASIN_TERMS_; k++) {
        double kk = (double)k;
        c[k] = c[k - 1] * (2 * kk - 1) * (2 * kk - 1) / ((2 * kk) * (2 * kk + 1));
    }
}

/* pi - acos(u) for u in [-1, 1], branch-free: with a = |u|, acos a = pi/2 - asin a for
 * a <= 1/2 and 2 asin(sqrt((1 - a) / 2)) above (1 - a is exact there), and
 * acos(-a) = pi - acos(a). */
static inline double pi_minus_acos_(double u, const double *c) {
    double a = u < 0 ? -u : u;
    int big = a > 0.5;
    double x = big ? sqrt((1.0 - a) * 0.5) : a;
    double p = asin_small_(x, c);
    double acos_a = big ? 2.0 * p : 0.5 * pi_ - p;
    return u < 0 ? acos_a : pi_ - acos_a;
}

/* One layer for one pair: s = S_{h-1}(x,z), a = S_{h-1}(x,x), b = S_{h-1}(z,z). Returns
 * Sigma_h(x,z) and stores Sdot_h(x,z) in *dot. The row loop in pass_row_ is this same
 * arithmetic, written out so that it vectorises. */
static inline double layer_(double s, double a, double b, const double *c, double *dot) {
    double p = sqrt(a * b);
    p = p < NTK_MIN_NORM_ ? NTK_MIN_NORM_ : p;
    double u = s / p;
    // Rounding can push |rho| a little past 1 (e.g. x = z); acos needs [-1, 1].
    u = u > 1.0 ? 1.0 : u < -1.0 ? -1.0 : u;
    double t = pi_minus_acos_(u, c);
    *dot = t * inv_2pi_;
    return (u * t + sqrt(1.0 - u * u)) * p * inv_2pi_;
}

/* nrm: (D + 1, rows), nrm[h * rows + i] = S_h(v_i, v_i), by the same rule as the pairs so that
 * a row's diagonal entry equals what the pair recursion produces. */
static void norms_(const rfm_view *V, int depth, const double *c, double *nrm) {
    size_t rows = V->rows, d = V->cols;
    for (size_t i = 0; i < rows; i++) {
        const double *v = V->data + i * V->ld;
        double s = 0;
        for (size_t k = 0; k < d; k++) s += v[k] * v[k];
        nrm[i] = s;
    }
    for (int h = 1; h <= depth; h++) {
        const double *prev = nrm + (size_t)(h - 1) * rows;
        double *cur = nrm + (size_t)h * rows, dot;
        for (size_t i = 0; i < rows; i++) cur[i] = layer_(prev[i], prev[i], prev[i], c, &dot);
    }
}

/* Replace the cross products Sigma0 in a row of K (cols entries, against the rows whose norm
 * table is nx with stride n) by Theta_D; az[h] = S_h(z, z) of the row's own point. Layers run
 * outermost so that each layer is one vectorised sweep over the row; theta: cols scratch. */
static void pass_row_(double *row, size_t cols, const double *az, size_t mstride,
                      const double *nx, size_t n, int depth, int fix, const double *c,
                      double *theta) {
    for (size_t j = 0; j < cols; j++) theta[j] = fix == 0 ? row[j] : 0.0;
    for (int h = 1; h <= depth; h++) {
        const double a = az[(size_t)(h - 1) * mstride], *b = nx + (size_t)(h - 1) * n;
        const double keep = h >= fix ? 1.0 : 0.0;
        for (size_t j = 0; j < cols; j++) {
            double p = sqrt(a * b[j]);
            p = p < NTK_MIN_NORM_ ? NTK_MIN_NORM_ : p;
            double u = row[j] / p;
            u = u > 1.0 ? 1.0 : u < -1.0 ? -1.0 : u;
            double t = pi_minus_acos_(u, c);
            double s = (u * t + sqrt(1.0 - u * u)) * p * inv_2pi_;
            theta[j] = theta[j] * (t * inv_2pi_) + keep * s;
            row[j] = s;
        }
    }
    for (size_t j = 0; j < cols; j++) row[j] = theta[j];
}

rfm_status ntk_gram(const ntk_params *p, const rfm_view *Z, const rfm_view *X, int same,
                    double *K, size_t ldk, rfm_error *err) {
    const char *why = ntk_params_check(p);
    if (why) return rfm_fail(err, RFM_EINVAL, "ntk: %s", why);
    size_t m = Z->rows, n = X->rows, d = X->cols;
    if (Z->cols != d)
        return rfm_fail(err, RFM_EINVAL, "ntk: Z has %zu columns, X has %zu", Z->cols, d);
    if (ldk < n) return rfm_fail(err, RFM_EINVAL, "ntk: ldk = %zu < n = %zu", ldk, n);
    if (same && m != n)
        return rfm_fail(err, RFM_EINVAL, "ntk: same rows declared, but Z has %zu and X %zu", m,
                        n);
    if (m == 0 || n == 0) return RFM_OK;
    if (m > INT32_MAX || n > INT32_MAX || d > INT32_MAX || ldk > INT32_MAX || Z->ld > INT32_MAX ||
        X->ld > INT32_MAX)
        return rfm_fail(err, RFM_EINVAL, "ntk: a dimension exceeds BLAS's int range");
    size_t layers = (size_t)p->depth + 1;
    double *nz = NULL, *nx = NULL, *theta = NULL, c[NTK_ASIN_TERMS_];
    asin_coefficients_(c);
    rfm_status st = rfm_alloc((void **)&nz, layers, m, sizeof *nz, "ntk: row norms", err);
    if (!st && !same) st = rfm_alloc((void **)&nx, layers, n, sizeof *nx, "ntk: row norms", err);
    if (!st) st = rfm_alloc((void **)&theta, n, 1, sizeof *theta, "ntk: scratch", err);
    if (st) goto done;
    norms_(Z, p->depth, c, nz);
    if (!same) norms_(X, p->depth, c, nx);
    const double *nxs = same ? nz : nx;
    if (d == 0) {
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < n; j++) K[i * ldk + j] = 0.0;
    } else if (same) {
        // Sigma0 in the lower triangle (row-major sense), i.e. j <= i.
        cblas_dsyrk(CblasRowMajor, CblasLower, CblasNoTrans, (int)n, (int)d, 1.0, Z->data,
                    (int)Z->ld, 0.0, K, (int)ldk);
        // The diagonal from the norm table, so that rho(x, x) = 1 exactly: acos has an infinite
        // slope at 1, where 1e-16 of rounding in rho would become 1e-8 in Theta(x, x).
        for (size_t i = 0; i < n; i++) K[i * ldk + i] = nz[i];
    } else {
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)n, (int)d, 1.0,
                    Z->data, (int)Z->ld, X->data, (int)X->ld, 0.0, K, (int)ldk);
    }
    for (size_t i = 0; i < m; i++)
        pass_row_(K + i * ldk, same ? i + 1 : n, nz + i, m, nxs, n, p->depth, p->fix, c, theta);
    if (same) {
        // Mirror the lower triangle in tiles: a plain column walk misses the cache on each read.
        const size_t tile = 64;
        for (size_t i0 = 0; i0 < n; i0 += tile)
            for (size_t j0 = i0; j0 < n; j0 += tile)
                for (size_t i = i0; i < i0 + tile && i < n; i++)
                    for (size_t j = j0 > i + 1 ? j0 : i + 1; j < j0 + tile && j < n; j++)
                        K[i * ldk + j] = K[j * ldk + i];
    }
done:
    free(nz);
    free(nx);
    free(theta);
    return st;
}
