/* rfm_agop.c - the average gradient outer product by blocked GEMMs (rfm-algorithm.md sections
 * 4-7), without ever holding the n x c x d gradient tensor.
 *
 * With p_i = M x_i and q_j = M z_j, the gradient of output k at z_j is
 *     g_jk = c0 [ sum_i W_ij A_ik p_i - (sum_i W_ij A_ik) q_j ],
 * so for a block J of sample rows and a block of outputs, B = W_J^T [A_k (.) P]_k is one dgemm
 * (the dominant 2nmcd flops), S_J = W_J^T A another, and each b x d gradient block Gamma is
 * accumulated into G by dsyrk (or column sums of squares for the diagonal variant).
 *
 * Two drivers share that inner step: rfm_agop() recomputes W for arbitrary sample rows Z, and
 * rfm_agop_symmetric_() reuses the W that the training-kernel pass stored in the unused upper
 * triangle of the Cholesky buffer (mirrored after the solve), so the fit's AGOP costs no second
 * distance dgemm. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rfm_impl.h"

/* Scratch budget for the scaled copies A_k (.) P and their products: outputs are blocked so
 * that n * c_b * d stays within this many doubles (64 MiB each). */
#define AGOP_BUDGET ((size_t)8 << 20)

/* G += Gamma^T Gamma into the upper triangle only (row-major); the drivers symmetrise once. */
static void accumulate_upper_(const double *Gamma, size_t b, size_t d, size_t ld, int diag,
                              double *G) {
    if (diag) {
        for (size_t j = 0; j < b; j++) {
            const double *g = Gamma + j * ld;
            for (size_t p = 0; p < d; p++) G[p] += g[p] * g[p];
        }
        return;
    }
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)d, (int)b, 1.0, Gamma, (int)ld, 1.0,
                G, (int)d);
}

static void symmetrize_upper_(double *G, size_t d) {
    for (size_t p = 0; p < d; p++)
        for (size_t r = 0; r < p; r++) G[p * d + r] = G[r * d + p];
}

void rfm_agop_accumulate(const double *Gamma, size_t b, size_t d, size_t ld, int diag,
                         double *G) {
    accumulate_upper_(Gamma, b, d, ld, diag, G);
    if (!diag) symmetrize_upper_(G, d);
}

/* Outputs per block so that rows * cb * d stays within the budget (at least 1). */
static size_t output_block_(size_t rows, size_t c, size_t d, size_t want) {
    if (want) return want < c ? want : c;
    size_t per = rows * d > 0 ? AGOP_BUDGET / (rows * d) : c;
    if (per < 1) per = 1;
    return per < c ? per : c;
}

/* PK = [A (extra = c columns, or none), A_k (.) P for k in k0 .. k0+cb): (n, ld). */
static void scale_rows_(const double *P, size_t n, size_t d, const rfm_view *A, size_t k0,
                        size_t cb, double *PK, size_t ld, size_t extra) {
    for (size_t i = 0; i < n; i++) {
        const double *pr = P + i * d, *ar = A->data + i * A->ld;
        for (size_t k = 0; k < extra; k++) PK[i * ld + k] = ar[k];
        for (size_t k = 0; k < cb; k++) {
            double a = ar[k0 + k];
            double *out = PK + i * ld + extra + k * d;
            for (size_t p = 0; p < d; p++) out[p] = a * pr[p];
        }
    }
}

/* For a block of b sample rows: Gamma_k = c0 (B_k - S_k q_j) for each output k of the block,
 * then accumulate into G or copy into grads (m, c, d) at sample offset j0. B: (b, cb*d), ld. */
static void finish_block_(double c0, const double *B, size_t ldb, const double *S, size_t c,
                          size_t k0, size_t cb, const double *Q, size_t b, size_t d, int diag,
                          double *G, double *gamma, double *grads, size_t j0) {
    for (size_t k = 0; k < cb; k++) {
        for (size_t j = 0; j < b; j++) {
            const double *bk = B + j * ldb + k * d, *q = Q + j * d;
            double s = S[j * c + k0 + k];
            double *g = grads ? grads + ((j0 + j) * c + k0 + k) * d : gamma + j * d;
            for (size_t p = 0; p < d; p++) g[p] = c0 * (bk[p] - s * q[p]);
        }
        if (!grads) accumulate_upper_(gamma, b, d, d, diag, G);
    }
}

static rfm_status check_agop_args_(const rfm_view *X, const rfm_view *A, const rfm_view *Z,
                                   rfm_error *err) {
    if (X->rows == 0 || X->cols == 0)
        return rfm_fail(err, RFM_EINVAL, "agop: X is %zu x %zu", X->rows, X->cols);
    if (A->rows != X->rows)
        return rfm_fail(err, RFM_EINVAL, "agop: A has %zu rows, X has %zu", A->rows, X->rows);
    if (Z->cols != X->cols)
        return rfm_fail(err, RFM_EINVAL, "agop: Z has %zu columns, X has %zu", Z->cols,
                        X->cols);
    if (Z->rows == 0) return rfm_fail(err, RFM_EINVAL, "agop: no sample rows");
    return RFM_OK;
}

