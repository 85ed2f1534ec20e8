/* hx_experiment.c - the experiment YAML: loading through libyaml's document API with key-path
 * errors, expansion of `datasets` entries (files, folders, globs), grid expansion into ordered
 * candidates, params strings and hashes, and the atomic write of the resolved experiment. */
#include "hx_experiment.h"

#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#define MAX_CANDIDATES_ 100000u
#define MAX_LOG10_VALUES_ 1000u

typedef struct {
    const char *file; /* as the caller gave it: every message starts with it */
    const char *dir;  /* absolute folder of the experiment file */
    yaml_document_t *doc;
    rfm_error *err;
} ctx_;

typedef struct {
    char **v;
    size_t n, cap;
} strs_;

__attribute__((format(printf, 3, 4)))
static rfm_status sem_(const ctx_ *c, const char *path, const char *fmt, ...) {
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (!*path) return rfm_fail(c->err, RFM_EFORMAT, "%s: %s", c->file, what); // top level
    return rfm_fail(c->err, RFM_EFORMAT, "%s: %s: %s", c->file, path, what);
}

static rfm_status nomem_(const ctx_ *c) {
    return rfm_fail(c->err, RFM_ENOMEM, "%s: out of memory", c->file);
}

static char *dup_(const char *s) {
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

// calloc(0) may return NULL, which would read as a failure.
static void *zalloc_(size_t n, size_t size) { return calloc(n ? n : 1, size); }

static const char *sval_(const yaml_node_t *n) { return (const char *)n->data.scalar.value; }

// A plain `key:`, `key: ~` or `key: null` holds no value; quoted "null" is the string.
static int is_null_(const yaml_node_t *n) {
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return 0;
    const char *s = sval_(n);
    return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
           !strcmp(s, "NULL");
}

static const char *kind_(const yaml_node_t *n) {
    if (is_null_(n)) return "nothing";
    return n->type == YAML_SCALAR_NODE ? "a scalar" : n->type == YAML_SEQUENCE_NODE ? "a list"
                                                                                  : "a map";
}

static rfm_status expect_(const ctx_ *c, const yaml_node_t *n, yaml_node_type_t t,
                          const char *path) {
    if (n->type == t && !is_null_(n)) return RFM_OK;
    const char *want = t == YAML_SCALAR_NODE ? "a value" : t == YAML_SEQUENCE_NODE ? "a list"
                                                                                  : "a map";
    return sem_(c, path, "expected %s, got %s", want, kind_(n));
}

static yaml_node_t *node_(const ctx_ *c, int id) { return yaml_document_get_node(c->doc, id); }

// Key paths are built by hand: they are truncated quietly (a message is one line anyway).
static size_t append_(char *buf, size_t size, size_t n, const char *s) {
    for (; *s && n + 1 < size; s++) buf[n++] = *s;
    buf[n] = '\0';
    return n;
}

static void child_(char *buf, size_t size, const char *parent, const char *key) {
    size_t n = append_(buf, size, 0, parent);
    append_(buf, size, *parent ? append_(buf, size, n, ".") : n, key);
}

static void index_(char *buf, size_t size, const char *parent, size_t i) {
    char ix[32];
    snprintf(ix, sizeof ix, "[%zu]", i);
    append_(buf, size, append_(buf, size, 0, parent), ix);
}

// A mapping whose keys are distinct scalars; every map of the schema goes through this first.
static rfm_status map_(const ctx_ *c, const yaml_node_t *n, const char *path) {
    rfm_status st = expect_(c, n, YAML_MAPPING_NODE, path);
    if (st) return st;
    char kp[256];
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = node_(c, p->key);
        if (k->type != YAML_SCALAR_NODE || !*sval_(k))
            return sem_(c, path, "keys must be non-empty scalars, got %s", kind_(k));
        for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p; q++) {
            if (!strcmp(sval_(node_(c, q->key)), sval_(k))) {
                child_(kp, sizeof kp, path, sval_(k));
                return sem_(c, kp, "duplicate key");
            }
        }
    }
    return RFM_OK;
}

// Unsigned decimal integer in [lo, hi]; YAML style is ignored, the text must be digits only.
static rfm_status uint_(const ctx_ *c, const yaml_node_t *n, const char *path,
                        unsigned long long lo, unsigned long long hi, unsigned long long *out) {
    if (n->type != YAML_SCALAR_NODE || is_null_(n))
        return sem_(c, path, "expected an integer >= %llu, got %s", lo, kind_(n));
    const char *s = sval_(n);
    char *end = NULL;
    errno = 0;
    unsigned long long v = (*s >= '0' && *s <= '9') ? strtoull(s, &end, 10) : 0;
    if (!end || *end) return sem_(c, path, "expected an integer >= %llu, got '%s'", lo, s);
    if (errno == ERANGE || v < lo || v > hi)
        return sem_(c, path, "%s must be in [%llu, %llu]", s, lo, hi);
    *out = v;
    return RFM_OK;
}

