/* hx_report_page.c - the report page, written twice from one walk over its content: report.md
 * (GitHub markdown) and index.html (one self-contained file: inline CSS, images by relative
 * path, no script and nothing fetched from the network, so it opens offline). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hx_report_impl.h"

typedef struct {
    hx_rep_buf md, html;
    int left; /* the current table aligns every column left (text), not just the first two */
} doc_;

/* Text as markdown: characters that would start markup are backslash-escaped. */
static void md_text_(hx_rep_buf *b, const char *s) {
    for (; s && *s; s++) {
        if (*s == '\n' || *s == '\r') hx_rep_printf(b, " ");
        else if (strchr("\\`*_[]<>|#", *s)) hx_rep_printf(b, "\\%c", *s);
        else hx_rep_printf(b, "%c", *s);
    }
}

static void html_text_(hx_rep_buf *b, const char *s) {
    for (; s && *s; s++) {
        switch (*s) {
        case '&': hx_rep_printf(b, "&amp;"); break;
        case '<': hx_rep_printf(b, "&lt;"); break;
        case '>': hx_rep_printf(b, "&gt;"); break;
        case '"': hx_rep_printf(b, "&quot;"); break;
        default: hx_rep_printf(b, "%c", *s);
        }
    }
}

static void heading_(doc_ *d, int level, const char *text) {
    hx_rep_printf(&d->md, "\n%.*s ", level, "######");
    md_text_(&d->md, text);
    hx_rep_printf(&d->md, "\n\n");
    hx_rep_printf(&d->html, "<h%d>", level);
    html_text_(&d->html, text);
    hx_rep_printf(&d->html, "</h%d>\n", level);
}

