/* hx_task.c - one (dataset, model) unit of an experiment: selection on validation, evaluation
 * on the outer folds, rows written as they finish (see hx_task.h for the protocols). */
#include "hx_task.h"

#include <cblas.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hx_dataset.h"
#include "hx_prep.h"
#include "hx_report.h"
#include "hx_results.h"
#include "hx_split.h"
#include "hx_util.h"
#include "model.h"

/* Everything loaded for a unit, freed together. */
typedef struct {
    hx_desc *desc;
    hx_data *data;
    hx_splits *splits;
    const hx_data_info *info;
    mdl_task task;
    int metric; /* HX_METRIC_*, adapted to the task */
    size_t c;
} unit_data_;

/* Features and targets of a set of rows, under a fitted preprocessing. */
typedef struct {
    double *X, *Y;
    int *labels;
    size_t n, d;
} part_;

static void part_free_(part_ *p) {
    free(p->X);
    free(p->Y);
    free(p->labels);
    memset(p, 0, sizeof *p);
}

static rfm_status part_make_(const unit_data_ *u, const hx_prep *prep, const size_t *rows,
                             size_t n, part_ *out, rfm_error *err) {
    memset(out, 0, sizeof *out);
    out->n = n;
    out->d = hx_prep_features(prep);
    rfm_status st = rfm_alloc((void **)&out->X, n, out->d, sizeof(double), "features", err);
    if (!st) st = rfm_alloc((void **)&out->Y, n, u->c, sizeof(double), "targets", err);
    if (!st) st = rfm_alloc((void **)&out->labels, n, 1, sizeof(int), "labels", err);
    if (!st) st = hx_prep_apply(prep, u->data, rows, n, out->X, err);
    if (!st) hx_data_targets(u->data, rows, n, out->Y, u->c, out->labels);
    if (st) part_free_(out);
    return st;
}

/* Append bytes to a run-directory file: one write() on O_APPEND, then fsync. */
static rfm_status append_(const char *dir, const char *name, const char *buf, size_t len,
                          rfm_error *err) {
    char *path = hx_path_join(dir, name);
    if (!path) return rfm_fail(err, RFM_ENOMEM, "%s/%s: out of memory", dir, name);
    rfm_status st = RFM_OK;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (fd < 0) {
        st = rfm_fail(err, RFM_EIO, "%s: cannot open for append: %s", path, strerror(errno));
    } else {
        ssize_t w = write(fd, buf, len);
        int bad = w < 0 || (size_t)w != len || fsync(fd) != 0;
        int why = errno;
        close(fd);
        if (bad)
            st = rfm_fail(err, RFM_EIO, "%s: write failed: %s", path,
                          w >= 0 && (size_t)w != len ? "short write" : strerror(why));
    }
    free(path);
    return st;
}

static void log_(const hx_unit *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void log_(const hx_unit *u, const char *fmt, ...) {
    char line[1024];
    time_t now = time(NULL);
    struct tm tmv;
    gmtime_r(&now, &tmv);
    size_t off = strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%SZ ", &tmv);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + off, sizeof line - off - 1, fmt, ap);
    va_end(ap);
    size_t len = strlen(line);
    line[len++] = '\n';
    append_(u->run_dir, "run.log", line, len, NULL);
}

static double rss_mb_(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0;
}

/* Score of predictions P (n, c) against a part: accuracy, RMSE or R^2. */
static double score_(int metric, const double *P, const part_ *p, size_t c) {
    if (metric == HX_METRIC_ACCURACY) {
        size_t right = 0;
        int *lab = malloc((p->n ? p->n : 1) * sizeof *lab);
        if (!lab) return NAN;
        rfm_argmax(P, p->n, c, lab);
        for (size_t i = 0; i < p->n; i++) right += lab[i] == p->labels[i];
        free(lab);
        return (double)right / (double)p->n;
    }
    double sse = 0, mean = 0, sst = 0;
    for (size_t i = 0; i < p->n; i++) mean += p->Y[i];
    mean /= (double)p->n;
    for (size_t i = 0; i < p->n; i++) {
        sse += (P[i] - p->Y[i]) * (P[i] - p->Y[i]);
        sst += (p->Y[i] - mean) * (p->Y[i] - mean);
    }
    if (metric == HX_METRIC_RMSE) return sqrt(sse / (double)p->n);
    return sst > 0 ? 1 - sse / sst : 0;
}

static double goodness_(int metric, double s) { return metric == HX_METRIC_RMSE ? -s : s; }

static int all_finite_(const double *x, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i])) return 0;
    return 1;
}

