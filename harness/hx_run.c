/* hx_run.c - `rfmbench run EXPERIMENT.yaml`: resolve the experiment, validate every input
 * before touching the run directory, lock the directory, skip what results.csv already holds
 * (--resume), run the remaining (dataset, model) units in worker processes, then write and
 * print the leaderboard.
 *
 * Why worker processes: a unit that crashes or is killed (say, by the kernel's OOM killer on a
 * huge kernel matrix) becomes failed rows instead of ending the run, --jobs N needs no threads
 * in the numeric code, and each worker's peak RSS is its own. Workers die with the parent
 * (PR_SET_PDEATHSIG), so a kill -9 of the run leaves no orphan appending rows, and every row is
 * one fsync'ed append, so the kill tears at most a last line, which the next open cuts off. */
#include "hx_run.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hx_board.h"
#include "hx_dataset.h"
#include "hx_experiment.h"
#include "hx_results.h"
#include "hx_split.h"
#include "hx_task.h"
#include "model.h"
#include "hx_util.h"

typedef struct {
    hx_unit u;
    size_t k;
    unsigned char *skip; /* k entries: 1 = results.csv holds an ok row for that fold */
    size_t since;        /* rows results.csv held when the run started */
    pid_t pid;
    int done, sel;       /* sel: cv_results.csv holds the unit's selection rows */
} job_;

static int usage_(FILE *fp) {
    fprintf(fp,
            "usage: rfmbench run EXPERIMENT.yaml [--out DIR] [--resume] [--jobs N] [--threads T]\n"
            "                    [--only NAME,...] [--quiet]\n"
            "Runs every (dataset, model) of the experiment under its protocol and writes the run\n"
            "directory: results.csv, cv_results.csv, leaderboard.csv, leaderboard_stats.csv,\n"
            "run.yaml, run.log. --resume skips the folds results.csv already holds. --jobs runs\n"
            "that many worker processes; --threads sets BLAS threads per worker (default:\n"
            "cores / jobs). --only restricts to the named datasets.\n");
    return fp == stdout ? 0 : 2;
}

static int in_list_(char *const *list, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i], name)) return 1;
    return 0;
}

/* --only a,b,c: a comma list kept as an array of pointers into its own copy. */
static int split_commas_(char *s, char **out, int max) {
    int n = 0;
    for (char *tok = strtok(s, ","); tok && n < max; tok = strtok(NULL, ",")) out[n++] = tok;
    return n;
}

typedef struct {
    char **desc;  /* descriptor paths that pass the filters */
    char **names; /* their dataset names */
    size_t *folds; /* their outer folds: 4 for uci121, the descriptor's kfold for csv */
    size_t n;
    char skipped[4096]; /* unavailable datasets, for the log */
    int bad_only;       /* 1: an --only name no descriptor has (a usage error) */
} dataset_list_;

static void dataset_list_free_(dataset_list_ *l) {
    for (size_t i = 0; i < l->n; i++) {
        free(l->desc[i]);
        free(l->names[i]);
    }
    free(l->desc);
    free(l->names);
    free(l->folds);
    memset(l, 0, sizeof *l);
}

