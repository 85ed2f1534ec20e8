/* ksvm.h - kernel support vector machines through LIBSVM (Debian libsvm-dev 3.24): C-SVC
 * (one-vs-one for several classes) and epsilon-SVR, with LIBSVM's own RBF kernel or a
 * precomputed Gram matrix from the Laplace kernel (rfm_kernel_matrix, M = I) or the NTK (ntk.h),
 * which is the NTK-SVM of Arora et al. (ICLR 2020).
 *
 * The models are LIBSVM's, trained and evaluated by LIBSVM (svm_train, svm_predict_values);
 * this module builds its inputs, silences its printing, and keeps only the support vectors.
 * For precomputed kernels each support vector keeps LIBSVM's `0:serial` node, the 1-based
 * training row, so a saved model reads exactly as one that `svm-train -t 4` would write. */
#ifndef KSVM_H
#define KSVM_H

#include "ntk.h"
#include "rfm.h"

typedef enum { KSVM_RBF = 0, KSVM_LAPLACE, KSVM_NTK } ksvm_kernel;

typedef struct {
    ksvm_kernel kernel; /* default rbf                                                   */
    int regression;     /* 0: C-SVC on integer labels (default); 1: epsilon-SVR          */
    double C;           /* > 0; default 1                                                */
    double gamma;       /* rbf: exp(-gamma |x - z|^2), >= 0; 0 (default) means 1 / d      */
    double bandwidth;   /* laplace: exp(-|x - z| / L), L > 0; default 10                  */
    ntk_params ntk;     /* ntk: depth [1], fix [0]                                        */
    double epsilon;     /* SVR tube width >= 0; default 0.1 (LIBSVM's -p)                 */
    double tol;         /* > 0, LIBSVM's stopping tolerance -e; default 1e-3              */
    double cache_mb;    /* > 0, LIBSVM's kernel cache -m; default 200                     */
    int shrinking;      /* LIBSVM's -h; default 1                                         */
} ksvm_params;

ksvm_params ksvm_params_default(void);

/* NULL when p is valid, else a static string naming the field and its bound. */
const char *ksvm_params_check(const ksvm_params *p);

typedef struct ksvm_model ksvm_model; /* opaque; release with ksvm_free() */

/* Train on X: (n, d) and y: (n): class labels (integers >= 0, stored as doubles) for C-SVC,
 * targets for SVR. A precomputed kernel needs n + 2 LIBSVM nodes per row (16 (n + 2) n bytes;
 * 225 MB at n = 3750), freed before returning. X is copied (the support vectors only).
 * On RFM_OK *out is owned by the caller, else NULL. Errors: NaN/Inf, a non-integer or negative
 * label, n = 0, d = 0, invalid params or LIBSVM's svm_check_parameter (RFM_EINVAL); memory
 * (RFM_ENOMEM). A single class is allowed: LIBSVM then predicts it everywhere. */
rfm_status ksvm_fit(const ksvm_params *p, const rfm_view *X, const double *y, ksvm_model **out,
                    rfm_error *err);

/* Evaluate at Z: (m, d). dec (may be NULL): (m, ksvm_decision_count(model)) row-major:
 * C-SVC: LIBSVM's one-vs-one values, pair (a, b) for a < b in the order of ksvm_labels(),
 * positive meaning labels[a]; SVR: the prediction. pred (may be NULL): (m), svm_predict's
 * answer (the label with most votes, ties to the first in ksvm_labels() order; SVR: the
 * prediction). Errors: column mismatch, NaN/Inf (RFM_EINVAL); memory (RFM_ENOMEM). */
rfm_status ksvm_predict(const ksvm_model *m, const rfm_view *Z, double *dec, double *pred,
                        rfm_error *err);

size_t ksvm_decision_count(const ksvm_model *m); /* k (k - 1) / 2 for k classes; SVR: 1    */
size_t ksvm_classes(const ksvm_model *m);        /* k, as LIBSVM counts them; SVR: 2       */
/* The class labels in LIBSVM's order (order of first appearance in y), k of them; NULL for
 * SVR. Borrowed. */
const int *ksvm_labels(const ksvm_model *m);
size_t ksvm_support_count(const ksvm_model *m); /* support vectors, all classes */

/* Write LIBSVM's text model file (svm_save_model), readable by svm-predict. For precomputed
 * kernels the test file must then hold K(z, x_j) at index j for the training rows j = 1..n.
 * Errors: the file cannot be written (RFM_EIO). */
rfm_status ksvm_save(const ksvm_model *m, const char *path, rfm_error *err);

void ksvm_free(ksvm_model *m); /* NULL is a no-op */

#endif