/* Per (candidate, iteration) validation record, summed over the selections of the unit. */
typedef struct {
    double sum, fit_seconds;
    size_t runs;
    int failed;
    char error[256];
} cand_rec_;

typedef struct {
    hx_candidate *cands;
    size_t n_cands, iters; /* records: n_cands x iters (iters = 1 unless the model has them) */
    cand_rec_ *rec;
} selection_log_;

static mdl_params params_of_(const hx_candidate *c, mdl_param *buf) {
    for (size_t i = 0; i < c->n; i++) {
        buf[i].key = c->kv[i].key;
        buf[i].value = c->kv[i].value;
    }
    mdl_params p = {buf, c->n};
    return p;
}

/* Fit every candidate on (tr, va); keep the first best as *best (owned by the caller). */
static rfm_status select_(const unit_data_ *u, const hx_model_spec *spec, selection_log_ *log,
                          const part_ *tr, const part_ *va, mdl_model **best, size_t *best_ci,
                          double *best_score, rfm_error *err) {
    *best = NULL;
    double top = -INFINITY;
    mdl_param pbuf[128];
    double *P = NULL;
    rfm_status st = rfm_alloc((void **)&P, va->n, u->c, sizeof *P, "predictions", err);
    if (st) return st;
    rfm_view X = rfm_view_of(tr->X, tr->n, tr->d), Y = rfm_view_of(tr->Y, tr->n, u->c);
    rfm_view Xv = rfm_view_of(va->X, va->n, va->d), Yv = rfm_view_of(va->Y, va->n, u->c);
    for (size_t ci = 0; ci < log->n_cands; ci++) {
        if (log->cands[ci].n > 128) continue;
        mdl_params mp = params_of_(&log->cands[ci], pbuf);
        mdl_model *m = NULL;
        rfm_error ferr = {RFM_OK, ""};
        double t0 = rfm_seconds();
        rfm_status fs = mdl_create(spec->type, &mp, u->task, &m, &ferr);
        if (!fs) fs = mdl_fit(m, &X, &Y, &Xv, &Yv, &ferr);
        double secs = rfm_seconds() - t0;
        size_t ns = 0;
        const double *vs = fs ? NULL : mdl_val_scores(m, &ns);
        double own = NAN;
        if (!fs && !vs) {
            fs = mdl_predict(m, &Xv, P, &ferr);
            if (!fs && !all_finite_(P, va->n * u->c))
                fs = rfm_fail(&ferr, RFM_ENUMERIC, "non-finite validation predictions");
            if (!fs) own = score_(u->metric, P, va, u->c);
        }
        // A model that keeps its best internal candidate (RFM's iteration) reports all of them.
        double mine = -INFINITY;
        for (size_t t = 0; t < log->iters; t++) {
            cand_rec_ *r = &log->rec[ci * log->iters + t];
            if (fs) {
                r->failed = 1;
                snprintf(r->error, sizeof r->error, "%s", ferr.msg);
                continue;
            }
            double s = vs ? (t < ns ? vs[t] : NAN) : (t == 0 ? own : NAN);
            if (isnan(s)) continue;
            r->sum += s;
            r->runs++;
            r->fit_seconds += secs;
            if (goodness_(u->metric, s) > mine) mine = goodness_(u->metric, s);
        }
        // Strictly better replaces the incumbent: the first candidate wins ties.
        if (!fs && mine > top) {
            top = mine;
            mdl_free(*best);
            *best = m;
            *best_ci = ci;
        } else {
            mdl_free(m);
        }
    }
    free(P);
    *best_score = u->metric == HX_METRIC_RMSE ? -top : top;
    return RFM_OK;
}