/* Apply the filters; load each kept dataset once so bad input fails here, before any output. */
static rfm_status resolve_datasets_(const hx_experiment *e, char **only, int n_only,
                                    dataset_list_ *out, rfm_error *err) {
    memset(out, 0, sizeof *out);
    out->desc = calloc(e->n_datasets + 1, sizeof *out->desc);
    out->names = calloc(e->n_datasets + 1, sizeof *out->names);
    out->folds = calloc(e->n_datasets + 1, sizeof *out->folds);
    unsigned char seen[256] = {0}; // per --only name: some descriptor has it
    if (!out->desc || !out->names || !out->folds)
        return rfm_fail(err, RFM_ENOMEM, "out of memory");
    for (size_t i = 0; i < e->n_datasets; i++) {
        hx_desc *d = NULL;
        rfm_status st = hx_desc_load(e->datasets[i], &d, err);
        if (st) return st;
        const hx_desc_info *info = hx_desc_info_get(d);
        for (int q = 0; q < n_only && q < 256; q++) seen[q] |= !strcmp(only[q], info->name);
        int keep = 1;
        if (e->n_only && !in_list_(e->only, e->n_only, info->name)) keep = 0;
        if (n_only && !in_list_(only, (size_t)n_only, info->name)) keep = 0;
        if (in_list_(e->exclude, e->n_exclude, info->name)) keep = 0;
        // uci121 sizes come from the metadata, so a size filter needs no data.
        if (e->max_rows && info->size_total > e->max_rows) keep = 0;
        if (e->max_features && info->n_features_raw > e->max_features) keep = 0;
        // Protocol uci121 needs the collection's split files; protocol cv on the collection
        // would silently run on those files instead, so either mismatch is refused (before the
        // data-file check, so an unavailable dataset cannot hide it).
        if (keep && (e->protocol == HX_PROTOCOL_UCI121) != (info->format == HX_FORMAT_UCI121)) {
            if (e->protocol == HX_PROTOCOL_UCI121)
                st = rfm_fail(err, RFM_EINVAL, "%s: protocol uci121 needs format uci121",
                              e->datasets[i]);
            else
                st = rfm_fail(err, RFM_EINVAL,
                              "%s: format uci121 carries its own splits: use protocol: uci121 "
                              "in %s", e->datasets[i], e->path);
            hx_desc_free(d);
            return st;
        }
        if (keep && !info->data_present && info->format != HX_FORMAT_UCI121) {
            // Only the collection has known gaps (uci121-protocol.md 2.5); a CSV descriptor
            // whose file is missing is a mistake to report, not a dataset to skip.
            st = rfm_fail(err, RFM_EINVAL, "%s: path: the data file does not exist or cannot be "
                                           "read", e->datasets[i]);
            hx_desc_free(d);
            return st;
        }
        if (keep && !info->data_present) {
            size_t len = strlen(out->skipped);
            snprintf(out->skipped + len, sizeof out->skipped - len, "%s%s", len ? " " : "",
                     info->name);
            keep = 0;
        }
        if (keep) {
            hx_data *data = NULL;
            hx_splits *sp = NULL;
            st = hx_data_load(d, &data, err);
            if (!st) st = hx_data_splits(data, &sp, err);
            if (!st && (e->max_rows && hx_data_info_get(data)->n > e->max_rows)) keep = 0;
            hx_splits_free(sp);
            hx_data_free(data);
            if (st) {
                hx_desc_free(d);
                return st;
            }
        }
        if (keep) {
            out->desc[out->n] = strdup(e->datasets[i]);
            out->names[out->n] = strdup(info->name);
            out->folds[out->n] = info->format == HX_FORMAT_UCI121 ? 4 : info->kfold;
            if (!out->desc[out->n] || !out->names[out->n]) {
                out->n++; // freed by dataset_list_free_
                hx_desc_free(d);
                return rfm_fail(err, RFM_ENOMEM, "out of memory");
            }
            out->n++;
        }
        hx_desc_free(d);
    }
    // A misspelt --only name would otherwise run nothing and still say it succeeded.
    for (int q = 0; q < n_only && q < 256; q++)
        if (!seen[q]) {
            out->bad_only = 1;
            return rfm_fail(err, RFM_EINVAL, "run: --only %s: no dataset of that name in %s",
                            only[q], e->path);
        }
    return RFM_OK;
}

/* Every candidate of every model must create: a bad grid value fails before any output. */
static rfm_status check_models_(const hx_experiment *e, const dataset_list_ *dl,
                                rfm_error *err) {
    for (size_t m = 0; m < e->n_models; m++) {
        const hx_model_spec *spec = &e->models[m];
        for (size_t j = 0; j <= dl->n; j++) {
            const char *name = j < dl->n ? dl->names[j] : NULL;
            hx_candidate *c = NULL;
            size_t nc = 0;
            rfm_status st = hx_model_candidates(spec, name, &c, &nc, err);
            for (size_t i = 0; !st && i < nc; i++) {
                mdl_param buf[128];
                size_t np = c[i].n < 128 ? c[i].n : 128;
                for (size_t q = 0; q < np; q++) {
                    buf[q].key = c[i].kv[q].key;
                    buf[q].value = c[i].kv[q].value;
                }
                mdl_params mp = {buf, np};
                mdl_model *mo = NULL;
                rfm_error merr;
                if (mdl_create(spec->type, &mp, MDL_CLASSIFICATION, &mo, &merr) != RFM_OK)
                    st = rfm_fail(err, RFM_EINVAL, "%s: models[%zu] (%s): %s", e->path, m,
                                  spec->name, merr.msg);
                mdl_free(mo);
            }
            hx_candidates_free(c, nc);
            if (st) return st;
        }
    }
    return RFM_OK;
}

