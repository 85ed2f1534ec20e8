/* hx_desc.c - dataset descriptors: the YAML of interfaces.md read with libyaml's document API
 * (so every key can be checked by name and type), ${VAR} expansion of path, and bare-CSV
 * descriptors with the defaults. The keys and defaults are documented in hx_dataset.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "hx_dataset_impl.h"
#include "hx_util.h"

static const char *const missing_default_[] = {"", "?", "NA"};

static void strlist_free_(hx_strlist *l) {
    for (size_t i = 0; i < l->n; i++) free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void hx_desc_free(hx_desc *d) {
    if (!d) return;
    free(d->source);
    free(d->name);
    free(d->data_path);
    free(d->target);
    strlist_free_(&d->drop);
    strlist_free_(&d->categorical);
    strlist_free_(&d->numeric);
    strlist_free_(&d->missing);
    free(d->meta_path);
    free(d->split_path);
    free(d->kfold_path);
    free(d);
}

// A descriptor holding every default; path-derived fields are filled by the callers.
static hx_desc *desc_new_(const char *source) {
    hx_desc *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->source = hx_strdup(source);
    d->delim = ',';
    d->header = 1;
    d->info.kfold = 4;
    d->info.validation = 0.25;
    d->info.impute = HX_IMPUTE_MEAN;
    d->info.standardize = 1;
    d->missing.items = calloc(3, sizeof(char *));
    if (!d->source || !d->missing.items) {
        hx_desc_free(d);
        return NULL;
    }
    for (size_t i = 0; i < 3; i++) {
        if (!(d->missing.items[d->missing.n++] = hx_strdup(missing_default_[i]))) {
            hx_desc_free(d);
            return NULL;
        }
    }
    return d;
}

// The file name of path without its folder and without the extension ext (when it has it).
static char *stem_(const char *path, const char *const *exts) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t len = strlen(base);
    for (const char *const *e = exts; *e; e++) {
        size_t el = strlen(*e);
        if (len > el && strcmp(base + len - el, *e) == 0) {
            len -= el;
            break;
        }
    }
    char *s = malloc(len + 1);
    if (s) {
        memcpy(s, base, len);
        s[len] = '\0';
    }
    return s;
}

// The folder part of path ("." when there is none).
static char *dirname_(const char *path) {
    const char *slash = strrchr(path, '/');
    if (!slash) return hx_strdup(".");
    size_t len = slash == path ? 1 : (size_t)(slash - path);
    char *s = malloc(len + 1);
    if (s) {
        memcpy(s, path, len);
        s[len] = '\0';
    }
    return s;
}

// ${RFMBENCH_DATA} when unset: <nearest ancestor named datasets>/data, else ./datasets/data.
static char *data_root_default_(const char *dir) {
    char real[PATH_MAX];
    if (realpath(dir, real)) {
        for (;;) {
            char *slash = strrchr(real, '/');
            if (!slash) break;
            if (strcmp(slash + 1, "datasets") == 0) return hx_path_join(real, "data");
            if (slash == real) break;
            *slash = '\0';
        }
    }
    char cwd[PATH_MAX];
    return getcwd(cwd, sizeof cwd) ? hx_path_join(cwd, "datasets/data") : hx_strdup("datasets/data");
}

// Expand ${VAR} in raw and anchor a relative result at dir (see hx_dataset.h for the rule).
static rfm_status expand_path_(const char *src, const char *raw, const char *dir, char **out,
                               rfm_error *err) {
    *out = NULL;
    size_t cap = strlen(raw) + 1, len = 0;
    char *s = malloc(cap);
    rfm_status st = RFM_OK;
    if (!s) return rfm_fail(err, RFM_ENOMEM, "%s: path: out of memory", src);
    for (const char *p = raw; *p;) {
        const char *piece = p;
        size_t plen = 1;
        char *owned = NULL;
        if (p[0] == '$' && p[1] == '{') {
            const char *close = strchr(p + 2, '}');
            if (!close) {
                st = rfm_fail(err, RFM_EINVAL, "%s: path: unterminated '${' in '%s'", src, raw);
                goto done;
            }
            char var[256];
            size_t vlen = (size_t)(close - p - 2);
            if (vlen == 0 || vlen >= sizeof var) {
                st = rfm_fail(err, RFM_EINVAL, "%s: path: bad variable name in '%s'", src, raw);
                goto done;
            }
            memcpy(var, p + 2, vlen);
            var[vlen] = '\0';
            piece = getenv(var);
            if (!piece && strcmp(var, "RFMBENCH_DATA") == 0) {
                piece = owned = data_root_default_(dir);
            }
            if (!piece) {
                st = rfm_fail(err, RFM_EINVAL, "%s: path: environment variable %s is not set", src,
                              var);
                goto done;
            }
            plen = strlen(piece);
            p = close + 1;
        } else {
            p++;
        }
        if (len + plen + 1 > cap) {
            cap = 2 * (len + plen + 1);
            char *s2 = realloc(s, cap);
            if (!s2) {
                free(owned);
                st = rfm_fail(err, RFM_ENOMEM, "%s: path: out of memory", src);
                goto done;
            }
            s = s2;
        }
        memcpy(s + len, piece, plen);
        len += plen;
        s[len] = '\0';
        free(owned);
    }
    if (len == 0) {
        st = rfm_fail(err, RFM_EINVAL, "%s: path: is empty", src);
        goto done;
    }
    if (s[0] != '/' && strncmp(raw, "${", 2) != 0 && strcmp(dir, ".") != 0) {
        char *joined = hx_path_join(dir, s);
        if (!joined) {
            st = rfm_fail(err, RFM_ENOMEM, "%s: path: out of memory", src);
            goto done;
        }
        free(s);
        s = joined;
    }
    *out = s;
    s = NULL;
done:
    free(s);
    return st;
}

/* ---- typed access to YAML nodes ------------------------------------------------------------ */

