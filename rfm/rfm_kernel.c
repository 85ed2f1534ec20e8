/* rfm_kernel.c - kernel matrices from BLAS-3 (rfm-algorithm.md section 2): distances from one
 * dgemm of cross terms plus row norms, then one fused sqrt/exp pass over the entries.
 *
 * Vectorising the pass: libm's exp() is a scalar call that blocks vectorisation (glibc only
 * offers SIMD variants under -ffast-math), and for small d this pass, not the dgemm, dominates
 * the kernel phase. exp_neg_() below is branch-free straight-line code (Cody-Waite reduction,
 * a degree-13 Taylor polynomial, the exponent built by integer shifts), so gcc -O3 turns the
 * loops into AVX2/AVX-512 code together with sqrt (-fno-math-errno). Its relative error is
 * below 2e-16 on [-708, 0]; the tests compare it with libm. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "rfm_impl.h"

/* The pass is the only O(n^2) work outside BLAS; it runs on as many threads as BLAS does, each
 * on a contiguous band of rows. Work below this many entries stays on the calling thread, where
 * a thread start would cost more than it saves. */
#define PAR_MIN_ENTRIES ((size_t)1 << 18)
#define PAR_MAX_THREADS 64

typedef struct {
    rfm_band_fn fn;
    void *ctx;
    size_t r0, r1;
} band_;

static void *band_run_(void *arg) {
    band_ *b = arg;
    b->fn(b->ctx, b->r0, b->r1);
    return NULL;
}

void rfm_par_rows_(size_t rows, size_t entries, rfm_band_fn fn, void *ctx,
                   double (*cost_below)(size_t r, size_t rows)) {
    int nt = openblas_get_num_threads();
    if (nt > PAR_MAX_THREADS) nt = PAR_MAX_THREADS;
    if (nt <= 1 || entries < PAR_MIN_ENTRIES || rows < (size_t)nt) {
        fn(ctx, 0, rows);
        return;
    }
    band_ bands[PAR_MAX_THREADS];
    pthread_t tid[PAR_MAX_THREADS];
    size_t start = 0;
    for (int t = 0; t < nt; t++) {
        size_t end = rows;
        if (t + 1 < nt) {
            double goal = (double)(t + 1) / nt;
            end = start;
            while (end < rows &&
                   (cost_below ? cost_below(end, rows) : (double)end / (double)rows) < goal)
                end++;
        }
        bands[t] = (band_){fn, ctx, start, end};
        start = end;
    }
    int started[PAR_MAX_THREADS] = {0};
    for (int t = 1; t < nt; t++)
        started[t] = pthread_create(&tid[t], NULL, band_run_, &bands[t]) == 0;
    band_run_(&bands[0]);
    for (int t = 1; t < nt; t++) {
        if (started[t]) pthread_join(tid[t], NULL);
        else band_run_(&bands[t]); // no thread could be started: do the band here
    }
}

/* exp(x) for x <= 0; returns 0 below -708 (results there are under 1e-307 and act as 0). */
static inline double exp_neg_(double x) {
    const double log2e = 1.4426950408889634, ln2_hi = 6.93147180369123816490e-01,
                 ln2_lo = 1.90821492927058770002e-10, shifter = 0x1.8p52;
    double xc = x < -708.0 ? -708.0 : x;
    // Adding 1.5*2^52 rounds to an integer and leaves k in the low mantissa bits.
    double t = xc * log2e + shifter;
    double k = t - shifter;
    double r = (xc - k * ln2_hi) - k * ln2_lo; // |r| <= 0.35; the split keeps r exact
    double p = 1.0 / 6227020800.0;
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    uint64_t bits;
    memcpy(&bits, &t, sizeof bits);
    // (k + 1023) << 52 is 2^k; the shift drops the shifter's own bits. k >= -1022 here.
    uint64_t scale_bits = (bits << 52) + ((uint64_t)1023 << 52);
    double scale;
    memcpy(&scale, &scale_bits, sizeof scale);
    return x < -708.0 ? 0.0 : p * scale;
}

