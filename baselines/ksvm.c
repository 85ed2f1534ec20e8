/* ksvm.c - LIBSVM's C-SVC and epsilon-SVR with the RBF kernel or a precomputed Laplace / NTK
 * Gram matrix (see ksvm.h).
 *
 * LIBSVM's sparse rows: a row is a list of (index, value) nodes ending with index -1. For the
 * precomputed kernel, row i of the training problem is 0:(i+1) 1:K(x_i,x_1) ... n:K(x_i,x_n),
 * and LIBSVM reads K(x_i, x_j) as row_i[serial of x_j] (positional), so every row holds all
 * n + 2 nodes. At prediction it reads test_row[serial of each support vector] only, so a test
 * row is filled at the support vectors' positions and nowhere else.
 *
 * svm_train's model points into the problem's rows; we copy the support vectors' nodes into
 * one block the model owns (for a precomputed kernel: just the 0:serial node) and free the
 * problem, so a model of a 3750-row Gram matrix does not keep its 225 MB of nodes. */
#include "ksvm.h"

#include <libsvm/svm.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct ksvm_model {
    ksvm_params p;
    struct svm_model *svm;  /* owned; its SV[i] point into nodes */
    struct svm_node *nodes; /* owned: the support vectors' node lists */
    double *Xsv;            /* precomputed kernels: the support vectors' rows (l, d), SV order */
    size_t n, d, l;         /* training rows, features, support vectors */
};

ksvm_params ksvm_params_default(void) {
    ksvm_params p = {KSVM_RBF, 0, 1.0, 0.0, 10.0, {1, 0}, 0.1, 1e-3, 200.0, 1};
    return p;
}

const char *ksvm_params_check(const ksvm_params *p) {
    if (p->kernel != KSVM_RBF && p->kernel != KSVM_LAPLACE && p->kernel != KSVM_NTK)
        return "kernel: must be rbf, laplace or ntk";
    if (!(p->C > 0) || !isfinite(p->C)) return "C: must be a finite number > 0";
    if (!(p->gamma >= 0) || !isfinite(p->gamma)) return "gamma: must be a finite number >= 0";
    if (!(p->bandwidth > 0) || !isfinite(p->bandwidth)) return "bandwidth: must be > 0";
    if (!(p->epsilon >= 0) || !isfinite(p->epsilon)) return "epsilon: must be >= 0";
    if (!(p->tol > 0) || !isfinite(p->tol)) return "tol: must be > 0";
    if (!(p->cache_mb > 0) || !isfinite(p->cache_mb)) return "cache_mb: must be > 0";
    const char *why = ntk_params_check(&p->ntk);
    if (why) return why;
    return NULL;
}

static void quiet_(const char *s) { (void)s; }

static int nonfinite_(const rfm_view *v) {
    for (size_t i = 0; i < v->rows; i++)
        for (size_t j = 0; j < v->cols; j++)
            if (!isfinite(v->data[i * v->ld + j])) return 1;
    return 0;
}

/* K (m, n), ld = ldk, for the precomputed kernels. */
static rfm_status gram_(const ksvm_params *p, const rfm_view *Z, const rfm_view *X, int same,
                        double *K, size_t ldk, rfm_error *err) {
    if (p->kernel == KSVM_NTK) return ntk_gram(&p->ntk, Z, X, same, K, ldk, err);
    rfm_kernel k = {RFM_KERNEL_LAPLACE, p->bandwidth, 1.0};
    return rfm_kernel_matrix(&k, Z, X, NULL, 0, same, K, ldk, err);
}

/* The training rows in LIBSVM's format: rows[i] points into *nodes (owned by the caller). */
static rfm_status problem_rows_(const ksvm_params *p, const rfm_view *X,
                                struct svm_node ***rows_out, struct svm_node **nodes_out,
                                rfm_error *err) {
    size_t n = X->rows, d = X->cols, total = 0;
    struct svm_node **rows = NULL, *nodes = NULL;
    double *K = NULL;
    rfm_status st = rfm_alloc((void **)&rows, n, 1, sizeof *rows, "svm: rows", err);
    if (st) return st;
    if (p->kernel == KSVM_RBF) {
        // Sparse rows: zeros are left out, as LIBSVM's format intends (same kernel values).
        for (size_t i = 0; i < n; i++) {
            for (size_t j = 0; j < d; j++) total += X->data[i * X->ld + j] != 0.0;
            total++;
        }
        if ((st = rfm_alloc((void **)&nodes, total, 1, sizeof *nodes, "svm: nodes", err)))
            goto done;
        struct svm_node *q = nodes;
        for (size_t i = 0; i < n; i++) {
            rows[i] = q;
            for (size_t j = 0; j < d; j++) {
                double v = X->data[i * X->ld + j];
                if (v != 0.0) *q++ = (struct svm_node){(int)j + 1, v};
            }
            *q++ = (struct svm_node){-1, 0.0};
        }
    } else {
        // The whole symmetric Gram matrix first: the NTK's symmetric path does half the work.
        if ((st = rfm_alloc((void **)&K, n, n, sizeof *K, "svm: kernel matrix", err)) ||
            (st = gram_(p, X, X, 1, K, n, err)) ||
            (st = rfm_alloc((void **)&nodes, n, n + 2, sizeof *nodes, "svm: kernel nodes", err)))
            goto done;
        for (size_t i = 0; i < n; i++) {
            struct svm_node *r = nodes + i * (n + 2);
            rows[i] = r;
            r[0] = (struct svm_node){0, (double)(i + 1)};
            for (size_t j = 0; j < n; j++) r[j + 1] = (struct svm_node){(int)j + 1, K[i * n + j]};
            r[n + 1] = (struct svm_node){-1, 0.0};
        }
    }
    *rows_out = rows;
    *nodes_out = nodes;
    rows = NULL;
    nodes = NULL;
done:
    free(rows);
    free(nodes);
    free(K);
    return st;
}

