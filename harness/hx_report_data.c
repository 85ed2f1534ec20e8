/* hx_report_data.c - what the report computes from a run directory: the per-dataset table
 * (scores as the leaderboard defines them, sizes, fit times, failures), the learned metrics
 * read back from RUN_DIR/metrics and summarised as diag(M) and the spectrum of M, and the small
 * text and naming helpers the other report files share. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hx_report_impl.h"

/* LAPACK's Fortran symbol, exported by OpenBLAS (LP64: Fortran INTEGER is int). */
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
             double *w, double *work, const int *lwork, int *iwork, const int *liwork,
             int *info);

/* ---- small shared helpers ------------------------------------------------------------------ */

void hx_rep_printf(hx_rep_buf *b, const char *fmt, ...) {
    if (b->failed) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->failed = 1;
            return;
        }
        if (b->s && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap ? b->cap : 4096;
        while (cap <= b->len + (size_t)n) cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->failed = 1;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
}

rfm_status hx_rep_buf_save(hx_rep_buf *b, const char *path, rfm_error *err) {
    rfm_status st = b->failed ? rfm_fail(err, RFM_ENOMEM, "%s: out of memory", path)
                              : hx_write_atomic(path, b->s ? b->s : "", b->len, err);
    free(b->s);
    memset(b, 0, sizeof *b);
    return st;
}

void hx_rep_note(char *note, size_t size, const char *fmt, ...) {
    size_t len = strlen(note);
    if (len + 1 >= size) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(note + len, size - len, fmt, ap);
    va_end(ap);
    len = strlen(note);
    if (len + 1 < size && (len == 0 || note[len - 1] != '\n')) {
        note[len] = '\n';
        note[len + 1] = '\0';
    }
}

void hx_report_safe_name(const char *s, char *buf, size_t size) {
    if (!size) return;
    size_t o = 0;
    for (; s && *s && o + 1 < size; s++) {
        char ch = *s;
        int keep = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                   ch == '.' || ch == '_' || ch == '+' || ch == '-';
        buf[o++] = keep ? ch : '_';
    }
    buf[o] = '\0';
    if (o == 0 && size > 1) {
        buf[0] = '_';
        buf[1] = '\0';
    }
    if (buf[0] == '.') buf[0] = '_';
}

void hx_report_metric_file(const char *dataset, const char *model, char *buf, size_t size) {
    char ds[256], md[256];
    hx_report_safe_name(dataset, ds, sizeof ds);
    hx_report_safe_name(model, md, sizeof md);
    snprintf(buf, size, "metrics/%s__%s.csv", ds, md);
}

/* ---- the per-dataset table ------------------------------------------------------------------ */

static const char *str_(const char *s) { return s ? s : ""; }

typedef struct {
    const hx_result_row *r;
    size_t i; /* position in the input: the later of two equal keys wins */
} ref_;

static int cmp_ref_(const void *a, const void *b) {
    const ref_ *x = a, *y = b;
    int c = strcmp(str_(x->r->dataset), str_(y->r->dataset));
    if (!c) c = strcmp(str_(x->r->model), str_(y->r->model));
    if (!c) c = (x->r->fold > y->r->fold) - (x->r->fold < y->r->fold);
    if (!c) c = (x->i > y->i) - (x->i < y->i);
    return c;
}

static long find_(const char *const *names, size_t n, const char *s) {
    for (size_t i = 0; i < n; i++)
        if (!strcmp(names[i], s)) return (long)i;
    return -1;
}

void hx_rep_table_free(hx_rep_table *t) {
    if (!t) return;
    free(t->dataset);
    free(t->model);
    free(t->n_rows);
    free(t->n_features);
    free(t->cell);
    free(t->in_d);
    free(t->failed);
    memset(t, 0, sizeof *t);
}