double rfm_exp_neg_for_tests(double x);
double rfm_exp_neg_for_tests(double x) { return exp_neg_(x); }

double rfm_grad_scale_(const rfm_kernel *k) {
    if (k->type == RFM_KERNEL_GAUSSIAN) return 1.0 / (k->bandwidth * k->bandwidth);
    if (k->exponent == 1.0) return 1.0 / k->bandwidth;
    return k->exponent / pow(k->bandwidth, k->exponent);
}

void rfm_metric_apply_(const rfm_view *X, const double *M, int diag, double *P, double *norms) {
    size_t n = X->rows, d = X->cols;
    if (!M) {
        for (size_t i = 0; i < n; i++) memcpy(P + i * d, X->data + i * X->ld, d * sizeof *P);
    } else if (diag) {
        for (size_t i = 0; i < n; i++) {
            const double *x = X->data + i * X->ld;
            for (size_t p = 0; p < d; p++) P[i * d + p] = x[p] * M[p];
        }
    } else {
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)d, (int)d, 1.0,
                    X->data, (int)X->ld, M, (int)d, 0.0, P, (int)d);
    }
    if (!norms) return;
    for (size_t i = 0; i < n; i++) {
        const double *x = X->data + i * X->ld, *pr = P + i * d;
        double s = 0;
        for (size_t p = 0; p < d; p++) s += x[p] * pr[p];
        norms[i] = s;
    }
}

/* The expansion rz + rx - 2 c cancels for (near-)duplicate rows and leaves rounding noise of
 * a few ulps of rz + rx instead of 0 (d2 ~ 1e-15, D ~ 3e-8 for unit-scale data), which would
 * slip past the D < 1e-10 rule and give duplicates gradient weights of 1e7 and more. Squared
 * distances below this floor are therefore taken as exactly 0. */
#define CANCEL_FLOOR (16.0 * 2.220446049250313e-16)

/* The entry functions of the pass. D2 is the clamped squared distance. */
static void row_laplace_(double *c, size_t cols, double rz, const double *rx, double inv_l,
                         int weight) {
    if (weight) {
        for (size_t j = 0; j < cols; j++) {
            double d2 = rz + rx[j] - 2.0 * c[j];
            d2 = d2 > CANCEL_FLOOR * (rz + rx[j]) ? d2 : 0.0; // also clamps negative rounding
            double dist = sqrt(d2);
            double kv = exp_neg_(-dist * inv_l);
            // Duplicates and self-pairs have no gradient: they contribute 0 (section 5).
            c[j] = dist < RFM_MIN_DIST ? 0.0 : kv / (dist < RFM_MIN_DIST ? 1.0 : dist);
        }
    } else {
        for (size_t j = 0; j < cols; j++) {
            double d2 = rz + rx[j] - 2.0 * c[j];
            d2 = d2 > CANCEL_FLOOR * (rz + rx[j]) ? d2 : 0.0;
            c[j] = exp_neg_(-sqrt(d2) * inv_l);
        }
    }
}

static void row_gaussian_(double *c, size_t cols, double rz, const double *rx, double inv_2l2,
                          int weight) {
    for (size_t j = 0; j < cols; j++) {
        double d2 = rz + rx[j] - 2.0 * c[j];
        d2 = d2 > CANCEL_FLOOR * (rz + rx[j]) ? d2 : 0.0;
        double kv = exp_neg_(-d2 * inv_2l2);
        // The Gaussian needs no rule (its term carries x_i - z = 0), but applying it removes
        // the rounding that the split form leaves on self-pairs.
        c[j] = weight && d2 < RFM_MIN_DIST * RFM_MIN_DIST ? 0.0 : kv;
    }
}