typedef struct {
    yaml_document_t *doc;
    const char *src;
    rfm_error *err;
} ctx_;

static const char *node_kind_(const yaml_node_t *n) {
    return n->type == YAML_SCALAR_NODE ? "a scalar"
           : n->type == YAML_SEQUENCE_NODE ? "a list" : "a mapping";
}

static rfm_status scalar_(ctx_ *c, yaml_node_t *n, const char *key, const char *want,
                          const char **out) {
    if (n->type != YAML_SCALAR_NODE) {
        return rfm_fail(c->err, RFM_EINVAL, "%s: %s: expected %s, got %s", c->src, key, want,
                        node_kind_(n));
    }
    *out = (const char *)n->data.scalar.value;
    return RFM_OK;
}

static rfm_status str_(ctx_ *c, yaml_node_t *n, const char *key, char **out) {
    const char *s = NULL;
    rfm_status st = scalar_(c, n, key, "a string", &s);
    if (st != RFM_OK) return st;
    char *dup = hx_strdup(s);
    if (!dup) return rfm_fail(c->err, RFM_ENOMEM, "%s: %s: out of memory", c->src, key);
    free(*out);
    *out = dup;
    return RFM_OK;
}

static rfm_status bool_(ctx_ *c, yaml_node_t *n, const char *key, int *out) {
    const char *s = NULL;
    rfm_status st = scalar_(c, n, key, "true or false", &s);
    if (st != RFM_OK) return st;
    if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE")) {
        *out = 1;
    } else if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE")) {
        *out = 0;
    } else {
        return rfm_fail(c->err, RFM_EINVAL, "%s: %s: expected true or false, got '%s'", c->src,
                        key, s);
    }
    return RFM_OK;
}

static rfm_status uint_(ctx_ *c, yaml_node_t *n, const char *key, uint64_t *out) {
    const char *s = NULL;
    rfm_status st = scalar_(c, n, key, "a non-negative integer", &s);
    if (st != RFM_OK) return st;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *end || s[0] == '-' || s[0] == ' ' || errno) {
        return rfm_fail(c->err, RFM_EINVAL, "%s: %s: expected a non-negative integer, got '%s'",
                        c->src, key, s);
    }
    *out = (uint64_t)v;
    return RFM_OK;
}

