/* hx_fitcli.c - `rfmbench fit` and `rfmbench predict` (interfaces.md; the svm-train /
 * svm-predict pair of LIBSVM): fit one RFM on a CSV file or descriptor and save it, then
 * predict with it on the same or another file with the same columns.
 *
 * A fitted model is two files: OUT.rfm, the numeric model (rfm_save), and OUT.rfm.prep, the
 * preprocessing with the task, class names and column names (hx_prep_save; its format is
 * documented in hx_prep_io.c). predict maps the new file's columns by name through the latter,
 * so column order and extra columns do not matter and the target column is optional. */
#include <cblas.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hx_cli.h"
#include "hx_dataset.h"
#include "hx_prep.h"
#include "hx_results.h"
#include "hx_split.h"
#include "rfm.h"

static int fit_usage_(FILE *fp) {
    fprintf(fp,
            "usage: rfmbench fit --data DATA --model OUT.rfm [options]\n"
            "Fits one RFM on DATA (a dataset descriptor .yaml, or a CSV file with a header row,\n"
            "',' and the target in the last column) and writes OUT.rfm plus OUT.rfm.prep (the\n"
            "preprocessing, needed by predict).\n"
            "  --target COL          target column name or 0-based index [last column]\n"
            "  --task T              classification | regression [classification when the\n"
            "                        target is text or integer with <= 50 distinct values]\n"
            "  --kernel K            laplace | gaussian [laplace]\n"
            "  --bandwidth L         kernel bandwidth [10]\n"
            "  --exponent Q          laplace exponent in (0, 2] [1]\n"
            "  --reg LAMBDA          ridge regularisation [1e-3]\n"
            "  --iters T             kernel fits; fit t uses M_t, M_0 = I [5]\n"
            "  --diag                learn a diagonal M\n"
            "  --normalize           scale every row to unit L2 norm\n"
            "  --m-scale S           mean | max [mean]\n"
            "  --agop-sample N       rows used for the AGOP [20000]\n"
            "  --seed S              seeds the AGOP sample and the validation split [0]\n"
            "  --val-fraction F      hold out that share of rows (stratified) to pick the best\n"
            "                        iteration [0: no validation, the last fit is kept]\n"
            "  --metric-out M.csv    write the learned M (d x d, or one row with --diag)\n"
            "  --threads T           BLAS threads [OpenBLAS default]\n"
            "Prints one summary line: n, d, classes, best iteration, validation score, seconds.\n");
    return fp == stdout ? 0 : 2;
}

static int predict_usage_(FILE *fp) {
    fprintf(fp,
            "usage: rfmbench predict --model FILE --data DATA [--out PRED.csv] [--threads T]\n"
            "Predicts every row of DATA (a descriptor .yaml or a CSV file) with a model written\n"
            "by rfmbench fit (FILE and FILE.prep). Columns are matched by name; the target\n"
            "column is optional. PRED.csv (stdout without --out) has the columns\n"
            "row,prediction then score_<class> per class (the raw outputs before argmax) for\n"
            "classification, row,prediction for regression; row is the 0-based data row.\n"
            "When DATA holds the target, prints `accuracy = A (right/total)` or\n"
            "`rmse = E (n rows)` (rows with a missing target are left out), to stdout with\n"
            "--out, else to stderr.\n");
    return fp == stdout ? 0 : 2;
}

static int usage_error_(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int usage_error_(const char *cmd, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "rfmbench: %s: %s (see rfmbench %s --help)\n", cmd, msg, cmd);
    return 2;
}

static int fail_(const rfm_error *err) {
    fprintf(stderr, "rfmbench: %s\n", err->msg);
    return 1;
}

// A finite number spanning the whole argument.
static int number_(const char *s, double *out) {
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !isfinite(v)) return 0;
    *out = v;
    return 1;
}

// A whole number in [lo, hi].
static int whole_(const char *s, double lo, double hi, double *out) {
    return number_(s, out) && *out == floor(*out) && *out >= lo && *out <= hi;
}

static int is_yaml_(const char *path) {
    size_t n = strlen(path);
    return (n > 5 && !strcmp(path + n - 5, ".yaml")) || (n > 4 && !strcmp(path + n - 4, ".yml"));
}

static rfm_status load_desc_(const char *path, hx_desc **out, rfm_error *err) {
    return is_yaml_(path) ? hx_desc_load(path, out, err) : hx_desc_from_csv(path, out, err);
}