/* Give the model its own copy of the support vectors so that the problem can be freed. */
static rfm_status keep_support_(ksvm_model *m, const rfm_view *X, rfm_error *err) {
    struct svm_model *s = m->svm;
    size_t l = s->l > 0 ? (size_t)s->l : 0, total = 0;
    int pre = m->p.kernel != KSVM_RBF;
    for (size_t i = 0; i < l; i++) {
        size_t len = 1;
        if (!pre)
            while (s->SV[i][len - 1].index != -1) len++;
        total += pre ? 2 : len;
    }
    rfm_status st = rfm_alloc((void **)&m->nodes, total ? total : 1, 1, sizeof *m->nodes,
                              "svm: support vectors", err);
    if (!st && pre)
        st = rfm_alloc((void **)&m->Xsv, l ? l : 1, m->d, sizeof *m->Xsv, "svm: support vectors",
                       err);
    if (st) return st;
    struct svm_node *q = m->nodes;
    for (size_t i = 0; i < l; i++) {
        const struct svm_node *src = s->SV[i];
        s->SV[i] = q;
        if (pre) {
            size_t row = (size_t)src[0].value - 1; // the 1-based serial of problem_rows_
            memcpy(m->Xsv + i * m->d, X->data + row * X->ld, m->d * sizeof *m->Xsv);
            *q++ = src[0];
            *q++ = (struct svm_node){-1, 0.0};
        } else {
            do *q++ = *src; while ((src++)->index != -1);
        }
    }
    m->l = l;
    return RFM_OK;
}

rfm_status ksvm_fit(const ksvm_params *p, const rfm_view *X, const double *y, ksvm_model **out,
                    rfm_error *err) {
    *out = NULL;
    const char *why = ksvm_params_check(p);
    if (why) return rfm_fail(err, RFM_EINVAL, "svm: %s", why);
    size_t n = X->rows, d = X->cols;
    if (n == 0 || d == 0) return rfm_fail(err, RFM_EINVAL, "svm: empty data (%zu x %zu)", n, d);
    if (n > (size_t)INT_MAX - 2 || d > (size_t)INT_MAX - 1)
        return rfm_fail(err, RFM_EINVAL, "svm: %zu x %zu exceeds LIBSVM's int range", n, d);
    if (nonfinite_(X)) return rfm_fail(err, RFM_EINVAL, "svm: X holds NaN or Inf");
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(y[i])) return rfm_fail(err, RFM_EINVAL, "svm: y[%zu] is not finite", i);
        if (!p->regression && (y[i] < 0 || y[i] > INT_MAX || y[i] != floor(y[i])))
            return rfm_fail(err, RFM_EINVAL, "svm: label y[%zu] = %g is not an integer >= 0", i,
                            y[i]);
    }
    struct svm_node **rows = NULL, *nodes = NULL;
    double *ycopy = NULL;
    ksvm_model *m = calloc(1, sizeof *m);
    if (!m) return rfm_fail(err, RFM_ENOMEM, "svm: out of memory");
    m->p = *p;
    m->n = n;
    m->d = d;
    rfm_status st = rfm_alloc((void **)&ycopy, n, 1, sizeof *ycopy, "svm: labels", err);
    if (!st) st = problem_rows_(p, X, &rows, &nodes, err);
    if (st) goto done;
    memcpy(ycopy, y, n * sizeof *ycopy);
    struct svm_problem prob = {(int)n, ycopy, rows};
    struct svm_parameter par = {0};
    par.svm_type = p->regression ? EPSILON_SVR : C_SVC;
    par.kernel_type = p->kernel == KSVM_RBF ? RBF : PRECOMPUTED;
    par.degree = 3;
    par.gamma = p->gamma > 0 ? p->gamma : 1.0 / (double)d; // LIBSVM's default gamma
    par.cache_size = p->cache_mb;
    par.eps = p->tol;
    par.C = p->C;
    par.nu = 0.5;
    par.p = p->epsilon;
    par.shrinking = p->shrinking;
    const char *bad = svm_check_parameter(&prob, &par);
    if (bad) {
        st = rfm_fail(err, RFM_EINVAL, "svm: LIBSVM rejects the parameters: %s", bad);
        goto done;
    }
    // LIBSVM prints its progress to stdout by default; a library must stay silent.
    svm_set_print_string_function(quiet_);
    m->svm = svm_train(&prob, &par);
    if (!m->svm) {
        st = rfm_fail(err, RFM_ENOMEM, "svm: LIBSVM's training failed");
        goto done;
    }
    m->p.gamma = par.gamma;
    if ((st = keep_support_(m, X, err))) goto done;
    *out = m;
    m = NULL;