/* General exponent q: K = exp(-(D/L)^q), W = K D^(q-2). Rarely used, so plain libm. */
static void row_power_(double *c, size_t cols, double rz, const double *rx, double L, double q,
                       int weight) {
    for (size_t j = 0; j < cols; j++) {
        double d2 = rz + rx[j] - 2.0 * c[j];
        double dist = sqrt(d2 > CANCEL_FLOOR * (rz + rx[j]) ? d2 : 0.0);
        double kv = dist > 0.0 ? exp(-pow(dist / L, q)) : 1.0;
        if (weight) kv = dist < RFM_MIN_DIST ? 0.0 : kv * pow(dist, q - 2.0);
        c[j] = kv;
    }
}

static void pass_row_(const rfm_kernel *k, int weight, double *c, size_t cols, double rz,
                      const double *rx) {
    if (k->type == RFM_KERNEL_GAUSSIAN)
        row_gaussian_(c, cols, rz, rx, 0.5 / (k->bandwidth * k->bandwidth), weight);
    else if (k->exponent == 1.0)
        row_laplace_(c, cols, rz, rx, 1.0 / k->bandwidth, weight);
    else
        row_power_(c, cols, rz, rx, k->bandwidth, k->exponent, weight);
}

typedef struct {
    const rfm_kernel *k;
    int weight;
    double *C;
    size_t cols, ld;
    const double *rz, *rx;
} pass_ctx_;

static void pass_band_(void *arg, size_t r0, size_t r1) {
    pass_ctx_ *c = arg;
    for (size_t i = r0; i < r1; i++)
        pass_row_(c->k, c->weight, c->C + i * c->ld, c->cols, c->rz[i], c->rx);
}

void rfm_pass_(const rfm_kernel *k, rfm_pass_kind kind, double *C, size_t rows, size_t cols,
               size_t ld, const double *rz, const double *rx) {
    pass_ctx_ ctx = {k, kind == RFM_PASS_WEIGHT, C, cols, ld, rz, rx};
    rfm_par_rows_(rows, rows * cols, pass_band_, &ctx, NULL);
}

rfm_status rfm_kernel_matrix(const rfm_kernel *k, const rfm_view *Z, const rfm_view *X,
                             const double *M, int diag, int same, double *K, size_t ldk,
                             rfm_error *err) {
    size_t m = Z->rows, n = X->rows, d = X->cols;
    if (Z->cols != d)
        return rfm_fail(err, RFM_EINVAL, "kernel: Z has %zu columns, X has %zu", Z->cols, d);
    if (ldk < n) return rfm_fail(err, RFM_EINVAL, "kernel: ldk = %zu < n = %zu", ldk, n);
    if (same && m != n)
        return rfm_fail(err, RFM_EINVAL,
                        "kernel: same = 1 needs Z = X, but Z has %zu rows and X %zu", m, n);
    if (m == 0 || n == 0) return RFM_OK;
    rfm_status st = RFM_OK;
    double *Q = NULL, *rz = NULL, *rx = NULL;
    // Q = Z M: (m, d); rz, rx: squared M-norms of the rows.
    if ((st = rfm_alloc((void **)&Q, m, d, sizeof *Q, "kernel: Z M", err))) goto done;
    if ((st = rfm_alloc((void **)&rz, m, 1, sizeof *rz, "kernel: norms", err))) goto done;
    if ((st = rfm_alloc((void **)&rx, n, 1, sizeof *rx, "kernel: norms", err))) goto done;
    rfm_metric_apply_(Z, M, diag, Q, rz);
    if (same) {
        memcpy(rx, rz, n * sizeof *rx);
    } else {
        // The norms of X go through the same X M product as Z's (a dgemm for a full M).
        double *P = NULL;
        if ((st = rfm_alloc((void **)&P, n, d, sizeof *P, "kernel: X M", err))) goto done;
        rfm_metric_apply_(X, M, diag, P, rx);
        free(P);
    }
    // K = Q X^T: (m, n), the cross terms z^T M x.
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)n, (int)d, 1.0, Q,
                (int)d, X->data, (int)X->ld, 0.0, K, (int)ldk);
    rfm_pass_(k, RFM_PASS_KERNEL, K, m, n, ldk, rz, rx);
    // The expansion leaves self-distances near sqrt(eps)|x|, not 0: set the diagonal exactly.
    if (same)
        for (size_t i = 0; i < m && i < n; i++) K[i * ldk + i] = 1.0;
