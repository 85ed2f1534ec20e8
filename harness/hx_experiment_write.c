/* hx_experiment_write.c - run.yaml: the resolved experiment written back as YAML through
 * libyaml's emitter (defaults spelled out, paths absolute, log10 axes as value lists), into a
 * temporary sibling that is fsync'ed and renamed over the target. */
#include "hx_experiment.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

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