done:
    ksvm_free(m);
    free(rows);
    free(nodes);
    free(ycopy);
    return st;
}

size_t ksvm_decision_count(const ksvm_model *m) {
    if (m->p.regression) return 1;
    size_t k = (size_t)m->svm->nr_class;
    return k * (k - 1) / 2;
}

size_t ksvm_classes(const ksvm_model *m) { return (size_t)m->svm->nr_class; }

const int *ksvm_labels(const ksvm_model *m) { return m->p.regression ? NULL : m->svm->label; }

size_t ksvm_support_count(const ksvm_model *m) { return m->l; }

rfm_status ksvm_predict(const ksvm_model *m, const rfm_view *Z, double *dec, double *pred,
                        rfm_error *err) {
    size_t rows = Z->rows, d = m->d, l = m->l, nd = ksvm_decision_count(m);
    if (Z->cols != d)
        return rfm_fail(err, RFM_EINVAL, "predict: Z has %zu columns, the model has %zu",
                        Z->cols, d);
    if (nonfinite_(Z)) return rfm_fail(err, RFM_EINVAL, "predict: Z holds NaN or Inf");
    if (rows == 0) return RFM_OK;
    int pre = m->p.kernel != KSVM_RBF;
    size_t width = pre ? m->n + 2 : d + 1;
    size_t block = pre && l ? ((size_t)1 << 20) / l : 1;
    if (block < 1) block = 1;
    if (block > rows) block = rows;
    struct svm_node *x = NULL;
    double *dv = NULL, *Kb = NULL;
    rfm_status st = rfm_alloc((void **)&x, width, 1, sizeof *x, "predict: row", err);
    if (!st) st = rfm_alloc((void **)&dv, nd ? nd : 1, 1, sizeof *dv, "predict: decisions", err);
    if (!st && pre)
        st = rfm_alloc((void **)&Kb, block, l ? l : 1, sizeof *Kb, "predict: kernel block", err);
    if (st) goto done;
    if (pre) {
        // Positions 1..n are the training serials; only the support vectors' are ever read.
        for (size_t k = 0; k <= m->n; k++) x[k] = (struct svm_node){(int)k, 0.0};
        x[m->n + 1] = (struct svm_node){-1, 0.0};
    }
    rfm_view sv = rfm_view_of(m->Xsv, l, d);
    for (size_t r0 = 0; r0 < rows; r0 += block) {
        size_t b = rows - r0 < block ? rows - r0 : block;
        if (pre && l) {
            rfm_view zb = {b, d, Z->ld, Z->data + r0 * Z->ld};
            if ((st = gram_(&m->p, &zb, &sv, 0, Kb, l, err))) goto done;
        }
        for (size_t r = 0; r < b; r++) {
            const double *z = Z->data + (r0 + r) * Z->ld;
            if (pre) {
                for (size_t i = 0; i < l; i++)
                    x[(size_t)m->svm->SV[i][0].value].value = Kb[r * l + i];
            } else {
                size_t q = 0;
                for (size_t j = 0; j < d; j++)
                    if (z[j] != 0.0) x[q++] = (struct svm_node){(int)j + 1, z[j]};
                x[q] = (struct svm_node){-1, 0.0};
            }
            double label = svm_predict_values(m->svm, x, dv);
            if (dec) memcpy(dec + (r0 + r) * nd, dv, nd * sizeof *dec);
            if (pred) pred[r0 + r] = label;
        }
    }
done:
    free(x);
    free(dv);
    free(Kb);
    return st;
}

rfm_status ksvm_save(const ksvm_model *m, const char *path, rfm_error *err) {
    if (svm_save_model(path, m->svm) != 0)
        return rfm_fail(err, RFM_EIO, "%s: cannot write the LIBSVM model", path);
    return RFM_OK;
}

void ksvm_free(ksvm_model *m) {
    if (!m) return;
    // free_sv = 0 (svm_train's model): LIBSVM frees SV[] but not the nodes, which are ours.
    if (m->svm) svm_free_and_destroy_model(&m->svm);
    free(m->nodes);
    free(m->Xsv);
    free(m);
}