rfm_status hx_rep_table_build(const hx_result_row *rows, size_t n, const hx_board *b,
                              hx_rep_table *t, rfm_error *err) {
    memset(t, 0, sizeof *t);
    rfm_status st = RFM_OK;
    ref_ *ref = malloc((n ? n : 1) * sizeof *ref);
    size_t m = 0; // distinct (dataset, model, fold) rows
    t->dataset = malloc((n ? n : 1) * sizeof *t->dataset);
    t->model = malloc((n + (b ? b->k : 0) + 1) * sizeof *t->model);
    t->failed = malloc((n ? n : 1) * sizeof *t->failed);
    if (!ref || !t->dataset || !t->model || !t->failed) goto nomem;
    for (size_t i = 0; i < n; i++) ref[i] = (ref_){&rows[i], i};
    qsort(ref, n, sizeof *ref, cmp_ref_);
    for (size_t i = 0; i < n; i++) {
        const hx_result_row *r = ref[i].r;
        // A repeated fold (a resume, a rerun) keeps its last row, as the leaderboard does.
        if (i + 1 < n && !strcmp(str_(r->dataset), str_(ref[i + 1].r->dataset)) &&
            !strcmp(str_(r->model), str_(ref[i + 1].r->model)) && r->fold == ref[i + 1].r->fold)
            continue;
        ref[m++] = ref[i];
        if (!t->n_ds || strcmp(t->dataset[t->n_ds - 1], str_(r->dataset)))
            t->dataset[t->n_ds++] = str_(r->dataset);
    }
    // Models: the leaderboard's order, then any it lacks in order of appearance.
    for (size_t a = 0; b && a < b->k; a++) t->model[t->k++] = b->entry[a].model;
    for (size_t i = 0; i < n; i++)
        if (find_(t->model, t->k, str_(rows[i].model)) < 0) t->model[t->k++] = str_(rows[i].model);
    t->regression = b ? b->regression : 0;
    size_t nd = t->n_ds, k = t->k;
    t->n_rows = malloc((nd ? nd : 1) * sizeof *t->n_rows);
    t->n_features = malloc((nd ? nd : 1) * sizeof *t->n_features);
    t->in_d = calloc(nd ? nd : 1, 1);
    t->cell = calloc(nd * k + 1, sizeof *t->cell);
    double *sum = calloc(nd * k + 1, sizeof *sum), *fit = calloc(nd * k + 1, sizeof *fit);
    size_t *fit_n = calloc(nd * k + 1, sizeof *fit_n);
    if (!t->n_rows || !t->n_features || !t->in_d || !t->cell || !sum || !fit || !fit_n) {
        free(sum);
        free(fit);
        free(fit_n);
        goto nomem;
    }
    for (size_t j = 0; j < nd; j++) t->n_rows[j] = t->n_features[j] = -1;
    size_t j = 0;
    for (size_t i = 0; i < m; i++) {
        const hx_result_row *r = ref[i].r;
        while (strcmp(t->dataset[j], str_(r->dataset))) j++; // both walk in the same order
        size_t a = (size_t)find_(t->model, k, str_(r->model));
        hx_rep_cell *c = &t->cell[j * k + a];
        int ok = !strcmp(str_(r->status), "ok");
        double v = ok ? (t->regression ? r->test_rmse : r->test_accuracy)
                      : (t->regression ? r->constant_rmse : r->majority_accuracy);
        c->folds++;
        sum[j * k + a] += v;
        c->unscored |= !isfinite(v);
        if (!ok) {
            c->failed++;
            if (!c->error) c->error = str_(r->error);
            t->failed[t->n_failed++] = r;
        } else if (isfinite(r->fit_seconds)) {
            fit[j * k + a] += r->fit_seconds;
            fit_n[j * k + a]++;
        }
        if (r->n_train >= 0 && r->n_test >= 0 && r->n_train + r->n_test > t->n_rows[j])
            t->n_rows[j] = r->n_train + r->n_test;
        if (r->n_features > t->n_features[j]) t->n_features[j] = r->n_features;
    }
    for (j = 0; j < nd; j++) {
        int missing = 0, ok_any = 0, unscored = 0;
        for (size_t a = 0; a < k; a++) {
            hx_rep_cell *c = &t->cell[j * k + a];
            c->score = c->folds && !c->unscored ? sum[j * k + a] / (double)c->folds : NAN;
            c->fit_seconds = fit_n[j * k + a] ? fit[j * k + a] / (double)fit_n[j * k + a] : NAN;
            missing |= c->folds == 0;
            ok_any |= c->folds > c->failed;
            unscored |= c->unscored;
        }
        t->in_d[j] = !missing && ok_any && !unscored;
        t->n_in_d += t->in_d[j];
    }
    free(sum);
    free(fit);
    free(fit_n);
    goto done;
nomem:
    st = rfm_fail(err, RFM_ENOMEM, "report: no memory for %zu results rows", n);
    hx_rep_table_free(t);
done:
    free(ref);
    return st;
}