done:
    free(Q);
    free(rz);
    free(rx);
    return st;
}

typedef struct {
    const rfm_kernel *k;
    double *buf;
    size_t n;
    const double *norms;
    int want_w;
} train_ctx_;

/* Row i: K for columns < i, 1 on the diagonal, W for columns > i (when wanted). */
static void train_band_(void *arg, size_t r0, size_t r1) {
    train_ctx_ *c = arg;
    size_t n = c->n;
    for (size_t i = r0; i < r1; i++) {
        double *row = c->buf + i * n;
        pass_row_(c->k, 0, row, i, c->norms[i], c->norms);
        row[i] = 1.0;
        if (c->want_w) pass_row_(c->k, 1, row + i + 1, n - i - 1, c->norms[i], c->norms + i + 1);
    }
}

double rfm_triangle_cost_(size_t r, size_t rows) {
    return ((double)r * (double)r) / ((double)rows * (double)rows);
}

rfm_status rfm_train_kernel_(const rfm_kernel *k, const rfm_view *X, const double *M, int diag,
                             double *buf, double *P, double *norms, int want_w,
                             rfm_error *err) {
    (void)err;
    size_t n = X->rows, d = X->cols;
    rfm_metric_apply_(X, M, diag, P, norms);
    // One dgemm for all n^2 cross terms: each triangle then gets its own contiguous pass.
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)n, (int)d, 1.0, P,
                (int)d, X->data, (int)X->ld, 0.0, buf, (int)n);
    train_ctx_ ctx = {k, buf, n, norms, want_w};
    rfm_par_rows_(n, n * n, train_band_, &ctx, want_w ? NULL : rfm_triangle_cost_);
    return RFM_OK;
}

int rfm_view_nonfinite_(const rfm_view *v, size_t *row, size_t *col) {
    for (size_t i = 0; i < v->rows; i++) {
        const double *x = v->data + i * v->ld;
        for (size_t j = 0; j < v->cols; j++) {
            if (!isfinite(x[j])) {
                if (row) *row = i;
                if (col) *col = j;
                return 1;
            }
        }
    }
    return 0;
}

size_t rfm_normalize_rows(double *X, size_t n, size_t d, size_t ld) {
    size_t zero = 0;
    for (size_t i = 0; i < n; i++) {
        double *x = X + i * ld, s = 0;
        for (size_t p = 0; p < d; p++) s += x[p] * x[p];
        // A zero row has no direction: leave it (the reference's 0/0 gave NaN) and count it.
        if (s == 0.0) {
            zero++;
            continue;
        }
        double inv = 1.0 / sqrt(s);
        for (size_t p = 0; p < d; p++) x[p] *= inv;
    }
    return zero;
}

rfm_status rfm_copy_rows(const rfm_view *V, int normalize, double **out, size_t *zeros,
                         rfm_error *err) {
    rfm_status st = rfm_alloc((void **)out, V->rows, V->cols, sizeof **out, "a copy of X", err);
    if (st) return st;
    for (size_t i = 0; i < V->rows; i++)
        memcpy(*out + i * V->cols, V->data + i * V->ld, V->cols * sizeof **out);
    size_t z = normalize ? rfm_normalize_rows(*out, V->rows, V->cols, V->cols) : 0;
    if (zeros) *zeros = z;
    return RFM_OK;
}

/* ---- f(Z) = K(Z, X) A without storing K, for few outputs ----------------------------------- */

/* Outputs up to this many are dotted inside the pass; beyond it a dgemm on the stored kernel
 * block is faster than c dot products per entry. */
#define FUSED_MAX_OUTPUTS 16
#define FUSED_CHUNK 512

