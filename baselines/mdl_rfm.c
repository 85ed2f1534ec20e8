/* mdl_rfm.c - RFM behind the model interface (type: rfm). Kernel ridge regression (type: krr,
 * RFM's fit 0 among others) lives in mdl_krr.c.
 *
 * refit() holds the selected metric M_{t*} fixed and re-solves alpha only, as the UCI protocol
 * requires for the evaluation folds (uci121-protocol.md section 3). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

typedef struct {
    rfm_params p;
    rfm_model *model;
    double *scores; /* validation score per iteration of the last fit */
    size_t n_scores;
    int best;       /* t* chosen by the last fit; refit keeps it */
    char note[256]; /* why iterating stopped early, if it did */
    /* A copy of the last fit's M_{t*}: refit replaces the model, and the harness saves the
     * metric the selection learned, not the refit's (which equals it but may be gone). */
    double *metric; /* (d, d), or d when p.diag */
    size_t metric_d;
} rfm_state_;

static const char *const kernels_[] = {"laplace", "gaussian", NULL};
static const char *const mscales_[] = {"mean", "max", NULL};

static rfm_status parse_(const mdl_params *mp, mdl_task task, rfm_params *p, rfm_error *err) {
    static const char *const rfm_keys[] = {"kernel",  "bandwidth", "exponent",    "reg",
                                           "iters",   "diag",      "normalize",   "m_scale",
                                           "agop_sample", "seed",  "jitter",      NULL};
    rfm_status st = mdl_check_keys(mp, "rfm", rfm_keys, err);
    if (st) return st;
    *p = rfm_params_default();
    int kern = 0, diag = 0, norm = 0, msc = 0, jit = 0;
    long iters = p->iters, sample = (long)p->agop_sample, seed = 0;
    if ((st = mdl_get_choice(mp, "kernel", kernels_, 0, &kern, err)) ||
        (st = mdl_get_double(mp, "bandwidth", p->kernel.bandwidth, &p->kernel.bandwidth, err)) ||
        (st = mdl_get_double(mp, "exponent", p->kernel.exponent, &p->kernel.exponent, err)) ||
        (st = mdl_get_double(mp, "reg", p->reg, &p->reg, err)) ||
        (st = mdl_get_int(mp, "iters", iters, &iters, err)) ||
        (st = mdl_get_bool(mp, "diag", 0, &diag, err)) ||
        (st = mdl_get_bool(mp, "normalize", 0, &norm, err)) ||
        (st = mdl_get_choice(mp, "m_scale", mscales_, 0, &msc, err)) ||
        (st = mdl_get_int(mp, "agop_sample", sample, &sample, err)) ||
        (st = mdl_get_int(mp, "seed", 0, &seed, err)) ||
        (st = mdl_get_bool(mp, "jitter", 0, &jit, err)))
        return st;
    if (iters < 1 || iters > 1000) return rfm_fail(err, RFM_EINVAL, "iters = %ld: must be 1..1000", iters);
    if (sample < 1) return rfm_fail(err, RFM_EINVAL, "agop_sample = %ld: must be >= 1", sample);
    p->kernel.type = kern ? RFM_KERNEL_GAUSSIAN : RFM_KERNEL_LAPLACE;
    p->iters = (int)iters;
    p->diag = diag;
    p->normalize = norm;
    p->m_scale = msc ? RFM_MSCALE_MAX : RFM_MSCALE_MEAN;
    p->agop_sample = (size_t)sample;
    p->seed = (uint64_t)seed;
    p->jitter = jit;
    p->score = task == MDL_REGRESSION ? RFM_SCORE_RMSE : RFM_SCORE_ACCURACY;
    const char *why = rfm_params_check(p);
    if (why) return rfm_fail(err, RFM_EINVAL, "%s", why);
    return RFM_OK;
}