/* cv_results.csv rows of the unit, written in one append. */
static rfm_status write_selection_(const hx_unit *u, int metric, const selection_log_ *log,
                                   rfm_error *err) {
    size_t total = log->n_cands * log->iters;
    double *mean = malloc((total ? total : 1) * sizeof *mean);
    if (!mean) return rfm_fail(err, RFM_ENOMEM, "selection log: out of memory");
    for (size_t i = 0; i < total; i++)
        mean[i] = log->rec[i].runs ? log->rec[i].sum / (double)log->rec[i].runs : NAN;
    hx_csv_out line = {0}, all = {0};
    rfm_status st = RFM_OK;
    char params[2048];
    for (size_t i = 0; i < total && !st; i++) {
        const cand_rec_ *r = &log->rec[i];
        if (!r->failed && !r->runs) continue; // an iteration the fit never reached
        hx_cv_row row = hx_cv_row_init();
        hx_params_string(log->cands[i / log->iters].kv, log->cands[i / log->iters].n, params,
                         sizeof params);
        row.dataset = u->dataset;
        row.model = u->model->name;
        memcpy(row.spec_hash, u->spec_hash, sizeof row.spec_hash);
        row.candidate = (long)(i / log->iters);
        row.params = params;
        row.iter = log->iters > 1 ? (long)(i % log->iters) : -1;
        row.status = r->failed ? "failed" : "ok";
        row.error = r->failed ? r->error : NULL;
        if (!r->failed) {
            row.mean_val_score = mean[i];
            row.mean_fit_seconds = r->fit_seconds / (double)r->runs;
            long rank = 1; // 1 + the number of strictly better records: ties share a rank
            for (size_t j = 0; j < total; j++)
                if (!isnan(mean[j]) && goodness_(metric, mean[j]) > goodness_(metric, mean[i]))
                    rank++;
            row.rank_val_score = rank;
        }
        st = hx_cv_row_format(&row, &line, err);
        if (st) break;
        for (size_t k = 0; k < line.len; k++) {
            // Append the formatted line to the block (hx_csv_out grows as needed).
            if (all.len + 1 >= all.cap) {
                size_t cap = all.cap ? 2 * all.cap : 4096;
                char *nb = realloc(all.buf, cap);
                if (!nb) {
                    st = rfm_fail(err, RFM_ENOMEM, "selection log: out of memory");
                    break;
                }
                all.buf = nb;
                all.cap = cap;
            }
            all.buf[all.len++] = line.buf[k];
        }
    }
    if (!st && all.len) st = append_(u->run_dir, "cv_results.csv", all.buf, all.len, err);
    hx_csv_out_free(&line);
    free(all.buf);
    free(mean);
    return st;
}

/* RUN_DIR/metrics/DATASET__MODEL.csv (hx_report_metric_file): the metric the selection learned,
 * for models that have one (RFM's M_{t*}), under a header of feature names, for `rfmbench
 * report`'s feature importances. Written atomically, so a resume replaces it whole. */
static rfm_status write_metric_(const hx_unit *u, mdl_model *best, const hx_prep *prep,
                                rfm_error *err) {
    size_t d = 0;
    int diag = 0;
    const double *M = mdl_metric(best, &d, &diag);
    if (!M || d == 0 || d != hx_prep_features(prep)) return RFM_OK;
    char rel[700], path[4800], name[512];
    snprintf(path, sizeof path, "%s/metrics", u->run_dir);
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        return rfm_fail(err, RFM_EIO, "%s: cannot create: %s", path, strerror(errno));
    hx_report_metric_file(u->dataset, u->model->name, rel, sizeof rel);
    snprintf(path, sizeof path, "%s/%s", u->run_dir, rel);
    hx_csv_out o = {0};
    for (size_t k = 0; k < d; k++) {
        hx_prep_feature_name(prep, k, name, sizeof name);
        hx_csv_out_str(&o, name);
    }
    rfm_status st = hx_csv_out_end(&o, err);
    for (size_t i = 0; i < (diag ? 1 : d) && !st; i++) { // diag: one row, diag(M)
        for (size_t k = 0; k < d; k++) {
            // 9 significant digits: plenty for importances, and half the size of exact ones.
            char num[32];
            snprintf(num, sizeof num, "%.9g", M[i * d + k]);
            hx_csv_out_str(&o, num);
        }
        st = hx_csv_out_end(&o, err);
    }
    if (!st) st = hx_write_atomic(path, o.buf, o.len, err);
    hx_csv_out_free(&o);
    return st;
}

static void unit_data_free_(unit_data_ *d) {
    hx_splits_free(d->splits);
    hx_data_free(d->data);
    hx_desc_free(d->desc);
    memset(d, 0, sizeof *d);
}