typedef struct {
    const rfm_kernel *k;
    const double *C; /* (rows, n) cross terms, ld n */
    size_t n, c;
    const double *rz, *rx;
    const double *At; /* (c, n): A transposed so each output's dot product is contiguous */
    double *out;      /* (rows, c) */
} apply_ctx_;

static void apply_band_(void *arg, size_t r0, size_t r1) {
    apply_ctx_ *a = arg;
    double kv[FUSED_CHUNK], acc[FUSED_MAX_OUTPUTS];
    for (size_t i = r0; i < r1; i++) {
        for (size_t q = 0; q < a->c; q++) acc[q] = 0;
        for (size_t j0 = 0; j0 < a->n; j0 += FUSED_CHUNK) {
            size_t len = a->n - j0 < FUSED_CHUNK ? a->n - j0 : FUSED_CHUNK;
            memcpy(kv, a->C + i * a->n + j0, len * sizeof *kv);
            pass_row_(a->k, 0, kv, len, a->rz[i], a->rx + j0);
            for (size_t q = 0; q < a->c; q++) {
                const double *at = a->At + q * a->n + j0;
                double s = 0;
                for (size_t j = 0; j < len; j++) s += kv[j] * at[j];
                acc[q] += s;
            }
        }
        for (size_t q = 0; q < a->c; q++) a->out[i * a->c + q] = acc[q];
    }
}

rfm_status rfm_kernel_apply_(const rfm_kernel *k, const rfm_view *Z, const rfm_view *X,
                             const double *M, int diag, const double *A, size_t c, double *out,
                             rfm_error *err) {
    size_t n = X->rows, m = Z->rows, d = X->cols;
    if (m == 0) return RFM_OK;
    size_t b = ((size_t)4 << 20) / (n ? n : 1);
    if (b < 16) b = 16;
    if (b > m) b = m;
    rfm_status st = RFM_OK;
    double *K = NULL, *Q = NULL, *P = NULL, *rz = NULL, *rx = NULL, *At = NULL;
    if ((st = rfm_alloc((void **)&K, b, n, sizeof *K, "predict: kernel block", err))) goto done;
    if ((st = rfm_alloc((void **)&Q, b, d, sizeof *Q, "predict: Z M", err))) goto done;
    if ((st = rfm_alloc((void **)&P, n, d, sizeof *P, "predict: X M", err))) goto done;
    if ((st = rfm_alloc((void **)&rz, b, 1, sizeof *rz, "predict: norms", err))) goto done;
    if ((st = rfm_alloc((void **)&rx, n, 1, sizeof *rx, "predict: norms", err))) goto done;
    if ((st = rfm_alloc((void **)&At, c, n, sizeof *At, "predict: A^T", err))) goto done;
    rfm_metric_apply_(X, M, diag, P, rx); // only the norms of X are needed from this
    for (size_t j = 0; j < n; j++)
        for (size_t q = 0; q < c; q++) At[q * n + j] = A[j * c + q];
    for (size_t i0 = 0; i0 < m; i0 += b) {
        size_t bi = m - i0 < b ? m - i0 : b;
        rfm_view zb = {bi, d, Z->ld, Z->data + i0 * Z->ld};
        rfm_metric_apply_(&zb, M, diag, Q, rz);
        // Cross terms z^T M x for the block: (bi, n).
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)bi, (int)n, (int)d, 1.0, Q,
                    (int)d, X->data, (int)X->ld, 0.0, K, (int)n);
        if (c <= FUSED_MAX_OUTPUTS) {
            apply_ctx_ ctx = {k, K, n, c, rz, rx, At, out + i0 * c};
            rfm_par_rows_(bi, bi * n, apply_band_, &ctx, NULL);
        } else {
            rfm_pass_(k, RFM_PASS_KERNEL, K, bi, n, n, rz, rx);
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)bi, (int)c, (int)n, 1.0,
                        K, (int)n, A, (int)c, 0.0, out + i0 * c, (int)c);
        }
    }
done:
    free(K);
    free(Q);
    free(P);
    free(rz);
    free(rx);
    free(At);
    return st;
}