/* The general driver: grads == NULL accumulates the AGOP into G, otherwise writes gradients. */
static rfm_status agop_core_(const rfm_kernel *k, const rfm_view *X, const rfm_view *A,
                             const double *M, int diag, const rfm_view *Z, const size_t *self,
                             size_t block_rows, size_t block_outputs, double *G, double *grads,
                             rfm_error *err) {
    rfm_status st = check_agop_args_(X, A, Z, err);
    if (st) return st;
    size_t n = X->rows, d = X->cols, m = Z->rows, c = A->cols;
    size_t b = block_rows;
    if (!b) {
        b = AGOP_BUDGET / n;
        if (b < 64) b = 64; // keep the dgemms efficient when n is huge
    }
    if (b > m) b = m;
    size_t cb = output_block_(n > b ? n : b, c, d, block_outputs);
    double c0 = rfm_grad_scale_(k);
    double *P = NULL, *rx = NULL, *Q = NULL, *rz = NULL, *Wt = NULL, *S = NULL, *PK = NULL,
           *B = NULL, *gamma = NULL;
    if ((st = rfm_alloc((void **)&P, n, d, sizeof *P, "agop: X M", err))) goto done;
    if ((st = rfm_alloc((void **)&rx, n, 1, sizeof *rx, "agop: norms", err))) goto done;
    if ((st = rfm_alloc((void **)&Q, m, d, sizeof *Q, "agop: Z M", err))) goto done;
    if ((st = rfm_alloc((void **)&rz, m, 1, sizeof *rz, "agop: norms", err))) goto done;
    if ((st = rfm_alloc((void **)&Wt, b, n, sizeof *Wt, "agop: weight block", err))) goto done;
    if ((st = rfm_alloc((void **)&S, b, c, sizeof *S, "agop: S", err))) goto done;
    if ((st = rfm_alloc((void **)&PK, n, cb * d, sizeof *PK, "agop: scaled X M", err)))
        goto done;
    if ((st = rfm_alloc((void **)&B, b, cb * d, sizeof *B, "agop: W^T P block", err))) goto done;
    if ((st = rfm_alloc((void **)&gamma, b, d, sizeof *gamma, "agop: gradients", err)))
        goto done;
    rfm_metric_apply_(X, M, diag, P, rx);
    rfm_metric_apply_(Z, M, diag, Q, rz);
    if (G) memset(G, 0, (diag ? d : d * d) * sizeof *G);
    for (size_t j0 = 0; j0 < m; j0 += b) {
        size_t bj = m - j0 < b ? m - j0 : b;
        // Wt: (bj, n) holds W_ij for sample rows j of this block against every centre i.
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)bj, (int)n, (int)d, 1.0,
                    Q + j0 * d, (int)d, X->data, (int)X->ld, 0.0, Wt, (int)n);
        rfm_pass_(k, RFM_PASS_WEIGHT, Wt, bj, n, n, rz + j0, rx);
        // The self-pair goes by index: its computed distance is ~1e-8, not below 1e-10.
        if (self)
            for (size_t j = 0; j < bj; j++)
                if (self[j0 + j] < n) Wt[j * n + self[j0 + j]] = 0.0;
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)bj, (int)c, (int)n, 1.0, Wt,
                    (int)n, A->data, (int)A->ld, 0.0, S, (int)c);
        for (size_t k0 = 0; k0 < c; k0 += cb) {
            size_t kb = c - k0 < cb ? c - k0 : cb;
            scale_rows_(P, n, d, A, k0, kb, PK, kb * d, 0);
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)bj, (int)(kb * d),
                        (int)n, 1.0, Wt, (int)n, PK, (int)(kb * d), 0.0, B, (int)(kb * d));
            finish_block_(c0, B, kb * d, S, c, k0, kb, Q + j0 * d, bj, d, diag, G, gamma, grads,
                          j0);
        }
    }
    if (G) {
        size_t len = diag ? d : d * d;
        for (size_t i = 0; i < len; i++) G[i] /= (double)m;
        if (!diag) symmetrize_upper_(G, d);
    }
done:
    free(P);
    free(rx);
    free(Q);
    free(rz);
    free(Wt);
    free(S);
    free(PK);
    free(B);
    free(gamma);
    return st;
}

rfm_status rfm_agop(const rfm_kernel *k, const rfm_view *X, const rfm_view *A, const double *M,
                    int diag, const rfm_view *Z, const size_t *self, size_t block_rows,
                    size_t block_outputs, double *G, rfm_error *err) {
    return agop_core_(k, X, A, M, diag, Z, self, block_rows, block_outputs, G, NULL, err);
}

