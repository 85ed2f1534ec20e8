/* rfm_fit.c - the RFM iteration (rfm-algorithm.md section 8): fit t solves kernel ridge
 * regression on M_t, is scored on the validation rows, and (except the last) yields
 * M_{t+1} = the scaled AGOP of fit t. Also prediction, parameters and model accessors.
 *
 * Memory: one (n, n) buffer serves every fit. Its lower triangle holds K + lambda I and then
 * the Cholesky factor; its upper triangle holds the gradient weights W of the same pairs,
 * which the AGOP reads after the solve (rfm_agop_symmetric_). Beyond that buffer the fit holds
 * O(n (c + d) + d^2) plus the AGOP's bounded blocks. */
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rfm_impl.h"

struct rfm_model {
    rfm_params p;
    size_t n, d, c;
    double *X; /* (n, d) centres, row-normalised when p.normalize */
    double *A; /* (n, c) coefficients of the kept fit              */
    double *M; /* (d, d), or (d) when p.diag                        */
    int best;
    rfm_iter_record *hist;
    size_t n_hist;
    char note[256];
};

rfm_params rfm_params_default(void) {
    rfm_params p;
    memset(&p, 0, sizeof p);
    p.kernel.type = RFM_KERNEL_LAPLACE;
    p.kernel.bandwidth = 10.0;
    p.kernel.exponent = 1.0;
    p.reg = 1e-3;
    p.iters = 5;
    p.m_scale = RFM_MSCALE_MEAN;
    p.agop_sample = 20000;
    p.score = RFM_SCORE_ACCURACY;
    return p;
}

const char *rfm_params_check(const rfm_params *p) {
    if (p->kernel.type != RFM_KERNEL_LAPLACE && p->kernel.type != RFM_KERNEL_GAUSSIAN)
        return "kernel: must be laplace or gaussian";
    if (!(p->kernel.bandwidth > 0) || !isfinite(p->kernel.bandwidth))
        return "bandwidth: must be > 0 and finite";
    // exp(-(D/L)^q) is positive definite only for 0 < q <= 2.
    if (!(p->kernel.exponent > 0 && p->kernel.exponent <= 2))
        return "exponent: must be in (0, 2]";
    if (!(p->reg >= 0) || !isfinite(p->reg)) return "reg: must be >= 0 and finite";
    if (p->iters < 1) return "iters: must be >= 1";
    if (p->m_scale != RFM_MSCALE_MEAN && p->m_scale != RFM_MSCALE_MAX)
        return "m_scale: must be mean or max";
    if (p->agop_sample < 1) return "agop_sample: must be >= 1";
    if (p->score != RFM_SCORE_ACCURACY && p->score != RFM_SCORE_RMSE && p->score != RFM_SCORE_R2)
        return "score: must be accuracy, rmse or r2";
    return NULL;
}

void rfm_free(rfm_model *m) {
    if (!m) return;
    free(m->X);
    free(m->A);
    free(m->M);
    free(m->hist);
    free(m);
}

size_t rfm_model_features(const rfm_model *m) { return m->d; }
size_t rfm_model_outputs(const rfm_model *m) { return m->c; }
size_t rfm_model_centres(const rfm_model *m) { return m->n; }
const rfm_params *rfm_model_params(const rfm_model *m) { return &m->p; }
const double *rfm_model_metric(const rfm_model *m) { return m->M; }
int rfm_model_best_iter(const rfm_model *m) { return m->best; }
const char *rfm_model_note(const rfm_model *m) { return m->note; }
const rfm_iter_record *rfm_model_history(const rfm_model *m, size_t *count) {
    *count = m->n_hist;
    return m->hist;
}

void rfm_argmax(const double *scores, size_t m, size_t c, int *labels) {
    for (size_t i = 0; i < m; i++) {
        const double *s = scores + i * c;
        size_t best = 0;
        for (size_t k = 1; k < c; k++)
            if (s[k] > s[best]) best = k; // strict: ties go to the smallest index
        labels[i] = (int)best;
    }
}

