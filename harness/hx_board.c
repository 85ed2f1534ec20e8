/* hx_board.c - leaderboard metrics (uci121-protocol.md section 7): the incomplete gamma for the
 * Friedman p-value, the k x N metric kernel, aggregation of results rows into dataset scores
 * with constant-predictor imputation, the two leaderboard files, the terminal table, and the
 * `rfmbench leaderboard` subcommand. */
#include "hx_board.h"
#include "hx_util.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- special functions and tables ------------------------------------------------------------ */

// Studentized range upper 5% points (infinite dof) / sqrt 2, k = 2..10 (protocol section 7.3).
static const double Q05_[11] = {NAN,     NAN,     1.95996, 2.34370, 2.56903, 2.72777,
                                2.84971, 2.94832, 3.03088, 3.10173, 3.16368};

double hx_nemenyi_q05(size_t k) { return (k >= 2 && k <= 10) ? Q05_[k] : NAN; }

// x^a e^-x / Gamma(a), in logs so that large a or x neither overflow nor underflow early.
static double gamma_prefix_(double a, double x) { return exp(a * log(x) - x - lgamma(a)); }

double hx_gamma_q(double a, double x) {
    if (!(a > 0) || !(x >= 0) || isinf(a)) return NAN;
    if (x == 0) return 1.0;
    if (isinf(x)) return 0.0;
    const double eps = 1e-16;
    const double tiny = 1e-300; // keeps Lentz's ratios away from 0/0
    if (x < a + 1) {
        // P(a,x) = prefix * sum_n x^n / (a (a+1) ... (a+n)): all terms positive, and they shrink
        // geometrically once a + n > x, which holds from the start here. Q = 1 - P is >= ~0.3
        // in this region, so the subtraction loses no relative accuracy that matters.
        double term = 1.0 / a, sum = term;
        for (int n = 1; n < 10000; n++) {
            term *= x / (a + n);
            sum += term;
            if (term < sum * eps) break;
        }
        double q = 1.0 - sum * gamma_prefix_(a, x);
        return q < 0 ? 0 : q;
    }
    // Q(a,x) = prefix * 1/(x+1-a- 1(1-a)/(x+3-a- 2(2-a)/(x+5-a- ...))), evaluated forwards by the
    // modified Lentz method; it converges fast for x > a + 1.
    double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
    for (int i = 1; i < 10000; i++) {
        double an = -i * (i - a);
        b += 2;
        d = an * d + b;
        if (fabs(d) < tiny) d = tiny;
        c = b + an / c;
        if (fabs(c) < tiny) c = tiny;
        d = 1 / d;
        double delta = d * c;
        h *= delta;
        if (fabs(delta - 1) < eps) break;
    }
    return h * gamma_prefix_(a, x);
}

double hx_chi2_sf(double x, double dof) { return hx_gamma_q(dof / 2, x / 2); }

/* ---- the k x N metric kernel -------------------------------------------------------------- */