/* Mark the folds results.csv holds an ok row for, per (dataset, model) and spec. A failed row
 * (say, a worker killed for memory) is retried by --resume; the board takes the last row of a
 * fold. Rows from index `since` on were written by this run: any of them marks its fold. */
static rfm_status mark_done_(const char *results, job_ *jobs, size_t n_jobs, size_t since,
                             size_t *n_rows, rfm_error *err) {
    *n_rows = 0;
    if (access(results, F_OK) != 0) return RFM_OK;
    hx_result_row *rows = NULL;
    size_t n = 0, torn = 0;
    rfm_status st = hx_results_read_ex(results, &rows, &n, &torn, err);
    if (st) return st;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n_jobs; j++) {
            job_ *jb = &jobs[j];
            if (strcmp(rows[i].dataset, jb->u.dataset) || strcmp(rows[i].model, jb->u.model->name))
                continue;
            // Rows of another spec (a changed grid, seed, protocol) are not this unit's work;
            // an empty spec_hash comes from a file older than the column and matches.
            if (rows[i].spec_hash[0] && strcmp(rows[i].spec_hash, jb->u.spec_hash)) continue;
            if (rows[i].fold >= 0 && (size_t)rows[i].fold < jb->k &&
                (i >= since || (rows[i].status && !strcmp(rows[i].status, "ok"))))
                jb->skip[rows[i].fold] = 1;
        }
    }
    *n_rows = n;
    hx_result_rows_free(rows, n);
    return RFM_OK;
}

/* Set sel for the units whose selection rows (of their spec) cv_results.csv holds: one read. */
static void mark_selections_(const char *cv, job_ *jobs, size_t n_jobs) {
    hx_cv_row *rows = NULL;
    size_t n = 0, torn = 0;
    if (access(cv, F_OK) != 0 || hx_cv_read(cv, &rows, &n, &torn, NULL) != RFM_OK) return;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n_jobs; j++) {
            const hx_unit *u = &jobs[j].u;
            jobs[j].sel |= !strcmp(rows[i].dataset, u->dataset) &&
                           !strcmp(rows[i].model, u->model->name) &&
                           (!rows[i].spec_hash[0] || !strcmp(rows[i].spec_hash, u->spec_hash));
        }
    hx_cv_rows_free(rows, n);
}

/* After a worker stopped early: a failed row, with `why`, for each fold of its unit that has
 * neither an ok row nor a row this run wrote. When results.csv cannot be read, nothing is
 * written: a failed row must never hide a finished fold. */
static void fail_unwritten_(job_ *jb, const char *why) {
    rfm_error err = {RFM_OK, ""};
    char *results = hx_path_join(jb->u.run_dir, "results.csv");
    size_t n = 0;
    memset(jb->skip, 0, jb->k);
    rfm_status st = results ? mark_done_(results, jb, 1, jb->since, &n, &err)
                            : rfm_fail(&err, RFM_ENOMEM, "out of memory");
    if (!st) st = hx_unit_fail_rest(&jb->u, jb->k, why, &err);
    if (st)
        fprintf(stderr, "rfmbench: %s / %s: cannot record its failed folds: %s\n", jb->u.dataset,
                jb->u.model->name, err.msg);
    free(results);
}

static void progress_(int quiet, int tty, size_t done, size_t total, const char *what,
                      double t0) {
    if (quiet) return;
    double el = rfm_seconds() - t0;
    double eta = done ? el / (double)done * (double)(total - done) : 0;
    if (tty)
        fprintf(stderr, "\r\033[K[%zu/%zu] %s  elapsed %.0fs  eta %.0fs", done, total, what, el,
                eta);
    else
        fprintf(stderr, "rfmbench: [%zu/%zu] %s (elapsed %.0fs, eta %.0fs)\n", done, total, what,
                el, eta);
    fflush(stderr);
}

