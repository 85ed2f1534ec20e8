/* rfm_impl.h - internals shared by the rfm/ source files (not installed, not public). */
#ifndef RFM_IMPL_H
#define RFM_IMPL_H

#include <cblas.h>

#include "rfm.h"

/* LAPACK's Fortran symbols, exported by OpenBLAS (LP64: Fortran INTEGER is int). */
void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info);
void dpotrs_(const char *uplo, const int *n, const int *nrhs, const double *a, const int *lda,
             double *b, const int *ldb, int *info);
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
             double *w, double *work, const int *lwork, int *iwork, const int *liwork,
             int *info);

/* Pairs closer than this contribute nothing to a gradient (rfm-algorithm.md section 5). */
#define RFM_MIN_DIST 1e-10

/* c0 of the unified gradient form: grad f_k(z) = c0 sum_i A_ik W_i(z) M (x_i - z). */
double rfm_grad_scale_(const rfm_kernel *k);

/* P = X M (n, d), ld d: M full (d, d), a d-vector when diag, or NULL for the identity.
 * norms (may be NULL) receives r_i = x_i^T M x_i. */
void rfm_metric_apply_(const rfm_view *X, const double *M, int diag, double *P, double *norms);

/* One fused pass over a (rows, cols) block of cross terms C_ij = z_i^T M x_j (in place, ld):
 * D = sqrt(max(rz_i + rx_j - 2 C_ij, 0)), then K or W (see the .c file). */
typedef enum { RFM_PASS_KERNEL, RFM_PASS_WEIGHT } rfm_pass_kind;
void rfm_pass_(const rfm_kernel *k, rfm_pass_kind kind, double *C, size_t rows, size_t cols,
               size_t ld, const double *rz, const double *rx);

/* The training matrix of one fit, in one (n, n) buffer after a single dgemm: the lower
 * triangle (row-major sense) receives K, the diagonal 1, and, when want_w, the strict upper
 * triangle receives the gradient weights W of the same pairs (their self-pairs are the
 * diagonal). X here is already normalised. P (n, d) and norms (n) are caller-provided scratch
 * that receive X M and x_i^T M x_i. */
rfm_status rfm_train_kernel_(const rfm_kernel *k, const rfm_view *X, const double *M, int diag,
                             double *buf, double *P, double *norms, int want_w,
                             rfm_error *err);

/* AGOP of the fit whose weights W sit in the strict upper triangle of buf (n, n) (see
 * rfm_train_kernel_), at all n training rows. P = X M from the same kernel build. The
 * diagonal of buf is overwritten with zeros (the self-pair rule). G: (d, d) or (d). */
rfm_status rfm_agop_symmetric_(const rfm_kernel *k, double *buf, size_t n, const double *P,
                               size_t d, const rfm_view *A, int diag, double *G,
                               rfm_error *err);

/* out (m, c) = K(Z, X) A for Z: (m, d), X: (n, d) on metric M, A: (n, c) dense: the
 * predictor at the rows of Z. Kernel blocks stay bounded; for few outputs the dot products with
 * A are taken inside the sqrt/exp pass, so the kernel block is never written back. */
rfm_status rfm_kernel_apply_(const rfm_kernel *k, const rfm_view *Z, const rfm_view *X,
                             const double *M, int diag, const double *A, size_t c, double *out,
                             rfm_error *err);

/* Run fn(ctx, r0, r1) over bands of rows [0, rows) on as many threads as OpenBLAS uses (one
 * band on the caller), each band of equal cost; cost_below(r, rows) is the share of the work in
 * rows [0, r) (NULL: uniform rows). Small jobs (entries below ~2^18) stay on the caller. */
typedef void (*rfm_band_fn)(void *ctx, size_t r0, size_t r1);
void rfm_par_rows_(size_t rows, size_t entries, rfm_band_fn fn, void *ctx,
                   double (*cost_below)(size_t r, size_t rows));
/* Share of a lower triangle's entries in rows [0, r): (r / rows)^2. */
double rfm_triangle_cost_(size_t r, size_t rows);

/* 1 with the first non-finite entry's place in *row, *col; 0 when every entry is finite. */
int rfm_view_nonfinite_(const rfm_view *v, size_t *row, size_t *col);

/* Model internals for rfm_io.c (defined in rfm_fit.c). rfm_model_new_ allocates every array
 * for the given sizes (h history records) and returns NULL with err filled on failure. */
const double *rfm_model_centres_data_(const rfm_model *m);
const double *rfm_model_coef_data_(const rfm_model *m);
rfm_model *rfm_model_new_(const rfm_params *p, size_t n, size_t d, size_t c, size_t h,
                          rfm_error *err);
double *rfm_model_centres_mut_(rfm_model *m);
double *rfm_model_coef_mut_(rfm_model *m);
double *rfm_model_metric_mut_(rfm_model *m);
rfm_iter_record *rfm_model_history_mut_(rfm_model *m);
void rfm_model_set_(rfm_model *m, int best, const char *note);

#endif