rfm_status hx_board_metrics(const double *S, size_t k, size_t N, int lower_is_better,
                            hx_board_model_stats *m, hx_board_run_stats *run, rfm_error *err) {
    if (k == 0) return rfm_fail(err, RFM_EINVAL, "k = 0: no model to rank");
    for (size_t i = 0; i < k * N; i++) {
        if (!isfinite(S[i])) {
            return rfm_fail(err, RFM_EINVAL, "score of model %zu on dataset %zu is %g: must be "
                            "finite", i / N, i % N, S[i]);
        }
    }
    memset(m, 0, k * sizeof *m);
    run->friedman_chi2 = run->friedman_p = run->iman_davenport_f = run->nemenyi_cd = NAN;
    run->cd_note = NULL;
    const double sign = lower_is_better ? -1.0 : 1.0; // compare sign*s: larger is better
    for (size_t j = 0; j < N; j++) {
        double best = S[j];
        for (size_t a = 1; a < k; a++) {
            if (sign * S[a * N + j] > sign * best) best = S[a * N + j];
        }
        for (size_t a = 0; a < k; a++) {
            double s = S[a * N + j];
            size_t better = 0, tied = 0; // tied counts a itself
            for (size_t b = 0; b < k; b++) {
                double dlt = sign * (S[b * N + j] - s);
                if (fabs(dlt) <= HX_BOARD_TIE) tied++;
                else if (dlt > 0) better++;
            }
            // the tie group occupies positions better+1 .. better+tied; it gets their mean
            m[a].avg_rank += (double)better + (double)(tied + 1) / 2.0;
            // relative score in [0, 1]: s/best, or best/s for RMSE; a zero best (or a zero RMSE)
            // makes every model "at the maximum" (section 7.1)
            double ratio;
            if (lower_is_better) ratio = s == 0 ? 1.0 : best / s;
            else ratio = best == 0 ? 1.0 : s / best;
            m[a].pma += ratio;
            m[a].p90 += ratio >= 0.90 - 1e-12 ? 1.0 : 0.0;
            m[a].p95 += ratio >= 0.95 - 1e-12 ? 1.0 : 0.0;
            m[a].wins += fabs(s - best) <= HX_BOARD_TIE;
            m[a].mean += s;
        }
    }
    double dN = (double)N, dk = (double)k;
    for (size_t a = 0; a < k; a++) {
        if (N == 0) {
            m[a].mean = m[a].std = m[a].avg_rank = m[a].p90 = m[a].p95 = m[a].pma = NAN;
            continue;
        }
        m[a].mean /= dN;
        m[a].avg_rank /= dN;
        m[a].p90 /= dN;
        m[a].p95 /= dN;
        m[a].pma /= dN;
        double ss = 0; // two passes: no cancellation in the variance
        for (size_t j = 0; j < N; j++) {
            double dev = S[a * N + j] - m[a].mean;
            ss += dev * dev;
        }
        m[a].std = N > 1 ? sqrt(ss / (dN - 1)) : NAN;
    }
    if (k < 2 || N == 0) {
        run->cd_note = k < 2 ? "k = 1: a single model has nothing to be compared with"
                             : "N = 0: no dataset to rank on";
        return RFM_OK;
    }
    double r2 = 0;
    for (size_t a = 0; a < k; a++) r2 += m[a].avg_rank * m[a].avg_rank;
    double chi2 = 12.0 * dN / (dk * (dk + 1)) * (r2 - dk * (dk + 1) * (dk + 1) / 4.0);
    if (chi2 < 0) chi2 = 0; // identical rankings give 0 up to rounding; it cannot be negative
    run->friedman_chi2 = chi2;
    run->friedman_p = hx_chi2_sf(chi2, dk - 1);
    if (N >= 2) { // the F's second dof, (k-1)(N-1), is 0 for N = 1
        double den = dN * (dk - 1) - chi2;
        // chi2 reaches N(k-1) when all datasets rank the models alike: F is then infinite
        run->iman_davenport_f = den <= 1e-12 * dN * (dk - 1) ? INFINITY : (dN - 1) * chi2 / den;
    }
    double q = hx_nemenyi_q05(k);
    if (isnan(q)) run->cd_note = "k > 10: the q_0.05 table covers k = 2..10";
    else run->nemenyi_cd = q * sqrt(dk * (dk + 1) / (6.0 * dN));
    return RFM_OK;
}

/* ---- aggregation ---------------------------------------------------------------------------- */

static const char *name_(const char *s) { return s ? s : ""; }