/* ---- fit ---------------------------------------------------------------------------------- */

typedef struct {
    const char *data, *model, *target, *metric_out;
    hx_task task;
    rfm_params p;
    double val_fraction;
    int threads;
} fit_opts_;

enum { O_TARGET = 256, O_TASK, O_KERNEL, O_BW, O_EXP, O_REG, O_ITERS, O_DIAG, O_NORM, O_MSCALE,
       O_SAMPLE, O_SEED, O_VAL, O_MOUT, O_THREADS, O_DATA, O_MODEL, O_OUT, O_HELP };

// Returns -1 to go on, else the exit code (help, usage error).
static int fit_parse_(int argc, char **argv, fit_opts_ *o) {
    static const struct option longs[] = {
        {"data", required_argument, 0, O_DATA},      {"model", required_argument, 0, O_MODEL},
        {"target", required_argument, 0, O_TARGET},  {"task", required_argument, 0, O_TASK},
        {"kernel", required_argument, 0, O_KERNEL},  {"bandwidth", required_argument, 0, O_BW},
        {"exponent", required_argument, 0, O_EXP},   {"reg", required_argument, 0, O_REG},
        {"iters", required_argument, 0, O_ITERS},    {"diag", no_argument, 0, O_DIAG},
        {"normalize", no_argument, 0, O_NORM},       {"m-scale", required_argument, 0, O_MSCALE},
        {"agop-sample", required_argument, 0, O_SAMPLE}, {"seed", required_argument, 0, O_SEED},
        {"val-fraction", required_argument, 0, O_VAL}, {"metric-out", required_argument, 0, O_MOUT},
        {"threads", required_argument, 0, O_THREADS}, {"help", no_argument, 0, O_HELP},
        {0, 0, 0, 0}};
    memset(o, 0, sizeof *o);
    o->p = rfm_params_default();
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        double v = 0;
        const char *a = optarg;
        switch (c) {
        case 'h':
        case O_HELP: return fit_usage_(stdout);
        case O_DATA: o->data = a; break;
        case O_MODEL: o->model = a; break;
        case O_TARGET: o->target = a; break;
        case O_MOUT: o->metric_out = a; break;
        case O_DIAG: o->p.diag = 1; break;
        case O_NORM: o->p.normalize = 1; break;
        case O_TASK:
            if (strcmp(a, "classification") && strcmp(a, "regression"))
                return usage_error_("fit", "--task %s: expected classification or regression",
                                    a);
            o->task = a[0] == 'c' ? HX_CLASSIFICATION : HX_REGRESSION;
            break;
        case O_KERNEL:
            if (strcmp(a, "laplace") && strcmp(a, "gaussian"))
                return usage_error_("fit", "--kernel %s: expected laplace or gaussian", a);
            o->p.kernel.type = a[0] == 'l' ? RFM_KERNEL_LAPLACE : RFM_KERNEL_GAUSSIAN;
            break;
        case O_MSCALE:
            if (strcmp(a, "mean") && strcmp(a, "max"))
                return usage_error_("fit", "--m-scale %s: expected mean or max", a);
            o->p.m_scale = !strcmp(a, "max") ? RFM_MSCALE_MAX : RFM_MSCALE_MEAN;
            break;
        case O_BW:
        case O_EXP:
        case O_REG:
        case O_VAL:
            if (!number_(a, &v) || (c == O_VAL && !(v >= 0 && v < 1))) {
                const char *name = "";
                for (const struct option *l = longs; l->name; l++)
                    if (l->val == c) name = l->name;
                return usage_error_("fit", "--%s %s: expected a number%s", name, a,
                                    c == O_VAL ? " in [0, 1)" : "");
            }
            if (c == O_BW) o->p.kernel.bandwidth = v;
            else if (c == O_EXP) o->p.kernel.exponent = v;
            else if (c == O_REG) o->p.reg = v;
            else o->val_fraction = v;
            break;
        case O_ITERS:
            if (!whole_(a, 1, 1000, &v))
                return usage_error_("fit", "--iters %s: expected an integer in 1..1000", a);
            o->p.iters = (int)v;
            break;
        case O_SAMPLE:
            if (!whole_(a, 1, 1e15, &v))
                return usage_error_("fit", "--agop-sample %s: expected an integer >= 1", a);
            o->p.agop_sample = (size_t)v;
            break;
        case O_SEED:
            if (!whole_(a, 0, 9007199254740992.0, &v))
                return usage_error_("fit", "--seed %s: expected an integer >= 0", a);
            o->p.seed = (uint64_t)v;
            break;
        case O_THREADS:
            if (!whole_(a, 1, 256, &v))
                return usage_error_("fit", "--threads %s: expected an integer in 1..256", a);
            o->threads = (int)v;
            break;
        default:
            return usage_error_("fit", "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return usage_error_("fit", "unexpected argument '%s'", argv[optind]);
    if (!o->data || !o->model) return usage_error_("fit", "--data and --model are required");
    const char *why = rfm_params_check(&o->p);
    if (why) return usage_error_("fit", "%s", why);
    return -1;
}

// M as CSV: a header of feature names, then d rows of d numbers (one row for diag).
static rfm_status write_metric_(const char *path, const rfm_model *m, const hx_prep *prep,
                                rfm_error *err) {
    size_t d = rfm_model_features(m), rows = rfm_model_params(m)->diag ? 1 : d;
    const double *M = rfm_model_metric(m);
    hx_csv_out out = {0};
    char name[512];
    for (size_t k = 0; k < d; k++) {
        hx_prep_feature_name(prep, k, name, sizeof name);
        hx_csv_out_str(&out, name);
    }
    rfm_status st = hx_csv_out_end(&out, err);
    for (size_t i = 0; i < rows && !st; i++) {
        for (size_t k = 0; k < d; k++) hx_csv_out_double(&out, M[i * d + k]);
        st = hx_csv_out_end(&out, err);
    }
    if (!st) st = hx_write_atomic(path, out.buf, out.len, err);
    hx_csv_out_free(&out);
    return st;
}

// Features and one-hot (or value) targets of rows; X and Y are new, owned by the caller.
static rfm_status part_(const hx_prep *prep, const hx_data *data, const size_t *rows, size_t n,
                        double **X, double **Y, rfm_error *err) {
    size_t d = hx_prep_features(prep), c = hx_data_info_get(data)->outputs;
    rfm_status st = rfm_alloc((void **)X, n, d, sizeof **X, "features", err);
    if (!st) st = rfm_alloc((void **)Y, n, c, sizeof **Y, "targets", err);
    if (!st) st = hx_prep_apply(prep, data, rows, n, *X, err);
    if (!st) hx_data_targets(data, rows, n, *Y, c, NULL);
    return st;
}

int hx_cmd_fit(int argc, char **argv) {
    fit_opts_ o;
    int rc = fit_parse_(argc, argv, &o);
    if (rc >= 0) return rc;
    if (o.threads) openblas_set_num_threads(o.threads);
    double t0 = rfm_seconds();
    rfm_error err = {RFM_OK, ""};
    hx_desc *desc = NULL;
    hx_data *data = NULL;
    hx_prep *prep = NULL;
    rfm_model *model = NULL;
    hx_pair split = {0};
    size_t *all = NULL;
    int *labels = NULL;
    double *X = NULL, *Y = NULL, *Xv = NULL, *Yv = NULL;
    char why[sizeof err.msg];
    rfm_status st = load_desc_(o.data, &desc, &err);
    if (!st && o.target) st = hx_desc_set_target(desc, o.target, &err);
    if (!st && o.task) st = hx_desc_set_task(desc, o.task, &err);
    if (!st) st = hx_data_load(desc, &data, &err);
    if (st) goto done;
    const hx_data_info *info = hx_data_info_get(data);
    size_t n = info->n, c = info->outputs;
    int cls = info->task == HX_CLASSIFICATION;
    if ((st = rfm_alloc((void **)&all, n, 1, sizeof *all, "rows", &err)) ||
        (st = rfm_alloc((void **)&labels, n, 1, sizeof *labels, "labels", &err)))
        goto done;
    for (size_t i = 0; i < n; i++) all[i] = i;
    hx_data_targets(data, all, n, NULL, 0, labels);
    const size_t *train = all;
    size_t n_train = n;
    if (o.val_fraction > 0) {
        st = hx_split_holdout(cls ? labels : NULL, info->n_classes, NULL, n, o.val_fraction,
                              o.p.seed, &split, &err);
        if (st) {
            memcpy(why, err.msg, sizeof why); // err.msg cannot be both source and target
            rfm_fail(&err, st, "%s: --val-fraction %g: %s", info->file, o.val_fraction, why);
            goto done;
        }
        train = split.train;
        n_train = split.n_train;
    }
    // The preprocessing sees the training rows only, as in the benchmark protocols.
    if ((st = hx_prep_fit(data, train, n_train, &prep, &err)) ||
        (st = part_(prep, data, train, n_train, &X, &Y, &err)))
        goto done;
    size_t d = hx_prep_features(prep);
    rfm_view vX = rfm_view_of(X, n_train, d), vY = rfm_view_of(Y, n_train, c), vXv, vYv;
    if (split.n_test) {
        if ((st = part_(prep, data, split.test, split.n_test, &Xv, &Yv, &err))) goto done;
        vXv = rfm_view_of(Xv, split.n_test, d);
        vYv = rfm_view_of(Yv, split.n_test, c);
    }
    o.p.score = cls ? RFM_SCORE_ACCURACY : RFM_SCORE_RMSE;
    st = rfm_fit(&o.p, NULL, &vX, &vY, split.n_test ? &vXv : NULL, split.n_test ? &vYv : NULL,
                 &model, &err);
    if (st) {
        memcpy(why, err.msg, sizeof why);
        rfm_fail(&err, st, "%s: fit failed: %s", info->file, why);
        goto done;
    }
    char prep_path[4096];
    if (snprintf(prep_path, sizeof prep_path, "%s.prep", o.model) >= (int)sizeof prep_path) {
        st = rfm_fail(&err, RFM_EINVAL, "%s: path too long", o.model);
        goto done;
    }
    if ((st = rfm_save(model, o.model, &err)) || (st = hx_prep_save(prep, prep_path, &err)))
        goto done;
    if (o.metric_out && (st = write_metric_(o.metric_out, model, prep, &err))) goto done;
    // The one summary line.
    int best = rfm_model_best_iter(model);
    size_t nh = 0;
    const rfm_iter_record *h = rfm_model_history(model, &nh);
    char cl[32] = "", val[96] = "";
    if (cls) snprintf(cl, sizeof cl, " classes=%zu", info->n_classes);
    else snprintf(cl, sizeof cl, " task=regression");
    if (split.n_test && best >= 0 && (size_t)best < nh)
        snprintf(val, sizeof val, " val_%s=%.4f (n_val=%zu)", cls ? "accuracy" : "rmse",
                 h[best].val_score, split.n_test);
    const char *note = rfm_model_note(model);
    printf("fit: n=%zu d=%zu%s iters=%zu best_iter=%d%s seconds=%.2f model=%s%s%s\n", n_train, d,
           cl, nh, best, val, rfm_seconds() - t0, o.model, note && *note ? " note: " : "",
           note ? note : "");
done:
    rfm_free(model);
    free(X);
    free(Y);
    free(Xv);
    free(Yv);
    free(all);
    free(labels);
    hx_pair_free(&split);
    hx_prep_free(prep);
    hx_data_free(data);
    hx_desc_free(desc);
    return st ? fail_(&err) : 0;
}

/* ---- predict ------------------------------------------------------------------------------ */

// The prediction file: row,prediction[,score_<class>...].
static rfm_status format_predictions_(const hx_prep_info *pi, const double *S, size_t n,
                                      size_t c, hx_csv_out *out, rfm_error *err) {
    int cls = pi->task == HX_CLASSIFICATION;
    char name[1024];
    hx_csv_out_str(out, "row");
    hx_csv_out_str(out, "prediction");
    for (size_t k = 0; cls && k < c; k++) {
        snprintf(name, sizeof name, "score_%s", pi->class_names[k]);
        hx_csv_out_str(out, name);
    }
    rfm_status st = hx_csv_out_end(out, err);
    for (size_t i = 0; i < n && !st; i++) {
        hx_csv_out_u64(out, (uint64_t)i);
        if (cls) {
            int lab;
            rfm_argmax(S + i * c, 1, c, &lab);
            hx_csv_out_str(out, pi->class_names[lab]);
            for (size_t k = 0; k < c; k++) hx_csv_out_double(out, S[i * c + k]);
        } else {
            hx_csv_out_double(out, S[i]);
        }
        st = hx_csv_out_end(out, err);
    }
    return st;
}

// `accuracy = ...` / `rmse = ...` over the rows whose target is known.
static void print_score_(FILE *fp, const hx_prep_info *pi, const hx_frame *f, const double *S,
                         size_t c) {
    if (!f->has_target) return;
    size_t right = 0, total = 0;
    double sse = 0;
    for (size_t i = 0; i < f->n; i++) {
        if (pi->task == HX_CLASSIFICATION) {
            if (f->labels[i] == -1) continue;
            int lab;
            rfm_argmax(S + i * c, 1, c, &lab);
            right += lab == f->labels[i]; // a class the model never saw (-2) counts as wrong
            total++;
        } else if (!isnan(f->y[i])) {
            sse += (S[i] - f->y[i]) * (S[i] - f->y[i]);
            total++;
        }
    }
    if (!total) return;
    if (pi->task == HX_CLASSIFICATION)
        fprintf(fp, "accuracy = %.4f (%zu/%zu)\n", (double)right / (double)total, right, total);
    else
        fprintf(fp, "rmse = %.6g (%zu rows)\n", sqrt(sse / (double)total), total);
}

int hx_cmd_predict(int argc, char **argv) {
    static const struct option longs[] = {
        {"model", required_argument, 0, O_MODEL}, {"data", required_argument, 0, O_DATA},
        {"out", required_argument, 0, O_OUT},     {"threads", required_argument, 0, O_THREADS},
        {"help", no_argument, 0, O_HELP},         {0, 0, 0, 0}};
    const char *model_path = NULL, *data_path = NULL, *out_path = NULL;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        double v;
        switch (c) {
        case 'h':
        case O_HELP: return predict_usage_(stdout);
        case O_MODEL: model_path = optarg; break;
        case O_DATA: data_path = optarg; break;
        case O_OUT: out_path = optarg; break;
        case O_THREADS:
            if (!whole_(optarg, 1, 256, &v))
                return usage_error_("predict", "--threads %s: expected an integer in 1..256",
                                    optarg);
            openblas_set_num_threads((int)v);
            break;
        default:
            return usage_error_("predict", "unknown or incomplete option '%s'",
                                argv[optind - 1]);
        }
    }
    if (optind < argc)
        return usage_error_("predict", "unexpected argument '%s'", argv[optind]);
    if (!model_path || !data_path)
        return usage_error_("predict", "--model and --data are required");
    rfm_error err = {RFM_OK, ""};
    rfm_model *model = NULL;
    hx_prep *prep = NULL;
    hx_desc *desc = NULL;
    hx_frame *f = NULL;
    double *S = NULL;
    hx_csv_out out = {0};
    char prep_path[4096];
    rfm_status st = RFM_OK;
    if (snprintf(prep_path, sizeof prep_path, "%s.prep", model_path) >= (int)sizeof prep_path)
        st = rfm_fail(&err, RFM_EINVAL, "%s: path too long", model_path);
    if (!st) st = rfm_load(model_path, &model, &err);
    if (!st) st = hx_prep_load(prep_path, &prep, &err);
    if (!st) st = load_desc_(data_path, &desc, &err);
    if (!st) st = hx_prep_frame(prep, desc, &f, &err);
    if (st) goto done;
    hx_prep_info pi = hx_prep_info_get(prep);
    size_t oc = rfm_model_outputs(model);
    if (rfm_model_features(model) != pi.d ||
        oc != (pi.task == HX_CLASSIFICATION ? pi.n_classes : 1)) {
        st = rfm_fail(&err, RFM_EFORMAT, "%s: does not match %s (%zu features, %zu outputs vs "
                      "%zu features, %zu classes)", model_path, prep_path,
                      rfm_model_features(model), oc, pi.d, pi.n_classes);
        goto done;
    }
    if ((st = rfm_alloc((void **)&S, f->n, oc, sizeof *S, "predictions", &err))) goto done;
    rfm_view Z = rfm_view_of(f->X, f->n, f->d);
    if ((st = rfm_predict(model, &Z, S, &err))) goto done;
    if ((st = format_predictions_(&pi, S, f->n, oc, &out, &err))) goto done;
    if (out_path) {
        if ((st = hx_write_atomic(out_path, out.buf, out.len, &err))) goto done;
        if (!f->has_target) printf("wrote %zu predictions to %s\n", f->n, out_path);
    } else if (fwrite(out.buf, 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
        st = rfm_fail(&err, RFM_EIO, "stdout: write failed");
        goto done;
    }
    print_score_(out_path ? stdout : stderr, &pi, f, S, oc);
done:
    hx_csv_out_free(&out);
    free(S);
    hx_frame_free(f);
    hx_desc_free(desc);
    hx_prep_free(prep);
    rfm_free(model);
    return st ? fail_(&err) : 0;
}