/* Run one unit in a worker process; returns its pid (or -1). */
static pid_t spawn_(job_ *jb, int lock_fd) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid != 0) return pid;
    // The worker must not outlive the run, nor keep its lock.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() == 1) _exit(3);
    close(lock_fd);
    // A unit allocates and frees an n x n matrix per fit. Above glibc's mmap threshold each
    // one is a fresh mapping whose pages the kernel faults in and zeroes again; keeping them
    // on the heap lets the next fit reuse the same pages.
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    size_t failed = 0;
    rfm_error err = {RFM_OK, ""};
    rfm_status st = hx_unit_run(&jb->u, &failed, &err);
    if (st) {
        // A unit whose data cannot be loaded or whose rows cannot be written: say why (after
        // ending the live progress line on a terminal), then fail only the folds that have no
        // row yet: the unit may have written some before it stopped.
        fprintf(stderr, "%srfmbench: %s\n", isatty(2) ? "\n" : "", err.msg);
        fail_unwritten_(jb, err.msg);
        _exit(4);
    }
    _exit(failed ? 1 : 0);
}

typedef struct {
    const char *path;
    const char *out;
    int resume, jobs, threads, quiet;
    char *only[256];
    int n_only;
} run_opts_;

static int parse_opts_(int argc, char **argv, run_opts_ *o, char *only_buf, size_t only_size) {
    static const struct option longs[] = {
        {"out", required_argument, 0, 'o'},  {"resume", no_argument, 0, 'r'},
        {"jobs", required_argument, 0, 'j'}, {"threads", required_argument, 0, 't'},
        {"only", required_argument, 0, 'n'}, {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},       {0, 0, 0, 0}};
    memset(o, 0, sizeof *o);
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "o:rj:t:n:qh", longs, NULL)) != -1) {
        char *end = NULL;
        switch (c) {
        case 'o': o->out = optarg; break;
        case 'r': o->resume = 1; break;
        case 'q': o->quiet = 1; break;
        case 'h': return usage_(stdout) - 1; // -1: printed help, exit 0
        case 'j':
        case 't': {
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 256) {
                fprintf(stderr, "rfmbench: run: --%s %s: expected an integer in 1..256\n",
                        c == 'j' ? "jobs" : "threads", optarg);
                return 2;
            }
            if (c == 'j') o->jobs = (int)v;
            else o->threads = (int)v;
            break;
        }
        case 'n':
            snprintf(only_buf, only_size, "%s", optarg);
            o->n_only = split_commas_(only_buf, o->only, 256);
            if (o->n_only == 0) {
                fprintf(stderr, "rfmbench: run: --only needs at least one dataset name\n");
                return 2;
            }
            break;
        default:
            fprintf(stderr, "rfmbench: run: unknown or incomplete option '%s'\n",
                    argv[optind - 1]);
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "rfmbench: run: expected one EXPERIMENT.yaml (see rfmbench run --help)\n");
        return 2;
    }
    o->path = argv[optind];
    return 0;
}

/* Exit-code helper: print the one-line error. */
static int fail_(const rfm_error *err) {
    fprintf(stderr, "rfmbench: %s\n", err->msg);
    return 1;
}

static int finish_board_(const char *dir, const char *results, int quiet) {
    hx_result_row *rows = NULL;
    size_t n = 0;
    rfm_error err = {RFM_OK, ""};
    hx_board *b = NULL;
    if (hx_results_read(results, &rows, &n, &err) || hx_board_build(rows, n, &b, &err) ||
        hx_board_save(b, dir, &err)) {
        hx_board_free(b);
        hx_result_rows_free(rows, n);
        return fail_(&err);
    }
    (void)quiet;
    hx_board_print(b, stdout);
    hx_board_free(b);
    hx_result_rows_free(rows, n);
    return 0;
}