rfm_status rfm_gradients(const rfm_kernel *k, const rfm_view *X, const rfm_view *A,
                         const double *M, int diag, const rfm_view *Z, const size_t *self,
                         double *grads, rfm_error *err) {
    return agop_core_(k, X, A, M, diag, Z, self, 0, 0, NULL, grads, err);
}

typedef struct {
    double *buf;
    size_t n;
} mirror_ctx_;

/* Rows [r0, r1) of the lower triangle from the upper one, in cache-sized tiles; the diagonal
 * becomes 0. A band writes only its own rows and reads only the upper triangle, which nobody
 * writes, so bands need no alignment. */
static void mirror_band_(void *arg, size_t r0, size_t r1) {
    mirror_ctx_ *c = arg;
    const size_t tile = 64, n = c->n;
    double *buf = c->buf;
    for (size_t t0 = r0; t0 < r1; t0 += tile) {
        size_t i1 = t0 + tile < r1 ? t0 + tile : r1;
        for (size_t j0 = 0; j0 < i1; j0 += tile) {
            size_t j1 = j0 + tile < n ? j0 + tile : n;
            for (size_t i = t0; i < i1; i++)
                for (size_t j = j0; j < j1 && j < i; j++) buf[i * n + j] = buf[j * n + i];
        }
        for (size_t i = t0; i < i1; i++) buf[i * n + i] = 0.0;
    }
}

/* buf (n, n): copy the strict upper triangle onto the lower one and zero the diagonal. */
static void mirror_upper_(double *buf, size_t n) {
    mirror_ctx_ ctx = {buf, n};
    rfm_par_rows_(n, n * n / 2, mirror_band_, &ctx, rfm_triangle_cost_);
}

/* H-path of the symmetric AGOP. With A_k = W D_k - diag(S_k) (D_k = diag of output k's
 * coefficients), the gradient block of output k is c0 A_k P, so
 *     sum_jk g_jk g_jk^T = c0^2 P^T H P,   H = sum_k A_k^T A_k
 *                        = W^2 (.) (A A^T) - T - T^T + diag(sum_k S_ik^2),  T = W (.) (A S^T)
 * ((.) is the elementwise product; W is symmetric). That costs n^3 (the dsyrk for W^2) plus
 * O(n^2 (c + d)) instead of 2 n^2 c d, which wins when n < 2cd: many classes or features on a
 * modest number of rows (plant-*: n = 800, c = 100, d = 64, 16x fewer flops). It holds a second
 * n x n matrix, so it is only taken while that stays small (H_PATH_MAX_N). */
#define H_PATH_MAX_N 8192

static int use_h_path_(size_t n, size_t c, size_t d) {
    return n <= H_PATH_MAX_N && (double)n + 6.0 * (double)c + 2.0 * (double)d <
                                    2.0 * (double)c * (double)d;
}

static rfm_status agop_h_path_(double c0, const double *W, size_t n, const double *P, size_t d,
                               const rfm_view *A, const double *S, int diag, double *G,
                               rfm_error *err) {
    size_t c = A->cols, b = 256 < n ? 256 : n;
    rfm_status st = RFM_OK;
    double *H = NULL, *R = NULL, *Y = NULL;
    if ((st = rfm_alloc((void **)&H, n, n, sizeof *H, "agop: W^2", err))) goto done;
    if ((st = rfm_alloc((void **)&R, b, 3 * n, sizeof *R, "agop: H panel", err))) goto done;
    if ((st = rfm_alloc((void **)&Y, n, d, sizeof *Y, "agop: H P", err))) goto done;
    // W^2 = W W^T (W symmetric), upper triangle.
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)n, (int)n, 1.0, W, (int)n, 0.0, H,
                (int)n);
    for (size_t i0 = 0; i0 < n; i0 += b) {
        size_t bi = n - i0 < b ? n - i0 : b, w = n - i0; // columns l >= i0 of these rows
        double *R1 = R, *R2 = R + bi * w, *R3 = R + 2 * bi * w;
        const double *Ai = A->data + i0 * A->ld, *Si = S + i0 * c, *Al = Ai, *Sl = Si;
        // R1 = A_I A_L^T, R2 = A_I S_L^T, R3 = S_I A_L^T over the columns l >= i0.
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)bi, (int)w, (int)c, 1.0, Ai,
                    (int)A->ld, Al, (int)A->ld, 0.0, R1, (int)w);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)bi, (int)w, (int)c, 1.0, Ai,
                    (int)A->ld, Sl, (int)c, 0.0, R2, (int)w);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)bi, (int)w, (int)c, 1.0, Si,
                    (int)c, Al, (int)A->ld, 0.0, R3, (int)w);
        for (size_t r = 0; r < bi; r++) {
            size_t i = i0 + r;
            double *h = H + i * n;
            const double *wr = W + i * n;
            // Upper triangle only: l >= i, i.e. panel columns from r on.
            for (size_t l = i; l < n; l++) {
                size_t q = r * w + (l - i0);
                h[l] = h[l] * R1[q] - wr[l] * (R2[q] + R3[q]);
            }
            double ss = 0;
            for (size_t k = 0; k < c; k++) ss += S[i * c + k] * S[i * c + k];
            h[i] += ss; // W_ii = 0, so only W^2_ii (AA^T)_ii and sum_k S_ik^2 remain
        }
    }
    for (size_t i = 0; i < n; i++) // mirror H's upper triangle, keeping the diagonal
        for (size_t l = 0; l < i; l++) H[i * n + l] = H[l * n + i];
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)d, (int)n, 1.0, H, (int)n,
                P, (int)d, 0.0, Y, (int)d);
    if (diag) {
        for (size_t p = 0; p < d; p++) G[p] = 0;
        for (size_t i = 0; i < n; i++)
            for (size_t p = 0; p < d; p++) G[p] += P[i * d + p] * Y[i * d + p];
    } else {
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)d, (int)d, (int)n, 1.0, P,
                    (int)d, Y, (int)d, 0.0, G, (int)d);
    }
    size_t len = diag ? d : d * d;
    for (size_t i = 0; i < len; i++) G[i] *= c0 * c0 / (double)n;
    if (!diag) // exact symmetry, whatever the rounding of the two products
        for (size_t p = 0; p < d; p++)
            for (size_t r = 0; r < p; r++) G[p * d + r] = G[r * d + p] =
                                               0.5 * (G[p * d + r] + G[r * d + p]);
