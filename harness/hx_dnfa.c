/* hx_dnfa.c - `rfmbench dnfa EXPERIMENT.yaml`: the Deep Neural Feature Ansatz experiment (see
 * hx_dnfa.h). For every (dataset, mlp model, candidate): load and split the data, train the
 * network, and every record_every epochs (and once on the kept weights) append to dnfa.csv the
 * cosines of baselines/mlp.h's mlp_dnfa for each hidden layer. */
#include "hx_dnfa.h"

#include <cblas.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hx_dataset.h"
#include "hx_experiment.h"
#include "hx_prep.h"
#include "hx_results.h"
#include "hx_split.h"
#include "mlp.h"
#include "hx_util.h"

/* The required columns first (the contract), then the extras. */
static const char header_[] =
    "dataset,layer,epoch,cos_nfm_agop,cos_nfm_sqrt_agop,cos_nfm_agop_centered,cos_init_agop,"
    "cos_nfm_sqrt_agop_centered,cos_init_sqrt_agop,cos_nfm_init,cos_gram_agop,"
    "cos_gram_sqrt_agop,kept,model,params,layer_in,layer_out,n_train,n_val,train_loss,metric,"
    "train_score,val_score,best_epoch,seconds\n";

typedef struct {
    const char *out; /* run directory */
    char *only[256];
    int n_only, every, threads, quiet;
    int tty; /* stderr is a terminal: show a progress line */
} opts_;

/* One (dataset, model, candidate) run: what the per-epoch callback needs. */
typedef struct {
    const opts_ *o;
    const char *dataset, *model, *params;
    rfm_view X, Y;        /* training rows: features, targets */
    size_t n_val;
    int every;
    double *P;            /* (n, c) scratch for the training score */
    mlp_dnfa_layer *lay;  /* L */
    mlp_dnfa_layer first; /* layer 0 of the last record, for the summary */
    double t0;
} run_;

static int usage_(FILE *fp) {
    fprintf(fp,
            "usage: rfmbench dnfa EXPERIMENT.yaml [--out DIR] [--every K] [--threads T]\n"
            "                     [--only NAME,...] [--quiet]\n"
            "Trains the experiment's fully connected networks (type: mlp) on each dataset and\n"
            "measures the Deep Neural Feature Ansatz per hidden layer: cosines of the neural\n"
            "feature matrix (W - W0)^T (W - W0) with the AGOP and AGOP^(1/2) (uncentred and\n"
            "centred), and the control W0^T W0. Writes DIR/dnfa.csv (default: the experiment's\n"
            "output) every K epochs (--every, else the model param record_every, default 10)\n"
            "and on the kept (best-validation) weights, plus DIR/run.yaml.\n");
    return fp == stdout ? 0 : 2;
}

/* Write (truncate = 1: replace the file with) buf, then fsync, so a crash loses at most the
 * measurement in progress. */
static rfm_status put_(const char *dir, const char *buf, size_t len, int truncate,
                       rfm_error *err) {
    char path[4096];
    snprintf(path, sizeof path, "%s/dnfa.csv", dir);
    int fd = open(path, O_WRONLY | O_CREAT | (truncate ? O_TRUNC : O_APPEND), 0644);
    if (fd < 0) return rfm_fail(err, RFM_EIO, "%s: cannot open: %s", path, strerror(errno));
    ssize_t w = write(fd, buf, len);
    int bad = w < 0 || (size_t)w != len || fsync(fd) != 0;
    close(fd);
    return bad ? rfm_fail(err, RFM_EIO, "%s: write failed", path) : RFM_OK;
}

/* Accuracy (argmax) or RMSE of the network on the training rows. */
static double train_score_(const mlp_net *net, run_ *r, rfm_error *err, rfm_status *st) {
    if ((*st = mlp_forward(net, &r->X, r->P, err))) return NAN;
    size_t c = r->Y.cols, n = r->X.rows;
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        const double *p = r->P + i * c, *y = r->Y.data + i * c;
        if (mlp_net_params(net)->classification) {
            size_t a = 0, b = 0;
            for (size_t k = 1; k < c; k++) {
                if (p[k] > p[a]) a = k;
                if (y[k] > y[b]) b = k;
            }
            s += a == b;
        } else {
            for (size_t k = 0; k < c; k++) s += (p[k] - y[k]) * (p[k] - y[k]);
        }
    }
    return mlp_net_params(net)->classification ? s / (double)n : sqrt(s / (double)(n * c));
}