static rfm_status list_(ctx_ *c, yaml_node_t *n, const char *key, hx_strlist *out) {
    if (n->type != YAML_SEQUENCE_NODE) {
        return rfm_fail(c->err, RFM_EINVAL, "%s: %s: expected a list such as [a, b], got %s",
                        c->src, key, node_kind_(n));
    }
    strlist_free_(out);
    size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    out->items = calloc(count ? count : 1, sizeof(char *));
    if (!out->items) return rfm_fail(c->err, RFM_ENOMEM, "%s: %s: out of memory", c->src, key);
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *it = yaml_document_get_node(c->doc, n->data.sequence.items.start[i]);
        char path[128];
        snprintf(path, sizeof path, "%s[%zu]", key, i);
        out->items[i] = NULL;
        rfm_status st = str_(c, it, path, &out->items[i]);
        if (st != RFM_OK) return st; // out->n counts only the filled items, so freeing is safe
        out->n++;
    }
    return RFM_OK;
}

static rfm_status enum_(ctx_ *c, yaml_node_t *n, const char *key, const char *const *names,
                        const char *expect, int *out) {
    const char *s = NULL;
    rfm_status st = scalar_(c, n, key, expect, &s);
    if (st != RFM_OK) return st;
    for (int i = 0; names[i]; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = i;
            return RFM_OK;
        }
    }
    return rfm_fail(c->err, RFM_EINVAL, "%s: %s: expected %s, got '%s'", c->src, key, expect, s);
}

static rfm_status splits_(ctx_ *c, yaml_node_t *n, hx_desc *d) {
    if (n->type != YAML_MAPPING_NODE) {
        return rfm_fail(c->err, RFM_EINVAL, "%s: splits: expected a mapping such as {kfold: 4}, "
                        "got %s", c->src, node_kind_(n));
    }
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
        const char *key = k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "?";
        rfm_status st;
        uint64_t u;
        if (!strcmp(key, "kfold")) {
            if ((st = uint_(c, v, "splits.kfold", &u)) != RFM_OK) return st;
            if (u < 2 || u > 1000000) {
                return rfm_fail(c->err, RFM_EINVAL, "%s: splits.kfold: %llu: must be >= 2",
                                c->src, (unsigned long long)u);
            }
            d->info.kfold = (size_t)u;
        } else if (!strcmp(key, "validation")) {
            const char *s = NULL;
            if ((st = scalar_(c, v, "splits.validation", "a number in (0, 1)", &s)) != RFM_OK) {
                return st;
            }
            double x;
            if (!hx_parse_number(s, &x) || !(x > 0 && x < 1)) {
                return rfm_fail(c->err, RFM_EINVAL, "%s: splits.validation: expected a number in "
                                "(0, 1), got '%s'", c->src, s);
            }
            d->info.validation = x;
        } else if (!strcmp(key, "seed")) {
            if ((st = uint_(c, v, "splits.seed", &d->info.seed)) != RFM_OK) return st;
        } else {
            return rfm_fail(c->err, RFM_EINVAL, "%s: splits.%s: unknown key (expected kfold, "
                            "validation, seed)", c->src, key);
        }
    }
    return RFM_OK;
}

enum { K_NAME, K_TASK, K_FORMAT, K_PATH, K_DELIM, K_HEADER, K_TARGET, K_DROP, K_CAT, K_NUM,
       K_MISSING, K_IMPUTE, K_STD, K_SPLITS, K_COUNT };
static const char *const keys_[] = {"name", "task", "format", "path", "delimiter", "header",
                                    "target", "drop", "categorical", "numeric", "missing",
                                    "impute", "standardize", "splits", NULL};

