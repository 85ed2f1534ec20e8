/* hx_report.c - `rfmbench report`: read a run directory, build the per-dataset table and the
 * leaderboard, write the tables, the learned-feature files, the plots and the page (see
 * hx_report.h for the files and their columns). */
#include "hx_report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hx_report_impl.h"
#include "hx_util.h"

#define INSTALL_HINT_ "apt-get install gnuplot-nox"

static const char USAGE_[] =
    "usage: rfmbench report RUN_DIR [--out DIR] [--png] [--dataset NAME]\n"
    "Write a report page (index.html, report.md) with plots for a run directory.\n"
    "  --out DIR        where to write it (default RUN_DIR/report)\n"
    "  --png            PNG copies of the plots too (the page uses the SVGs)\n"
    "  --dataset NAME   the dataset whose learned feature importances are plotted\n"
    "                   (default: the first, by name, with a learned metric)\n"
    "Plots need gnuplot (" INSTALL_HINT_ "); without it the tables, data files and\n"
    "scripts are still written. $RFMBENCH_GNUPLOT names another gnuplot program.\n";

/* The whole of a small text file, NUL-terminated, or NULL (missing, unreadable, > 4 MiB). */
static char *slurp_(const char *path) {
    FILE *fp = fopen(path, "rb");
    if (!fp) return NULL;
    char *s = NULL;
    long len = -1;
    if (fseek(fp, 0, SEEK_END) == 0) len = ftell(fp);
    if (len >= 0 && len <= (4L << 20) && fseek(fp, 0, SEEK_SET) == 0 &&
        (s = malloc((size_t)len + 1)) != NULL) {
        size_t got = fread(s, 1, (size_t)len, fp);
        s[got] = '\0';
    }
    fclose(fp);
    return s;
}

/* scores.csv: dataset,n_rows,n_features,in_leaderboard, then one score column per model. */
static rfm_status save_scores_(const hx_rep_table *t, const char *out, rfm_error *err) {
    hx_csv_out o = {0};
    const char *hdr[] = {"dataset", "n_rows", "n_features", "in_leaderboard"};
    for (size_t i = 0; i < 4; i++) hx_csv_out_str(&o, hdr[i]);
    for (size_t a = 0; a < t->k; a++) hx_csv_out_str(&o, t->model[a]);
    rfm_status st = hx_csv_out_end(&o, err);
    for (size_t j = 0; j < t->n_ds && !st; j++) {
        hx_csv_out_str(&o, t->dataset[j]);
        hx_csv_out_long(&o, t->n_rows[j]);
        hx_csv_out_long(&o, t->n_features[j]);
        hx_csv_out_long(&o, t->in_d[j]);
        for (size_t a = 0; a < t->k; a++) hx_csv_out_double(&o, t->cell[j * t->k + a].score);
        st = hx_csv_out_end(&o, err);
    }
    char path[4600];
    snprintf(path, sizeof path, "%s/scores.csv", out);
    if (!st) st = hx_write_atomic(path, o.buf, o.len, err);
    hx_csv_out_reset(&o);
    // failures.csv: dataset,model,fold,error.
    const char *fh[] = {"dataset", "model", "fold", "error"};
    for (size_t i = 0; i < 4; i++) hx_csv_out_str(&o, fh[i]);
    if (!st) st = hx_csv_out_end(&o, err);
    for (size_t i = 0; i < t->n_failed && !st; i++) {
        const hx_result_row *r = t->failed[i];
        hx_csv_out_str(&o, r->dataset);
        hx_csv_out_str(&o, r->model);
        hx_csv_out_long(&o, r->fold);
        hx_csv_out_str(&o, r->error);
        st = hx_csv_out_end(&o, err);
    }
    snprintf(path, sizeof path, "%s/failures.csv", out);
    if (!st) st = hx_write_atomic(path, o.buf, o.len, err);
    hx_csv_out_free(&o);
    return st;
}