/* Measure the ansatz on the current weights and append one row per hidden layer. */
static rfm_status record_(run_ *r, const mlp_net *net, int epoch, int kept, double loss,
                          double val, int best, rfm_error *err) {
    double t = rfm_seconds();
    rfm_status st = mlp_dnfa(net, &r->X, r->lay, err);
    if (st) return st;
    double ts = train_score_(net, r, err, &st);
    if (st) return st;
    double secs = rfm_seconds() - t;
    hx_csv_out l = {0};
    int cls = mlp_net_params(net)->classification;
    size_t hidden = mlp_layer_count(net) - 1;
    for (size_t i = 0; i < hidden; i++) {
        const mlp_dnfa_layer *a = &r->lay[i];
        size_t lo, li;
        mlp_layer_shape(net, i, &lo, &li);
        hx_csv_out_str(&l, r->dataset);
        hx_csv_out_long(&l, (long)i);
        hx_csv_out_long(&l, epoch);
        const double v[9] = {a->cos_nfm_agop,       a->cos_nfm_sqrt_agop,
                             a->cos_nfm_agop_centered, a->cos_init_agop,
                             a->cos_nfm_sqrt_agop_centered, a->cos_init_sqrt_agop,
                             a->cos_nfm_init,       a->cos_gram_agop,
                             a->cos_gram_sqrt_agop};
        for (int k = 0; k < 9; k++) hx_csv_out_fixed(&l, v[k], 6);
        hx_csv_out_long(&l, kept);
        hx_csv_out_str(&l, r->model);
        hx_csv_out_str(&l, r->params);
        hx_csv_out_long(&l, (long)li);
        hx_csv_out_long(&l, (long)lo);
        hx_csv_out_long(&l, (long)r->X.rows);
        hx_csv_out_long(&l, (long)r->n_val);
        hx_csv_out_fixed(&l, loss, 8);
        hx_csv_out_str(&l, cls ? "accuracy" : "rmse");
        hx_csv_out_fixed(&l, ts, 6);
        hx_csv_out_fixed(&l, val, 6);
        hx_csv_out_long(&l, best);
        hx_csv_out_fixed(&l, secs, 4);
        if ((st = hx_csv_out_end(&l, err))) break;
    }
    if (!st) st = put_(r->o->out, l.buf, l.len, 0, err);
    hx_csv_out_free(&l);
    r->first = r->lay[0];
    return st;
}

static rfm_status on_epoch_(void *ctx, const mlp_net *net, const mlp_epoch_info *info,
                            rfm_error *err) {
    run_ *r = ctx;
    if (info->epoch % r->every != 0) return RFM_OK;
    if (r->o->tty)
        fprintf(stderr, "\rrfmbench: dnfa %s %s epoch %d  val %.4f  (%.0fs)\033[K", r->dataset,
                r->model, info->epoch, info->val_score, rfm_seconds() - r->t0);
    return record_(r, net, info->epoch, 0, info->train_loss, info->val_score, info->best_epoch,
                   err);
}

/* Features and targets of rows under prep. X: (n, d), Y: (n, c), both new on RFM_OK. */
static rfm_status part_(const hx_data *data, const hx_prep *prep, const size_t *rows, size_t n,
                        double **X, double **Y, rfm_error *err) {
    size_t d = hx_prep_features(prep), c = hx_data_info_get(data)->outputs;
    *X = NULL;
    *Y = NULL;
    rfm_status st = rfm_alloc((void **)X, n, d, sizeof(double), "features", err);
    if (!st) st = rfm_alloc((void **)Y, n, c, sizeof(double), "targets", err);
    if (!st) st = hx_prep_apply(prep, data, rows, n, *X, err);
    if (!st) hx_data_targets(data, rows, n, *Y, c, NULL);
    if (st) {
        free(*X);
        free(*Y);
        *X = *Y = NULL;
    }
    return st;
}