// Keys and values end up in `key=value;key=value`, so they must not break that syntax.
static rfm_status check_param_(const ctx_ *c, const char *path, const char *key, const char *v) {
    for (const char *k = key; *k; k++) {
        if (!(*k == '_' || *k == '-' || *k == '.' || (*k >= '0' && *k <= '9') ||
              (*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z')))
            return sem_(c, path, "'%s' is not a parameter name (letters, digits, _ - .)", key);
    }
    if (!v) return RFM_OK;
    if (strpbrk(v, ";\n\r")) return sem_(c, path, "'%s' must not contain ';' or a line break", v);
    if (!strcmp(key, "reg")) { // the one model check done here: a negative ridge is never valid
        char *end;
        double x = strtod(v, &end);
        if (end != v && !*end && x < 0) return sem_(c, path, "%s must be >= 0", v);
    }
    return RFM_OK;
}

// A map of scalars into kv; entries are counted in *n as they are filled so that the owner's
// free releases a partial list.
static rfm_status kv_map_(const ctx_ *c, const yaml_node_t *n, const char *path, hx_kv **kv,
                          size_t *count) {
    rfm_status st = map_(c, n, path);
    if (st) return st;
    size_t np = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    if (!(*kv = zalloc_(np, sizeof **kv))) return nomem_(c);
    char kp[256];
    for (size_t i = 0; i < np; i++) {
        const yaml_node_pair_t *p = n->data.mapping.pairs.start + i;
        const yaml_node_t *k = node_(c, p->key), *v = node_(c, p->value);
        child_(kp, sizeof kp, path, sval_(k));
        if ((st = expect_(c, v, YAML_SCALAR_NODE, kp))) return st;
        if ((st = check_param_(c, kp, sval_(k), sval_(v)))) return st;
        (*kv)[i].key = dup_(sval_(k));
        (*kv)[i].value = dup_(sval_(v));
        *count = i + 1;
        if (!(*kv)[i].key || !(*kv)[i].value) return nomem_(c);
    }
    return RFM_OK;
}

// A list of scalar strings (names, dataset entries).
static rfm_status str_list_(const ctx_ *c, const yaml_node_t *n, const char *path, char ***out,
                            size_t *count) {
    rfm_status st = expect_(c, n, YAML_SEQUENCE_NODE, path);
    if (st) return st;
    size_t m = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (!(*out = zalloc_(m, sizeof **out))) return nomem_(c);
    char ip[256];
    for (size_t i = 0; i < m; i++) {
        const yaml_node_t *v = node_(c, n->data.sequence.items.start[i]);
        index_(ip, sizeof ip, path, i);
        if ((st = expect_(c, v, YAML_SCALAR_NODE, ip))) return st;
        (*out)[i] = dup_(sval_(v));
        *count = i + 1;
        if (!(*out)[i]) return nomem_(c);
    }
    return RFM_OK;
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

// The real path of p's folder joined with p's own name: symlinks and `..` in the folder are
// resolved, the file keeps its name (a descriptor's default name comes from it).
static char *canon_(const char *p) {
    const char *slash = strrchr(p, '/');
    char *dir = NULL, *real = NULL, *out = NULL;
    if (!slash) dir = dup_(".");
    else if (slash == p) dir = dup_("/");
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

static int ends_with_(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

// The *.yaml files directly inside dir (hidden ones skipped, as a shell glob would).
static int list_dir_(const char *dir, strs_ *out) {
    DIR *d = opendir(dir);
    if (!d) return 1; // unreadable: contributes nothing, reported as matching no descriptor
    int ok = 1;
    for (struct dirent *de; ok && (de = readdir(d));) {
        if (de->d_name[0] == '.' || !ends_with_(de->d_name, ".yaml")) continue;
        size_t n = strlen(dir) + strlen(de->d_name) + 2;
        char *p = malloc(n);
        struct stat sb;
        if (!p) ok = 0;
        else snprintf(p, n, "%s/%s", dir, de->d_name);
        if (ok && stat(p, &sb) == 0 && S_ISREG(sb.st_mode)) ok = push_(out, canon_(p));
        free(p);
    }
    closedir(d);
    return ok;
}

static rfm_status expand_(const ctx_ *c, const char *pat, const char *path, strs_ *out) {
    // The experiment folder is literal text: escape what glob would read as a pattern.
    size_t n = 2 * strlen(c->dir) + strlen(pat) + 2, k = 0;
    char *full = malloc(n);
    if (!full) return nomem_(c);
    if (pat[0] != '/') {
        for (const char *s = c->dir; *s; s++) {
            if (strchr("*?[]\\", *s)) full[k++] = '\\';
            full[k++] = *s;
        }
        full[k++] = '/';
    }
    memcpy(full + k, pat, strlen(pat) + 1);
    glob_t g;
    int rc = glob(full, 0, NULL, &g);
    free(full);
    if (rc == GLOB_NOSPACE) return nomem_(c);
    size_t before = out->n;
    int ok = 1;
    for (size_t i = 0; rc == 0 && ok && i < g.gl_pathc; i++) {
        struct stat sb;
        if (stat(g.gl_pathv[i], &sb) != 0) continue;
        if (S_ISDIR(sb.st_mode)) ok = list_dir_(g.gl_pathv[i], out);
        else ok = push_(out, canon_(g.gl_pathv[i]));
    }
    if (rc == 0) globfree(&g);
    if (!ok) return nomem_(c);
    if (out->n == before) return sem_(c, path, "'%s' matches no descriptor", pat);
    return RFM_OK;
}

static int cmp_str_(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static rfm_status datasets_(const ctx_ *c, const yaml_node_t *n, hx_experiment *e) {
    char **pats = NULL;
    size_t np = 0;
    strs_ all = {0};
    char ip[64];
    rfm_status st = str_list_(c, n, "datasets", &pats, &np);
    if (!st && np == 0) st = sem_(c, "datasets", "expected at least one entry");
    for (size_t i = 0; !st && i < np; i++) {
        index_(ip, sizeof ip, "datasets", i);
        st = expand_(c, pats[i], ip, &all);
    }
    if (!st) { // sort, then drop repeats: entries may overlap (a glob and a file in it)
        qsort(all.v, all.n, sizeof *all.v, cmp_str_);
        size_t k = 0;
        for (size_t i = 0; i < all.n; i++) {
            if (k && !strcmp(all.v[k - 1], all.v[i])) free(all.v[i]);
            else all.v[k++] = all.v[i];
        }
        e->datasets = all.v;
        e->n_datasets = k;
        all.v = NULL;
        all.n = 0;
    }
    for (size_t i = 0; i < all.n; i++) free(all.v[i]);
    free(all.v);
    for (size_t i = 0; i < np; i++) free(pats[i]);
    free(pats);
    return st;
}

// Lexical normalisation of an absolute path (`.`, `..`, repeated '/'): the output folder may not
// exist yet, so realpath cannot be used.
static char *lexnorm_(const char *p) {
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

/* ---- models ------------------------------------------------------------------------------ */

static rfm_status log10_(const ctx_ *c, const yaml_node_t *n, const char *path, hx_grid_axis *a) {
    rfm_status st = map_(c, n, path);
    char kp[256], ip[256];
    double x[3];
    if (st) return st;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        child_(kp, sizeof kp, path, sval_(node_(c, p->key)));
        if (strcmp(sval_(node_(c, p->key)), "log10"))
            return sem_(c, kp, "unknown key (expected log10)");
        const yaml_node_t *v = node_(c, p->value);
        if ((st = expect_(c, v, YAML_SEQUENCE_NODE, kp))) return st;
        if (v->data.sequence.items.top - v->data.sequence.items.start != 3)
            return sem_(c, kp, "expected [lo, hi, step]");
        for (size_t i = 0; i < 3; i++) {
            const yaml_node_t *xi = node_(c, v->data.sequence.items.start[i]);
            char *end = NULL;
            index_(ip, sizeof ip, kp, i);
            if (xi->type == YAML_SCALAR_NODE) x[i] = strtod(sval_(xi), &end);
            if (!end || end == sval_(xi) || *end || !isfinite(x[i]))
                return xi->type == YAML_SCALAR_NODE && !is_null_(xi)
                           ? sem_(c, ip, "expected a number, got '%s'", sval_(xi))
                           : sem_(c, ip, "expected a number, got %s", kind_(xi));
        }
        // A small tolerance so that decimal steps like 0.1 still reach hi exactly.
        double span = x[2] != 0 ? (x[1] - x[0]) / x[2] : -1;
        if (span < -1e-9 || span + 1 > MAX_LOG10_VALUES_)
            return sem_(c, kp, "[%g, %g, %g] must go from lo to hi in at most %u steps", x[0],
                        x[1], x[2], MAX_LOG10_VALUES_);
        size_t count = (size_t)floor(span + 1e-9) + 1;
        if (!(a->values = zalloc_(count, sizeof *a->values))) return nomem_(c);
        for (size_t i = 0; i < count; i++) {
            char buf[32];
            snprintf(buf, sizeof buf, "%.10g", pow(10.0, x[0] + (double)i * x[2]));
            a->n_values = i + 1;
            if (!(a->values[i] = dup_(buf))) return nomem_(c);
        }
    }
    return a->values ? RFM_OK : sem_(c, path, "expected {log10: [lo, hi, step]}, got an empty map");
}

static rfm_status grid_(const ctx_ *c, const yaml_node_t *n, const char *path, hx_model_spec *m) {
    rfm_status st = map_(c, n, path);
    if (st) return st;
    size_t na = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start), total = 1;
    if (!(m->grid = zalloc_(na, sizeof *m->grid))) return nomem_(c);
    char kp[256], ip[300];
    for (size_t i = 0; i < na; i++) {
        const yaml_node_pair_t *p = n->data.mapping.pairs.start + i;
        const char *key = sval_(node_(c, p->key));
        const yaml_node_t *v = node_(c, p->value);
        hx_grid_axis *a = &m->grid[i];
        m->n_grid = i + 1;
        child_(kp, sizeof kp, path, key);
        if ((st = check_param_(c, kp, key, NULL))) return st;
        if (hx_kv_get(m->params, m->n_params, key))
            return sem_(c, kp, "also set in params (keep it in one place)");
        if (!(a->key = dup_(key))) return nomem_(c);
        if (v->type == YAML_MAPPING_NODE) {
            if ((st = log10_(c, v, kp, a))) return st;
        } else if (v->type == YAML_SEQUENCE_NODE && !is_null_(v)) {
            if ((st = str_list_(c, v, kp, &a->values, &a->n_values))) return st;
            if (a->n_values == 0) return sem_(c, kp, "expected at least one value");
            for (size_t j = 0; j < a->n_values; j++) {
                index_(ip, sizeof ip, kp, j);
                if ((st = check_param_(c, ip, key, a->values[j]))) return st;
            }
        } else {
            return sem_(c, kp, "expected a list or {log10: [lo, hi, step]}, got %s", kind_(v));
        }
        if (total > MAX_CANDIDATES_ / a->n_values)
            return sem_(c, path, "more than %u candidates", MAX_CANDIDATES_);
        total *= a->n_values;
    }
    return RFM_OK;
}

static rfm_status overrides_(const ctx_ *c, const yaml_node_t *n, const char *path,
                             hx_model_spec *m) {
    rfm_status st = map_(c, n, path);
    if (st) return st;
    size_t no = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    if (!(m->overrides = zalloc_(no, sizeof *m->overrides))) return nomem_(c);
    char kp[256];
    for (size_t i = 0; i < no; i++) {
        const yaml_node_pair_t *p = n->data.mapping.pairs.start + i;
        hx_override *o = &m->overrides[i];
        m->n_overrides = i + 1;
        child_(kp, sizeof kp, path, sval_(node_(c, p->key)));
        if (!(o->dataset = dup_(sval_(node_(c, p->key))))) return nomem_(c);
        if ((st = kv_map_(c, node_(c, p->value), kp, &o->kv, &o->n))) return st;
    }
    return RFM_OK;
}

static rfm_status model_(const ctx_ *c, const yaml_node_t *n, const char *path, hx_model_spec *m) {
    rfm_status st = map_(c, n, path);
    const yaml_node_t *grid = NULL;
    char kp[256];
    if (st) return st;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        const char *key = sval_(node_(c, p->key));
        const yaml_node_t *v = node_(c, p->value);
        child_(kp, sizeof kp, path, key);
        if (!strcmp(key, "name") || !strcmp(key, "type")) {
            if ((st = expect_(c, v, YAML_SCALAR_NODE, kp))) return st;
            char **dst = key[0] == 'n' ? &m->name : &m->type;
            if (!(*dst = dup_(sval_(v)))) return nomem_(c);
        } else if (!strcmp(key, "params")) {
            if ((st = kv_map_(c, v, kp, &m->params, &m->n_params))) return st;
        } else if (!strcmp(key, "grid")) {
            grid = v; // after params, whatever the key order: the grid is checked against them
        } else if (!strcmp(key, "overrides")) {
            if ((st = overrides_(c, v, kp, m))) return st;
        } else {
            return sem_(c, kp, "unknown key");
        }
    }
    child_(kp, sizeof kp, path, "grid");
    if (grid && (st = grid_(c, grid, kp, m))) return st;
    if (!m->type) return sem_(c, path, "missing key 'type'");
    if (!m->name && !(m->name = dup_(m->type))) return nomem_(c);
    return RFM_OK;
}

static rfm_status models_(const ctx_ *c, const yaml_node_t *n, hx_experiment *e) {
    rfm_status st = expect_(c, n, YAML_SEQUENCE_NODE, "models");
    if (st) return st;
    size_t nm = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (nm == 0) return sem_(c, "models", "expected at least one model");
    if (!(e->models = zalloc_(nm, sizeof *e->models))) return nomem_(c);
    char ip[64], np[80];
    for (size_t i = 0; i < nm; i++) {
        e->n_models = i + 1;
        index_(ip, sizeof ip, "models", i);
        if ((st = model_(c, node_(c, n->data.sequence.items.start[i]), ip, &e->models[i])))
            return st;
        for (size_t j = 0; j < i; j++) {
            if (!strcmp(e->models[j].name, e->models[i].name)) {
                child_(np, sizeof np, ip, "name");
                return sem_(c, np, "'%s' is already the name of models[%zu]", e->models[i].name, j);
            }
        }
    }
    return RFM_OK;
}

/* ---- top level --------------------------------------------------------------------------- */

static rfm_status enum_(const ctx_ *c, const yaml_node_t *v, const char *key,
                        const char *(*name)(int), int count, int *out) {
    rfm_status st = expect_(c, v, YAML_SCALAR_NODE, key);
    if (st) return st;
    for (int i = 0; i < count; i++) {
        if (!strcmp(sval_(v), name(i))) {
            *out = i;
            return RFM_OK;
        }
    }
    return count == 2 ? sem_(c, key, "'%s' is not one of %s, %s", sval_(v), name(0), name(1))
                      : sem_(c, key, "'%s' is not one of %s, %s, %s", sval_(v), name(0),
                             name(1), name(2));
}

static rfm_status top_(const ctx_ *c, const yaml_node_t *root, hx_experiment *e) {
    rfm_status st = map_(c, root, "");
    const yaml_node_t *models = NULL, *output = NULL, *datasets = NULL;
    unsigned long long u = 0;
    if (st) return st;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
         p++) {
        const char *k = sval_(node_(c, p->key));
        const yaml_node_t *v = node_(c, p->value);
        if (!strcmp(k, "name")) {
            if ((st = expect_(c, v, YAML_SCALAR_NODE, k))) return st;
            if (!*sval_(v) || strchr(sval_(v), '/')) // it names the default output folder
                return sem_(c, k, "'%s' must be non-empty and without '/'", sval_(v));
            free(e->name);
            if (!(e->name = dup_(sval_(v)))) return nomem_(c);
        } else if (!strcmp(k, "datasets")) {
            datasets = v;
        } else if (!strcmp(k, "models")) {
            models = v;
        } else if (!strcmp(k, "output")) {
            if ((st = expect_(c, v, YAML_SCALAR_NODE, k))) return st;
            output = v;
        } else if (!strcmp(k, "max_rows") || !strcmp(k, "max_features")) {
            if ((st = uint_(c, v, k, 0, SIZE_MAX, &u))) return st;
            *(k[4] == 'r' ? &e->max_rows : &e->max_features) = (size_t)u;
        } else if (!strcmp(k, "only") || !strcmp(k, "exclude")) {
            int only = k[0] == 'o';
            if ((st = str_list_(c, v, k, only ? &e->only : &e->exclude,
                                only ? &e->n_only : &e->n_exclude)))
                return st;
            if (only && e->n_only == 0)
                return sem_(c, k, "expected at least one name (omit 'only' to keep all)");
        } else if (!strcmp(k, "protocol")) {
            if ((st = enum_(c, v, k, hx_protocol_name, 2, &e->protocol))) return st;
        } else if (!strcmp(k, "metric")) {
            if ((st = enum_(c, v, k, hx_metric_name, 3, &e->metric))) return st;
        } else if (!strcmp(k, "seed")) {
            if ((st = uint_(c, v, k, 0, UINT64_MAX, &u))) return st;
            e->seed = (uint64_t)u;
        } else if (!strcmp(k, "threads") || !strcmp(k, "jobs")) {
            int threads = k[0] == 't';
            if (threads && v->type == YAML_SCALAR_NODE && !strcmp(sval_(v), "auto")) u = 0;
            else if ((st = uint_(c, v, k, 1, INT32_MAX, &u))) return st;
            *(threads ? &e->threads : &e->jobs) = (int)u;
        } else {
            return sem_(c, k, "unknown key");
        }
    }
    if (!datasets)
        return sem_(c, "datasets", "missing (a list of descriptor files, folders or globs)");
    if (!models) return sem_(c, "models", "missing (a list of models)");
    if ((st = datasets_(c, datasets, e)) || (st = models_(c, models, e))) return st;
    // output: relative to the experiment file; the default is relative to the working folder.
    char cwd[4096];
    const char *rel = output ? sval_(output) : NULL, *base = c->dir;
    if (!rel) {
        if (!getcwd(cwd, sizeof cwd))
            return rfm_fail(c->err, RFM_EIO, "%s: cannot read the working folder: %s", c->file,
                            strerror(errno));
        base = cwd;
    }
    size_t n = strlen(base) + (rel ? strlen(rel) : strlen(e->name) + 8) + 2;
    char *joined = malloc(n);
    if (!joined) return nomem_(c);
    if (rel && rel[0] == '/') snprintf(joined, n, "%s", rel);
    else if (rel) snprintf(joined, n, "%s/%s", base, rel);
    else snprintf(joined, n, "%s/results/%s", base, e->name);
    e->output = lexnorm_(joined);
    free(joined);
    return e->output ? RFM_OK : nomem_(c);
}

static rfm_status read_all_(const char *path, char **out, size_t *len, rfm_error *err) {
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

// libyaml's marks are 0-based; a reader error (bad UTF-8) has only a byte offset.
static rfm_status syntax_(const char *file, const yaml_parser_t *p, const char *buf,
                          rfm_error *err) {
    if (p->error == YAML_MEMORY_ERROR) return rfm_fail(err, RFM_ENOMEM, "%s: out of memory", file);
    size_t line = p->problem_mark.line, col = p->problem_mark.column;
    if (p->error == YAML_READER_ERROR) {
        line = col = 0;
        for (size_t i = 0; i < p->problem_offset && buf[i]; i++, col++) {
            if (buf[i] == '\n') {
                line++;
                col = (size_t)-1;
            }
        }
    }
    return rfm_fail(err, RFM_EFORMAT, "%s:%zu:%zu: %s", file, line + 1, col + 1,
                    p->problem ? p->problem : "invalid YAML");
}

rfm_status hx_experiment_load(const char *path, hx_experiment **out, rfm_error *err) {
    *out = NULL;
    char *buf = NULL, *dir = NULL;
    size_t len = 0;
    rfm_status st = read_all_(path, &buf, &len, err);
    if (st) return st;
    yaml_parser_t parser;
    yaml_document_t doc, extra;
    int have_doc = 0;
    hx_experiment *e = NULL;
    if (!yaml_parser_initialize(&parser)) {
        free(buf);
        return rfm_fail(err, RFM_ENOMEM, "%s: out of memory", path);
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
    if (!yaml_parser_load(&parser, &doc)) {
        st = syntax_(path, &parser, buf, err);
        goto done;
    }
    have_doc = 1;
    const yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root) {
        st = rfm_fail(err, RFM_EFORMAT, "%s: the file is empty (expected a map with datasets "
                      "and models)", path);
        goto done;
    }
    if (!yaml_parser_load(&parser, &extra)) { // a syntax error further down still counts
        st = syntax_(path, &parser, buf, err);
        goto done;
    }
    int second = yaml_document_get_root_node(&extra) != NULL;
    size_t line = extra.start_mark.line + 1;
    yaml_document_delete(&extra);
    if (second) {
        st = rfm_fail(err, RFM_EFORMAT, "%s:%zu:1: only one YAML document is allowed", path, line);
        goto done;
    }
    // The folder resolves relative entries; its real path makes every dataset path absolute.
    if (!(dir = canon_(path))) {
        st = rfm_fail(err, RFM_EIO, "%s: cannot resolve its folder: %s", path, strerror(errno));
        goto done;
    }
    *strrchr(dir, '/') = '\0'; // canon_ always holds one; "/x.yaml" leaves "", the root
    e = calloc(1, sizeof *e);
    if (!e || !(e->path = dup_(path))) {
        st = rfm_fail(err, RFM_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    size_t nb = strlen(base);
    if (ends_with_(base, ".yaml")) nb -= 5;
    else if (ends_with_(base, ".yml")) nb -= 4;
    if (!(e->name = malloc(nb + 1))) {
        st = rfm_fail(err, RFM_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    memcpy(e->name, base, nb);
    e->name[nb] = '\0';
    e->protocol = HX_PROTOCOL_CV;
    e->metric = HX_METRIC_ACCURACY;
    e->jobs = 1;
    ctx_ c = {path, dir, &doc, err};
    if ((st = top_(&c, root, e))) goto done;
    *out = e;
    e = NULL;
done:
    hx_experiment_free(e);
    if (have_doc) yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    free(dir);
    free(buf);
    return st;
}

static void kv_free_(hx_kv *kv, size_t n) {
    for (size_t i = 0; kv && i < n; i++) {
        free(kv[i].key);
        free(kv[i].value);
    }
    free(kv);
}

static void strv_free_(char **v, size_t n) {
    for (size_t i = 0; v && i < n; i++) free(v[i]);
    free(v);
}

void hx_experiment_free(hx_experiment *e) {
    if (!e) return;
    for (size_t i = 0; e->models && i < e->n_models; i++) {
        hx_model_spec *m = &e->models[i];
        free(m->name);
        free(m->type);
        kv_free_(m->params, m->n_params);
        for (size_t j = 0; m->grid && j < m->n_grid; j++) {
            free(m->grid[j].key);
            strv_free_(m->grid[j].values, m->grid[j].n_values);
        }
        free(m->grid);
        for (size_t j = 0; m->overrides && j < m->n_overrides; j++) {
            free(m->overrides[j].dataset);
            kv_free_(m->overrides[j].kv, m->overrides[j].n);
        }
        free(m->overrides);
    }
    free(e->models);
    strv_free_(e->datasets, e->n_datasets);
    strv_free_(e->only, e->n_only);
    strv_free_(e->exclude, e->n_exclude);
    free(e->path);
    free(e->name);
    free(e->output);
    free(e);
}

/* ---- candidates and params strings -------------------------------------------------------- */

typedef struct {
    const char *key, *value;
} ref_;

// Later settings replace earlier ones with the same key: params < grid < override.
static void set_(ref_ *w, size_t *n, const char *key, const char *value) {
    for (size_t i = 0; i < *n; i++) {
        if (!strcmp(w[i].key, key)) {
            w[i].value = value;
            return;
        }
    }
    w[*n].key = key;
    w[(*n)++].value = value;
}

// FNV-1a over the pairs, terminators included, so that ("ab","c") and ("a","bc") differ.
static uint64_t refs_hash_(const ref_ *w, size_t n) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < 2 * n; i++) {
        const unsigned char *p = (const unsigned char *)(i % 2 ? w[i / 2].value : w[i / 2].key);
        do h = (h ^ *p) * 0x100000001b3ull;
        while (*p++);
    }
    return h;
}

static int same_(const hx_candidate *c, const ref_ *w, size_t n) {
    if (c->n != n) return 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(c->kv[i].key, w[i].key) || strcmp(c->kv[i].value, w[i].value)) return 0;
    return 1;
}

rfm_status hx_model_candidates(const hx_model_spec *m, const char *dataset_name,
                               hx_candidate **out, size_t *count, rfm_error *err) {
    *out = NULL;
    *count = 0;
    size_t total = 1, nc = 0, mask = 15;
    for (size_t a = 0; a < m->n_grid; a++) {
        if (m->grid[a].n_values == 0 || total > MAX_CANDIDATES_ / m->grid[a].n_values)
            return rfm_fail(err, RFM_EINVAL, "model '%s': the grid must hold 1 to %u candidates",
                            m->name, MAX_CANDIDATES_);
        total *= m->grid[a].n_values;
    }
    while (mask < 2 * total) mask = 2 * mask + 1; // open addressing, at most half full
    const hx_override *ov = NULL;
    for (size_t i = 0; dataset_name && i < m->n_overrides; i++)
        if (!strcmp(m->overrides[i].dataset, dataset_name)) ov = &m->overrides[i];
    ref_ *w = zalloc_(m->n_params + m->n_grid + (ov ? ov->n : 0), sizeof *w);
    hx_candidate *cand = zalloc_(total, sizeof *cand);
    uint64_t *hash = zalloc_(total, sizeof *hash);
    size_t *slot = zalloc_(mask + 1, sizeof *slot); // candidate index + 1; 0 = empty
    rfm_status st = RFM_OK;
    if (!w || !cand || !hash || !slot) goto nomem;
    for (size_t idx = 0; idx < total; idx++) {
        size_t n = 0;
        for (size_t i = 0; i < m->n_params; i++) set_(w, &n, m->params[i].key, m->params[i].value);
        // Mixed radix with the last axis fastest: axis a's digit is idx / stride_a mod size_a.
        size_t stride = total;
        for (size_t a = 0; a < m->n_grid; a++) {
            stride /= m->grid[a].n_values;
            set_(w, &n, m->grid[a].key, m->grid[a].values[(idx / stride) % m->grid[a].n_values]);
        }
        for (size_t i = 0; ov && i < ov->n; i++) set_(w, &n, ov->kv[i].key, ov->kv[i].value);
        for (size_t i = 1; i < n; i++) { // insertion sort: a handful of keys
            ref_ t = w[i];
            size_t j = i;
            for (; j > 0 && strcmp(w[j - 1].key, t.key) > 0; j--) w[j] = w[j - 1];
            w[j] = t;
        }
        uint64_t h = refs_hash_(w, n);
        size_t s = (size_t)h & mask;
        while (slot[s] && !(hash[slot[s] - 1] == h && same_(&cand[slot[s] - 1], w, n)))
            s = (s + 1) & mask;
        if (slot[s]) continue; // an earlier candidate has the same parameters: keep that one
        hash[nc] = h;
        slot[s] = nc + 1;
        hx_candidate *c = &cand[nc++];
        if (!(c->kv = zalloc_(n, sizeof *c->kv))) goto nomem;
        for (size_t i = 0; i < n; i++) {
            c->n = i + 1;
            c->kv[i].key = dup_(w[i].key);
            c->kv[i].value = dup_(w[i].value);
            if (!c->kv[i].key || !c->kv[i].value) goto nomem;
        }
    }
    *out = cand;
    *count = nc;
    cand = NULL;
    goto done;
nomem:
    st = rfm_fail(err, RFM_ENOMEM, "model '%s': out of memory for %zu candidates", m->name, total);
done:
    hx_candidates_free(cand, nc);
    free(w);
    free(hash);
    free(slot);
    return st;
}

void hx_candidates_free(hx_candidate *c, size_t count) {
    for (size_t i = 0; c && i < count; i++) kv_free_(c[i].kv, c[i].n);
    free(c);
}

void hx_params_string(const hx_kv *kv, size_t n, char *buf, size_t size) {
    if (size == 0) return;
    buf[0] = '\0';
    size_t used = 0, prev = n;
    // Selection by (key, index) without a scratch array: n is a handful of keys.
    for (size_t k = 0; k < n; k++) {
        size_t best = n;
        for (size_t i = 0; i < n; i++) {
            if (prev < n) {
                int c = strcmp(kv[i].key, kv[prev].key);
                if (c < 0 || (c == 0 && i <= prev)) continue;
            }
            if (best == n || strcmp(kv[i].key, kv[best].key) < 0) best = i;
        }
        int w = snprintf(buf + used, size - used, "%s%s=%s", k ? ";" : "", kv[best].key,
                         kv[best].value);
        if (w < 0 || (size_t)w >= size - used) return; // truncated, still terminated
        used += (size_t)w;
        prev = best;
    }
}

uint64_t hx_params_hash(const char *s) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ull;
    }
    return h;
}

void hx_params_hash_hex(const char *s, char out[17]) {
    snprintf(out, 17, "%016" PRIx64, hx_params_hash(s));
}

const char *hx_kv_get(const hx_kv *kv, size_t n, const char *key) {
    for (size_t i = 0; i < n; i++)
        if (!strcmp(kv[i].key, key)) return kv[i].value;
    return NULL;
}

const char *hx_protocol_name(int protocol) {
    return protocol == HX_PROTOCOL_UCI121 ? "uci121" : protocol == HX_PROTOCOL_CV ? "cv" : "?";
}

const char *hx_metric_name(int metric) {
    return metric == HX_METRIC_ACCURACY ? "accuracy" : metric == HX_METRIC_RMSE ? "rmse"
                                                     : metric == HX_METRIC_R2   ? "r2"
                                                                                : "?";
}

/* ---- write ------------------------------------------------------------------------------- */

typedef struct {
    yaml_emitter_t em;
    int ok; /* 0 after the first failure; later events are dropped */
} out_;

// The emitter owns the event afterwards, also on failure.
static void emit_(out_ *o, yaml_event_t *ev, int made) {
    if (!made || !o->ok) {
        if (made) yaml_event_delete(ev);
        o->ok = 0;
        return;
    }
    o->ok = yaml_emitter_emit(&o->em, ev);
}

// Strings that a plain scalar would turn into null are quoted, so that they read back as written.
static void str_(out_ *o, const char *s) {
    yaml_event_t ev;
    int null = !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
               !strcmp(s, "NULL");
    emit_(o, &ev, yaml_scalar_event_initialize(&ev, NULL, NULL, (const yaml_char_t *)s,
                                               (int)strlen(s), 1, 1,
                                               null ? YAML_SINGLE_QUOTED_SCALAR_STYLE
                                                    : YAML_ANY_SCALAR_STYLE));
}

static void u64_(out_ *o, const char *key, uint64_t v) {
    char buf[32];
    snprintf(buf, sizeof buf, "%" PRIu64, v);
    str_(o, key);
    str_(o, buf);
}

static void open_(out_ *o, int map, int flow) {
    yaml_event_t ev;
    emit_(o, &ev, map ? yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
                                                            flow ? YAML_FLOW_MAPPING_STYLE
                                                                 : YAML_BLOCK_MAPPING_STYLE)
                      : yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
                                                             flow ? YAML_FLOW_SEQUENCE_STYLE
                                                                  : YAML_BLOCK_SEQUENCE_STYLE));
}

static void close_(out_ *o, int map) {
    yaml_event_t ev;
    emit_(o, &ev, map ? yaml_mapping_end_event_initialize(&ev)
                      : yaml_sequence_end_event_initialize(&ev));
}

static void list_(out_ *o, const char *key, char *const *v, size_t n, int flow) {
    str_(o, key);
    open_(o, 0, flow);
    for (size_t i = 0; i < n; i++) str_(o, v[i]);
    close_(o, 0);
}

static void kvs_(out_ *o, const char *key, const hx_kv *kv, size_t n) {
    str_(o, key);
    open_(o, 1, 1);
    for (size_t i = 0; i < n; i++) {
        str_(o, kv[i].key);
        str_(o, kv[i].value);
    }
    close_(o, 1);
}

static void experiment_(out_ *o, const hx_experiment *e) {
    yaml_event_t ev;
    emit_(o, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
    emit_(o, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
    open_(o, 1, 0);
    str_(o, "name");
    str_(o, e->name);
    list_(o, "datasets", e->datasets, e->n_datasets, 0);
    if (e->max_rows) u64_(o, "max_rows", e->max_rows);
    if (e->max_features) u64_(o, "max_features", e->max_features);
    if (e->n_only) list_(o, "only", e->only, e->n_only, 1);
    if (e->n_exclude) list_(o, "exclude", e->exclude, e->n_exclude, 1);
    str_(o, "protocol");
    str_(o, hx_protocol_name(e->protocol));
    str_(o, "metric");
    str_(o, hx_metric_name(e->metric));
    u64_(o, "seed", e->seed);
    str_(o, "threads");
    if (e->threads > 0) {
        char buf[16];
        snprintf(buf, sizeof buf, "%d", e->threads);
        str_(o, buf);
    } else {
        str_(o, "auto"); // 0 would not load back: threads must be >= 1 or auto
    }
    u64_(o, "jobs", (uint64_t)e->jobs);
    str_(o, "output");
    str_(o, e->output);
    str_(o, "models");
    open_(o, 0, 0);
    for (size_t i = 0; i < e->n_models; i++) {
        const hx_model_spec *m = &e->models[i];
        open_(o, 1, 0);
        str_(o, "name");
        str_(o, m->name);
        str_(o, "type");
        str_(o, m->type);
        if (m->n_params) kvs_(o, "params", m->params, m->n_params);
        if (m->n_grid) {
            str_(o, "grid");
            open_(o, 1, 0);
            for (size_t a = 0; a < m->n_grid; a++)
                list_(o, m->grid[a].key, m->grid[a].values, m->grid[a].n_values, 1);
            close_(o, 1);
        }
        if (m->n_overrides) {
            str_(o, "overrides");
            open_(o, 1, 0);
            for (size_t j = 0; j < m->n_overrides; j++)
                kvs_(o, m->overrides[j].dataset, m->overrides[j].kv, m->overrides[j].n);
            close_(o, 1);
        }
        close_(o, 1);
    }
    close_(o, 0);
    close_(o, 1);
    emit_(o, &ev, yaml_document_end_event_initialize(&ev, 1));
    emit_(o, &ev, yaml_stream_end_event_initialize(&ev));
}

rfm_status hx_experiment_write(const hx_experiment *e, const char *path, rfm_error *err) {
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    if (!tmp) return rfm_fail(err, RFM_ENOMEM, "%s: out of memory", path);
    snprintf(tmp, n, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    FILE *fp = fd < 0 ? NULL : fdopen(fd, "w");
    out_ o = {.ok = 0};
    rfm_status st = RFM_OK;
    if (!fp) {
        st = rfm_fail(err, RFM_EIO, "%s: cannot create: %s", path, strerror(errno));
        if (fd >= 0) close(fd);
        goto done;
    }
    fchmod(fd, 0644); // mkstemp's 0600 would hide run.yaml from other readers
    if (!yaml_emitter_initialize(&o.em)) {
        st = rfm_fail(err, RFM_ENOMEM, "%s: out of memory", path);
        fclose(fp);
        goto done;
    }
    o.ok = 1;
    yaml_emitter_set_output_file(&o.em, fp);
    yaml_emitter_set_unicode(&o.em, 1);
    yaml_emitter_set_width(&o.em, 100);
    experiment_(&o, e);
    if (o.ok) o.ok = yaml_emitter_flush(&o.em);
    if (!o.ok)
        st = rfm_fail(err, RFM_EIO, "%s: cannot write YAML: %s", path,
                      o.em.problem ? o.em.problem : strerror(errno));
    yaml_emitter_delete(&o.em);
    if (fflush(fp) != 0 || fsync(fd) != 0) {
        if (!st) st = rfm_fail(err, RFM_EIO, "%s: cannot write: %s", path, strerror(errno));
    }
    if (fclose(fp) != 0 && !st)
        st = rfm_fail(err, RFM_EIO, "%s: cannot write: %s", path, strerror(errno));
    if (!st && rename(tmp, path) != 0)
        st = rfm_fail(err, RFM_EIO, "%s: cannot rename into place: %s", path, strerror(errno));
done:
    if (st && fd >= 0) unlink(tmp);
    free(tmp);
    return st;
}
