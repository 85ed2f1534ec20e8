/* mdl_xgboost.c - gradient-boosted trees (type: xgboost) and XGBoost's random-forest recipe
 * (type: random_forest) behind the model interface, through the XGBoost C API (Debian's
 * libxgboost 1.7).
 *
 * xgboost: booster gbtree, tree_method hist; objective multi:softprob with num_class = c for
 * c > 2 classes, binary:logistic for two (scores = [1 - p, p]), reg:squarederror for regression
 * (one target per output column). fit() boosts up to n_estimators rounds and, given a validation
 * split, evaluates its loss (mlogloss / logloss / rmse, computed here in double from XGBoost's
 * predictions) after every round; a strictly lower loss is a new best, and boosting stops once
 * early_stopping_rounds rounds pass without one (XGBoost's own EarlyStopping rule). The kept
 * model is sliced to the best round count R; refit() boosts exactly R rounds on the new rows
 * with no validation, as the protocol's evaluation folds require.
 *
 * random_forest: the recipe of XGBoost's "Random Forests in XGBoost" tutorial
 * (https://xgboost.readthedocs.io/en/release_1.7.0/tutorials/rf.html): one boosting round
 * growing num_parallel_tree = n_trees trees, eta 1, subsample < 1 (0.632 = 1 - 1/e, the expected
 * share of distinct rows in a bootstrap sample: XGBoost samples rows without replacement, so this
 * approximates the bootstrap), colsample_bynode < 1 (default sqrt(d)/d, Breiman's mtry), and
 * lambda 0 so a leaf is the plain Newton step (the leaf mean for squared error). max_depth
 * defaults to 20 (0 = unlimited, which tree_method hist accepts; exact would not).
 *
 * Keys (defaults). xgboost: max_depth 6, eta 0.3, subsample 1, colsample_bytree 1,
 * min_child_weight 1, lambda 1, n_estimators 1000 (the round cap), early_stopping_rounds 50
 * (0: boost every round but still keep the best), seed 0, nthread 0. random_forest: n_trees 500,
 * max_depth 20, subsample 0.632, colsample_bynode sqrt (or a share in (0, 1]),
 * min_child_weight 1, lambda 0, seed 0, nthread 0. (XGBoost's XGBRFClassifier uses lambda 1e-5.)
 *
 * nthread: 0 (the default) takes the current OpenBLAS thread count, which the harness sets per
 * task from `threads:`, so trees and BLAS use the same share of the cores. seed goes to XGBoost's
 * own generator (row and column sampling); same seed and nthread give identical models.
 * XGBoost's console output is silenced (verbosity 0); its errors become one-line rfm_errors. */
#include <cblas.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xgboost/c_api.h>

#include "model.h"

typedef struct {
    int rf;              /* 1: type random_forest */
    mdl_task task;
    long max_depth;      /* 0: unlimited */
    double eta, subsample, colsample_tree, colsample_node, min_child, lambda;
    long max_rounds;     /* n_estimators; 1 for the forest */
    long patience;       /* early_stopping_rounds; 0: boost all rounds, still keep the best */
    long n_trees;        /* num_parallel_tree */
    long seed, nthread;  /* nthread 0: the OpenBLAS thread count */
    BoosterHandle booster; /* the kept model, exactly `rounds` rounds */
    int rounds;          /* chosen by the last fit(); refit() boosts this many */
    int capped;          /* the last fit ran out of rounds before early stopping */
    size_t c, d;         /* outputs and features of the kept model */
} xgb_state_;

/* ---- parameters ------------------------------------------------------------------------------ */