/* Training and validation rows: uci121's selection split, or a stratified holdout for csv. */
static rfm_status split_(const hx_desc *desc, const hx_data *data, hx_pair *pair,
                         rfm_error *err) {
    const hx_desc_info *di = hx_desc_info_get(desc);
    const hx_data_info *info = hx_data_info_get(data);
    memset(pair, 0, sizeof *pair);
    if (info->format == HX_FORMAT_UCI121) {
        hx_splits *sp = NULL;
        rfm_status st = hx_data_splits(data, &sp, err);
        if (st) return st;
        const hx_pair *s = &sp->select;
        pair->train = malloc((s->n_train ? s->n_train : 1) * sizeof *pair->train);
        pair->test = malloc((s->n_test ? s->n_test : 1) * sizeof *pair->test);
        if (pair->train && pair->test) {
            memcpy(pair->train, s->train, s->n_train * sizeof *pair->train);
            memcpy(pair->test, s->test, s->n_test * sizeof *pair->test);
            pair->n_train = s->n_train;
            pair->n_test = s->n_test;
        } else {
            hx_pair_free(pair);
            st = rfm_fail(err, RFM_ENOMEM, "out of memory");
        }
        hx_splits_free(sp);
        return st;
    }
    int *labels = NULL;
    if (info->task == HX_CLASSIFICATION) {
        labels = malloc(info->n * sizeof *labels);
        if (!labels) return rfm_fail(err, RFM_ENOMEM, "out of memory");
        for (size_t i = 0; i < info->n; i++) labels[i] = hx_data_label(data, i);
    }
    rfm_status st = hx_split_holdout(labels, info->n_classes, NULL, info->n, di->validation,
                                     di->seed, pair, err);
    free(labels);
    return st;
}

/* The network parameters of a candidate and its record_every (default 10). */
static rfm_status cand_params_(const hx_candidate *cand, mdl_task task, mlp_params *p, long *rec,
                               rfm_error *err) {
    mdl_param pb[128];
    if (cand->n > 128) return rfm_fail(err, RFM_EINVAL, "more than 128 parameters");
    for (size_t i = 0; i < cand->n; i++) {
        pb[i].key = cand->kv[i].key;
        pb[i].value = cand->kv[i].value;
    }
    mdl_params mp = {pb, cand->n};
    static const char *const extra[] = {"record_every", NULL};
    rfm_status st = mlp_params_parse(&mp, task, extra, p, err);
    if (!st) st = mdl_get_int(&mp, "record_every", 10, rec, err);
    if (st) return st;
    if (*rec < 1 || *rec > 100000)
        return rfm_fail(err, RFM_EINVAL, "record_every = %ld: must be 1..100000", *rec);
    if (p->depth < 1)
        return rfm_fail(err, RFM_EINVAL, "depth = %d: dnfa needs a hidden layer (depth >= 1)",
                        p->depth);
    return RFM_OK;
}

/* Every candidate of every model, with each dataset override, must parse: bad values fail
 * before any training, naming the model. */
static rfm_status check_models_(const hx_experiment *e, rfm_error *err) {
    for (size_t m = 0; m < e->n_models; m++) {
        const hx_model_spec *spec = &e->models[m];
        if (strcmp(spec->type, "mlp") != 0)
            return rfm_fail(err, RFM_EINVAL, "%s: models[%zu].type: '%s': dnfa measures type "
                            "mlp only", e->path, m, spec->type);
        for (size_t k = 0; k <= spec->n_overrides; k++) {
            const char *name = k < spec->n_overrides ? spec->overrides[k].dataset : NULL;
            hx_candidate *c = NULL;
            size_t nc = 0;
            rfm_status st = hx_model_candidates(spec, name, &c, &nc, err);
            for (size_t i = 0; !st && i < nc; i++) {
                mlp_params p;
                long rec;
                rfm_error merr = {RFM_OK, ""};
                if (cand_params_(&c[i], MDL_CLASSIFICATION, &p, &rec, &merr))
                    st = rfm_fail(err, RFM_EINVAL, "%s: models[%zu] (%s): %s", e->path, m,
                                  spec->name, merr.msg);
            }
            hx_candidates_free(c, nc);
            if (st) return st;
        }
    }
    return RFM_OK;
}