/* ---- learned metrics ------------------------------------------------------------------------ */

rfm_status hx_report_spectrum(const double *M, size_t d, int diag, double *m_diag, double *eig,
                              rfm_error *err) {
    if (d == 0) return RFM_OK;
    if (diag) {
        memcpy(m_diag, M, d * sizeof *M);
        memcpy(eig, M, d * sizeof *M);
        // Insertion sort, decreasing: d is a feature count, and this runs once per file.
        for (size_t i = 1; i < d; i++) {
            double v = eig[i];
            size_t p = i;
            for (; p > 0 && eig[p - 1] < v; p--) eig[p] = eig[p - 1];
            eig[p] = v;
        }
        return RFM_OK;
    }
    if (d > 46340) return rfm_fail(err, RFM_EINVAL, "metric: d = %zu is too large for LAPACK", d);
    rfm_status st = RFM_OK;
    double *A = NULL, *w = NULL, *work = NULL, wq = 0;
    int *iwork = NULL, n = (int)d, info = 0, lwork = -1, liwork = -1, iq = 0;
    if ((st = rfm_alloc((void **)&A, d, d, sizeof *A, "metric copy", err))) goto done;
    if ((st = rfm_alloc((void **)&w, d, 1, sizeof *w, "eigenvalues", err))) goto done;
    // The AGOP is symmetric up to rounding; average the triangles so neither one is favoured.
    for (size_t i = 0; i < d; i++) {
        m_diag[i] = M[i * d + i];
        for (size_t k = 0; k < d; k++) A[i * d + k] = 0.5 * (M[i * d + k] + M[k * d + i]);
    }
    dsyevd_("N", "L", &n, A, &n, w, &wq, &lwork, &iq, &liwork, &info);
    if (info != 0) {
        st = rfm_fail(err, RFM_ENUMERIC, "metric: eigenvalue workspace query failed (%d)", info);
        goto done;
    }
    lwork = (int)wq;
    liwork = iq > 0 ? iq : 1;
    if ((st = rfm_alloc((void **)&work, (size_t)lwork, 1, sizeof *work, "eigen workspace", err)) ||
        (st = rfm_alloc((void **)&iwork, (size_t)liwork, 1, sizeof *iwork, "eigen workspace",
                        err)))
        goto done;
    dsyevd_("N", "L", &n, A, &n, w, work, &lwork, iwork, &liwork, &info);
    if (info != 0) {
        st = rfm_fail(err, RFM_ENUMERIC, "metric: the eigensolver did not converge (%d)", info);
        goto done;
    }
    for (size_t i = 0; i < d; i++) eig[i] = w[d - 1 - i]; // LAPACK returns them ascending
done:
    free(A);
    free(w);
    free(work);
    free(iwork);
    return st;
}

static void metric_free_(hx_rep_metric *m) {
    for (size_t i = 0; m->names && i < m->d; i++) free(m->names[i]);
    free(m->names);
    free(m->m_diag);
    free(m->eig);
    memset(m, 0, sizeof *m);
}

void hx_rep_features_free(hx_rep_features *f, size_t n) {
    for (size_t i = 0; f && i < n; i++) {
        for (size_t a = 0; a < f[i].n; a++) metric_free_(&f[i].m[a]);
        free(f[i].m);
    }
    free(f);
}

