/* hx_experiment.c - the experiment YAML: loading through libyaml's document API into the public
 * struct, with key-path errors, and freeing it. Files, folders and globs are resolved in
 * hx_experiment_fs.c, candidates in hx_candidates.c, the write-back in hx_experiment_write.c. */
#include "hx_experiment_impl.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#define MAX_LOG10_VALUES_ 1000u

typedef struct {
    const char *file; /* as the caller gave it: every message starts with it */
    const char *dir;  /* absolute folder of the experiment file */
    yaml_document_t *doc;
    rfm_error *err;
} ctx_;

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

char *hx_exp_strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

void *hx_exp_zalloc(size_t n, size_t size) { return calloc(n ? n : 1, size); }

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
    if (!(*kv = hx_exp_zalloc(np, sizeof **kv))) return nomem_(c);
    char kp[256];
    for (size_t i = 0; i < np; i++) {
        const yaml_node_pair_t *p = n->data.mapping.pairs.start + i;
        const yaml_node_t *k = node_(c, p->key), *v = node_(c, p->value);
        child_(kp, sizeof kp, path, sval_(k));
        if ((st = expect_(c, v, YAML_SCALAR_NODE, kp))) return st;
        if ((st = check_param_(c, kp, sval_(k), sval_(v)))) return st;
        (*kv)[i].key = hx_exp_strdup(sval_(k));
        (*kv)[i].value = hx_exp_strdup(sval_(v));
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
    if (!(*out = hx_exp_zalloc(m, sizeof **out))) return nomem_(c);
    char ip[256];
    for (size_t i = 0; i < m; i++) {
        const yaml_node_t *v = node_(c, n->data.sequence.items.start[i]);
        index_(ip, sizeof ip, path, i);
        if ((st = expect_(c, v, YAML_SCALAR_NODE, ip))) return st;
        (*out)[i] = hx_exp_strdup(sval_(v));
        *count = i + 1;
        if (!(*out)[i]) return nomem_(c);
    }
    return RFM_OK;
}

/* ---- dataset entries --------------------------------------------------------------------- */

static rfm_status datasets_(const ctx_ *c, const yaml_node_t *n, hx_experiment *e) {
    char **pats = NULL;
    size_t np = 0;
    rfm_status st = str_list_(c, n, "datasets", &pats, &np);
    if (!st && np == 0) st = sem_(c, "datasets", "expected at least one entry");
    if (!st) st = hx_exp_datasets(c->file, c->dir, pats, np, &e->datasets, &e->n_datasets, c->err);
    for (size_t i = 0; i < np; i++) free(pats[i]);
    free(pats);
    return st;
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
        if (!(a->values = hx_exp_zalloc(count, sizeof *a->values))) return nomem_(c);
        for (size_t i = 0; i < count; i++) {
            char buf[32];
            snprintf(buf, sizeof buf, "%.10g", pow(10.0, x[0] + (double)i * x[2]));
            a->n_values = i + 1;
            if (!(a->values[i] = hx_exp_strdup(buf))) return nomem_(c);
        }
    }
    return a->values ? RFM_OK : sem_(c, path, "expected {log10: [lo, hi, step]}, got an empty map");
}

static rfm_status grid_(const ctx_ *c, const yaml_node_t *n, const char *path, hx_model_spec *m) {
    rfm_status st = map_(c, n, path);
    if (st) return st;
    size_t na = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start), total = 1;
    if (!(m->grid = hx_exp_zalloc(na, sizeof *m->grid))) return nomem_(c);
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
        if (!(a->key = hx_exp_strdup(key))) return nomem_(c);
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
        if (total > HX_MAX_CANDIDATES / a->n_values)
            return sem_(c, path, "more than %u candidates", HX_MAX_CANDIDATES);
        total *= a->n_values;
    }
    return RFM_OK;
}

static rfm_status overrides_(const ctx_ *c, const yaml_node_t *n, const char *path,
                             hx_model_spec *m) {
    rfm_status st = map_(c, n, path);
    if (st) return st;
    size_t no = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    if (!(m->overrides = hx_exp_zalloc(no, sizeof *m->overrides))) return nomem_(c);
    char kp[256];
    for (size_t i = 0; i < no; i++) {
        const yaml_node_pair_t *p = n->data.mapping.pairs.start + i;
        hx_override *o = &m->overrides[i];
        m->n_overrides = i + 1;
        child_(kp, sizeof kp, path, sval_(node_(c, p->key)));
        if (!(o->dataset = hx_exp_strdup(sval_(node_(c, p->key))))) return nomem_(c);
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
            if (!(*dst = hx_exp_strdup(sval_(v)))) return nomem_(c);
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
    if (!m->name && !(m->name = hx_exp_strdup(m->type))) return nomem_(c);
    return RFM_OK;
}

static rfm_status models_(const ctx_ *c, const yaml_node_t *n, hx_experiment *e) {
    rfm_status st = expect_(c, n, YAML_SEQUENCE_NODE, "models");
    if (st) return st;
    size_t nm = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (nm == 0) return sem_(c, "models", "expected at least one model");
    if (!(e->models = hx_exp_zalloc(nm, sizeof *e->models))) return nomem_(c);
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
            if (!(e->name = hx_exp_strdup(sval_(v)))) return nomem_(c);
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
    if ((st = datasets_(c, datasets, e)) || (st = models_(c, models, e)) ||
        (st = hx_exp_check_names(c->file, e, c->err)))
        return st;
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
    e->output = hx_exp_lexnorm(joined);
    free(joined);
    return e->output ? RFM_OK : nomem_(c);
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
    rfm_status st = hx_exp_read_all(path, &buf, &len, err);
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
    if (!(dir = hx_exp_canon(path))) {
        st = rfm_fail(err, RFM_EIO, "%s: cannot resolve its folder: %s", path, strerror(errno));
        goto done;
    }
    *strrchr(dir, '/') = '\0'; // canon_ always holds one; "/x.yaml" leaves "", the root
    e = calloc(1, sizeof *e);
    if (!e || !(e->path = hx_exp_strdup(path))) {
        st = rfm_fail(err, RFM_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    size_t nb = strlen(base);
    if (hx_exp_ends_with(base, ".yaml")) nb -= 5;
    else if (hx_exp_ends_with(base, ".yml")) nb -= 4;
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

void hx_exp_kv_free(hx_kv *kv, size_t n) {
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
        hx_exp_kv_free(m->params, m->n_params);
        for (size_t j = 0; m->grid && j < m->n_grid; j++) {
            free(m->grid[j].key);
            strv_free_(m->grid[j].values, m->grid[j].n_values);
        }
        free(m->grid);
        for (size_t j = 0; m->overrides && j < m->n_overrides; j++) {
            free(m->overrides[j].dataset);
            hx_exp_kv_free(m->overrides[j].kv, m->overrides[j].n);
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

const char *hx_protocol_name(int protocol) {
    return protocol == HX_PROTOCOL_UCI121 ? "uci121" : protocol == HX_PROTOCOL_CV ? "cv" : "?";
}

const char *hx_metric_name(int metric) {
    return metric == HX_METRIC_ACCURACY ? "accuracy" : metric == HX_METRIC_RMSE ? "rmse"
                                                     : metric == HX_METRIC_R2   ? "r2"
                                                                                : "?";
}