static rfm_status parse_(const mdl_params *mp, xgb_state_ *s, rfm_error *err) {
    static const char *const gb_keys[] = {"max_depth",        "eta",       "subsample",
                                          "colsample_bytree", "min_child_weight",
                                          "lambda",           "n_estimators",
                                          "early_stopping_rounds", "seed", "nthread", NULL};
    static const char *const rf_keys[] = {"n_trees", "max_depth", "subsample",
                                          "colsample_bynode", "min_child_weight", "lambda",
                                          "seed", "nthread", NULL};
    const char *type = s->rf ? "random_forest" : "xgboost";
    rfm_status st = mdl_check_keys(mp, type, s->rf ? rf_keys : gb_keys, err);
    if (st) return st;
    s->colsample_node = 0; // 0: sqrt(d)/d, resolved at fit time when d is known
    const char *cbn = s->rf ? mdl_get(mp, "colsample_bynode") : NULL;
    if (cbn && strcmp(cbn, "sqrt") != 0) {
        if ((st = mdl_get_double(mp, "colsample_bynode", 0, &s->colsample_node, err))) return st;
        if (!(s->colsample_node > 0 && s->colsample_node <= 1))
            return rfm_fail(err, RFM_EINVAL, "colsample_bynode = %g: must be in (0, 1] or sqrt",
                            s->colsample_node);
    }
    if ((st = mdl_get_int(mp, "max_depth", s->rf ? 20 : 6, &s->max_depth, err)) ||
        (st = mdl_get_double(mp, "eta", 0.3, &s->eta, err)) ||
        (st = mdl_get_double(mp, "subsample", s->rf ? 0.632 : 1.0, &s->subsample, err)) ||
        (st = mdl_get_double(mp, "colsample_bytree", 1.0, &s->colsample_tree, err)) ||
        (st = mdl_get_double(mp, "min_child_weight", 1.0, &s->min_child, err)) ||
        (st = mdl_get_double(mp, "lambda", s->rf ? 0.0 : 1.0, &s->lambda, err)) ||
        (st = mdl_get_int(mp, "n_estimators", 1000, &s->max_rounds, err)) ||
        (st = mdl_get_int(mp, "early_stopping_rounds", 50, &s->patience, err)) ||
        (st = mdl_get_int(mp, "n_trees", 500, &s->n_trees, err)) ||
        (st = mdl_get_int(mp, "seed", 0, &s->seed, err)) ||
        (st = mdl_get_int(mp, "nthread", 0, &s->nthread, err)))
        return st;
    // The caps keep the counts inside XGBoost's int arguments and a run finite.
    if (s->max_depth < 0 || s->max_depth > 64)
        return rfm_fail(err, RFM_EINVAL, "max_depth = %ld: must be 0 (unlimited) .. 64",
                        s->max_depth);
    if (!(s->eta > 0)) return rfm_fail(err, RFM_EINVAL, "eta = %g: must be > 0", s->eta);
    if (!(s->subsample > 0 && s->subsample <= 1))
        return rfm_fail(err, RFM_EINVAL, "subsample = %g: must be in (0, 1]", s->subsample);
    if (!(s->colsample_tree > 0 && s->colsample_tree <= 1))
        return rfm_fail(err, RFM_EINVAL, "colsample_bytree = %g: must be in (0, 1]",
                        s->colsample_tree);
    if (!(s->min_child >= 0))
        return rfm_fail(err, RFM_EINVAL, "min_child_weight = %g: must be >= 0", s->min_child);
    if (!(s->lambda >= 0)) return rfm_fail(err, RFM_EINVAL, "lambda = %g: must be >= 0", s->lambda);
    if (s->max_rounds < 1 || s->max_rounds > 100000)
        return rfm_fail(err, RFM_EINVAL, "n_estimators = %ld: must be 1..100000", s->max_rounds);
    if (s->patience < 0)
        return rfm_fail(err, RFM_EINVAL, "early_stopping_rounds = %ld: must be >= 0 (0 = off)",
                        s->patience);
    if (s->n_trees < 1 || s->n_trees > 100000)
        return rfm_fail(err, RFM_EINVAL, "n_trees = %ld: must be 1..100000", s->n_trees);
    if (s->seed < 0) return rfm_fail(err, RFM_EINVAL, "seed = %ld: must be >= 0", s->seed);
    if (s->nthread < 0 || s->nthread > 1024)
        return rfm_fail(err, RFM_EINVAL, "nthread = %ld: must be 0 (auto) .. 1024", s->nthread);
    if (s->rf) {
        s->eta = 1.0; // one Newton step per tree: the forest is not shrunk
        s->max_rounds = 1;
        s->patience = 0;
    } else {
        s->n_trees = 1;
    }
    return RFM_OK;
}

