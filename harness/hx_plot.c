/* hx_plot.c - the report's plots: for each, a data file (CSV with a header) and a gnuplot
 * script kept side by side in plots/, then gnuplot run on the script in that folder. The
 * scripts name only files in their own folder, so `cd plots && gnuplot NAME.gp` re-draws them;
 * they draw SVG unless fmt = 'png' is set (gnuplot -e "fmt='png'" NAME.gp).
 *
 * gnuplot is started with fork + execvp (no shell, so no file or model name is ever parsed as
 * a command); names reach the scripts only inside single-quoted strings with quotes doubled,
 * and enhanced text is off so '_' in a dataset name prints as itself. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hx_report_impl.h"

/* ---- running gnuplot ------------------------------------------------------------------------ */

int hx_plot_program_found(const char *program) {
    if (!program || !*program) return 0;
    if (strchr(program, '/')) return access(program, X_OK) == 0;
    const char *path = getenv("PATH");
    if (!path) path = "/usr/bin:/bin";
    char buf[4096];
    for (const char *p = path;;) {
        const char *e = strchr(p, ':');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        snprintf(buf, sizeof buf, "%.*s/%s", (int)len, len ? p : ".", program);
        struct stat sb;
        if (stat(buf, &sb) == 0 && S_ISREG(sb.st_mode) && access(buf, X_OK) == 0) return 1;
        if (!e) return 0;
        p = e + 1;
    }
}

/* gnuplot NAME.gp in c->dir, stdout and stderr appended to gnuplot.log there. Returns 1 when it
 * exited with status 0. */