/* Read one metric file into *m (names, diag, spectrum). */
static rfm_status metric_read_(const char *path, hx_rep_metric *m, rfm_error *err) {
    hx_rtable *t = NULL;
    double *M = NULL;
    rfm_status st = hx_rtable_read(path, &t, err);
    if (st) return st;
    size_t d = t->cols;
    int diag = t->rows == 1 && d > 1;
    if (t->rows != d && !diag) {
        st = rfm_fail(err, RFM_EFORMAT, "%s:%zu: %zu rows of numbers for %zu features: expected "
                      "%zu (M) or 1 (diag M)", path, t->line[0], t->rows, d, d);
        goto done;
    }
    m->d = d;
    if ((st = rfm_alloc((void **)&M, t->rows, d, sizeof *M, "metric", err)) ||
        (st = rfm_alloc((void **)&m->m_diag, d, 1, sizeof *m->m_diag, "metric", err)) ||
        (st = rfm_alloc((void **)&m->eig, d, 1, sizeof *m->eig, "metric", err)))
        goto done;
    if (!(m->names = calloc(d, sizeof *m->names))) {
        st = rfm_fail(err, RFM_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    for (size_t c = 0; c < d; c++) {
        if (!(m->names[c] = strdup(hx_rtable_cell(t, 0, c)))) {
            st = rfm_fail(err, RFM_ENOMEM, "%s: out of memory", path);
            goto done;
        }
    }
    for (size_t r = 1; r <= t->rows; r++) {
        for (size_t c = 0; c < d; c++) {
            const char *s = hx_rtable_cell(t, r, c);
            char *end;
            errno = 0;
            double v = strtod(s, &end);
            if (end == s || *end || !isfinite(v)) {
                st = rfm_fail(err, RFM_EFORMAT, "%s:%zu:%u: '%s' is not a finite number", path,
                              t->line[r], t->col[r * d + c], s);
                goto done;
            }
            M[(r - 1) * d + c] = v;
        }
    }
    st = hx_report_spectrum(M, d, diag, m->m_diag, m->eig, err);
    // Exactly I (what M_0 is), not merely close: a learned AGOP is never the identity.
    m->identity = 1;
    for (size_t r = 0; r < t->rows && !st; r++)
        for (size_t c = 0; c < d; c++)
            m->identity &= M[r * d + c] == (diag || r == c ? 1.0 : 0.0);
done:
    hx_rtable_free(t);
    free(M);
    if (st) metric_free_(m);
    return st;
}

rfm_status hx_rep_features_load(const hx_rep_table *t, const char *run_dir,
                                hx_rep_features **out, size_t *n_out, rfm_error *err) {
    *out = NULL;
    *n_out = 0;
    rfm_status st = RFM_OK;
    hx_rep_features *f = calloc(t->n_ds + 1, sizeof *f);
    size_t nf = 0;
    if (!f) return rfm_fail(err, RFM_ENOMEM, "report: out of memory");
    for (size_t j = 0; j < t->n_ds && !st; j++) {
        hx_rep_features *e = &f[nf];
        e->dataset = t->dataset[j];
        for (size_t a = 0; a < t->k; a++) {
            char rel[700], path[4800];
            hx_report_metric_file(t->dataset[j], t->model[a], rel, sizeof rel);
            snprintf(path, sizeof path, "%s/%s", run_dir, rel);
            FILE *fp = fopen(path, "rb");
            if (!fp) continue; // a model without a learned metric, or not written yet
            fclose(fp);
            if (!e->m && !(e->m = calloc(t->k, sizeof *e->m))) {
                st = rfm_fail(err, RFM_ENOMEM, "report: out of memory");
                break;
            }
            if ((st = metric_read_(path, &e->m[e->n], err))) break;
            e->m[e->n++].model = t->model[a];
        }
        if (e->n) {
            nf++;
        } else {
            free(e->m);
            e->m = NULL;
        }
    }
    if (st) {
        hx_rep_features_free(f, nf + 1);
        return st;
    }
    *out = f;
    *n_out = nf;
    return RFM_OK;
}

rfm_status hx_rep_features_save(const hx_rep_features *f, const char *path, rfm_error *err) {
    hx_csv_out o = {0};
    rfm_status st = RFM_OK;
    hx_csv_out_str(&o, "model");
    hx_csv_out_str(&o, "k");
    hx_csv_out_str(&o, "feature");
    hx_csv_out_str(&o, "m_diag");
    hx_csv_out_str(&o, "eigenvalue");
    st = hx_csv_out_end(&o, err);
    for (size_t a = 0; a < f->n && !st; a++) {
        const hx_rep_metric *m = &f->m[a];
        for (size_t i = 0; i < m->d && !st; i++) {
            hx_csv_out_str(&o, m->model);
            hx_csv_out_u64(&o, (uint64_t)i);
            hx_csv_out_str(&o, m->names[i]);
            hx_csv_out_double(&o, m->m_diag[i]);
            hx_csv_out_double(&o, m->eig[i]);
            st = hx_csv_out_end(&o, err);
        }
    }
    if (!st) st = hx_write_atomic(path, o.buf, o.len, err);
    hx_csv_out_free(&o);
    return st;
}