static rfm_status create_(const mdl_params *mp, mdl_task task, int rf, void **state,
                          rfm_error *err) {
    xgb_state_ *s = calloc(1, sizeof *s);
    if (!s) return rfm_fail(err, RFM_ENOMEM, "model: out of memory");
    s->rf = rf;
    s->task = task;
    rfm_status st = parse_(mp, s, err);
    if (st) {
        free(s);
        return st;
    }
    *state = s;
    return RFM_OK;
}

static rfm_status create_gb_(const mdl_params *mp, mdl_task task, void **state, rfm_error *err) {
    return create_(mp, task, 0, state, err);
}

static rfm_status create_rf_(const mdl_params *mp, mdl_task task, void **state, rfm_error *err) {
    return create_(mp, task, 1, state, err);
}

/* ---- XGBoost plumbing ------------------------------------------------------------------------ */

// XGBoost's message is "[hh:mm:ss] file:line: text\nStack trace: ..."; keep the text line.
static rfm_status xgb_fail_(rfm_error *err, const char *what) {
    const char *m = XGBGetLastError();
    if (!m) m = "";
    if (m[0] == '[') {
        const char *close = strstr(m, "] ");
        const char *colon = close ? strstr(close + 2, ": ") : NULL;
        if (colon) m = colon + 2;
    }
    int len = (int)strcspn(m, "\n");
    return rfm_fail(err, RFM_EINVAL, "xgboost %s: %.*s", what, len, m);
}

#define XGB_(call, what)                                                                           \
    do {                                                                                           \
        if ((call) != 0) {                                                                         \
            st = xgb_fail_(err, what);                                                             \
            goto done;                                                                             \
        }                                                                                          \
    } while (0)

/* A DMatrix of X's rows (copied to float, XGBoost's feature type) and, when Y is given, the
 * labels: the class index (argmax of the one-hot row) or the c regression targets. */
static rfm_status dmatrix_(const xgb_state_ *s, const rfm_view *X, const rfm_view *Y,
                           DMatrixHandle *out, rfm_error *err) {
    *out = NULL;
    size_t n = X->rows, d = X->cols, c = Y ? Y->cols : 0;
    size_t k = s->task == MDL_REGRESSION ? c : 1; // label columns
    float *F = NULL, *L = NULL;
    DMatrixHandle h = NULL;
    rfm_status st = rfm_alloc((void **)&F, n, d, sizeof *F, "xgboost features", err);
    if (!st && Y) st = rfm_alloc((void **)&L, n, k, sizeof *L, "xgboost labels", err);
    if (st) goto done;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++) F[i * d + j] = (float)X->data[i * X->ld + j];
    XGB_(XGDMatrixCreateFromMat(F, (bst_ulong)n, (bst_ulong)d, NAN, &h), "DMatrix");
    if (Y && s->task == MDL_CLASSIFICATION) {
        for (size_t i = 0; i < n; i++) {
            const double *y = Y->data + i * Y->ld;
            size_t best = 0;
            for (size_t j = 1; j < c; j++)
                if (y[j] > y[best]) best = j;
            L[i] = (float)best;
        }
        XGB_(XGDMatrixSetFloatInfo(h, "label", L, (bst_ulong)n), "labels");
    } else if (Y) {
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < c; j++) L[i * c + j] = (float)Y->data[i * Y->ld + j];
        // A 2-d label array interface: one column per target (XGBoost >= 1.6 multi-target).
        char ai[256];
        snprintf(ai, sizeof ai,
                 "{\"data\": [%ju, true], \"shape\": [%zu, %zu], \"typestr\": \"<f4\", "
                 "\"version\": 3}",
                 (uintmax_t)(uintptr_t)L, n, c);
        XGB_(XGDMatrixSetInfoFromInterface(h, "label", ai), "labels");
    }
    *out = h;
    h = NULL;