static rfm_status unit_data_load_(const hx_unit *u, unit_data_ *d, rfm_error *err) {
    memset(d, 0, sizeof *d);
    rfm_status st = hx_desc_load(u->descriptor, &d->desc, err);
    if (!st) st = hx_data_load(d->desc, &d->data, err);
    if (!st) st = hx_data_splits(d->data, &d->splits, err);
    if (st) {
        unit_data_free_(d);
        return st;
    }
    d->info = hx_data_info_get(d->data);
    d->task = d->info->task == HX_REGRESSION ? MDL_REGRESSION : MDL_CLASSIFICATION;
    d->c = d->info->outputs;
    d->metric = u->exp->metric;
    if (d->task == MDL_CLASSIFICATION) d->metric = HX_METRIC_ACCURACY;
    else if (d->metric == HX_METRIC_ACCURACY) d->metric = HX_METRIC_RMSE;
    return RFM_OK;
}

/* The row every fold starts from: identity, constant-predictor baselines, sizes. */
static hx_result_row base_row_(const hx_unit *u, const unit_data_ *d, size_t fold,
                               const hx_pair *pair) {
    hx_result_row r = hx_result_row_init();
    r.dataset = u->dataset;
    r.model = u->model->name;
    r.fold = (long)fold;
    r.n_train = (long)pair->n_train;
    r.n_test = (long)pair->n_test;
    r.n_classes = d->task == MDL_CLASSIFICATION ? (long)d->info->n_classes : -1;
    r.threads = u->threads;
    r.seed = u->exp->seed;
    if (d->task == MDL_CLASSIFICATION) {
        int maj = hx_data_majority(d->data, pair->train, pair->n_train);
        size_t right = 0;
        for (size_t i = 0; i < pair->n_test; i++)
            right += hx_data_label(d->data, pair->test[i]) == maj;
        r.majority_accuracy = (double)right / (double)pair->n_test;
    } else {
        double mean = 0, y, sse = 0;
        for (size_t i = 0; i < pair->n_train; i++) {
            hx_data_targets(d->data, &pair->train[i], 1, &y, 1, NULL);
            mean += y;
        }
        mean /= (double)pair->n_train;
        for (size_t i = 0; i < pair->n_test; i++) {
            hx_data_targets(d->data, &pair->test[i], 1, &y, 1, NULL);
            sse += (y - mean) * (y - mean);
        }
        r.constant_rmse = sqrt(sse / (double)pair->n_test);
    }
    return r;
}

static rfm_status write_row_(const hx_unit *u, hx_result_row *r, rfm_error *err) {
    hx_csv_out line = {0};
    memcpy(r->spec_hash, u->spec_hash, sizeof r->spec_hash);
    r->peak_rss_mb = rss_mb_();
    rfm_status st = hx_result_row_format(r, &line, err);
    if (!st) st = append_(u->run_dir, "results.csv", line.buf, line.len, err);
    hx_csv_out_free(&line);
    if (!st) {
        if (!strcmp(r->status, "ok"))
            log_(u, "%s %s fold=%ld ok %s=%.6g fit=%.3fs %s", r->dataset, r->model, r->fold,
                 isnan(r->test_accuracy) ? "rmse" : "acc",
                 isnan(r->test_accuracy) ? r->test_rmse : r->test_accuracy, r->fit_seconds,
                 r->selected ? r->selected : "");
        else
            log_(u, "%s %s fold=%ld failed: %s", r->dataset, r->model, r->fold,
                 r->error ? r->error : "");
    }
    return st;
}