done:
    free(H);
    free(R);
    free(Y);
    return st;
}

rfm_status rfm_agop_symmetric_(const rfm_kernel *k, double *buf, size_t n, const double *P,
                               size_t d, const rfm_view *A, int diag, double *G,
                               rfm_error *err) {
    size_t c = A->cols;
    size_t cb = output_block_(n, c, d, 0);
    double c0 = rfm_grad_scale_(k);
    int hpath = use_h_path_(n, c, d);
    // When every output fits one block, S = W A rides along as c extra columns of W [A, PK]:
    // one pass over W instead of a separate, memory-bound n x n x c product.
    int fused = !hpath && cb == c;
    size_t extra = fused ? c : 0;
    rfm_status st = RFM_OK;
    double *S = NULL, *PK = NULL, *B = NULL, *gamma = NULL;
    if ((st = rfm_alloc((void **)&S, n, c, sizeof *S, "agop: S", err))) goto done;
    // The lower triangle held the Cholesky factor, no longer needed once alpha is known:
    // mirror W into it so that plain dgemm applies (OpenBLAS's dsymm runs well below dgemm's
    // rate here). Self-pairs contribute zero.
    mirror_upper_(buf, n);
    if (hpath) {
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)c, (int)n, 1.0, buf,
                    (int)n, A->data, (int)A->ld, 0.0, S, (int)c);
        st = agop_h_path_(c0, buf, n, P, d, A, S, diag, G, err);
        goto done;
    }
    if ((st = rfm_alloc((void **)&PK, n, cb * d + extra, sizeof *PK, "agop: scaled X M", err)))
        goto done;
    if ((st = rfm_alloc((void **)&B, n, cb * d + extra, sizeof *B, "agop: W P", err))) goto done;
    if ((st = rfm_alloc((void **)&gamma, n, d, sizeof *gamma, "agop: gradients", err)))
        goto done;
    memset(G, 0, (diag ? d : d * d) * sizeof *G);
    if (!fused)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)c, (int)n, 1.0, buf,
                    (int)n, A->data, (int)A->ld, 0.0, S, (int)c);
    for (size_t k0 = 0; k0 < c; k0 += cb) {
        size_t kb = c - k0 < cb ? c - k0 : cb, w = kb * d + extra;
        scale_rows_(P, n, d, A, k0, kb, PK, w, extra);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)w, (int)n, 1.0, buf,
                    (int)n, PK, (int)w, 0.0, B, (int)w);
        if (fused)
            for (size_t i = 0; i < n; i++) memcpy(S + i * c, B + i * w, c * sizeof *S);
        // Here the sample rows are the centres, so q_j = p_j.
        finish_block_(c0, B + extra, w, S, c, k0, kb, P, n, d, diag, G, gamma, NULL, 0);
    }
    size_t len = diag ? d : d * d;
    for (size_t i = 0; i < len; i++) G[i] /= (double)n;
    if (!diag) symmetrize_upper_(G, d);
done:
    free(S);
    free(PK);
    free(B);
    free(gamma);
    return st;
}