int hx_cmd_run(int argc, char **argv) {
    run_opts_ o;
    char only_buf[8192];
    int rc = parse_opts_(argc, argv, &o, only_buf, sizeof only_buf);
    if (rc) return rc < 0 ? 0 : rc;
    rfm_error err = {RFM_OK, ""};
    hx_experiment *e = NULL;
    dataset_list_ dl = {0};
    job_ *jobs = NULL;
    size_t n_jobs_all = 0; // jobs allocated, for the cleanup
    char *results = NULL, *cvpath = NULL, *path = NULL;
    int lock_fd = -1, tty = isatty(2), exit_code = 0;
    if (hx_experiment_load(o.path, &e, &err)) return fail_(&err);
    if (o.out) {
        free(e->output);
        char cwd[4096];
        e->output = o.out[0] == '/' || !getcwd(cwd, sizeof cwd) ? strdup(o.out) : NULL;
        if (!e->output) {
            size_t len = strlen(cwd) + strlen(o.out) + 2;
            e->output = malloc(len);
            if (e->output) snprintf(e->output, len, "%s/%s", cwd, o.out);
        }
    }
    if (o.jobs) e->jobs = o.jobs;
    if (o.threads) e->threads = o.threads;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int threads = e->threads ? e->threads : (int)(cores / e->jobs > 0 ? cores / e->jobs : 1);
    if (resolve_datasets_(e, o.only, o.n_only, &dl, &err) || check_models_(e, &dl, &err)) {
        exit_code = fail_(&err);
        if (dl.bad_only) exit_code = 2; // a usage error: the option's value
        goto done;
    }
    // The run directory: created, locked, and protected from an accidental second run.
    const char *dir = e->output;
    results = hx_path_join(dir, "results.csv");
    cvpath = hx_path_join(dir, "cv_results.csv");
    if (!results || !cvpath) {
        fprintf(stderr, "rfmbench: out of memory\n");
        exit_code = 1;
        goto done;
    }
    if (hx_mkdirs(dir) != 0) {
        fprintf(stderr, "rfmbench: %s: cannot create the run directory: %s\n", dir,
                strerror(errno));
        exit_code = 1;
        goto done;
    }
    path = hx_path_join(dir, "run.lock");
    lock_fd = path ? open(path, O_RDWR | O_CREAT, 0644) : -1;
    if (lock_fd < 0) {
        fprintf(stderr, "rfmbench: %s: cannot open the lock file: %s\n", path ? path : dir,
                strerror(path ? errno : ENOMEM));
        exit_code = 1;
        goto done;
    }
    if (flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
        fprintf(stderr, "rfmbench: %s: another run is using this directory (run.lock)\n", dir);
        exit_code = 1;
        goto done;
    }
    struct stat sb;
    if (!o.resume && stat(results, &sb) == 0 && sb.st_size > 0) {
        fprintf(stderr, "rfmbench: %s: holds results already; add --resume to continue it or "
                        "choose another --out\n", dir);
        exit_code = 1;
        goto done;
    }
    // Cut torn final lines (a killed run) before any worker appends.
    hx_appender *ap = NULL;
    if (hx_results_open(results, HX_KIND_RESULTS, &ap, &err)) {
        exit_code = fail_(&err);
        goto done;
    }
    hx_results_close(ap);
    if (hx_results_open(cvpath, HX_KIND_CV, &ap, &err)) {
        exit_code = fail_(&err);
        goto done;
    }
    hx_results_close(ap);
    free(path);
    path = hx_path_join(dir, "run.yaml");
    if (!path || hx_experiment_write(e, path, &err)) {
        if (!path) rfm_fail(&err, RFM_ENOMEM, "out of memory");
        exit_code = fail_(&err);
        goto done;
    }
    // Units: every (dataset, model).
    size_t n_jobs = dl.n * e->n_models, n_done_rows = 0;
    jobs = calloc(n_jobs ? n_jobs : 1, sizeof *jobs);
    n_jobs_all = jobs ? n_jobs : 0;
    if (!jobs) {
        fprintf(stderr, "rfmbench: out of memory\n");
        exit_code = 1;
        goto done;
    }
    for (size_t i = 0; i < dl.n; i++) {
        for (size_t m = 0; m < e->n_models; m++) {
            job_ *jb = &jobs[i * e->n_models + m];
            jb->u.exp = e;
            jb->u.model = &e->models[m];
            jb->u.descriptor = dl.desc[i];
            jb->u.dataset = dl.names[i];
            jb->u.run_dir = dir;
            jb->u.threads = threads;
            if (hx_unit_spec_hash(&jb->u, jb->u.spec_hash, &err)) {
                exit_code = fail_(&err);
                goto done;
            }
            jb->k = dl.folds[i];
            jb->skip = calloc(jb->k ? jb->k : 1, 1);
            if (!jb->skip) {
                fprintf(stderr, "rfmbench: out of memory\n");
                exit_code = 1;
                goto done;
            }
            jb->u.skip = jb->skip;
            jb->u.n_skip = jb->k;
        }
    }
    if (mark_done_(results, jobs, n_jobs, SIZE_MAX, &n_done_rows, &err)) {
        exit_code = fail_(&err);
        goto done;
    }
    mark_selections_(cvpath, jobs, n_jobs);
    size_t todo = 0;
    for (size_t j = 0; j < n_jobs; j++) {
        size_t have = 0;
        for (size_t f = 0; f < jobs[j].k; f++) have += jobs[j].skip[f];
        jobs[j].since = n_done_rows;
        // A unit writes its cv_results rows after its last fold row, so a kill in between
        // leaves every fold done but no selection rows: such a unit reruns its selection only.
        int sel = have && jobs[j].sel;
        jobs[j].done = have == jobs[j].k && sel;
        if (!jobs[j].done) {
            todo++;
            jobs[j].u.skip_selection_rows = sel;
        }
    }
    {
        char line[8192];
        int len = snprintf(line, sizeof line,
                           "run %s: %zu datasets x %zu models, %zu units to run (%zu rows kept), "
                           "jobs %d, threads %d%s%s\n",
                           e->name, dl.n, e->n_models, todo, n_done_rows, e->jobs, threads,
                           dl.skipped[0] ? "; unavailable (no data file): " : "", dl.skipped);
        free(path);
        path = hx_path_join(dir, "run.log");
        int fd = path ? open(path, O_WRONLY | O_APPEND | O_CREAT, 0644) : -1;
        if (fd >= 0) {
            if (write(fd, line, (size_t)len) < 0) len = 0;
            close(fd);
        }
        if (!o.quiet) fprintf(stderr, "rfmbench: %s", line);
    }
    // Schedule: up to `jobs` workers; the parent only waits and reports.
    double t0 = rfm_seconds();
    size_t next = 0, running = 0, finished = 0, failed_units = 0;
    while (finished < todo) {
        while (running < (size_t)e->jobs && next < n_jobs) {
            job_ *jb = &jobs[next++];
            if (jb->done) continue;
            jb->pid = spawn_(jb, lock_fd);
            if (jb->pid < 0) {
                fprintf(stderr, "rfmbench: fork failed: %s\n", strerror(errno));
                exit_code = 1;
                goto done;
            }
            running++;
            char what[512];
            snprintf(what, sizeof what, "%s / %s", jb->u.dataset, jb->u.model->name);
            // The live line shows what runs; a log (not a terminal) gets one line per unit done.
            if (tty) progress_(o.quiet, tty, finished, todo, what, t0);
        }
        int status = 0;
        pid_t pid = wait(&status);
        if (pid < 0) break;
        for (size_t j = 0; j < n_jobs; j++) {
            job_ *jb = &jobs[j];
            if (jb->pid != pid) continue;
            jb->pid = 0;
            running--;
            finished++;
            if (WIFSIGNALED(status)) {
                // The worker died mid-unit: record the folds it did not write as failed.
                char why[200];
                snprintf(why, sizeof why, "worker killed by signal %d%s", WTERMSIG(status),
                         WTERMSIG(status) == SIGKILL ? " (out of memory?)" : "");
                fail_unwritten_(jb, why);
                failed_units++;
            } else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
                failed_units++;
            }
            char what[512];
            snprintf(what, sizeof what, "%s / %s done", jb->u.dataset, jb->u.model->name);
            progress_(o.quiet, tty, finished, todo, what, t0);
        }
    }
    if (!o.quiet && tty) fprintf(stderr, "\n");
    if (failed_units) exit_code = 1;
    int brc = finish_board_(dir, results, o.quiet);
    if (brc) exit_code = brc;
    if (!o.quiet)
        fprintf(stderr, "rfmbench: wrote %s (%.1f s)%s\n", dir, rfm_seconds() - t0,
                failed_units ? "; some tasks failed (see results.csv, run.log)" : "");
done:
    if (lock_fd >= 0) close(lock_fd);
    for (size_t j = 0; jobs && j < n_jobs_all; j++) free(jobs[j].skip);
    free(jobs);
    free(results);
    free(cvpath);
    free(path);
    dataset_list_free_(&dl);
    hx_experiment_free(e);
    return exit_code;
}