rfm_status hx_report_write(const hx_report_opts *o, hx_report_summary *sum, rfm_error *err) {
    hx_report_summary local;
    if (!sum) sum = &local;
    memset(sum, 0, sizeof *sum);
    rfm_status st = RFM_OK;
    hx_result_row *rows = NULL;
    size_t n = 0, torn = 0, n_feat = 0, n_plots = 0;
    hx_board *b = NULL;
    hx_rep_table t = {0};
    hx_rep_features *feat = NULL;
    hx_rep_plot *plots = NULL;
    char *yaml = NULL;
    char path[4600], dir[4300];
    const char *out = o->out_dir;
    if (!out) {
        snprintf(sum->out_dir, sizeof sum->out_dir, "%s/report", o->run_dir);
        out = sum->out_dir;
    } else {
        snprintf(sum->out_dir, sizeof sum->out_dir, "%s", out);
    }
    snprintf(path, sizeof path, "%s/results.csv", o->run_dir);
    if ((st = hx_results_read_ex(path, &rows, &n, &torn, err))) goto done;
    if (n == 0) {
        st = rfm_fail(err, RFM_EFORMAT, "%s: no results rows to report on", path);
        goto done;
    }
    if (torn) hx_rep_note(sum->note, sizeof sum->note, "%s: ignored a torn last line", path);
    if ((st = hx_board_build(rows, n, &b, err))) goto done;
    if ((st = hx_rep_table_build(rows, n, b, &t, err))) goto done;
    if ((st = hx_rep_features_load(&t, o->run_dir, &feat, &n_feat, err))) goto done;
    // The features plot: the asked dataset, else the first whose metric is not the identity.
    const hx_rep_features *fplot = n_feat ? &feat[0] : NULL;
    for (size_t i = 0; i < n_feat; i++) {
        if (!feat[i].m[0].identity) {
            fplot = &feat[i];
            break;
        }
    }
    if (o->dataset) {
        fplot = NULL;
        for (size_t i = 0; i < n_feat && !fplot; i++)
            if (!strcmp(feat[i].dataset, o->dataset)) fplot = &feat[i];
        if (!fplot) {
            int known = 0;
            for (size_t j = 0; j < t.n_ds; j++) known |= !strcmp(t.dataset[j], o->dataset);
            st = rfm_fail(err, RFM_EINVAL, known ? "--dataset %s: no model saved a learned metric "
                          "for it in %s/metrics" : "--dataset %s: not a dataset of %s",
                          o->dataset, o->run_dir);
            goto done;
        }
    }
    snprintf(dir, sizeof dir, "%s/plots", out);
    snprintf(path, sizeof path, "%s/features", out);
    if (hx_mkdirs(out) || hx_mkdirs(dir) || (n_feat && hx_mkdirs(path))) {
        st = rfm_fail(err, RFM_EIO, "%s: cannot create the report folders: %s", out,
                      strerror(errno));
        goto done;
    }
    if ((st = save_scores_(&t, out, err))) goto done;
    for (size_t i = 0; i < n_feat; i++) {
        char safe[256];
        hx_report_safe_name(feat[i].dataset, safe, sizeof safe);
        snprintf(path, sizeof path, "%s/features/%s.csv", out, safe);
        if ((st = hx_rep_features_save(&feat[i], path, err))) goto done;
    }
    sum->n_feature_files = n_feat;
    const char *prog = o->gnuplot ? o->gnuplot : getenv("RFMBENCH_GNUPLOT");
    if (!prog || !*prog) prog = "gnuplot";
    sum->gnuplot_found = hx_plot_program_found(prog);
    if (sum->gnuplot_found) { // a fresh log for this report's gnuplot runs
        snprintf(path, sizeof path, "%s/gnuplot.log", dir);
        FILE *lf = fopen(path, "w");
        if (lf) fclose(lf);
    }
    hx_plot_ctx ctx = {dir, sum->gnuplot_found ? prog : NULL, o->png, sum->note,
                       sizeof sum->note};
    if (!(plots = calloc(t.k + 4 + (fplot ? fplot->n : 0), sizeof *plots))) {
        st = rfm_fail(err, RFM_ENOMEM, "report: out of memory");
        goto done;
    }
    if (b->n > 0) { // with no dataset in D there is nothing to compare or rank
        for (size_t a = 1; a < t.k; a++)
            if ((st = hx_plot_scatter(&ctx, &t, a, &plots[n_plots++], err))) goto done;
        if (b->k >= 2 && (st = hx_plot_cd(&ctx, b, &plots[n_plots++], err))) goto done;
        if ((st = hx_plot_size(&ctx, &t, &plots[n_plots++], err))) goto done;
        if ((st = hx_plot_fit_time(&ctx, &t, &plots[n_plots++], err))) goto done;
    }
    for (size_t a = 0; fplot && a < fplot->n; a++)
        if ((st = hx_plot_features(&ctx, fplot->dataset, &fplot->m[a], &plots[n_plots++], err)))
            goto done;
    snprintf(path, sizeof path, "%s/run.yaml", o->run_dir);
    yaml = slurp_(path);
    hx_rep_page pg = {o->run_dir, yaml,  b,     &t, plots, n_plots, feat, n_feat,
                      fplot ? fplot->dataset : NULL, sum->gnuplot_found, o->png};
    if ((st = hx_rep_page_write(&pg, out, err))) goto done;
    sum->n_datasets = t.n_ds;
    sum->n_models = t.k;
    sum->n_plots = n_plots;
    for (size_t i = 0; i < n_plots; i++) sum->n_drawn += (size_t)plots[i].drawn;
    if (!sum->gnuplot_found && n_plots)
        hx_rep_note(sum->note, sizeof sum->note, "gnuplot not found: plots not drawn (their data "
                    "and scripts are in %s); install it with: " INSTALL_HINT_, dir);
done:
    free(yaml);
    free(plots);
    hx_rep_features_free(feat, n_feat);
    hx_rep_table_free(&t);
    hx_board_free(b);
    hx_result_rows_free(rows, n);
    return st;
}