done:
    if (h) XGDMatrixFree(h);
    free(F);
    free(L);
    return st;
}

static int set_(BoosterHandle b, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int set_(BoosterHandle b, const char *key, const char *fmt, ...) {
    char v[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v, sizeof v, fmt, ap);
    va_end(ap);
    return XGBoosterSetParam(b, key, v);
}

/* A booster for c outputs and d features with every parameter set; dms are cached for fast
 * repeated prediction (the training and validation matrices). */
static rfm_status booster_(const xgb_state_ *s, DMatrixHandle *dms, size_t n_dms, size_t c,
                           size_t d, BoosterHandle *out, rfm_error *err) {
    *out = NULL;
    rfm_status st = RFM_OK;
    BoosterHandle b = NULL;
    int nthread = s->nthread ? (int)s->nthread : openblas_get_num_threads();
    if (nthread < 1) nthread = 1;
    double cbn = s->colsample_node > 0 ? s->colsample_node : sqrt((double)d) / (double)d;
    if (!s->rf) cbn = 1.0;
    const char *obj = s->task == MDL_REGRESSION ? "reg:squarederror"
                      : c == 2                  ? "binary:logistic"
                                                : "multi:softprob";
    XGB_(XGBoosterCreate(dms, (bst_ulong)n_dms, &b), "booster");
    if (set_(b, "verbosity", "0") || set_(b, "booster", "gbtree") ||
        set_(b, "tree_method", "hist") || set_(b, "objective", "%s", obj) ||
        (c > 2 && s->task == MDL_CLASSIFICATION && set_(b, "num_class", "%zu", c)) ||
        set_(b, "eta", "%.17g", s->eta) || set_(b, "max_depth", "%ld", s->max_depth) ||
        set_(b, "subsample", "%.17g", s->subsample) ||
        set_(b, "colsample_bytree", "%.17g", s->colsample_tree) ||
        set_(b, "colsample_bynode", "%.17g", cbn) ||
        set_(b, "min_child_weight", "%.17g", s->min_child) ||
        set_(b, "lambda", "%.17g", s->lambda) ||
        set_(b, "num_parallel_tree", "%ld", s->n_trees) || set_(b, "seed", "%ld", s->seed) ||
        set_(b, "nthread", "%d", nthread)) {
        st = xgb_fail_(err, "parameters");
        goto done;
    }
    *out = b;
    b = NULL;
done:
    if (b) XGBoosterFree(b);
    return st;
}

/* Predictions of b at the rows of dm, as raw floats: (n, k) with k = 1 (binary) or c. */
static rfm_status raw_predict_(BoosterHandle b, DMatrixHandle dm, size_t n, size_t k,
                               const float **P, rfm_error *err) {
    static const char cfg[] = "{\"type\": 0, \"training\": false, \"iteration_begin\": 0, "
                              "\"iteration_end\": 0, \"strict_shape\": true}";
    const bst_ulong *shape = NULL;
    bst_ulong dim = 0;
    if (XGBoosterPredictFromDMatrix(b, dm, cfg, &shape, &dim, P) != 0)
        return xgb_fail_(err, "predict");
    bst_ulong total = 1;
    for (bst_ulong i = 0; i < dim; i++) total *= shape[i];
    if (total != (bst_ulong)(n * k))
        return rfm_fail(err, RFM_EINVAL, "xgboost predict: %llu values, expected %zu x %zu",
                        (unsigned long long)total, n, k);
    return RFM_OK;
}

/* Validation loss of predictions P (n, k) against the one-hot or real targets Yv: mean
 * multi-class log loss, binary log loss, or RMSE over all targets. */
static double loss_(const xgb_state_ *s, const float *P, size_t k, const rfm_view *Yv) {
    // XGBoost's metrics clip probabilities the same way, so a confident mistake costs
    // -log(1e-16) instead of infinity.
    const double eps = 1e-16;
    size_t n = Yv->rows, c = Yv->cols;
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        const double *y = Yv->data + i * Yv->ld;
        if (s->task == MDL_REGRESSION) {
            for (size_t j = 0; j < c; j++) {
                double r = (double)P[i * c + j] - y[j];
                sum += r * r;
            }
            continue;
        }
        size_t cls = 0;
        for (size_t j = 1; j < c; j++)
            if (y[j] > y[cls]) cls = j;
        double p = k == 1 ? (cls == 1 ? (double)P[i] : 1.0 - (double)P[i]) : (double)P[i * k + cls];
        sum -= log(fmin(fmax(p, eps), 1.0 - eps));
    }
    return s->task == MDL_REGRESSION ? sqrt(sum / (double)(n * c)) : sum / (double)n;
}