/* Refit the winner on the fold's training part, score its test part, write the row. */
static rfm_status evaluate_(const hx_unit *u, const unit_data_ *d, mdl_model *best,
                            const char *params, const char *selected, double val, size_t fold,
                            const hx_pair *pair, const hx_prep *prep, const char *why,
                            size_t *n_failed, rfm_error *err) {
    hx_result_row r = base_row_(u, d, fold, pair);
    r.params = params;
    r.selected = selected;
    r.val_score = val;
    part_ tr = {0}, te = {0};
    double *P = NULL;
    rfm_error ferr = {RFM_OK, ""};
    rfm_status fs = RFM_OK;
    if (why) {
        fs = rfm_fail(&ferr, RFM_EINVAL, "%s", why);
    } else {
        fs = part_make_(d, prep, pair->train, pair->n_train, &tr, &ferr);
        if (!fs) fs = part_make_(d, prep, pair->test, pair->n_test, &te, &ferr);
        if (!fs) fs = rfm_alloc((void **)&P, te.n, d->c, sizeof *P, "predictions", &ferr);
    }
    if (!fs) {
        r.n_features = (long)tr.d;
        rfm_view X = rfm_view_of(tr.X, tr.n, tr.d), Y = rfm_view_of(tr.Y, tr.n, d->c);
        rfm_view Z = rfm_view_of(te.X, te.n, te.d);
        double t0 = rfm_seconds();
        fs = mdl_refit(best, &X, &Y, &ferr);
        double t1 = rfm_seconds();
        if (!fs) fs = mdl_predict(best, &Z, P, &ferr);
        r.fit_seconds = t1 - t0;
        r.predict_seconds = rfm_seconds() - t1;
        if (!fs && !all_finite_(P, te.n * d->c))
            fs = rfm_fail(&ferr, RFM_ENUMERIC, "non-finite test predictions");
    }
    if (!fs) {
        if (d->task == MDL_CLASSIFICATION) {
            r.test_accuracy = score_(HX_METRIC_ACCURACY, P, &te, d->c);
        } else {
            r.test_rmse = score_(HX_METRIC_RMSE, P, &te, d->c);
            r.test_r2 = score_(HX_METRIC_R2, P, &te, d->c);
        }
        r.status = "ok";
    } else {
        r.status = "failed";
        r.error = ferr.msg;
        ++*n_failed;
    }
    rfm_status st = write_row_(u, &r, err);
    part_free_(&tr);
    part_free_(&te);
    free(P);
    return st;
}

static int skipped_(const hx_unit *u, size_t f) { return u->skip && f < u->n_skip && u->skip[f]; }

rfm_status hx_unit_run(const hx_unit *u, size_t *n_failed, rfm_error *err) {
    *n_failed = 0;
    unit_data_ d;
    rfm_status st = unit_data_load_(u, &d, err);
    if (st) return st;
    openblas_set_num_threads(u->threads > 0 ? u->threads : 1);
    selection_log_ log = {0};
    hx_prep *prep = NULL;
    part_ tr = {0}, va = {0};
    mdl_model *best = NULL;
    st = hx_model_candidates(u->model, u->dataset, &log.cands, &log.n_cands, err);
    if (st) goto done;
    // Models with internal candidates (RFM iterations) report one score per iteration.
    log.iters = 1;
    if (!strcmp(u->model->type, "rfm")) {
        for (size_t ci = 0; ci < log.n_cands; ci++) {
            const char *it = hx_kv_get(log.cands[ci].kv, log.cands[ci].n, "iters");
            size_t v = it ? (size_t)strtoul(it, NULL, 10) : 5;
            if (v > log.iters && v <= 1000) log.iters = v;
        }
    }
    log.rec = calloc(log.n_cands * log.iters, sizeof *log.rec);
    if (!log.rec) {
        st = rfm_fail(err, RFM_ENOMEM, "selection log: out of memory");
        goto done;
    }
    const hx_splits *sp = d.splits;
    size_t folds = sp->k;
    int per_fold = sp->per_fold_selection;
    char params[2048] = "", selected[512] = "";
    double val = NAN;
    const char *why = NULL;
    char whybuf[600];
    for (size_t f = 0; f < folds; f++) {
        int need_sel = per_fold ? (!skipped_(u, f) || !u->skip_selection_rows) : f == 0;
        if (per_fold && !need_sel) continue;
        if (need_sel) {
            const hx_pair *sel = per_fold ? &sp->inner[f] : &sp->select;
            // cv: one preprocessing per outer fold serves the selection and the refit.
            hx_prep_free(prep);
            prep = NULL;
            part_free_(&tr);
            part_free_(&va);
            mdl_free(best);
            best = NULL;
            const hx_pair *fit_on = per_fold ? &sp->outer[f] : &sp->select;
            if ((st = hx_prep_fit(d.data, fit_on->train, fit_on->n_train, &prep, err))) goto done;
            if ((st = part_make_(&d, prep, sel->train, sel->n_train, &tr, err))) goto done;
            if ((st = part_make_(&d, prep, sel->test, sel->n_test, &va, err))) goto done;
            size_t ci = 0;
            if ((st = select_(&d, u->model, &log, &tr, &va, &best, &ci, &val, err))) goto done;
            why = NULL;
            if (!best) {
                const char *first = log.n_cands ? log.rec[0].error : "";
                snprintf(whybuf, sizeof whybuf, "every candidate failed in selection: %s", first);
                why = whybuf;
                // Nothing was selected: no score, and nothing left over from an earlier fold.
                val = NAN;
                params[0] = selected[0] = '\0';
            } else {
                hx_params_string(log.cands[ci].kv, log.cands[ci].n, params, sizeof params);
                char desc[400];
                mdl_describe(best, desc, sizeof desc);
                snprintf(selected, sizeof selected, "candidate=%zu%s%s", ci, desc[0] ? ";" : "",
                         desc);
                // cv selects once per outer fold: fold 0's metric stands for the dataset.
                if ((!per_fold || f == 0) && (st = write_metric_(u, best, prep, err))) goto done;
            }
        }
        if (skipped_(u, f)) continue;
        if (!per_fold) {
            // uci121: the features are fixed, but the preprocessing is still fitted per fold.
            hx_prep_free(prep);
            prep = NULL;
            if ((st = hx_prep_fit(d.data, sp->outer[f].train, sp->outer[f].n_train, &prep, err)))
                goto done;
        }
        st = evaluate_(u, &d, best, params, selected, val, f, &sp->outer[f], prep, why,
                       n_failed, err);
        if (st) goto done;
    }
    if (!u->skip_selection_rows) st = write_selection_(u, d.metric, &log, err);
done:
    mdl_free(best);
    part_free_(&tr);
    part_free_(&va);
    hx_prep_free(prep);
    hx_candidates_free(log.cands, log.n_cands);
    free(log.rec);
    unit_data_free_(&d);
    return st;
}