static rfm_status top_(ctx_ *c, yaml_node_t *root, hx_desc *d, char **raw_path,
                       int seen[K_COUNT]) {
    static const char *const tasks[] = {"classification", "regression", NULL};
    static const char *const formats[] = {"csv", "uci121", NULL};
    static const char *const imputes[] = {"mean", "median", "drop", NULL};
    if (!root || root->type != YAML_MAPPING_NODE) {
        return rfm_fail(c->err, RFM_EINVAL, "%s: expected a mapping of keys (name, path, ...)",
                        c->src);
    }
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
        const char *key = k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "?";
        int id = 0;
        while (keys_[id] && strcmp(keys_[id], key) != 0) id++;
        if (!keys_[id]) {
            return rfm_fail(c->err, RFM_EINVAL, "%s: %s: unknown key (expected one of name, task, "
                            "format, path, delimiter, header, target, drop, categorical, numeric, "
                            "missing, impute, standardize, splits)", c->src, key);
        }
        if (seen[id]) return rfm_fail(c->err, RFM_EINVAL, "%s: %s: duplicate key", c->src, key);
        seen[id] = 1;
        rfm_status st = RFM_OK;
        int e = 0;
        const char *s = NULL;
        switch (id) {
        case K_NAME:
            st = str_(c, v, key, &d->name);
            if (st == RFM_OK && !d->name[0]) {
                st = rfm_fail(c->err, RFM_EINVAL, "%s: name: must not be empty", c->src);
            }
            break;
        case K_TASK:
            st = enum_(c, v, key, tasks, "classification or regression", &e);
            d->info.task = e == 0 ? HX_CLASSIFICATION : HX_REGRESSION;
            break;
        case K_FORMAT:
            st = enum_(c, v, key, formats, "csv or uci121", &e);
            d->info.format = e == 0 ? HX_FORMAT_CSV : HX_FORMAT_UCI121;
            break;
        case K_PATH: st = str_(c, v, key, raw_path); break;
        case K_DELIM:
            st = scalar_(c, v, key, "one character", &s);
            if (st == RFM_OK && (strlen(s) != 1 || s[0] == '"' || s[0] == '\n' || s[0] == '\r')) {
                st = rfm_fail(c->err, RFM_EINVAL, "%s: delimiter: expected one character other "
                              "than a quote or line break, got '%s'", c->src, s);
            }
            if (st == RFM_OK) d->delim = s[0];
            break;
        case K_HEADER: st = bool_(c, v, key, &d->header); break;
        case K_TARGET: st = str_(c, v, key, &d->target); break;
        case K_DROP: st = list_(c, v, key, &d->drop); break;
        case K_CAT: st = list_(c, v, key, &d->categorical); break;
        case K_NUM: st = list_(c, v, key, &d->numeric); break;
        case K_MISSING: st = list_(c, v, key, &d->missing); break;
        case K_IMPUTE:
            st = enum_(c, v, key, imputes, "mean, median or drop", &e);
            d->info.impute = (hx_impute)e;
            break;
        case K_STD: st = bool_(c, v, key, &d->info.standardize); break;
        case K_SPLITS: st = splits_(c, v, d); break;
        default: break;
        }
        if (st != RFM_OK) return st;
    }
    return RFM_OK;
}

// Fill the info view from the owned fields; called after every change.
static void info_sync_(hx_desc *d) {
    d->info.name = d->name;
    d->info.source = d->source;
    d->info.data_path = d->data_path;
    d->info.data_present = d->data_path && access(d->data_path, R_OK) == 0;
}