static int run_gnuplot_(const hx_plot_ctx *c, const char *name, int png) {
    char script[200];
    snprintf(script, sizeof script, "%s.gp", name);
    char *argv[] = {(char *)c->program, png ? "-e" : script, png ? "fmt='png'" : NULL,
                    png ? script : NULL, NULL};
    fflush(NULL); // nothing buffered may be written twice by the child
    pid_t pid = fork();
    if (pid < 0) return 0;
    if (pid == 0) {
        // The child only sets up descriptors and execs: no allocation, no stdio.
        if (chdir(c->dir) != 0) _exit(126);
        int log = open("gnuplot.log", O_WRONLY | O_CREAT | O_APPEND, 0644);
        int nul = open("/dev/null", O_RDONLY);
        if (log >= 0) {
            dup2(log, 1);
            dup2(log, 2);
        }
        if (nul >= 0) dup2(nul, 0);
        execvp(c->program, argv);
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return 0;
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Save the data and the script, then draw (SVG, and PNG when asked). */
static rfm_status finish_(const hx_plot_ctx *c, hx_rep_plot *p, hx_csv_out *data,
                          hx_rep_buf *gp, rfm_error *err) {
    char path[4600];
    snprintf(path, sizeof path, "%s/%s.csv", c->dir, p->name);
    rfm_status st = hx_write_atomic(path, data->buf ? data->buf : "", data->len, err);
    hx_csv_out_free(data);
    snprintf(path, sizeof path, "%s/%s.gp", c->dir, p->name);
    if (st) {
        free(gp->s);
        memset(gp, 0, sizeof *gp);
        return st;
    }
    if ((st = hx_rep_buf_save(gp, path, err))) return st;
    p->drawn = 0;
    if (!c->program) return RFM_OK;
    p->drawn = run_gnuplot_(c, p->name, 0);
    if (p->drawn && c->png && !run_gnuplot_(c, p->name, 1))
        hx_rep_note(c->note, c->note_size, "gnuplot could not draw plots/%s.png (see "
                    "plots/gnuplot.log)", p->name);
    if (!p->drawn)
        hx_rep_note(c->note, c->note_size, "gnuplot could not draw plots/%s.svg (see "
                    "plots/gnuplot.log)", p->name);
    return RFM_OK;
}

/* ---- script text ----------------------------------------------------------------------------- */

/* s as a gnuplot single-quoted string: quotes doubled, control characters dropped. */
static void gpq_(hx_rep_buf *b, const char *s) {
    hx_rep_printf(b, "'");
    for (; s && *s; s++) {
        if (*s == '\'') hx_rep_printf(b, "''");
        else if ((unsigned char)*s >= 0x20) hx_rep_printf(b, "%c", *s);
    }
    hx_rep_printf(b, "'");
}

static void preamble_(hx_rep_buf *b, const char *name, const char *what, int w, int h) {
    hx_rep_printf(b,
                  "# %s.gp - %s\n"
                  "# Data: %s.csv, written by `rfmbench report`. Re-draw in this folder with\n"
                  "#   gnuplot %s.gp     or     gnuplot -e \"fmt='png'\" %s.gp\n"
                  "if (!exists('fmt')) fmt = 'svg'\n"
                  "if (fmt eq 'png') {\n"
                  "    set terminal pngcairo size %d,%d font 'sans,10' noenhanced\n"
                  "    set output '%s.png'\n"
                  "} else {\n"
                  "    set terminal svg size %d,%d font 'sans,11' noenhanced background '#ffffff'\n"
                  "    set output '%s.svg'\n"
                  "}\n"
                  "set datafile separator comma\n"
                  "set grid lc rgb '#dddddd'\n",
                  name, what, name, name, name, w, h, name, w, h, name);
}

/* Colours and point types of model a, the same in every plot. */
static const char *const colour_[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                      "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
/* The first model solid, the others open (or crosses), so equal scores stay visible. */
static const int point_[] = {7, 4, 8, 1, 12, 2, 6, 10, 3, 14};

static const char *metric_label_(const hx_rep_table *t) {
    return t->regression ? "test RMSE" : "test accuracy";
}

/* ---- the plots ------------------------------------------------------------------------------ */

rfm_status hx_plot_scatter(const hx_plot_ctx *c, const hx_rep_table *t, size_t other,
                           hx_rep_plot *p, rfm_error *err) {
    char safe[128];
    hx_report_safe_name(t->model[other], safe, sizeof safe);
    snprintf(p->name, sizeof p->name, "scatter_%zu_%s", other + 1, safe);
    const size_t k = t->k;
    hx_csv_out o = {0};
    hx_csv_out_str(&o, "dataset");
    hx_csv_out_str(&o, t->model[0]);
    hx_csv_out_str(&o, t->model[other]);
    hx_csv_out_str(&o, "failed_folds");
    rfm_status st = hx_csv_out_end(&o, err);
    size_t above = 0, below = 0, on = 0;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t j = 0; j < t->n_ds && !st; j++) {
        if (!t->in_d[j]) continue;
        const hx_rep_cell *x = &t->cell[j * k], *y = &t->cell[j * k + other];
        above += y->score > x->score + HX_BOARD_TIE;
        below += y->score < x->score - HX_BOARD_TIE;
        on += fabs(y->score - x->score) <= HX_BOARD_TIE;
        lo = fmin(lo, fmin(x->score, y->score));
        hi = fmax(hi, fmax(x->score, y->score));
        hx_csv_out_str(&o, t->dataset[j]);
        hx_csv_out_double(&o, x->score);
        hx_csv_out_double(&o, y->score);
        hx_csv_out_long(&o, (long)(x->failed + y->failed));
        st = hx_csv_out_end(&o, err);
    }
    if (st) {
        hx_csv_out_free(&o);
        return st;
    }
    if (!(hi > lo)) { // no points, or all equal: any visible square will do
        lo = isfinite(lo) ? lo - 0.05 : 0;
        hi = isfinite(hi) ? hi + 0.05 : 1;
    }
    double pad = 0.03 * (hi - lo);
    const char *better = t->regression ? "lower" : "higher";
    snprintf(p->title, sizeof p->title, "%s against %s", t->model[0], t->model[other]);
    snprintf(p->caption, sizeof p->caption,
             "One point per dataset (%zu): x = %s of %s (best average rank), y = %s of %s. "
             "%s is %s (%s) on the %zu datasets above the line y = x, %s on the %zu below, "
             "and ties on %zu. Open circles: datasets with failed folds (imputed).",
             t->n_in_d, metric_label_(t), t->model[0], metric_label_(t), t->model[other],
             t->model[other], t->regression ? "worse" : "better", better, above,
             t->regression ? "better" : "worse", below, on);
    hx_rep_buf g = {0};
    preamble_(&g, p->name, "best model against another, one point per dataset", 640, 640);
    hx_rep_printf(&g, "set title ");
    char title[600];
    snprintf(title, sizeof title, "%s vs %s: %zu above y = x, %zu below, %zu on it", t->model[0],
             t->model[other], above, below, on);
    gpq_(&g, title);
    hx_rep_printf(&g, "\nset xlabel ");
    snprintf(title, sizeof title, "%s, %s", t->model[0], metric_label_(t));
    gpq_(&g, title);
    hx_rep_printf(&g, "\nset ylabel ");
    snprintf(title, sizeof title, "%s, %s", t->model[other], metric_label_(t));
    gpq_(&g, title);
    hx_rep_printf(&g,
                  "\nset size square\nset xrange [%.17g:%.17g]\nset yrange [%.17g:%.17g]\n"
                  "set key top left opaque\n"
                  "plot x with lines dt 2 lc rgb '#888888' title 'y = x', \\\n"
                  "     '%s.csv' skip 1 using 2:($4 == 0 ? $3 : 1/0) with points pt 7 ps 0.7 "
                  "lc rgb '%s' title 'dataset', \\\n"
                  "     '%s.csv' skip 1 using 2:($4 > 0 ? $3 : 1/0) with points pt 6 ps 1.0 "
                  "lc rgb '%s' title 'dataset with failed folds'\n",
                  lo - pad, hi + pad, lo - pad, hi + pad, p->name, colour_[0], p->name,
                  colour_[1]);
    return finish_(c, p, &o, &g, err);
}

rfm_status hx_plot_cd(const hx_plot_ctx *c, const hx_board *b, hx_rep_plot *p, rfm_error *err) {
    snprintf(p->name, sizeof p->name, "cd");
    const size_t k = b->k;
    const double cd = b->run.nemenyi_cd;
    const size_t h = (k + 1) / 2; // models with the better ranks are labelled on the left
    // Cliques (Demsar 2006): maximal runs of models whose ranks lie within CD of each other.
    size_t *lo = calloc(k + 1, sizeof *lo), *hi = calloc(k + 1, sizeof *hi), ncl = 0;
    if (!lo || !hi) {
        free(lo);
        free(hi);
        return rfm_fail(err, RFM_ENOMEM, "report: out of memory");
    }
    for (size_t i = 0, last = 0; isfinite(cd) && i < k; i++) {
        size_t j = i;
        while (j + 1 < k && b->entry[j + 1].s.avg_rank - b->entry[i].s.avg_rank <= cd) j++;
        if (j > i && (ncl == 0 || j > last)) {
            lo[ncl] = i;
            hi[ncl++] = j;
            last = j;
        }
    }
    // y layout: CD bar at 1, the axis at 0 with its tic labels above it, the clique bars
    // below the axis, then one label row per model.
    const double y0 = 0.45 + 0.15 * (double)ncl, dy = 0.35;
    const double xmax = isfinite(cd) && 1 + cd > (double)k ? 1 + cd : (double)k;
    size_t wl = 0, wr = 0; // label widths in characters, for the margins
    hx_csv_out o = {0};
    const char *hdr[] = {"model", "avg_rank", "y", "label_x", "side"};
    for (size_t i = 0; i < 5; i++) hx_csv_out_str(&o, hdr[i]);
    rfm_status st = hx_csv_out_end(&o, err);
    for (size_t i = 0; i < k && !st; i++) {
        int right = i >= h;
        size_t level = right ? k - 1 - i : i; // the outermost model gets the shortest line
        size_t w = strlen(b->entry[i].model) + 8;
        if (right && w > wr) wr = w;
        if (!right && w > wl) wl = w;
        hx_csv_out_str(&o, b->entry[i].model);
        hx_csv_out_double(&o, b->entry[i].s.avg_rank);
        hx_csv_out_double(&o, -(y0 + dy * (double)level));
        hx_csv_out_double(&o, right ? xmax : 1.0);
        hx_csv_out_long(&o, right);
        st = hx_csv_out_end(&o, err);
    }
    hx_csv_out cl = {0};
    hx_csv_out_str(&cl, "lo");
    hx_csv_out_str(&cl, "hi");
    hx_csv_out_str(&cl, "y");
    if (!st) st = hx_csv_out_end(&cl, err);
    for (size_t q = 0; q < ncl && !st; q++) {
        hx_csv_out_double(&cl, b->entry[lo[q]].s.avg_rank);
        hx_csv_out_double(&cl, b->entry[hi[q]].s.avg_rank);
        hx_csv_out_double(&cl, -(0.25 + 0.15 * (double)q));
        st = hx_csv_out_end(&cl, err);
    }
    free(lo);
    free(hi);
    char path[4600];
    snprintf(path, sizeof path, "%s/cd_cliques.csv", c->dir);
    if (!st) st = hx_write_atomic(path, cl.buf, cl.len, err);
    hx_csv_out_free(&cl);
    if (st) {
        hx_csv_out_free(&o);
        return st;
    }
    snprintf(p->title, sizeof p->title, "Average rank and critical difference");
    if (isfinite(cd))
        snprintf(p->caption, sizeof p->caption,
                 "Average rank of each model over the %zu datasets (1 = best). Two models differ "
                 "significantly (Nemenyi test, alpha = 0.05) when their ranks are more than the "
                 "critical difference CD = %.3f apart; thick lines join models that do not. "
                 "Friedman p = %.3g.", b->n, cd, b->run.friedman_p);
    else
        snprintf(p->caption, sizeof p->caption,
                 "Average rank of each model over the %zu datasets (1 = best). No critical "
                 "difference: %s.", b->n, b->run.cd_note ? b->run.cd_note : "undefined");
    size_t rows = h > k - h ? h : k - h;
    const double ymin = -(y0 + dy * (double)(rows - 1) + 0.3), ymax = 1.35;
    int height = (int)(90 + 64 * (ymax - ymin)); // ~64 px per y unit, plus title and margins
    hx_rep_buf g = {0};
    preamble_(&g, "cd", "critical-difference diagram (Demsar 2006)", 900, height);
    char title[300];
    snprintf(title, sizeof title, "Average rank over %zu datasets (1 = best)", b->n);
    hx_rep_printf(&g, "set title ");
    gpq_(&g, title);
    hx_rep_printf(&g,
                  "\nunset border\nunset ytics\nunset grid\nunset key\n"
                  "set xzeroaxis lt -1 lc rgb 'black'\n"
                  "set xtics axis 1 nomirror in scale 0.6 offset 0,1.7\n"
                  "set xrange [1:%.17g]\nset yrange [%.17g:%.17g]\n"
                  "set lmargin %zu\nset rmargin %zu\n",
                  xmax, ymin, ymax, wl + 2, wr + 2);
    if (isfinite(cd))
        hx_rep_printf(&g,
                      "set arrow 1 from 1,0.85 to %.17g,0.85 heads size screen 0.006,90 lw 2\n"
                      "set label 1 'CD = %.3f' at %.17g,1.1 center\n",
                      1 + cd, cd, 1 + cd / 2);
    hx_rep_printf(&g,
                  "plot 'cd.csv' skip 1 using 2:(0):(0):3 with vectors nohead lc rgb 'black', \\\n"
                  "     'cd.csv' skip 1 using 2:3:($4-$2):(0) with vectors nohead lc rgb 'black', \\\n"
                  "     'cd.csv' skip 1 using ($5 == 0 ? $4 : 1/0):3:(sprintf('%%s (%%.2f)', "
                  "strcol(1), $2)) with labels right offset -0.5,0, \\\n"
                  "     'cd.csv' skip 1 using ($5 == 1 ? $4 : 1/0):3:(sprintf('%%s (%%.2f)', "
                  "strcol(1), $2)) with labels left offset 0.5,0");
    if (ncl)
        hx_rep_printf(&g, ", \\\n     'cd_cliques.csv' skip 1 using ($1-0.03):3:($2-$1+0.06):(0)"
                          " with vectors nohead lw 5 lc rgb '%s'", colour_[1]);
    hx_rep_printf(&g, "\n");
    return finish_(c, p, &o, &g, err);
}

/* The header and rows shared by the size and fit-time plots: dataset,n_rows, one column per
 * model (its score, or its mean fit seconds), over D, by size. */
static rfm_status per_model_data_(const hx_rep_table *t, int fit_time, hx_csv_out *o,
                                  rfm_error *err) {
    size_t *ord = malloc((t->n_ds + 1) * sizeof *ord), n = 0;
    if (!ord) return rfm_fail(err, RFM_ENOMEM, "report: out of memory");
    for (size_t j = 0; j < t->n_ds; j++) {
        if (!t->in_d[j]) continue;
        // Insertion by n_rows, stable: ties keep the name order.
        size_t q = n++;
        for (; q > 0 && t->n_rows[ord[q - 1]] > t->n_rows[j]; q--) ord[q] = ord[q - 1];
        ord[q] = j;
    }
    hx_csv_out_str(o, "dataset");
    hx_csv_out_str(o, "n_rows");
    for (size_t a = 0; a < t->k; a++) hx_csv_out_str(o, t->model[a]);
    rfm_status st = hx_csv_out_end(o, err);
    for (size_t q = 0; q < n && !st; q++) {
        size_t j = ord[q];
        hx_csv_out_str(o, t->dataset[j]);
        hx_csv_out_long(o, t->n_rows[j]);
        for (size_t a = 0; a < t->k; a++) {
            const hx_rep_cell *cl = &t->cell[j * t->k + a];
            hx_csv_out_double(o, fit_time ? cl->fit_seconds : cl->score);
        }
        st = hx_csv_out_end(o, err);
    }
    free(ord);
    return st;
}

/* One `plot` clause per model: column 3 + a against column 2. */
static void per_model_plot_(hx_rep_buf *g, const hx_rep_table *t, const char *name,
                            const char *ycol_fmt) {
    hx_rep_printf(g, "plot ");
    for (size_t a = 0; a < t->k; a++) {
        char ycol[200];
        snprintf(ycol, sizeof ycol, ycol_fmt, (int)(a + 3), (int)(a + 3), (int)(a + 3));
        hx_rep_printf(g, "%s'%s.csv' skip 1 using 2:%s with points pt %d ps 0.8 lc rgb '%s' "
                         "title ", a ? ", \\\n     " : "", name, ycol, point_[a % 10],
                      colour_[a % 10]);
        gpq_(g, t->model[a]);
    }
    hx_rep_printf(g, "\n");
}

rfm_status hx_plot_size(const hx_plot_ctx *c, const hx_rep_table *t, hx_rep_plot *p,
                        rfm_error *err) {
    snprintf(p->name, sizeof p->name, "%s_vs_size", t->regression ? "rmse" : "accuracy");
    hx_csv_out o = {0};
    rfm_status st = per_model_data_(t, 0, &o, err);
    if (st) {
        hx_csv_out_free(&o);
        return st;
    }
    snprintf(p->title, sizeof p->title, "%s against dataset size",
             t->regression ? "RMSE" : "Accuracy");
    snprintf(p->caption, sizeof p->caption,
             "Each model's %s on each of the %zu datasets against the dataset's number of rows "
             "(train + test of a fold, log scale).", metric_label_(t), t->n_in_d);
    hx_rep_buf g = {0};
    preamble_(&g, p->name, "score against dataset size, one series per model", 900, 520);
    hx_rep_printf(&g, "set logscale x\nset offsets graph 0.03, graph 0.03, graph 0.03, graph 0.03\n"
                      "set xlabel 'rows in the dataset'\nset ylabel '%s'\n"
                      "set key outside right top\n%s", metric_label_(t),
                  t->regression ? "" : "set yrange [*:1.01] # accuracy: nothing above 1\n");
    per_model_plot_(&g, t, p->name, "%d");
    return finish_(c, p, &o, &g, err);
}

rfm_status hx_plot_fit_time(const hx_plot_ctx *c, const hx_rep_table *t, hx_rep_plot *p,
                            rfm_error *err) {
    snprintf(p->name, sizeof p->name, "fit_time");
    hx_csv_out o = {0};
    rfm_status st = per_model_data_(t, 1, &o, err);
    if (st) {
        hx_csv_out_free(&o);
        return st;
    }
    snprintf(p->title, sizeof p->title, "Fit time per dataset");
    snprintf(p->caption, sizeof p->caption,
             "Mean fit seconds per fold (the refit on the fold's training part, successful "
             "folds only) on each of the %zu datasets, against its number of rows; both axes "
             "log scale. Times are recorded in milliseconds: shorter ones are drawn at 1 ms.",
             t->n_in_d);
    hx_rep_buf g = {0};
    preamble_(&g, "fit_time", "fit seconds per dataset, one series per model", 900, 520);
    hx_rep_printf(&g, "set logscale xy\nset offsets graph 0.03, graph 0.03, graph 0.03, graph 0.03\n"
                      "set xlabel 'rows in the dataset'\n"
                      "set ylabel 'fit seconds per fold'\nset key outside right top\n"
                      "# fit_seconds has 3 decimals: 0.000 means < 0.5 ms, drawn at 1 ms\n");
    per_model_plot_(&g, t, "fit_time", "(column(%d) < 0.001 && valid(%d) ? 0.001 : column(%d))");
    return finish_(c, p, &o, &g, err);
}

rfm_status hx_plot_features(const hx_plot_ctx *c, const char *dataset, const hx_rep_metric *m,
                            hx_rep_plot *p, rfm_error *err) {
    char sd[128], sm[128];
    hx_report_safe_name(dataset, sd, sizeof sd);
    hx_report_safe_name(m->model, sm, sizeof sm);
    snprintf(p->name, sizeof p->name, "features_%s__%s", sd, sm);
    const size_t top = m->d < 25 ? m->d : 25;
    size_t *ord = malloc((m->d + 1) * sizeof *ord);
    if (!ord) return rfm_fail(err, RFM_ENOMEM, "report: out of memory");
    for (size_t i = 0; i < m->d; i++) { // by M_kk, decreasing; ties keep the feature order
        size_t q = i;
        for (; q > 0 && m->m_diag[ord[q - 1]] < m->m_diag[i]; q--) ord[q] = ord[q - 1];
        ord[q] = i;
    }
    hx_csv_out o = {0};
    const char *hdr[] = {"rank", "feature", "m_diag", "eigenvalue"};
    for (size_t i = 0; i < 4; i++) hx_csv_out_str(&o, hdr[i]);
    rfm_status st = hx_csv_out_end(&o, err);
    for (size_t r = 0; r < top && !st; r++) {
        hx_csv_out_u64(&o, (uint64_t)(r + 1));
        hx_csv_out_str(&o, m->names[ord[r]]);
        hx_csv_out_double(&o, m->m_diag[ord[r]]);
        hx_csv_out_double(&o, m->eig[r]);
        st = hx_csv_out_end(&o, err);
    }
    free(ord);
    if (st) {
        hx_csv_out_free(&o);
        return st;
    }
    snprintf(p->title, sizeof p->title, "Learned feature importances: %s (%s)", dataset,
             m->model);
    snprintf(p->caption, sizeof p->caption,
             "The metric M that %s selected on %s (d = %zu). Left: the %zu largest diagonal "
             "entries M_kk, the weight of feature k. Right: the %zu largest eigenvalues of M; a "
             "few dominant ones mean the model uses a low-dimensional projection of the "
             "features.%s All values are in features/%s.csv.", m->model, dataset, m->d, top, top,
             m->identity ? " Here M is the identity: the selection kept the first fit (M_0 = I), "
                           "so nothing was learned on this dataset." : "", sd);
    hx_rep_buf g = {0};
    preamble_(&g, p->name, "learned metric: top diagonal entries and eigenvalues", 1000, 480);
    hx_rep_printf(&g, "set multiplot layout 1,2 title ");
    char title[400];
    snprintf(title, sizeof title, "%s: metric M learned by %s (d = %zu)", dataset, m->model, m->d);
    gpq_(&g, title);
    hx_rep_printf(&g,
                  "\nset style fill solid 0.7 border -1\nset boxwidth 0.7\nunset key\n"
                  "set bmargin 6\nset yrange [0:*]\n"
                  "set title 'largest diagonal entries M_kk'\n"
                  "set xtics rotate by 60 right font ',9'\n"
                  "plot '%s.csv' skip 1 using 1:3:xtic(2) with boxes lc rgb '%s'\n"
                  "set title 'largest eigenvalues of M'\nset xtics 1 norotate font ',9'\n"
                  "set xlabel 'eigenvalue index'\nset xrange [0.3:%zu.7]\n"
                  "plot '%s.csv' skip 1 using 1:4 with boxes lc rgb '%s'\n"
                  "unset multiplot\n",
                  p->name, colour_[0], top, p->name, colour_[2]);
    return finish_(c, p, &o, &g, err);
}