/* One candidate on loaded data: train, record along the way and on the kept weights. */
static rfm_status run_one_(const opts_ *o, const char *dataset, const hx_model_spec *spec,
                           const hx_candidate *cand, const hx_data *data, const hx_pair *pair,
                           mlp_dnfa_layer *summary, mlp_train_info *ti, rfm_error *err) {
    const hx_data_info *info = hx_data_info_get(data);
    mdl_task task = info->task == HX_REGRESSION ? MDL_REGRESSION : MDL_CLASSIFICATION;
    mlp_params p;
    long every = 0;
    rfm_status st = cand_params_(cand, task, &p, &every, err);
    if (st) return st;
    if (o->every) every = o->every; // the command line overrides the config
    char params[2048];
    hx_params_string(cand->kv, cand->n, params, sizeof params);
    hx_prep *prep = NULL;
    mlp_net *net = NULL;
    double *X = NULL, *Y = NULL, *Xv = NULL, *Yv = NULL, *P = NULL;
    mlp_dnfa_layer *lay = NULL;
    if ((st = hx_prep_fit(data, pair->train, pair->n_train, &prep, err)) ||
        (st = part_(data, prep, pair->train, pair->n_train, &X, &Y, err)) ||
        (st = part_(data, prep, pair->test, pair->n_test, &Xv, &Yv, err)))
        goto done;
    size_t d = hx_prep_features(prep), c = info->outputs;
    if ((st = mlp_create(&p, d, c, &net, err)) ||
        (st = rfm_alloc((void **)&P, pair->n_train, c, sizeof *P, "predictions", err)) ||
        (st = rfm_alloc((void **)&lay, mlp_layer_count(net), 1, sizeof *lay, "ansatz", err)))
        goto done;
    run_ r;
    memset(&r, 0, sizeof r);
    r.o = o;
    r.dataset = dataset;
    r.model = spec->name;
    r.params = params;
    r.X = rfm_view_of(X, pair->n_train, d);
    r.Y = rfm_view_of(Y, pair->n_train, c);
    r.n_val = pair->n_test;
    r.every = (int)every;
    r.P = P;
    r.lay = lay;
    r.t0 = rfm_seconds();
    rfm_view V = rfm_view_of(Xv, pair->n_test, d), VY = rfm_view_of(Yv, pair->n_test, c);
    if ((st = mlp_train(net, &r.X, &r.Y, &V, &VY, on_epoch_, &r, ti, err))) goto done;
    // The kept weights: re-score validation for the row (the curve's value at best_epoch).
    st = record_(&r, net, ti->best_epoch, 1, ti->last_loss, ti->best_val, ti->best_epoch, err);
    *summary = r.first;
done:
    if (o->tty) fprintf(stderr, "\r\033[K");
    free(X);
    free(Y);
    free(Xv);
    free(Yv);
    free(P);
    free(lay);
    mlp_free(net);
    hx_prep_free(prep);
    return st;
}

static int in_list_(char *const *list, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i], name)) return 1;
    return 0;
}

/* Every candidate of every model on one dataset; returns the failures (printed). */
static int run_dataset_(const opts_ *o, const hx_experiment *e, const char *path, int *ran) {
    rfm_error err = {RFM_OK, ""};
    hx_desc *desc = NULL;
    hx_data *data = NULL;
    hx_pair pair = {0};
    int failed = 0;
    rfm_status st = hx_desc_load(path, &desc, &err);
    if (st) goto fail;
    const hx_desc_info *di = hx_desc_info_get(desc);
    if ((e->n_only && !in_list_(e->only, e->n_only, di->name)) ||
        (o->n_only && !in_list_((char *const *)o->only, (size_t)o->n_only, di->name)) ||
        in_list_(e->exclude, e->n_exclude, di->name) ||
        (e->max_rows && di->size_total > e->max_rows) ||
        (e->max_features && di->n_features_raw > e->max_features))
        goto done;
    if (!di->data_present) {
        fprintf(stderr, "rfmbench: dnfa: %s: skipped, data file missing (%s)\n", di->name,
                di->data_path);
        goto done;
    }
    if ((st = hx_data_load(desc, &data, &err))) goto fail;
    if (e->max_rows && hx_data_info_get(data)->n > e->max_rows) goto done;
    if ((st = split_(desc, data, &pair, &err))) goto fail;
    for (size_t m = 0; m < e->n_models; m++) {
        hx_candidate *cands = NULL;
        size_t nc = 0;
        if ((st = hx_model_candidates(&e->models[m], di->name, &cands, &nc, &err))) goto fail;
        for (size_t ci = 0; ci < nc; ci++) {
            mlp_dnfa_layer s0;
            mlp_train_info ti;
            memset(&s0, 0, sizeof s0);
            memset(&ti, 0, sizeof ti);
            double t0 = rfm_seconds();
            err.msg[0] = '\0';
            ++*ran;
            if (run_one_(o, di->name, &e->models[m], &cands[ci], data, &pair, &s0, &ti, &err)) {
                fprintf(stderr, "rfmbench: %s: %s: %s\n", path, e->models[m].name, err.msg);
                failed++;
                continue;
            }
            printf("%-26s %-10s %3zu %5d %5d %8.4f %8.4f %8.4f %8.4f %8.4f %7.4f %6.1f\n",
                   di->name, e->models[m].name, ci, ti.best_epoch, ti.epochs_run, s0.cos_nfm_agop,
                   s0.cos_nfm_sqrt_agop, s0.cos_nfm_agop_centered, s0.cos_init_agop,
                   s0.cos_nfm_init, ti.best_val, rfm_seconds() - t0);
            fflush(stdout);
        }
        hx_candidates_free(cands, nc);
    }
    goto done;
fail:
    fprintf(stderr, "rfmbench: %s\n", err.msg);
    failed++;
done:
    hx_pair_free(&pair);
    hx_data_free(data);
    hx_desc_free(desc);
    return failed;
}