/* Boost on (X, Y): `rounds` rounds, or, with (Xv, Yv), until early stopping, keeping the best
 * round count. On RFM_OK the state holds the new booster (sliced to the kept rounds). */
static rfm_status train_(xgb_state_ *s, const rfm_view *X, const rfm_view *Y, const rfm_view *Xv,
                         const rfm_view *Yv, long rounds, rfm_error *err) {
    size_t c = Y->cols, d = X->cols;
    if (s->task == MDL_CLASSIFICATION && c < 2)
        return rfm_fail(err, RFM_EINVAL, "xgboost: classification needs >= 2 classes, got %zu", c);
    size_t k = s->task == MDL_CLASSIFICATION && c == 2 ? 1 : c; // prediction columns
    if (Xv && Xv->rows == 0) Xv = Yv = NULL; // nothing to stop on
    rfm_status st = RFM_OK;
    DMatrixHandle dm[2] = {NULL, NULL};
    BoosterHandle b = NULL, cut = NULL;
    // Global and thread-local in XGBoost: silences DMatrix construction too.
    XGB_(XGBSetGlobalConfig("{\"verbosity\": 0}"), "configuration");
    if ((st = dmatrix_(s, X, Y, &dm[0], err))) goto done;
    if (Xv && (st = dmatrix_(s, Xv, NULL, &dm[1], err))) goto done;
    if ((st = booster_(s, dm, Xv ? 2 : 1, c, d, &b, err))) goto done;
    double best = INFINITY;
    long best_round = rounds - 1, r = 0;
    int stopped = 0;
    for (r = 0; r < rounds; r++) {
        XGB_(XGBoosterUpdateOneIter(b, (int)r, dm[0]), "training");
        if (!Xv) continue;
        const float *P = NULL;
        if ((st = raw_predict_(b, dm[1], Xv->rows, k, &P, err))) goto done;
        double v = loss_(s, P, k, Yv);
        if (isnan(v)) {
            st = rfm_fail(err, RFM_ENUMERIC, "xgboost: validation loss is NaN at round %ld", r);
            goto done;
        }
        // Strictly lower is better, so the earliest round wins ties.
        if (v < best) {
            best = v;
            best_round = r;
        } else if (s->patience > 0 && r - best_round >= s->patience) {
            stopped = 1;
            break;
        }
    }
    // A break at round r leaves r + 1 rounds boosted, so compare with that, not with r.
    long boosted = stopped ? r + 1 : rounds;
    long kept = Xv ? best_round + 1 : rounds;
    if (kept < boosted) {
        // XGBoosterSlice returns -2 (not -1) for an out-of-range slice; any non-zero fails.
        XGB_(XGBoosterSlice(b, 0, (int)kept, 1, &cut), "slice");
        XGBoosterFree(b);
        b = cut;
        cut = NULL;
    }
    if (s->booster) XGBoosterFree(s->booster);
    s->booster = b;
    b = NULL;
    s->rounds = (int)kept;
    s->capped = Xv && !stopped && s->patience > 0 && !s->rf;
    s->c = c;
    s->d = d;
done:
    if (b) XGBoosterFree(b);
    if (dm[0]) XGDMatrixFree(dm[0]);
    if (dm[1]) XGDMatrixFree(dm[1]);
    return st;
}