static rfm_status create_(const mdl_params *mp, mdl_task task, void **state, rfm_error *err) {
    rfm_state_ *s = calloc(1, sizeof *s);
    if (!s) return rfm_fail(err, RFM_ENOMEM, "model: out of memory");
    rfm_status st = parse_(mp, task, &s->p, err);
    if (st) {
        free(s);
        return st;
    }
    *state = s;
    return RFM_OK;
}

static rfm_status fit_(void *state, const rfm_view *X, const rfm_view *Y, const rfm_view *Xv,
                       const rfm_view *Yv, rfm_error *err) {
    rfm_state_ *s = state;
    rfm_model *m = NULL;
    rfm_status st = rfm_fit(&s->p, NULL, X, Y, Xv, Yv, &m, err);
    if (st) return st;
    size_t h;
    const rfm_iter_record *hist = rfm_model_history(m, &h);
    double *scores = malloc((h ? h : 1) * sizeof *scores);
    if (!scores) {
        rfm_free(m);
        return rfm_fail(err, RFM_ENOMEM, "model: out of memory");
    }
    for (size_t t = 0; t < h; t++) scores[t] = hist[t].val_score;
    size_t d = rfm_model_features(m), len = s->p.diag ? d : d * d;
    double *metric = malloc((len ? len : 1) * sizeof *metric);
    if (!metric) {
        free(scores);
        rfm_free(m);
        return rfm_fail(err, RFM_ENOMEM, "model: out of memory");
    }
    memcpy(metric, rfm_model_metric(m), len * sizeof *metric);
    free(s->metric);
    s->metric = metric;
    s->metric_d = d;
    rfm_free(s->model);
    free(s->scores);
    s->model = m;
    s->scores = scores;
    s->n_scores = Xv ? h : 0;
    s->best = rfm_model_best_iter(m);
    snprintf(s->note, sizeof s->note, "%s", rfm_model_note(m));
    return RFM_OK;
}

static rfm_status refit_(void *state, const rfm_view *X, const rfm_view *Y, rfm_error *err) {
    rfm_state_ *s = state;
    if (!s->model) return fit_(state, X, Y, NULL, NULL, err);
    // Hold M_{t*} fixed: a single solve on the new rows with the selected metric.
    rfm_params p = s->p;
    p.iters = 1;
    rfm_model *m = NULL;
    rfm_status st = rfm_fit(&p, rfm_model_metric(s->model), X, Y, NULL, NULL, &m, err);
    if (st) return st;
    // The selection's record (t*, scores, note) stays; predictions use the refit.
    rfm_free(s->model);
    s->model = m;
    return RFM_OK;
}

static rfm_status predict_(void *state, const rfm_view *Z, double *out, rfm_error *err) {
    rfm_state_ *s = state;
    if (!s->model) return rfm_fail(err, RFM_EINVAL, "predict: the model is not fitted");
    return rfm_predict(s->model, Z, out, err);
}

static void describe_(void *state, char *buf, size_t size) {
    rfm_state_ *s = state;
    if (!s->model) return;
    snprintf(buf, size, "iter=%d%s%s", s->best, s->note[0] ? "; " : "", s->note);
}

static const double *val_scores_(void *state, size_t *count) {
    rfm_state_ *s = state;
    *count = s->n_scores;
    return s->n_scores ? s->scores : NULL;
}

static const double *metric_(void *state, size_t *d, int *diag) {
    rfm_state_ *s = state;
    *d = s->metric ? s->metric_d : 0;
    *diag = s->p.diag;
    return s->metric;
}

static void destroy_(void *state) {
    rfm_state_ *s = state;
    if (!s) return;
    rfm_free(s->model);
    free(s->scores);
    free(s->metric);
    free(s);
}

const mdl_vtable mdl_rfm_vtable = {"rfm", create_, fit_, refit_, predict_,
                                   describe_, val_scores_, destroy_};
const mdl_ext mdl_rfm_ext = {&mdl_rfm_vtable, metric_};