static int parse_opts_(int argc, char **argv, opts_ *o, const char **yaml, char *only_buf,
                       size_t size) {
    memset(o, 0, sizeof *o);
    *yaml = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) return usage_(stdout) - 1; // -1: done
        if (!strcmp(a, "--quiet")) {
            o->quiet = 1;
        } else if (i + 1 < argc && !strcmp(a, "--out")) {
            o->out = argv[++i];
        } else if (i + 1 < argc && (!strcmp(a, "--every") || !strcmp(a, "--threads"))) {
            char *end;
            long v = strtol(argv[++i], &end, 10);
            if (*end || v < 1 || v > 100000) {
                fprintf(stderr, "rfmbench: dnfa: %s %s: expected an integer in 1..100000\n", a,
                        argv[i]);
                return 2;
            }
            *(a[2] == 'e' ? &o->every : &o->threads) = (int)v;
        } else if (i + 1 < argc && !strcmp(a, "--only")) {
            snprintf(only_buf, size, "%s", argv[++i]);
            for (char *t = strtok(only_buf, ","); t && o->n_only < 256; t = strtok(NULL, ","))
                o->only[o->n_only++] = t;
        } else if (a[0] == '-' || *yaml) {
            fprintf(stderr, "rfmbench: dnfa: unknown or incomplete option '%s'\n", a);
            return 2;
        } else {
            *yaml = a;
        }
    }
    if (!*yaml) {
        fprintf(stderr,
                "rfmbench: dnfa: expected one EXPERIMENT.yaml (see rfmbench dnfa --help)\n");
        return 2;
    }
    return 0;
}

int hx_cmd_dnfa(int argc, char **argv) {
    opts_ o;
    const char *yaml;
    char only_buf[4096];
    int rc = parse_opts_(argc, argv, &o, &yaml, only_buf, sizeof only_buf);
    if (rc) return rc < 0 ? 0 : rc;
    o.tty = !o.quiet && isatty(STDERR_FILENO);
    rfm_error err = {RFM_OK, ""};
    hx_experiment *e = NULL;
    if (hx_experiment_load(yaml, &e, &err)) {
        fprintf(stderr, "rfmbench: %s\n", err.msg);
        return 1;
    }
    if (check_models_(e, &err)) {
        fprintf(stderr, "rfmbench: %s\n", err.msg);
        hx_experiment_free(e);
        return 1;
    }
    if (!o.out) o.out = e->output;
    char runyaml[4096];
    snprintf(runyaml, sizeof runyaml, "%s/run.yaml", o.out);
    if (hx_mkdirs(o.out) != 0 || put_(o.out, header_, sizeof header_ - 1, 1, &err) ||
        hx_experiment_write(e, runyaml, &err)) {
        fprintf(stderr, "rfmbench: %s\n", err.msg[0] ? err.msg : "cannot create the output folder");
        hx_experiment_free(e);
        return 1;
    }
    openblas_set_num_threads(o.threads ? o.threads : e->threads > 0 ? e->threads : 2);
    double t0 = rfm_seconds();
    printf("first layer (layer 0) on the kept weights; control = cos(W0^T W0, AGOP), "
           "dnfa_ctl = cos(NFM, W0^T W0)\n");
    printf("%-26s %-10s %3s %5s %5s %8s %8s %8s %8s %8s %7s %6s\n", "dataset", "model", "cand",
           "best", "run", "nfm_agop", "nfm_sqrt", "centred", "control", "dnfa_ctl", "val",
           "secs");
    int failed = 0, ran = 0;
    for (size_t i = 0; i < e->n_datasets; i++) failed += run_dataset_(&o, e, e->datasets[i], &ran);
    if (!o.quiet)
        fprintf(stderr, "rfmbench: dnfa: %d runs, %d failed; wrote %s/dnfa.csv (%.1f s)\n", ran,
                failed, o.out, rfm_seconds() - t0);
    hx_experiment_free(e);
    return failed ? 1 : 0;
}