int hx_cmd_report(int argc, char **argv) {
    hx_report_opts o = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(USAGE_, stdout);
            return 0;
        } else if (!strcmp(a, "--png")) {
            o.png = 1;
        } else if (!strcmp(a, "--out") || !strcmp(a, "--dataset")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "rfmbench: report: %s needs a value\n", a);
                return 2;
            }
            *(a[2] == 'o' ? &o.out_dir : &o.dataset) = argv[++i];
        } else if (!strncmp(a, "--out=", 6)) {
            o.out_dir = a + 6;
        } else if (!strncmp(a, "--dataset=", 10)) {
            o.dataset = a + 10;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "rfmbench: report: unknown option '%s' (see --help)\n", a);
            return 2;
        } else if (o.run_dir) {
            fprintf(stderr, "rfmbench: report: one run directory only ('%s' and '%s')\n",
                    o.run_dir, a);
            return 2;
        } else {
            o.run_dir = a;
        }
    }
    if (!o.run_dir) {
        fprintf(stderr, "rfmbench: report: no run directory given (see --help)\n");
        return 2;
    }
    hx_report_summary sum;
    rfm_error err = {RFM_OK, ""};
    if (hx_report_write(&o, &sum, &err) != RFM_OK) {
        fprintf(stderr, "rfmbench: %s\n", err.msg);
        return 1;
    }
    for (const char *s = sum.note; *s;) {
        const char *e = strchr(s, '\n');
        int len = e ? (int)(e - s) : (int)strlen(s);
        fprintf(stderr, "rfmbench: %.*s\n", len, s);
        s += len + (e != NULL);
    }
    printf("report: %s/index.html (%zu datasets, %zu models; %zu of %zu plots drawn; %zu "
           "feature files)\n", sum.out_dir, sum.n_datasets, sum.n_models, sum.n_drawn,
           sum.n_plots, sum.n_feature_files);
    return 0;
}
