/* rfm.h - Recursive Feature Machine: kernel ridge regression on a Mahalanobis metric M that is
 * re-estimated after each fit as the average gradient outer product (AGOP) of that fit.
 *
 * This is the lowest layer of rfmbench and is numeric only: no YAML, no CSV. It also defines the
 * project-wide status enum and error struct, which every other module reuses.
 *
 * Conventions: matrices are row-major views (rows, cols, ld >= cols) and are borrowed, never
 * freed by the callee. Fallible calls return rfm_status; a non-NULL err receives a one-line
 * reason. Nothing here prints, exits or aborts. The formulas are those of
 * ../shared/docs/rfm-algorithm.md (section numbers below refer to it). */
#ifndef RFM_H
#define RFM_H

#include <stddef.h>
#include <stdint.h>

/* ---- status, errors, views (shared by the whole project) ---------------------------------- */

typedef enum {
    RFM_OK = 0,
    RFM_EINVAL,   /* bad argument or parameter: shapes, ranges, NaN/Inf in the input        */
    RFM_ENOMEM,   /* an allocation failed or its size overflowed; the message gives the GiB */
    RFM_ENUMERIC, /* a numeric failure: matrix not positive definite, non-finite AGOP       */
    RFM_EIO,      /* a file could not be opened, read or written                            */
    RFM_EFORMAT,  /* a file was read but its content is malformed                           */
} rfm_status;

typedef struct {
    rfm_status code;
    char msg[512];
} rfm_error;

typedef struct {
    size_t rows, cols, ld; /* ld >= cols: distance in doubles between row starts */
    const double *data;
} rfm_view;

/* A dense view of rows*cols doubles (ld = cols). */
rfm_view rfm_view_of(const double *data, size_t rows, size_t cols);

/* Write printf-style text into err (when non-NULL) and return code, so callers can write
 * `return rfm_fail(err, RFM_EINVAL, "...")`. The message is truncated, never overflowed. */