/* Scores at Z of f(z) = sum_i A_i k(x_i, z) (see rfm_kernel_apply_). */
static rfm_status predict_(const rfm_kernel *k, const rfm_view *X, const double *A, size_t c,
                           const double *M, int diag, const rfm_view *Z, double *out,
                           rfm_error *err) {
    return rfm_kernel_apply_(k, Z, X, M, diag, A, c, out, err);
}

/* Append to the model's note ("; " between entries), truncating quietly when full. */
static void note_add_(rfm_model *mo, const char *fmt, ...) {
    size_t used = strlen(mo->note);
    if (used && used + 2 < sizeof mo->note) {
        memcpy(mo->note + used, "; ", 3);
        used += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(mo->note + used, sizeof mo->note - used, fmt, ap);
    va_end(ap);
}

rfm_status rfm_predict(const rfm_model *m, const rfm_view *Z, double *out, rfm_error *err) {
    if (Z->cols != m->d)
        return rfm_fail(err, RFM_EINVAL, "predict: Z has %zu columns, the model has %zu",
                        Z->cols, m->d);
    size_t r, col;
    if (rfm_view_nonfinite_(Z, &r, &col))
        return rfm_fail(err, RFM_EINVAL, "predict: Z[%zu][%zu] is not finite", r, col);
    double *Zn = NULL;
    rfm_status st = rfm_copy_rows(Z, m->p.normalize, &Zn, NULL, err);
    if (st) return st;
    rfm_view zv = rfm_view_of(Zn, Z->rows, Z->cols), xv = rfm_view_of(m->X, m->n, m->d);
    st = predict_(&m->p.kernel, &xv, m->A, m->c, m->M, m->p.diag, &zv, out, err);
    free(Zn);
    return st;
}

/* Higher is better: accuracy and R^2 as they are, RMSE negated. */
static double goodness_(rfm_score s, double v) { return s == RFM_SCORE_RMSE ? -v : v; }

static double score_(rfm_score s, const double *pred, const rfm_view *Y) {
    size_t m = Y->rows, c = Y->cols;
    if (s == RFM_SCORE_ACCURACY) {
        size_t right = 0;
        for (size_t i = 0; i < m; i++) {
            const double *pr = pred + i * c, *y = Y->data + i * Y->ld;
            size_t bp = 0, by = 0;
            for (size_t k = 1; k < c; k++) {
                if (pr[k] > pr[bp]) bp = k;
                if (y[k] > y[by]) by = k;
            }
            right += bp == by;
        }
        return (double)right / (double)m;
    }
    double sse = 0, sst = 0;
    for (size_t k = 0; k < c; k++) {
        double mean = 0;
        for (size_t i = 0; i < m; i++) mean += Y->data[i * Y->ld + k];
        mean /= (double)m;
        for (size_t i = 0; i < m; i++) {
            double y = Y->data[i * Y->ld + k], e = pred[i * c + k] - y;
            sse += e * e;
            sst += (y - mean) * (y - mean);
        }
    }
    if (s == RFM_SCORE_RMSE) return sqrt(sse / (double)(m * c));
    return sst > 0 ? 1.0 - sse / sst : (sse == 0 ? 1.0 : 0.0);
}

static rfm_status check_inputs_(const rfm_params *p, const double *M0, const rfm_view *X,
                                const rfm_view *Y, const rfm_view *Xv, const rfm_view *Yv,
                                rfm_error *err) {
    const char *why = rfm_params_check(p);
    if (why) return rfm_fail(err, RFM_EINVAL, "%s", why);
    if (X->rows == 0) return rfm_fail(err, RFM_EINVAL, "X has no rows (n = 0)");
    if (X->cols == 0) return rfm_fail(err, RFM_EINVAL, "X has no columns (d = 0)");
    if (Y->cols == 0) return rfm_fail(err, RFM_EINVAL, "Y has no columns (c = 0)");
    if (Y->rows != X->rows)
        return rfm_fail(err, RFM_EINVAL, "Y has %zu rows, X has %zu", Y->rows, X->rows);
    if ((Xv == NULL) != (Yv == NULL))
        return rfm_fail(err, RFM_EINVAL, "validation: give both Xv and Yv or neither");
    if (Xv) {
        if (Xv->rows == 0) return rfm_fail(err, RFM_EINVAL, "Xv has no rows");
        if (Xv->cols != X->cols)
            return rfm_fail(err, RFM_EINVAL, "Xv has %zu columns, X has %zu", Xv->cols, X->cols);
        if (Yv->rows != Xv->rows || Yv->cols != Y->cols)
            return rfm_fail(err, RFM_EINVAL, "Yv is %zu x %zu, expected %zu x %zu", Yv->rows,
                            Yv->cols, Xv->rows, Y->cols);
    }
    const rfm_view *all[4] = {X, Y, Xv, Yv};
    const char *names[4] = {"X", "Y", "Xv", "Yv"};
    for (int i = 0; i < 4; i++) {
        size_t r, c;
        if (all[i] && rfm_view_nonfinite_(all[i], &r, &c))
            return rfm_fail(err, RFM_EINVAL, "%s[%zu][%zu] is not finite", names[i], r, c);
    }
    if (M0) {
        size_t len = p->diag ? X->cols : X->cols * X->cols;
        for (size_t i = 0; i < len; i++)
            if (!isfinite(M0[i])) return rfm_fail(err, RFM_EINVAL, "M0[%zu] is not finite", i);
    }
    return RFM_OK;
}

void rfm_sample_rows(uint64_t seed, int t, size_t n, size_t m, size_t *idx) {
    rfm_rng r;
    rfm_rng_seed(&r, seed ^ (0x9e3779b97f4a7c15ULL * ((uint64_t)t + 1u)));
    for (size_t i = 0; i < n; i++) idx[i] = i;
    for (size_t i = 0; i < m; i++) {
        size_t j = i + rfm_rng_below(&r, n - i);
        size_t tmp = idx[i];
        idx[i] = idx[j];
        idx[j] = tmp;
    }
}

/* M_{t+1} from fit t. Returns 1 when iterating must stop (zero or non-finite AGOP; the reason
 * goes to note), 0 to go on, or -1 on an error (*stp and err filled). */
static int next_metric_(rfm_model *mo, double *buf, const double *P, const double *A,
                        double *Mcur, int t, double *G, rfm_status *stp, rfm_error *err) {
    const rfm_params *p = &mo->p;
    size_t n = mo->n, d = mo->d, len = p->diag ? d : d * d;
    rfm_view av = rfm_view_of(A, n, mo->c);
    rfm_status st;
    if (n <= p->agop_sample) {
        st = rfm_agop_symmetric_(&p->kernel, buf, n, P, d, &av, p->diag, G, err);
    } else {
        size_t m = p->agop_sample, *idx = NULL;
        double *Z = NULL;
        st = rfm_alloc((void **)&idx, n, 1, sizeof *idx, "agop: sample", err);
        if (!st) st = rfm_alloc((void **)&Z, m, d, sizeof *Z, "agop: sample rows", err);
        if (!st) {
            rfm_sample_rows(p->seed, t, n, m, idx);
            for (size_t j = 0; j < m; j++) memcpy(Z + j * d, mo->X + idx[j] * d, d * sizeof *Z);
            rfm_view xv = rfm_view_of(mo->X, n, d), zv = rfm_view_of(Z, m, d);
            st = rfm_agop(&p->kernel, &xv, &av, Mcur, p->diag, &zv, idx, 0, 0, G, err);
        }
        free(idx);
        free(Z);
    }
    *stp = st;
    if (st) return -1;
    double big = 0;
    for (size_t i = 0; i < len; i++) {
        if (!isfinite(G[i])) {
            note_add_(mo, "the AGOP of fit %d is not finite: stopped", t);
            return 1;
        }
        if (fabs(G[i]) > big) big = fabs(G[i]);
    }
    // Every gradient vanished (e.g. A = 0): M = 0 would make the kernel constant.
    if (big == 0) {
        note_add_(mo, "the AGOP of fit %d is zero: stopped", t);
        return 1;
    }
    double scale = p->m_scale == RFM_MSCALE_MAX ? 1.0 / big : 1.0;
    for (size_t i = 0; i < len; i++) Mcur[i] = G[i] * scale;
    return 0;
}

static double trace_(const double *M, size_t d, int diag) {
    double s = 0;
    for (size_t p = 0; p < d; p++) s += diag ? M[p] : M[p * d + p];
    return s;
}

/* Build the training kernel and solve, retrying with jitter when asked (section 3). */
static rfm_status solve_fit_(rfm_model *mo, const double *Mcur, double *buf, double *P,
                             double *norms, int want_w, const rfm_view *Y, double *A,
                             rfm_iter_record *rec, rfm_error *err) {
    static const double jitters[] = {0.0, 1e-8, 1e-6, 1e-4};
    rfm_view xv = rfm_view_of(mo->X, mo->n, mo->d);
    rfm_status st = RFM_OK;
    for (int j = 0; j < (mo->p.jitter ? 4 : 1); j++) {
        double t0 = rfm_seconds();
        st = rfm_train_kernel_(&mo->p.kernel, &xv, Mcur, mo->p.diag, buf, P, norms, want_w, err);
        double t1 = rfm_seconds();
        rec->kernel_seconds += t1 - t0;
        if (!st) st = rfm_ridge_solve(buf, mo->n, mo->n, mo->p.reg + jitters[j], Y, A, err);
        rec->solve_seconds += rfm_seconds() - t1;
        rec->jitter = jitters[j];
        if (st != RFM_ENUMERIC) break;
    }
    return st;
}

rfm_status rfm_fit(const rfm_params *p, const double *M0, const rfm_view *X, const rfm_view *Y,
                   const rfm_view *Xv, const rfm_view *Yv, rfm_model **out, rfm_error *err) {
    *out = NULL;
    rfm_status st = check_inputs_(p, M0, X, Y, Xv, Yv, err);
    if (st) return st;
    size_t n = X->rows, d = X->cols, c = Y->cols, len = p->diag ? d : d * d;
    double *buf = NULL, *P = NULL, *norms = NULL, *A = NULL, *Mcur = NULL, *G = NULL;
    double *Xvn = NULL, *pred = NULL;
    rfm_model *mo = calloc(1, sizeof *mo);
    if (!mo) return rfm_fail(err, RFM_ENOMEM, "rfm_fit: out of memory");
    mo->p = *p;
    mo->n = n;
    mo->d = d;
    mo->c = c;
    mo->best = -1;
    size_t zeros = 0;
    if ((st = rfm_copy_rows(X, p->normalize, &mo->X, &zeros, err))) goto done;
    // A zero row has no direction to normalise to; it stays zero, and the note says so.
    if (zeros) note_add_(mo, "%zu zero row%s left unnormalised", zeros, zeros == 1 ? "" : "s");
    if ((st = rfm_alloc((void **)&buf, n, n, sizeof *buf, "the kernel matrix", err))) goto done;
    if ((st = rfm_alloc((void **)&P, n, d, sizeof *P, "X M", err))) goto done;
    if ((st = rfm_alloc((void **)&norms, n, 1, sizeof *norms, "norms", err))) goto done;
    if ((st = rfm_alloc((void **)&A, n, c, sizeof *A, "alpha", err))) goto done;
    if ((st = rfm_alloc((void **)&mo->A, n, c, sizeof *A, "alpha", err))) goto done;
    if ((st = rfm_alloc((void **)&Mcur, len, 1, sizeof *Mcur, "M", err))) goto done;
    if ((st = rfm_alloc((void **)&mo->M, len, 1, sizeof *Mcur, "M", err))) goto done;
    if ((st = rfm_alloc((void **)&G, len, 1, sizeof *G, "AGOP", err))) goto done;
    if ((st = rfm_alloc((void **)&mo->hist, (size_t)p->iters, 1, sizeof *mo->hist, "history",
                        err)))
        goto done;
    if (Xv) {
        if ((st = rfm_copy_rows(Xv, p->normalize, &Xvn, NULL, err))) goto done;
        if ((st = rfm_alloc((void **)&pred, Xv->rows, c, sizeof *pred, "predictions", err)))
            goto done;
    }
    if (M0) {
        memcpy(Mcur, M0, len * sizeof *Mcur);
    } else {
        memset(Mcur, 0, len * sizeof *Mcur);
        for (size_t q = 0; q < d; q++) Mcur[p->diag ? q : q * d + q] = 1.0;
    }
    double best = -INFINITY;
    for (int t = 0; t < p->iters; t++) {
        rfm_iter_record *rec = &mo->hist[t];
        memset(rec, 0, sizeof *rec);
        rec->t = t;
        rec->val_score = NAN;
        rec->trace_m = trace_(Mcur, d, p->diag);
        int last = t + 1 == p->iters;
        rfm_error ferr = {RFM_OK, ""};
        st = solve_fit_(mo, Mcur, buf, P, norms, !last && n <= p->agop_sample, Y, A, rec, &ferr);
        if (st) {
            if (t == 0) {
                if (err) *err = ferr;
                goto done;
            }
            // Earlier fits stay valid candidates; say why iterating stopped.
            note_add_(mo, "fit %d failed (%s): stopped", t, ferr.msg);
            st = RFM_OK;
            break;
        }
        mo->n_hist = (size_t)t + 1;
        int keep = 1;
        if (Xv) {
            rfm_view xv = rfm_view_of(mo->X, n, d), vv = rfm_view_of(Xvn, Xv->rows, d);
            if ((st = predict_(&p->kernel, &xv, A, c, Mcur, p->diag, &vv, pred, err))) goto done;
            rec->val_score = score_(p->score, pred, Yv);
            // Strictly better replaces: the earliest fit wins ties. A non-finite score (an
            // overflowing RMSE) beats nothing, but fit 0 is always kept so a model exists.
            keep = mo->best < 0 || goodness_(p->score, rec->val_score) > best;
            double g = goodness_(p->score, rec->val_score);
            if (keep) best = isnan(g) ? -INFINITY : g;
        }
        if (keep) {
            memcpy(mo->A, A, n * c * sizeof *A);
            memcpy(mo->M, Mcur, len * sizeof *Mcur);
            mo->best = t;
        }
        if (last) break;
        double t0 = rfm_seconds();
        int stop = next_metric_(mo, buf, P, A, Mcur, t, G, &st, err);
        rec->agop_seconds = rfm_seconds() - t0;
        if (stop < 0) goto done;
        if (stop) break;
    }
    *out = mo;
    mo = NULL;
done:
    rfm_free(mo);
    free(buf);
    free(P);
    free(norms);
    free(A);
    free(Mcur);
    free(G);
    free(Xvn);
    free(pred);
    return st;
}

/* ---- accessors for rfm_io.c, which knows the file layout but not the struct ---- */

const double *rfm_model_centres_data_(const rfm_model *m) { return m->X; }
const double *rfm_model_coef_data_(const rfm_model *m) { return m->A; }
double *rfm_model_centres_mut_(rfm_model *m) { return m->X; }
double *rfm_model_coef_mut_(rfm_model *m) { return m->A; }
double *rfm_model_metric_mut_(rfm_model *m) { return m->M; }
rfm_iter_record *rfm_model_history_mut_(rfm_model *m) { return m->hist; }

rfm_model *rfm_model_new_(const rfm_params *p, size_t n, size_t d, size_t c, size_t h,
                          rfm_error *err) {
    rfm_model *m = calloc(1, sizeof *m);
    if (!m) {
        rfm_fail(err, RFM_ENOMEM, "model: out of memory");
        return NULL;
    }
    m->p = *p;
    m->n = n;
    m->d = d;
    m->c = c;
    m->n_hist = h;
    if (rfm_alloc((void **)&m->X, n, d, sizeof(double), "model centres", err) ||
        rfm_alloc((void **)&m->A, n, c, sizeof(double), "model coefficients", err) ||
        rfm_alloc((void **)&m->M, p->diag ? d : d * d, 1, sizeof(double), "model metric", err) ||
        rfm_alloc((void **)&m->hist, h ? h : 1, 1, sizeof *m->hist, "model history", err)) {
        rfm_free(m);
        return NULL;
    }
    return m;
}

void rfm_model_set_(rfm_model *m, int best, const char *note) {
    m->best = best;
    snprintf(m->note, sizeof m->note, "%s", note);
}