/* ---- the interface --------------------------------------------------------------------------- */

static rfm_status fit_(void *state, const rfm_view *X, const rfm_view *Y, const rfm_view *Xv,
                       const rfm_view *Yv, rfm_error *err) {
    xgb_state_ *s = state;
    return train_(s, X, Y, Xv, Yv, s->max_rounds, err);
}

static rfm_status refit_(void *state, const rfm_view *X, const rfm_view *Y, rfm_error *err) {
    xgb_state_ *s = state;
    // Before any fit there is no selected count: boost the maximum, as fit() without validation.
    long rounds = s->booster ? s->rounds : s->max_rounds;
    int capped = s->capped;
    rfm_status st = train_(s, X, Y, NULL, NULL, rounds, err);
    s->capped = capped; // the record of the selection stays
    return st;
}

static rfm_status predict_(void *state, const rfm_view *Z, double *out, rfm_error *err) {
    xgb_state_ *s = state;
    if (!s->booster) return rfm_fail(err, RFM_EINVAL, "predict: the model is not fitted");
    size_t m = Z->rows, c = s->c;
    // XGBoost itself would read missing trailing columns as missing values, silently.
    if (Z->cols != s->d)
        return rfm_fail(err, RFM_EINVAL, "predict: Z has %zu columns, the model was fitted on %zu",
                        Z->cols, s->d);
    size_t k = s->task == MDL_CLASSIFICATION && c == 2 ? 1 : c;
    DMatrixHandle dm = NULL;
    const float *P = NULL;
    rfm_status st = dmatrix_(s, Z, NULL, &dm, err);
    if (!st) st = raw_predict_(s->booster, dm, m, k, &P, err);
    if (!st) {
        for (size_t i = 0; i < m; i++) {
            if (k == 1 && c == 2) {
                out[i * 2] = 1.0 - (double)P[i];
                out[i * 2 + 1] = (double)P[i];
            } else {
                for (size_t j = 0; j < c; j++) out[i * c + j] = (double)P[i * c + j];
            }
        }
    }
    if (dm) XGDMatrixFree(dm);
    return st;
}

static void describe_(void *state, char *buf, size_t size) {
    xgb_state_ *s = state;
    if (!s->booster) return;
    int rounds = 0;
    // The booster's own count, so a refit reports what it really boosted.
    if (XGBoosterBoostedRounds(s->booster, &rounds) != 0) rounds = s->rounds;
    if (s->rf)
        snprintf(buf, size, "trees=%ld", s->n_trees);
    else
        snprintf(buf, size, "rounds=%d%s", rounds, s->capped ? "; n_estimators reached" : "");
}

static void destroy_(void *state) {
    xgb_state_ *s = state;
    if (!s) return;
    if (s->booster) XGBoosterFree(s->booster);
    free(s);
}

const mdl_vtable mdl_xgboost_vtable = {"xgboost", create_gb_, fit_, refit_, predict_,
                                       describe_, NULL, destroy_};
const mdl_vtable mdl_random_forest_vtable = {"random_forest", create_rf_, fit_, refit_,
                                             predict_, describe_, NULL, destroy_};