/* A paragraph of plain text (formatted, then escaped for each output). */
static void para_(doc_ *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void para_(doc_ *d, const char *fmt, ...) {
    char text[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    md_text_(&d->md, text);
    hx_rep_printf(&d->md, "\n\n");
    hx_rep_printf(&d->html, "<p>");
    html_text_(&d->html, text);
    hx_rep_printf(&d->html, "</p>\n");
}

/* A table row; header = 1 for the first row (markdown then needs its rule line). */
static void row_(doc_ *d, const char *const *cell, size_t n, int header) {
    hx_rep_printf(&d->md, "|");
    hx_rep_printf(&d->html, "<tr>");
    for (size_t i = 0; i < n; i++) {
        hx_rep_printf(&d->md, " ");
        md_text_(&d->md, cell[i]);
        hx_rep_printf(&d->md, " |");
        hx_rep_printf(&d->html, header ? "<th>" : "<td>");
        html_text_(&d->html, cell[i]);
        hx_rep_printf(&d->html, header ? "</th>" : "</td>");
    }
    hx_rep_printf(&d->md, "\n");
    hx_rep_printf(&d->html, "</tr>\n");
    if (header) {
        hx_rep_printf(&d->md, "|");
        for (size_t i = 0; i < n; i++) hx_rep_printf(&d->md, i < 2 || d->left ? "---|" : "---:|");
        hx_rep_printf(&d->md, "\n");
    }
}

static void table_begin_(doc_ *d, int left) {
    d->left = left;
    hx_rep_printf(&d->html, left ? "<table class=\"l\">\n" : "<table>\n");
}
static void table_end_(doc_ *d) {
    hx_rep_printf(&d->md, "\n");
    hx_rep_printf(&d->html, "</table>\n");
}

/* "[text](href)" / <a>: href is a relative path made by the report (safe characters only). */
static void link_(doc_ *d, const char *text, const char *href) {
    hx_rep_printf(&d->md, "[");
    md_text_(&d->md, text);
    hx_rep_printf(&d->md, "](%s)", href);
    hx_rep_printf(&d->html, "<a href=\"%s\">", href);
    html_text_(&d->html, text);
    hx_rep_printf(&d->html, "</a>");
}

static void fmt_num_(char *buf, size_t size, double v, const char *fmt) {
    if (isnan(v)) snprintf(buf, size, "-");
    else snprintf(buf, size, fmt, v);
}

static void leaderboard_(doc_ *d, const hx_rep_page *pg) {
    const hx_board *b = pg->board;
    const char *m = b->regression ? "RMSE" : "accuracy";
    heading_(d, 2, "Leaderboard");
    para_(d, "%zu models on %zu datasets, ranked by average rank (1 = best). Scores are the mean "
          "test %s over each dataset's folds; a failed fold counts as the constant predictor, "
          "and the count of datasets with failed folds is shown beside the mean.",
          b->k, b->n, m);
    table_begin_(d, 0);
    const char *hdr[] = {"#", "model", "mean (failed)", "std", "avg rank", "p90", "p95",
                         "pma", "wins", "mean fit s"};
    row_(d, hdr, 10, 1);
    for (size_t a = 0; a < b->k; a++) {
        const hx_board_entry *e = &b->entry[a];
        char c[10][96];
        const char *cell[10];
        snprintf(c[0], sizeof c[0], "%zu", a + 1);
        snprintf(c[1], sizeof c[1], "%s", e->model);
        if (isnan(e->s.mean)) snprintf(c[2], sizeof c[2], "-");
        else snprintf(c[2], sizeof c[2], "%.4f (%zu)", e->s.mean, e->n_failed);
        fmt_num_(c[3], sizeof c[3], e->s.std, "%.4f");
        fmt_num_(c[4], sizeof c[4], e->s.avg_rank, "%.3f");
        fmt_num_(c[5], sizeof c[5], e->s.p90, "%.3f");
        fmt_num_(c[6], sizeof c[6], e->s.p95, "%.3f");
        fmt_num_(c[7], sizeof c[7], e->s.pma, "%.4f");
        snprintf(c[8], sizeof c[8], "%zu", e->s.wins);
        fmt_num_(c[9], sizeof c[9], e->mean_fit_seconds, "%.3f");
        for (size_t i = 0; i < 10; i++) cell[i] = c[i];
        row_(d, cell, 10, 0);
    }
    table_end_(d);
    const hx_board_run_stats *r = &b->run;
    char chi[64], p[64], f[64], cd[64];
    fmt_num_(chi, sizeof chi, r->friedman_chi2, "%.4g");
    fmt_num_(p, sizeof p, r->friedman_p, "%.4g");
    fmt_num_(f, sizeof f, r->iman_davenport_f, "%.4g");
    fmt_num_(cd, sizeof cd, r->nemenyi_cd, "%.4f");
    para_(d, "Friedman chi2 = %s (p = %s), Iman-Davenport F = %s, Nemenyi critical difference "
          "(alpha = 0.05) = %s.", chi, p, f, cd);
    if (b->note[0]) {
        // The leaderboard's own notes: what was left out of D and why.
        hx_rep_printf(&d->md, "Notes:\n\n");
        hx_rep_printf(&d->html, "<p>Notes:</p>\n<ul>\n");
        for (const char *s = b->note; *s;) {
            const char *e = strchr(s, '\n');
            size_t len = e ? (size_t)(e - s) : strlen(s);
            char line[1024];
            snprintf(line, sizeof line, "%.*s", (int)(len < 1000 ? len : 1000), s);
            hx_rep_printf(&d->md, "- ");
            md_text_(&d->md, line);
            hx_rep_printf(&d->md, "\n");
            hx_rep_printf(&d->html, "<li>");
            html_text_(&d->html, line);
            hx_rep_printf(&d->html, "</li>\n");
            s += len + (e != NULL);
        }
        hx_rep_printf(&d->md, "\n");
        hx_rep_printf(&d->html, "</ul>\n");
    }
}

static void plot_(doc_ *d, const hx_rep_page *pg, const hx_rep_plot *p) {
    char href[400];
    heading_(d, 3, p->title);
    if (p->drawn) {
        snprintf(href, sizeof href, "plots/%s.svg", p->name);
        hx_rep_printf(&d->md, "![");
        md_text_(&d->md, p->title);
        hx_rep_printf(&d->md, "](%s)\n\n", href);
        hx_rep_printf(&d->html, "<figure><img src=\"%s\" alt=\"", href);
        html_text_(&d->html, p->title);
        hx_rep_printf(&d->html, "\"></figure>\n");
    } else {
        para_(d, "(not drawn: %s)", pg->gnuplot_found ? "gnuplot failed, see plots/gnuplot.log"
                                                       : "gnuplot is not installed");
    }
    para_(d, "%s", p->caption);
    hx_rep_printf(&d->md, "Data: ");
    hx_rep_printf(&d->html, "<p class=\"files\">Data: ");
    snprintf(href, sizeof href, "plots/%s.csv", p->name);
    link_(d, href, href);
    hx_rep_printf(&d->md, ", script: ");
    hx_rep_printf(&d->html, ", script: ");
    snprintf(href, sizeof href, "plots/%s.gp", p->name);
    link_(d, href, href);
    if (p->drawn && pg->png) {
        hx_rep_printf(&d->md, ", PNG: ");
        hx_rep_printf(&d->html, ", PNG: ");
        snprintf(href, sizeof href, "plots/%s.png", p->name);
        link_(d, href, href);
    }
    hx_rep_printf(&d->md, "\n\n");
    hx_rep_printf(&d->html, "</p>\n");
}

static void features_(doc_ *d, const hx_rep_page *pg) {
    heading_(d, 2, "Learned feature importances");
    if (!pg->n_features) {
        para_(d, "No learned metric was found in %s/metrics: the run has no model that learns "
              "one (RFM does), or was made before the harness saved them.", pg->run_dir);
        return;
    }
    para_(d, "For every dataset, features/DATASET.csv lists each learned metric M (one per model "
          "that has one): the diagonal entry M_kk of every feature k, and the eigenvalues of M "
          "in decreasing order. The plot shows one dataset; choose another with "
          "rfmbench report RUN_DIR --dataset NAME.");
    for (size_t i = 0; i < pg->n_plots; i++)
        if (!strncmp(pg->plots[i].name, "features_", 9)) plot_(d, pg, &pg->plots[i]);
    hx_rep_printf(&d->md, "Files: ");
    hx_rep_printf(&d->html, "<p class=\"files\">Files: ");
    for (size_t i = 0; i < pg->n_features; i++) {
        char safe[256], href[400];
        hx_report_safe_name(pg->features[i].dataset, safe, sizeof safe);
        snprintf(href, sizeof href, "features/%s.csv", safe);
        if (i) {
            hx_rep_printf(&d->md, ", ");
            hx_rep_printf(&d->html, ", ");
        }
        link_(d, pg->features[i].dataset, href);
    }
    hx_rep_printf(&d->md, "\n\n");
    hx_rep_printf(&d->html, "</p>\n");
}

static void failures_(doc_ *d, const hx_rep_page *pg) {
    const hx_rep_table *t = pg->table;
    heading_(d, 2, "Failures");
    if (!t->n_failed) {
        para_(d, "No fold failed.");
        return;
    }
    para_(d, "%zu folds failed (all listed in failures.csv). One line per dataset and model, "
          "with the first failed fold's reason:", t->n_failed);
    table_begin_(d, 1);
    const char *hdr[] = {"dataset", "model", "failed folds", "reason"};
    row_(d, hdr, 4, 1);
    for (size_t j = 0; j < t->n_ds; j++) {
        for (size_t a = 0; a < t->k; a++) {
            const hx_rep_cell *c = &t->cell[j * t->k + a];
            if (!c->failed) continue;
            char n[64];
            snprintf(n, sizeof n, "%zu of %zu", c->failed, c->folds);
            const char *cell[] = {t->dataset[j], t->model[a], n, c->error ? c->error : ""};
            row_(d, cell, 4, 0);
        }
    }
    table_end_(d);
}

static void scores_(doc_ *d, const hx_rep_page *pg) {
    const hx_rep_table *t = pg->table;
    heading_(d, 2, "Scores per dataset");
    para_(d, "Mean test %s over the folds (also in scores.csv); * marks a failed fold counted "
          "as the constant predictor, and datasets outside the leaderboard are marked (out).",
          t->regression ? "RMSE" : "accuracy");
    hx_rep_printf(&d->html, "<details><summary>%zu datasets</summary>\n", t->n_ds);
    table_begin_(d, 0);
    size_t nc = 3 + t->k;
    const char **cell = malloc(nc * sizeof *cell);
    char (*c)[96] = malloc(nc * sizeof *c);
    if (!cell || !c) {
        d->md.failed = d->html.failed = 1;
        free(cell);
        free(c);
        return;
    }
    cell[0] = "dataset";
    cell[1] = "rows";
    cell[2] = "features";
    for (size_t a = 0; a < t->k; a++) cell[3 + a] = t->model[a];
    row_(d, cell, nc, 1);
    for (size_t j = 0; j < t->n_ds; j++) {
        snprintf(c[0], sizeof c[0], "%s%s", t->dataset[j], t->in_d[j] ? "" : " (out)");
        snprintf(c[1], sizeof c[1], "%ld", t->n_rows[j]);
        snprintf(c[2], sizeof c[2], "%ld", t->n_features[j]);
        for (size_t a = 0; a < t->k; a++) {
            const hx_rep_cell *x = &t->cell[j * t->k + a];
            if (isnan(x->score)) snprintf(c[3 + a], sizeof c[3 + a], "-");
            else snprintf(c[3 + a], sizeof c[3 + a], "%.4f%s", x->score, x->failed ? "*" : "");
        }
        for (size_t i = 0; i < nc; i++) cell[i] = c[i];
        row_(d, cell, nc, 0);
    }
    table_end_(d);
    hx_rep_printf(&d->html, "</details>\n");
    free(cell);
    free(c);
}

static const char css_[] =
    "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}"
    "table{border-collapse:collapse;margin:1em 0;font-size:14px}"
    "th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}"
    "th:nth-child(-n+2),td:nth-child(-n+2),.l th,.l td{text-align:left}"
    "figure{margin:1em 0}img{max-width:100%;border:1px solid #eee}"
    "pre{background:#f6f6f6;padding:1em;overflow-x:auto;font-size:13px}"
    ".files{font-size:13px;color:#555}.warn{background:#fff3cd;padding:.5em 1em}";

rfm_status hx_rep_page_write(const hx_rep_page *pg, const char *out_dir, rfm_error *err) {
    doc_ d = {{0}, {0}, 0};
    const hx_board *b = pg->board;
    hx_rep_printf(&d.html, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">"
                           "\n<title>rfmbench report: ");
    html_text_(&d.html, pg->run_dir);
    hx_rep_printf(&d.html, "</title>\n<style>%s</style>\n</head>\n<body>\n", css_);
    // The experiment's name (run.yaml's top-level `name:`) heads the page when there is one.
    char name[256] = "";
    const char *nm = pg->run_yaml ? strstr(pg->run_yaml, "name:") : NULL;
    while (nm && nm != pg->run_yaml && nm[-1] != '\n') nm = strstr(nm + 5, "name:");
    if (nm) sscanf(nm + 5, " %255[^\r\n]", name);
    char title[4200];
    snprintf(title, sizeof title, "rfmbench report: %s", name[0] ? name : pg->run_dir);
    heading_(&d, 1, title);
    para_(&d, "Run directory %s: %zu datasets, %zu models, %s (%s is better). Made by "
          "rfmbench report from the run directory alone; every number below can be "
          "recomputed from its results.csv.", pg->run_dir, pg->table->n_ds, pg->table->k,
          b->regression ? "test RMSE" : "test accuracy", b->regression ? "lower" : "higher");
    if (!pg->gnuplot_found) {
        hx_rep_printf(&d.html, "<p class=\"warn\">");
        html_text_(&d.html, "gnuplot was not found, so the plots are not drawn; their data "
                            "and scripts are in plots/. Install it (apt-get install gnuplot-nox)"
                            " and run rfmbench report again.");
        hx_rep_printf(&d.html, "</p>\n");
        md_text_(&d.md, "gnuplot was not found, so the plots are not drawn; their data and "
                        "scripts are in plots/. Install it (apt-get install gnuplot-nox) and run "
                        "rfmbench report again.");
        hx_rep_printf(&d.md, "\n\n");
    }
    leaderboard_(&d, pg);
    heading_(&d, 2, "Plots");
    size_t shown = 0;
    for (size_t i = 0; i < pg->n_plots; i++) {
        if (strncmp(pg->plots[i].name, "features_", 9)) {
            plot_(&d, pg, &pg->plots[i]);
            shown++;
        }
    }
    if (!shown) para_(&d, "No plot: the run has no dataset on which the models can be compared.");
    features_(&d, pg);
    failures_(&d, pg);
    scores_(&d, pg);
    heading_(&d, 2, "Settings (run.yaml)");
    if (pg->run_yaml) {
        hx_rep_printf(&d.md, "```yaml\n%s%s```\n", pg->run_yaml,
                      pg->run_yaml[0] && pg->run_yaml[strlen(pg->run_yaml) - 1] == '\n' ? ""
                                                                                         : "\n");
        hx_rep_printf(&d.html, "<pre>");
        html_text_(&d.html, pg->run_yaml);
        hx_rep_printf(&d.html, "</pre>\n");
    } else {
        para_(&d, "run.yaml is missing from the run directory.");
    }
    hx_rep_printf(&d.html, "</body>\n</html>\n");
    char path[4600];
    snprintf(path, sizeof path, "%s/report.md", out_dir);
    rfm_status st = hx_rep_buf_save(&d.md, path, err);
    snprintf(path, sizeof path, "%s/index.html", out_dir);
    if (!st) st = hx_rep_buf_save(&d.html, path, err);
    free(d.html.s); // still held when report.md failed
    return st;
}