static int cmp_str_(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

// Sorted unique names; *u receives the count. names: n borrowed pointers, sorted in place.
static size_t unique_(const char **names, size_t n) {
    qsort(names, n, sizeof *names, cmp_str_);
    size_t u = 0;
    for (size_t i = 0; i < n; i++) {
        if (u == 0 || strcmp(names[u - 1], names[i]) != 0) names[u++] = names[i];
    }
    return u;
}

static size_t find_(const char **names, size_t n, const char *s) {
    const char **p = bsearch(&s, names, n, sizeof *names, cmp_str_);
    return (size_t)(p - names);
}

typedef struct {
    size_t d, m, i; // dataset id, model id, row index
    long fold;
} key_;

static int cmp_key_(const void *pa, const void *pb) {
    const key_ *a = pa, *b = pb;
    if (a->d != b->d) return a->d < b->d ? -1 : 1;
    if (a->m != b->m) return a->m < b->m ? -1 : 1;
    if (a->fold != b->fold) return a->fold < b->fold ? -1 : 1;
    return a->i < b->i ? -1 : (a->i > b->i);
}

typedef struct {
    size_t folds;
    double sum;      // of fold scores, imputed ones included
    int failed;      // some fold imputed
    int ok_any;      // some fold succeeded
    int unscored;    // some fold has neither a score nor an imputation
    double fit_sum;
    size_t fit_n;
} cell_;

static void note_(hx_board *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note_(hx_board *b, const char *fmt, ...) {
    size_t used = strlen(b->note);
    if (used + 1 >= sizeof b->note) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->note + used, sizeof b->note - used, fmt, ap); // truncates when full
    va_end(ap);
}

// One note line: "left out <count> dataset(s) <why>: a, b, c".
static void note_list_(hx_board *b, const char *why, const char **dnames, const int *cls,
                       size_t nd, int which, size_t count) {
    if (count == 0) return;
    note_(b, "left out %zu dataset%s %s:", count, count == 1 ? "" : "s", why);
    for (size_t j = 0; j < nd; j++) {
        if (cls[j] == which) note_(b, " %s", dnames[j]);
    }
    note_(b, "\n");
}

static int cmp_entry_(const void *pa, const void *pb) {
    const hx_board_entry *a = pa, *b = pb;
    double x = a->s.avg_rank, y = b->s.avg_rank;
    if (!isnan(x) || !isnan(y)) {
        if (isnan(x)) return 1; // undefined ranks go last
        if (isnan(y)) return -1;
        if (x != y) return x < y ? -1 : 1;
    }
    return strcmp(a->model, b->model);
}

void hx_board_free(hx_board *b) {
    if (!b) return;
    for (size_t a = 0; b->entry && a < b->k; a++) free(b->entry[a].model);
    free(b->entry);
    free(b);
}

enum { IN_D_ = 0, INCOMPLETE_, ALL_FAILED_, UNSCORED_ };

rfm_status hx_board_build(const hx_result_row *rows, size_t n, hx_board **out, rfm_error *err) {
    *out = NULL;
    rfm_status st = RFM_OK;
    hx_board *b = calloc(1, sizeof *b);
    const char **mnames = malloc((n ? n : 1) * sizeof *mnames);
    const char **dnames = malloc((n ? n : 1) * sizeof *dnames);
    key_ *keys = malloc((n ? n : 1) * sizeof *keys);
    cell_ *cells = NULL;
    int *cls = NULL;
    size_t *inD = NULL;
    double *S = NULL;
    hx_board_model_stats *ms = NULL;
    if (!b || !mnames || !dnames || !keys) goto nomem;
    for (size_t i = 0; i < n; i++) {
        mnames[i] = name_(rows[i].model);
        dnames[i] = name_(rows[i].dataset);
    }
    size_t k = unique_(mnames, n), nd = unique_(dnames, n);
    // Regression when no row carries any accuracy, and some carries an RMSE.
    int any_acc = 0, any_rmse = 0;
    for (size_t i = 0; i < n; i++) {
        any_acc |= !isnan(rows[i].test_accuracy) || !isnan(rows[i].majority_accuracy);
        any_rmse |= !isnan(rows[i].test_rmse);
    }
    b->regression = !any_acc && any_rmse;
    cells = calloc(nd * k + 1, sizeof *cells); // + 1: never a zero-size request
    cls = calloc(nd ? nd : 1, sizeof *cls);
    inD = calloc(nd ? nd : 1, sizeof *inD);
    b->entry = calloc(k ? k : 1, sizeof *b->entry);
    ms = calloc(k ? k : 1, sizeof *ms);
    if (!cells || !cls || !inD || !b->entry || !ms) goto nomem;
    b->k = k;
    for (size_t a = 0; a < k; a++) {
        if (!(b->entry[a].model = strdup(mnames[a]))) goto nomem;
    }
    for (size_t i = 0; i < n; i++) {
        keys[i] = (key_){find_(dnames, nd, name_(rows[i].dataset)),
                         find_(mnames, k, name_(rows[i].model)), i, rows[i].fold};
    }
    qsort(keys, n, sizeof *keys, cmp_key_);
    for (size_t t = 0; t < n; t++) {
        const key_ *q = &keys[t];
        // A rerun fold (a resume, or the same run in two files) appears twice: the later wins.
        if (t + 1 < n && q[1].d == q->d && q[1].m == q->m && q[1].fold == q->fold) {
            b->n_duplicates++;
            continue;
        }
        const hx_result_row *r = &rows[q->i];
        cell_ *c = &cells[q->d * k + q->m];
        int ok = strcmp(name_(r->status), "ok") == 0;
        double v;
        if (ok) v = b->regression ? r->test_rmse : r->test_accuracy;
        else v = b->regression ? r->constant_rmse : r->majority_accuracy; // section 7.6
        c->folds++;
        c->sum += v;
        c->failed |= !ok;
        c->ok_any |= ok;
        c->unscored |= !isfinite(v);
        if (ok && isfinite(r->fit_seconds)) {
            c->fit_sum += r->fit_seconds;
            c->fit_n++;
        }
    }
    size_t N = 0;
    for (size_t j = 0; j < nd; j++) {
        int missing = 0, ok_any = 0, unscored = 0;
        for (size_t a = 0; a < k; a++) {
            const cell_ *c = &cells[j * k + a];
            missing |= c->folds == 0;
            ok_any |= c->ok_any;
            unscored |= c->unscored;
        }
        cls[j] = missing ? INCOMPLETE_ : !ok_any ? ALL_FAILED_ : unscored ? UNSCORED_ : IN_D_;
        if (cls[j] == IN_D_) inD[N++] = j;
        b->n_incomplete += cls[j] == INCOMPLETE_;
        b->n_all_failed += cls[j] == ALL_FAILED_;
        b->n_unscored += cls[j] == UNSCORED_;
    }
    b->n = N;
    if (!(S = malloc((k * N + 1) * sizeof *S))) goto nomem;
    for (size_t a = 0; a < k; a++) {
        hx_board_entry *e = &b->entry[a];
        double fit_sum = 0;
        size_t fit_n = 0;
        e->n_datasets = N;
        for (size_t t = 0; t < N; t++) {
            const cell_ *c = &cells[inD[t] * k + a];
            S[a * N + t] = c->sum / (double)c->folds;
            e->n_failed += (size_t)c->failed;
            fit_sum += c->fit_sum;
            fit_n += c->fit_n;
        }
        e->mean_fit_seconds = fit_n ? fit_sum / (double)fit_n : NAN;
    }
    b->run = (hx_board_run_stats){NAN, NAN, NAN, NAN, "k = 0: there are no results rows"};
    if (k > 0) {
        if ((st = hx_board_metrics(S, k, N, b->regression, ms, &b->run, err)) != RFM_OK) goto done;
        for (size_t a = 0; a < k; a++) b->entry[a].s = ms[a];
    }
    qsort(b->entry, k, sizeof *b->entry, cmp_entry_);
    note_list_(b, "on which every model failed every fold", dnames, cls, nd, ALL_FAILED_,
               b->n_all_failed);
    note_list_(b, "that some model has no rows for", dnames, cls, nd, INCOMPLETE_, b->n_incomplete);
    note_list_(b, b->regression ? "with a failed fold but no constant_rmse to impute it"
                                : "with a fold that has no accuracy and no majority_accuracy",
               dnames, cls, nd, UNSCORED_, b->n_unscored);
    if (b->n_duplicates) {
        note_(b, "%zu repeated (dataset, model, fold) rows: the last one of each was used\n",
              b->n_duplicates);
    }
    if (k > 0 && N == 0) note_(b, "no dataset is left to compare the models on\n");
    if (b->run.cd_note) note_(b, "nemenyi_cd_0.05 is empty: %s\n", b->run.cd_note);
    *out = b;
    b = NULL;
    goto done;
nomem:
    st = rfm_fail(err, RFM_ENOMEM, "leaderboard: no memory for %zu results rows", n);
done:
    hx_board_free(b);
    free(mnames);
    free(dnames);
    free(keys);
    free(cells);
    free(cls);
    free(inD);
    free(S);
    free(ms);
    return st;
}

/* ---- files and the terminal table --------------------------------------------------------- */

static rfm_status save_(const char *dir, const char *file, hx_csv_out *l, rfm_error *err) {
    char path[4096];
    int w = snprintf(path, sizeof path, "%s/%s", dir, file);
    if (w < 0 || (size_t)w >= sizeof path) return rfm_fail(err, RFM_EIO, "%s: path too long", dir);
    return hx_write_atomic(path, l->buf, l->len, err);
}

static void header_(hx_csv_out *l, const char *const *cols, size_t n) {
    for (size_t c = 0; c < n; c++) hx_csv_out_str(l, cols[c]);
}

rfm_status hx_board_save(const hx_board *b, const char *out_dir, rfm_error *err) {
    static const char *const lb_cols[] = {
        "model", "n_datasets", "n_failed", "mean_accuracy", "std_accuracy", "avg_rank", "p90",
        "p95", "pma", "wins", "mean_fit_seconds", "mean_rmse", "std_rmse"};
    static const char *const st_cols[] = {
        "n_models", "n_datasets", "friedman_chi2", "friedman_p", "iman_davenport_f",
        "nemenyi_cd_0.05", "metric", "n_datasets_all_failed", "n_datasets_incomplete",
        "n_datasets_unscored"};
    hx_csv_out l = {0};
    rfm_status st;
    header_(&l, lb_cols, sizeof lb_cols / sizeof *lb_cols);
    if ((st = hx_csv_out_end(&l, err)) != RFM_OK) goto done;
    for (size_t a = 0; a < b->k; a++) {
        const hx_board_entry *e = &b->entry[a];
        double acc = b->regression ? NAN : e->s.mean, acc_sd = b->regression ? NAN : e->s.std;
        hx_csv_out_str(&l, e->model);
        hx_csv_out_long(&l, (long)e->n_datasets);
        hx_csv_out_long(&l, (long)e->n_failed);
        hx_csv_out_double(&l, acc);
        hx_csv_out_double(&l, acc_sd);
        hx_csv_out_double(&l, e->s.avg_rank);
        hx_csv_out_double(&l, e->s.p90);
        hx_csv_out_double(&l, e->s.p95);
        hx_csv_out_double(&l, e->s.pma);
        hx_csv_out_long(&l, (long)e->s.wins);
        hx_csv_out_fixed(&l, e->mean_fit_seconds, 3);
        hx_csv_out_double(&l, b->regression ? e->s.mean : NAN);
        hx_csv_out_double(&l, b->regression ? e->s.std : NAN);
        if ((st = hx_csv_out_end(&l, err)) != RFM_OK) goto done;
    }
    if ((st = save_(out_dir, "leaderboard.csv", &l, err)) != RFM_OK) goto done;
    hx_csv_out_reset(&l);
    header_(&l, st_cols, sizeof st_cols / sizeof *st_cols);
    if ((st = hx_csv_out_end(&l, err)) != RFM_OK) goto done;
    hx_csv_out_long(&l, (long)b->k);
    hx_csv_out_long(&l, (long)b->n);
    hx_csv_out_double(&l, b->run.friedman_chi2);
    hx_csv_out_double(&l, b->run.friedman_p);
    hx_csv_out_double(&l, b->run.iman_davenport_f);
    hx_csv_out_double(&l, b->run.nemenyi_cd);
    hx_csv_out_str(&l, b->regression ? "rmse" : "accuracy");
    hx_csv_out_long(&l, (long)b->n_all_failed);
    hx_csv_out_long(&l, (long)b->n_incomplete);
    hx_csv_out_long(&l, (long)b->n_unscored);
    if ((st = hx_csv_out_end(&l, err)) != RFM_OK) goto done;
    st = save_(out_dir, "leaderboard_stats.csv", &l, err);
done:
    hx_csv_out_free(&l);
    return st;
}

// "%.*f" of v, or "-" for an undefined value.
static const char *num_(char *buf, size_t size, double v, int prec) {
    if (isnan(v)) snprintf(buf, size, "-");
    else snprintf(buf, size, "%.*f", prec, v);
    return buf;
}

void hx_board_print(const hx_board *b, FILE *fp) {
    int w = 5;
    for (size_t a = 0; a < b->k; a++) {
        size_t len = strlen(b->entry[a].model);
        if (len > (size_t)w) w = len > 60 ? 60 : (int)len;
    }
    fprintf(fp, "%-*s %4s %-13s %7s %8s %6s %6s %6s %5s %9s\n", w, "model", "N",
            b->regression ? "mean_rmse" : "mean_accuracy", "std", "avg_rank", "p90", "p95", "pma",
            "wins", "fit_s");
    for (size_t a = 0; a < b->k; a++) {
        const hx_board_entry *e = &b->entry[a];
        char sc[48], c1[32], c2[32], c3[32], c4[32], c5[32], c6[32];
        num_(sc, sizeof sc, e->s.mean, 4);
        if (e->n_failed) snprintf(sc + strlen(sc), sizeof sc - strlen(sc), " (%zu)", e->n_failed);
        fprintf(fp, "%-*s %4zu %-13s %7s %8s %6s %6s %6s %5zu %9s\n", w, e->model, e->n_datasets,
                sc, num_(c1, sizeof c1, e->s.std, 4), num_(c2, sizeof c2, e->s.avg_rank, 3),
                num_(c3, sizeof c3, e->s.p90, 3), num_(c4, sizeof c4, e->s.p95, 3),
                num_(c5, sizeof c5, e->s.pma, 4), e->s.wins,
                num_(c6, sizeof c6, e->mean_fit_seconds, 3));
    }
    fprintf(fp, "k = %zu models, N = %zu datasets; Friedman chi2 = %.4g (p = %.4g), "
            "Iman-Davenport F = %.4g, Nemenyi CD(0.05) = %.4g\n", b->k, b->n,
            b->run.friedman_chi2, b->run.friedman_p, b->run.iman_davenport_f, b->run.nemenyi_cd);
    for (const char *p = b->note; *p;) {
        size_t len = strcspn(p, "\n");
        fprintf(fp, "note: %.*s\n", (int)len, p);
        p += len + (p[len] == '\n');
    }
}

rfm_status hx_board_write(const hx_result_row *rows, size_t n, const char *out_dir, char *note,
                          size_t note_size, rfm_error *err) {
    hx_board *b = NULL;
    rfm_status st = hx_board_build(rows, n, &b, err);
    if (st == RFM_OK) st = hx_board_save(b, out_dir, err);
    if (note && note_size) snprintf(note, note_size, "%s", b ? b->note : "");
    hx_board_free(b);
    return st;
}

/* ---- rfmbench leaderboard ------------------------------------------------------------------ */

static const char USAGE_[] =
    "usage: rfmbench leaderboard RESULTS.csv... [--out DIR]\n"
    "Recompute leaderboard.csv and leaderboard_stats.csv from one or more results files.\n"
    "  --out DIR   where to write them (default: the folder of the first results file)\n"
    "  -h, --help  show this help\n";

int hx_cmd_leaderboard(int argc, char **argv) {
    const char *out = NULL;
    int nfiles = 0, rc = 1;
    char **files = calloc((size_t)(argc > 0 ? argc : 1), sizeof *files);
    hx_result_row *all = NULL;
    size_t total = 0;
    hx_board *b = NULL;
    rfm_error err = {0};
    if (!files) {
        fprintf(stderr, "rfmbench: leaderboard: out of memory\n");
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(USAGE_, stdout);
            rc = 0;
            goto done;
        } else if (strcmp(a, "--out") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "rfmbench: leaderboard: --out needs a folder\n");
                rc = 2;
                goto done;
            }
            out = argv[++i];
        } else if (strncmp(a, "--out=", 6) == 0) {
            out = a + 6;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "rfmbench: leaderboard: unknown option '%s' (see --help)\n", a);
            rc = 2;
            goto done;
        } else {
            files[nfiles++] = argv[i];
        }
    }
    if (nfiles == 0) {
        fprintf(stderr, "rfmbench: leaderboard: no results file given (see --help)\n");
        rc = 2;
        goto done;
    }
    for (int f = 0; f < nfiles; f++) {
        hx_result_row *rows = NULL;
        size_t n = 0, torn = 0;
        if (hx_results_read_ex(files[f], &rows, &n, &torn, &err) != RFM_OK) {
            fprintf(stderr, "rfmbench: %s\n", err.msg);
            goto done;
        }
        if (torn) fprintf(stderr, "rfmbench: %s: ignored a torn last line\n", files[f]);
        hx_result_row *grown = realloc(all, (total + n + 1) * sizeof *all);
        if (!grown) {
            hx_result_rows_free(rows, n);
            fprintf(stderr, "rfmbench: %s: out of memory\n", files[f]);
            goto done;
        }
        all = grown;
        memcpy(all + total, rows, n * sizeof *rows); // the strings move with the structs
        total += n;
        free(rows);
    }
    char dir[4096];
    if (out) {
        snprintf(dir, sizeof dir, "%s", out);
    } else { // the folder of the first results file
        const char *slash = strrchr(files[0], '/');
        if (!slash) snprintf(dir, sizeof dir, ".");
        else snprintf(dir, sizeof dir, "%.*s", slash == files[0] ? 1 : (int)(slash - files[0]),
                      files[0]);
    }
    if (hx_mkdirs(dir) != 0) {
        fprintf(stderr, "rfmbench: %s: %s\n", dir, strerror(errno));
        goto done;
    }
    if (hx_board_build(all, total, &b, &err) != RFM_OK || hx_board_save(b, dir, &err) != RFM_OK) {
        fprintf(stderr, "rfmbench: %s\n", err.msg);
        goto done;
    }
    hx_board_print(b, stdout);
    rc = 0;
done:
    hx_board_free(b);
    hx_result_rows_free(all, total);
    free(files);
    return rc;
}
