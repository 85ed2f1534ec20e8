/* hx_experiment_fs.c - the file-system side of the experiment loader: reading the YAML file,
 * resolving folders, normalising the output path, expanding `datasets` entries (files,
 * folders, globs) into a sorted list of descriptor paths without repeats, and reading the
 * dataset name of each descriptor. */
#include "hx_experiment_impl.h"

#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hx_dataset.h"

typedef struct {
    char **v;
    size_t n, cap;
} strs_;

rfm_status hx_exp_read_all(const char *path, char **out, size_t *len, rfm_error *err) {
    FILE *fp = fopen(path, "rb");
    if (!fp) return rfm_fail(err, RFM_EIO, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 0, n = 0;
    char *buf = NULL;
    rfm_status st = RFM_OK;
    for (size_t got = 1; got > 0;) {
        if (n + 1 >= cap) {
            char *b = realloc(buf, cap ? 2 * cap : 4096);
            if (!b) {
                st = rfm_fail(err, RFM_ENOMEM, "%s: out of memory", path);
                break;
            }
            buf = b;
            cap = cap ? 2 * cap : 4096;
        }
        got = fread(buf + n, 1, cap - 1 - n, fp);
        n += got;
    }
    if (!st && ferror(fp))
        st = rfm_fail(err, RFM_EIO, "%s: cannot read: %s", path, strerror(errno));
    fclose(fp);
    if (st) {
        free(buf);
        return st;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return RFM_OK;
}

int hx_exp_ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

// A descriptor's default name comes from its file name, so only the folder is resolved.
char *hx_exp_canon(const char *p) {
    const char *slash = strrchr(p, '/');
    char *dir = NULL, *real = NULL, *out = NULL;
    if (!slash) dir = hx_exp_strdup(".");
    else if (slash == p) dir = hx_exp_strdup("/");
    else if ((dir = malloc((size_t)(slash - p) + 1))) {
        memcpy(dir, p, (size_t)(slash - p));
        dir[slash - p] = '\0';
    }
    if (dir && (real = realpath(dir, NULL))) {
        const char *base = slash ? slash + 1 : p;
        size_t n = strlen(real) + strlen(base) + 2;
        if ((out = malloc(n))) snprintf(out, n, "%s%s%s", real, strcmp(real, "/") ? "/" : "", base);
    }
    free(dir);
    free(real);
    return out;
}

char *hx_exp_lexnorm(const char *p) {
    char *o = malloc(strlen(p) + 2);
    size_t n = 0;
    if (!o) return NULL;
    for (const char *s = p; *s;) {
        while (*s == '/') s++;
        const char *e = s;
        while (*e && *e != '/') e++;
        size_t k = (size_t)(e - s);
        if (k == 2 && s[0] == '.' && s[1] == '.') {
            while (n > 0 && o[n - 1] != '/') n--;
            if (n > 0) n--;
        } else if (k > 0 && !(k == 1 && s[0] == '.')) {
            o[n++] = '/';
            memcpy(o + n, s, k);
            n += k;
        }
        s = e;
    }
    if (n == 0) o[n++] = '/';
    o[n] = '\0';
    return o;
}

/* ---- dataset entries --------------------------------------------------------------------- */

static int push_(strs_ *s, char *p) { // takes p, also on failure
    if (p && s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        char **v = realloc(s->v, cap * sizeof *v);
        if (!v) {
            free(p);
            return 0;
        }
        s->v = v;
        s->cap = cap;
    }
    if (p) s->v[s->n++] = p;
    return p != NULL;
}

// The *.yaml files directly inside dir (hidden ones skipped, as a shell glob would).
static int list_dir_(const char *dir, strs_ *out) {
    DIR *d = opendir(dir);
    if (!d) return 1; // unreadable: contributes nothing, reported as matching no descriptor
    int ok = 1;
    for (struct dirent *de; ok && (de = readdir(d));) {
        if (de->d_name[0] == '.' || !hx_exp_ends_with(de->d_name, ".yaml")) continue;
        size_t n = strlen(dir) + strlen(de->d_name) + 2;
        char *p = malloc(n);
        struct stat sb;
        if (!p) ok = 0;
        else snprintf(p, n, "%s/%s", dir, de->d_name);
        if (ok && stat(p, &sb) == 0 && S_ISREG(sb.st_mode)) ok = push_(out, hx_exp_canon(p));
        free(p);
    }
    closedir(d);
    return ok;
}

// Entry i of `datasets`: its descriptors are appended to out.
static rfm_status expand_(const char *file, const char *dir, const char *pat, size_t i,
                          strs_ *out, rfm_error *err) {
    // The experiment folder is literal text: escape what glob would read as a pattern.
    size_t n = 2 * strlen(dir) + strlen(pat) + 2, k = 0;
    char *full = malloc(n);
    if (!full) return rfm_fail(err, RFM_ENOMEM, "%s: out of memory", file);
    if (pat[0] != '/') {
        for (const char *s = dir; *s; s++) {
            if (strchr("*?[]\\", *s)) full[k++] = '\\';
            full[k++] = *s;
        }
        full[k++] = '/';
    }
    memcpy(full + k, pat, strlen(pat) + 1);
    glob_t g;
    int rc = glob(full, 0, NULL, &g);
    free(full);
    if (rc == GLOB_NOSPACE) return rfm_fail(err, RFM_ENOMEM, "%s: out of memory", file);
    size_t before = out->n;
    int ok = 1;
    for (size_t j = 0; rc == 0 && ok && j < g.gl_pathc; j++) {
        struct stat sb;
        if (stat(g.gl_pathv[j], &sb) != 0) continue;
        if (S_ISDIR(sb.st_mode)) ok = list_dir_(g.gl_pathv[j], out);
        else ok = push_(out, hx_exp_canon(g.gl_pathv[j]));
    }
    if (rc == 0) globfree(&g);
    if (!ok) return rfm_fail(err, RFM_ENOMEM, "%s: out of memory", file);
    if (out->n == before) {
        char what[400]; // the loader's semantic messages cut the reason at this length
        snprintf(what, sizeof what, "'%s' matches no descriptor", pat);
        return rfm_fail(err, RFM_EFORMAT, "%s: datasets[%zu]: %s", file, i, what);
    }
    return RFM_OK;
}

static int cmp_str_(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

rfm_status hx_exp_datasets(const char *file, const char *dir, char *const *pats, size_t n,
                           char ***out, size_t *count, rfm_error *err) {
    *out = NULL;
    *count = 0;
    strs_ all = {0};
    rfm_status st = RFM_OK;
    for (size_t i = 0; !st && i < n; i++) st = expand_(file, dir, pats[i], i, &all, err);
    if (!st) { // sort, then drop repeats: entries may overlap (a glob and a file in it)
        qsort(all.v, all.n, sizeof *all.v, cmp_str_);
        size_t k = 0;
        for (size_t i = 0; i < all.n; i++) {
            if (k && !strcmp(all.v[k - 1], all.v[i])) free(all.v[i]);
            else all.v[k++] = all.v[i];
        }
        *out = all.v;
        *count = k;
        all.v = NULL;
        all.n = 0;
    }
    for (size_t i = 0; i < all.n; i++) free(all.v[i]);
    free(all.v);
    return st;
}

/* ---- dataset names ----------------------------------------------------------------------- */

static void names_free_(char **names, size_t n) {
    for (size_t i = 0; names && i < n; i++) free(names[i]);
    free(names);
}

// The name of each descriptor paths[0..n), as hx_desc_load gives it; repeated names fail.
static rfm_status dataset_names_(const char *file, char *const *paths, size_t n, char ***out,
                                 rfm_error *err) {
    *out = NULL;
    rfm_status st = RFM_OK;
    char **names = hx_exp_zalloc(n, sizeof *names);
    if (!names) return rfm_fail(err, RFM_ENOMEM, "%s: out of memory", file);
    for (size_t i = 0; !st && i < n; i++) {
        hx_desc *d = NULL;
        if ((st = hx_desc_load(paths[i], &d, err))) break; // the descriptor's own message
        if (!(names[i] = hx_exp_strdup(hx_desc_info_get(d)->name)))
            st = rfm_fail(err, RFM_ENOMEM, "%s: out of memory", file);
        hx_desc_free(d);
        // Two descriptors of one name would share result rows and resume keys.
        for (size_t j = 0; !st && j < i; j++) {
            if (!strcmp(names[j], names[i]))
                st = rfm_fail(err, RFM_EFORMAT, "%s: datasets: '%s' is the name of both %s and %s",
                              file, names[i], paths[j], paths[i]);
        }
    }
    if (!st) {
        *out = names;
        names = NULL;
    }
    names_free_(names, n);
    return st;
}

static int known_(char *const *names, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++)
        if (!strcmp(names[i], name)) return 1;
    return 0;
}

rfm_status hx_exp_check_names(const char *file, const hx_experiment *e, rfm_error *err) {
    char **names = NULL;
    size_t n = e->n_datasets;
    rfm_status st = dataset_names_(file, e->datasets, n, &names, err);
    if (st) return st;
    // A typo in a filter or a pin would silently run everything, or pin nothing.
    for (size_t i = 0; !st && i < e->n_only; i++) {
        if (!known_(names, n, e->only[i]))
            st = rfm_fail(err, RFM_EFORMAT, "%s: only[%zu]: no such dataset '%s'", file, i,
                          e->only[i]);
    }
    for (size_t i = 0; !st && i < e->n_exclude; i++) {
        if (!known_(names, n, e->exclude[i]))
            st = rfm_fail(err, RFM_EFORMAT, "%s: exclude[%zu]: no such dataset '%s'", file, i,
                          e->exclude[i]);
    }
    for (size_t m = 0; !st && m < e->n_models; m++) {
        const hx_model_spec *ms = &e->models[m];
        for (size_t o = 0; !st && o < ms->n_overrides; o++) {
            if (!known_(names, n, ms->overrides[o].dataset))
                st = rfm_fail(err, RFM_EFORMAT, "%s: models[%zu].overrides.%s: no such dataset",
                              file, m, ms->overrides[o].dataset);
        }
    }
    names_free_(names, n);
    return st;
}