rfm_status hx_desc_load(const char *yaml_path, hx_desc **out, rfm_error *err) {
    static const char *const yaml_exts[] = {".yaml", ".yml", NULL};
    *out = NULL;
    rfm_status st = RFM_OK;
    yaml_parser_t parser;
    yaml_document_t doc;
    int parser_ready = 0, doc_ready = 0;
    char *raw_path = NULL, *dir = NULL, *folder = NULL;
    hx_desc *d = NULL;
    FILE *f = fopen(yaml_path, "rb");
    if (!f) return rfm_fail(err, RFM_EIO, "%s: cannot open: %s", yaml_path, strerror(errno));
    d = desc_new_(yaml_path);
    dir = dirname_(yaml_path);
    if (!d || !dir || !yaml_parser_initialize(&parser)) {
        st = rfm_fail(err, RFM_ENOMEM, "%s: out of memory", yaml_path);
        goto done;
    }
    parser_ready = 1;
    yaml_parser_set_input_file(&parser, f);
    if (!yaml_parser_load(&parser, &doc)) {
        st = rfm_fail(err, RFM_EFORMAT, "%s:%zu:%zu: %s%s%s", yaml_path,
                      parser.problem_mark.line + 1, parser.problem_mark.column + 1,
                      parser.problem ? parser.problem : "YAML syntax error",
                      parser.context ? " " : "", parser.context ? parser.context : "");
        goto done;
    }
    doc_ready = 1;
    ctx_ c = {&doc, yaml_path, err};
    int seen[K_COUNT] = {0};
    if ((st = top_(&c, yaml_document_get_root_node(&doc), d, &raw_path, seen)) != RFM_OK) {
        goto done;
    }
    if (!raw_path) {
        st = rfm_fail(err, RFM_EINVAL, "%s: path: missing (the data file or uci121 folder)",
                      yaml_path);
        goto done;
    }
    if (!d->name && !(d->name = stem_(yaml_path, yaml_exts))) {
        st = rfm_fail(err, RFM_ENOMEM, "%s: out of memory", yaml_path);
        goto done;
    }
    if ((st = expand_path_(yaml_path, raw_path, dir, &folder, err)) != RFM_OK) goto done;
    if (d->info.format == HX_FORMAT_UCI121) {
        // The uci121 files fix everything the csv keys would choose.
        for (int k = K_DELIM; k < K_COUNT; k++) {
            if (seen[k]) {
                st = rfm_fail(err, RFM_EINVAL, "%s: %s: only for format: csv (uci121 fixes it)",
                              yaml_path, keys_[k]);
                goto done;
            }
        }
        if (d->info.task == HX_REGRESSION) {
            st = rfm_fail(err, RFM_EINVAL, "%s: task: uci121 datasets are classification",
                          yaml_path);
            goto done;
        }
        d->info.task = HX_CLASSIFICATION;
        d->info.standardize = 0;
        if ((st = hx_uci121_meta(d, folder, err)) != RFM_OK) goto done;
    } else {
        d->data_path = folder;
        folder = NULL;
    }
    info_sync_(d);
    *out = d;
    d = NULL;
done:
    if (doc_ready) yaml_document_delete(&doc);
    if (parser_ready) yaml_parser_delete(&parser);
    fclose(f);
    hx_desc_free(d);
    free(raw_path);
    free(dir);
    free(folder);
    return st;
}

rfm_status hx_desc_from_csv(const char *csv_path, hx_desc **out, rfm_error *err) {
    static const char *const csv_exts[] = {".csv", ".CSV", ".tsv", ".txt", NULL};
    *out = NULL;
    hx_desc *d = desc_new_(csv_path);
    if (!d || !(d->name = stem_(csv_path, csv_exts)) || !(d->data_path = hx_strdup(csv_path))) {
        hx_desc_free(d);
        return rfm_fail(err, RFM_ENOMEM, "%s: out of memory", csv_path);
    }
    info_sync_(d);
    *out = d;
    return RFM_OK;
}

rfm_status hx_desc_set_target(hx_desc *d, const char *col, rfm_error *err) {
    if (d->info.format != HX_FORMAT_CSV) {
        return rfm_fail(err, RFM_EINVAL, "%s: target: fixed by the uci121 files", d->source);
    }
    char *s = hx_strdup(col);
    if (!s) return rfm_fail(err, RFM_ENOMEM, "%s: target: out of memory", d->source);
    free(d->target);
    d->target = s;
    return RFM_OK;
}

rfm_status hx_desc_set_task(hx_desc *d, hx_task task, rfm_error *err) {
    if (d->info.format != HX_FORMAT_CSV && task != HX_CLASSIFICATION) {
        return rfm_fail(err, RFM_EINVAL, "%s: task: uci121 datasets are classification",
                        d->source);
    }
    d->info.task = task;
    return RFM_OK;
}

rfm_status hx_desc_set_splits(hx_desc *d, size_t kfold, double validation, uint64_t seed,
                              rfm_error *err) {
    if (kfold < 2) return rfm_fail(err, RFM_EINVAL, "splits.kfold = %zu: must be >= 2", kfold);
    if (!(validation > 0 && validation < 1)) {
        return rfm_fail(err, RFM_EINVAL, "splits.validation = %g: must be in (0, 1)", validation);
    }
    d->info.kfold = kfold;
    d->info.validation = validation;
    d->info.seed = seed;
    return RFM_OK;
}

const hx_desc_info *hx_desc_info_get(const hx_desc *d) { return &d->info; }

const char *hx_task_name(hx_task t) {
    return t == HX_CLASSIFICATION ? "classification"
           : t == HX_REGRESSION   ? "regression"
                                  : "unknown";
}

const char *hx_format_name(hx_format f) { return f == HX_FORMAT_UCI121 ? "uci121" : "csv"; }