rfm_status hx_unit_spec_hash(const hx_unit *u, char out[17], rfm_error *err) {
    hx_candidate *c = NULL;
    size_t nc = 0;
    rfm_status st = hx_model_candidates(u->model, u->dataset, &c, &nc, err);
    if (st) return st;
    size_t cap = 256 + nc * 2050, len = 0;
    char *s = malloc(cap);
    if (!s) {
        hx_candidates_free(c, nc);
        return rfm_fail(err, RFM_ENOMEM, "spec hash: out of memory");
    }
    // The descriptor's bytes too: its splits, imputation and columns decide what a fold is.
    char desc_hash[17] = "";
    FILE *f = fopen(u->descriptor, "rb");
    if (f) {
        char buf[65536];
        size_t got = fread(buf, 1, sizeof buf - 1, f);
        buf[got] = '\0';
        fclose(f);
        hx_params_hash_hex(buf, desc_hash);
    }
    len = (size_t)snprintf(s, cap, "protocol=%d;metric=%d;seed=%llu;type=%s;descriptor=%s",
                           u->exp->protocol, u->exp->metric, (unsigned long long)u->exp->seed,
                           u->model->type, desc_hash);
    for (size_t i = 0; i < nc && len + 2 < cap; i++) {
        s[len++] = '|';
        hx_params_string(c[i].kv, c[i].n, s + len, cap - len);
        len += strlen(s + len);
    }
    hx_params_hash_hex(s, out);
    free(s);
    hx_candidates_free(c, nc);
    return RFM_OK;
}

rfm_status hx_unit_fail_rest(const hx_unit *u, size_t k, const char *reason, rfm_error *err) {
    // With the data and splits at hand the rows carry sizes and the constant-predictor
    // baseline, so the leaderboard can impute the fold (uci121-protocol.md section 7) instead
    // of dropping the dataset; without them (the data itself failed) the bare row must do.
    unit_data_ d;
    rfm_error lerr = {RFM_OK, ""};
    int have = unit_data_load_(u, &d, &lerr) == RFM_OK;
    rfm_status st = RFM_OK;
    for (size_t f = 0; f < k && !st; f++) {
        if (skipped_(u, f)) continue;
        hx_result_row r = hx_result_row_init();
        if (have && f < d.splits->k) {
            r = base_row_(u, &d, f, &d.splits->outer[f]);
        } else {
            r.dataset = u->dataset;
            r.model = u->model->name;
            r.fold = (long)f;
            r.threads = u->threads;
            r.seed = u->exp->seed;
        }
        r.status = "failed";
        r.error = reason;
        st = write_row_(u, &r, err);
    }
    if (have) unit_data_free_(&d);
    return st;
}