rfm_status rfm_fail(rfm_error *err, rfm_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

const char *rfm_status_name(rfm_status s);

/* Allocate rows*cols*size bytes or fail with RFM_ENOMEM naming `what` and the GiB it needed;
 * the product is checked for size_t overflow. *out is NULL on failure. */
rfm_status rfm_alloc(void **out, size_t rows, size_t cols, size_t size, const char *what,
                     rfm_error *err);

/* A small seeded generator (xoshiro256**, seeded through splitmix64): the only source of
 * randomness in the project, so every draw is reproducible from a seed. */
typedef struct {
    uint64_t s[4];
} rfm_rng;
void rfm_rng_seed(rfm_rng *r, uint64_t seed);
uint64_t rfm_rng_next(rfm_rng *r);
double rfm_rng_uniform(rfm_rng *r);          /* [0, 1) with 53 random bits */
double rfm_rng_normal(rfm_rng *r);           /* standard normal (Box-Muller) */
size_t rfm_rng_below(rfm_rng *r, size_t n);  /* uniform in [0, n), n > 0, unbiased */

/* Monotonic wall-clock seconds, for the per-phase timings. */
double rfm_seconds(void);

/* ---- parameters ----------------------------------------------------------------------------- */

typedef enum { RFM_KERNEL_LAPLACE = 0, RFM_KERNEL_GAUSSIAN } rfm_kernel_type;
typedef enum { RFM_MSCALE_MEAN = 0, RFM_MSCALE_MAX } rfm_mscale;
typedef enum { RFM_SCORE_ACCURACY = 0, RFM_SCORE_RMSE, RFM_SCORE_R2 } rfm_score;

/* The kernel alone: laplace is exp(-(D/L)^q) (q = 1 is the Laplace kernel proper), gaussian
 * is exp(-D^2 / (2 L^2)); D = ||x - z||_M (section 2). */
typedef struct {
    rfm_kernel_type type;
    double bandwidth; /* L > 0                                 */
    double exponent;  /* q in (0, 2]; laplace only, 1 = Laplace */
} rfm_kernel;

typedef struct {
    rfm_kernel kernel;  /* default laplace, L = 10, q = 1                                   */
    double reg;         /* lambda >= 0 added to diag(K); default 1e-3                      */
    int iters;          /* T >= 1 kernel fits; fit t uses M_t, M_0 = I; default 5          */
    int diag;           /* 1: M is diagonal, stored as a d-vector; default 0              */
    rfm_mscale m_scale; /* mean (paper-era default) or max (AGOP / largest entry)          */
    size_t agop_sample; /* AGOP on all rows when n <= this, else a seeded sample; 20000    */
    int normalize;      /* 1: scale every row to unit L2 norm first (fit and predict)      */
    uint64_t seed;      /* drives the AGOP row sample; default 0                           */
    rfm_score score;    /* validation score used to pick the best iteration; accuracy      */
    int jitter;         /* 1: on a failed Cholesky retry with reg + 1e-8, 1e-6, 1e-4; 0     */
} rfm_params;

rfm_params rfm_params_default(void);

/* NULL when p is valid, else a static string naming the field and its bound. */
const char *rfm_params_check(const rfm_params *p);

/* ---- model: fit, predict, inspect, save, load ------------------------------------------------ */

typedef struct rfm_model rfm_model; /* opaque; release with rfm_free() */

/* One record per kernel fit t (section 8). */
typedef struct {
    int t;
    double val_score;     /* NaN without a validation set                    */
    double trace_m;       /* trace of M_t (diag variant: sum of mu)          */
    double kernel_seconds;
    double solve_seconds;
    double agop_seconds;  /* time to compute M_{t+1} from this fit; 0 at the end */
    double jitter;        /* the delta added to reg for this fit, 0 if none   */
} rfm_iter_record;

/* Fit T = p->iters kernel machines, X: (n, d) rows, Y: (n, c) targets (one-hot for
 * classification). Xv, Yv: optional validation rows (both NULL or both set) that choose the best
 * iteration, strictly better wins and the earliest wins ties; without them the last fit is kept.
 * M0: optional starting metric, (d, d) row-major or a d-vector when p->diag; NULL means identity.
 * The protocol's per-fold refit is rfm_fit with iters = 1 and M0 = the selected metric.
 * On RFM_OK *out is a new model owned by the caller; otherwise *out is NULL.
 * Errors: shape mismatch, n = 0, d = 0, c = 0, NaN/Inf in X, Y, Xv, Yv or M0, invalid params
 * (RFM_EINVAL); the n x n matrix cannot be allocated (RFM_ENOMEM, with the GiB needed);
 * K + lambda I is not positive definite at fit 0 (RFM_ENUMERIC, naming reg, n and the pivot).
 * A failure after fit 0 (a later Cholesky failure, a zero or non-finite AGOP) stops the
 * iteration instead: the fits so far stay valid candidates, NaN never propagates, and
 * rfm_model_note() says why. */
rfm_status rfm_fit(const rfm_params *p, const double *M0, const rfm_view *X, const rfm_view *Y,
                   const rfm_view *Xv, const rfm_view *Yv, rfm_model **out, rfm_error *err);

/* Scores of the kept fit at rows Z: (m, d). out: (m, c) row-major, ld = c, caller-owned. The
 * kernel block is bounded (rows of Z are processed in blocks), not m x n at once. */
rfm_status rfm_predict(const rfm_model *m, const rfm_view *Z, double *out, rfm_error *err);

/* Row-wise argmax of scores (m, c); ties go to the smallest index. */
void rfm_argmax(const double *scores, size_t m, size_t c, int *labels);

size_t rfm_model_features(const rfm_model *m); /* d */
size_t rfm_model_outputs(const rfm_model *m);  /* c */
size_t rfm_model_centres(const rfm_model *m);  /* n */
const rfm_params *rfm_model_params(const rfm_model *m);
/* The metric of the kept fit: (d, d) row-major, or a d-vector for the diag variant. Borrowed. */
const double *rfm_model_metric(const rfm_model *m);
int rfm_model_best_iter(const rfm_model *m); /* t* */
/* The per-iteration history; *count receives its length. Borrowed. */
const rfm_iter_record *rfm_model_history(const rfm_model *m, size_t *count);
/* What departed from a plain fit ("" when nothing did), entries separated by "; ": zero rows
 * that normalisation left alone, and why iterating stopped early (e.g. a zero AGOP). Borrowed. */
const char *rfm_model_note(const rfm_model *m);

void rfm_free(rfm_model *m); /* NULL is a no-op */

/* Save to / load from the versioned binary format described in rfm_io.c (magic "RFMMODEL",
 * version 1). */
rfm_status rfm_save(const rfm_model *m, const char *path, rfm_error *err);
rfm_status rfm_load(const char *path, rfm_model **out, rfm_error *err);

/* ---- numeric building blocks (public: the baselines and the network code reuse them) -------- */

/* Kernel matrix K_ij = k(z_i, x_j) for Z: (m, d), X: (n, d) on metric M ((d, d), a d-vector when
 * diag, NULL for identity). K: (m, n), ld = ldk >= n, caller-owned. Built as ||z||_M^2 +
 * ||x||_M^2 - 2 z^T M x by one dgemm, clamped at 0, then one fused sqrt/exp pass. When
 * same != 0 (Z and X are the same rows) the diagonal is exactly 1. */
rfm_status rfm_kernel_matrix(const rfm_kernel *k, const rfm_view *Z, const rfm_view *X,
                             const double *M, int diag, int same, double *K, size_t ldk,
                             rfm_error *err);

/* Solve (K + reg I) A = Y by Cholesky, K: (n, n) with ld = ldk, symmetric; only its lower
 * triangle (row-major sense) is read and it is overwritten by the factor. Y: (n, c); A: (n, c),
 * ld = c, caller-owned. Fails with RFM_ENUMERIC naming reg, n and the failing pivot when the
 * matrix is not positive definite. */
rfm_status rfm_ridge_solve(double *K, size_t n, size_t ldk, double reg, const rfm_view *Y,
                           double *A, rfm_error *err);

/* AGOP of f(z) = sum_i A_i k(x_i, z) at the rows of Z (section 6-7):
 * G = (1/m) sum_j sum_k grad f_k(z_j) grad f_k(z_j)^T, G: (d, d) (diag: a d-vector of the
 * diagonal). X: (n, d) centres, A: (n, c), Z: (m, d). self: NULL, or for each row j of Z the
 * index of the centre it equals (or SIZE_MAX for none); that pair contributes zero, as does any
 * pair closer than 1e-10. Blocked over rows of Z and over outputs: never holds n x c x d.
 * block_rows/block_outputs: 0 for automatic sizes (the result must not depend on them). */
rfm_status rfm_agop(const rfm_kernel *k, const rfm_view *X, const rfm_view *A, const double *M,
                    int diag, const rfm_view *Z, const size_t *self, size_t block_rows,
                    size_t block_outputs, double *G, rfm_error *err);

/* The rows the fit's sampled AGOP uses after fit t when n > agop_sample = m: m distinct rows
 * of n, uniform, from a stream derived from (seed, t) (partial Fisher-Yates). idx must hold n
 * entries; the sample is idx[0..m), m <= n. Lets a caller reproduce the fit's M. */
void rfm_sample_rows(uint64_t seed, int t, size_t n, size_t m, size_t *idx);

/* Gradients of the same predictor: grads: (m, c, d) row-major, grads[(j*c + k)*d + p] =
 * d f_k / d z_p at z_j, with the sign of section 4 and the same self-pair rule. For tests and
 * diagnostics (it holds m x c x d by design). */
rfm_status rfm_gradients(const rfm_kernel *k, const rfm_view *X, const rfm_view *A,
                         const double *M, int diag, const rfm_view *Z, const size_t *self,
                         double *grads, rfm_error *err);

/* G += Gamma^T Gamma for a block of gradient rows Gamma: (b, d), ld >= d; G: (d, d), updated
 * in full (both triangles). diag: G is a d-vector, G_p += sum_j Gamma_jp^2. The accumulation
 * step of the AGOP, callable on given gradients. */
void rfm_agop_accumulate(const double *Gamma, size_t b, size_t d, size_t ld, int diag, double *G);

/* Scale every row of X: (n, d) in place to unit L2 norm; returns how many rows were zero
 * (left as they are). */
size_t rfm_normalize_rows(double *X, size_t n, size_t d, size_t ld);

/* *out = a new dense (rows, cols) copy of V (ld = cols, owned by the caller), its rows scaled
 * by rfm_normalize_rows when normalize; *zeros (unless NULL) gets that count of zero rows. */
rfm_status rfm_copy_rows(const rfm_view *V, int normalize, double **out, size_t *zeros,
                         rfm_error *err);

#endif
