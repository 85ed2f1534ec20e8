/* hx_candidates.c - hyperparameter candidates of a model (uci121-protocol.md section 3): the
 * cartesian product of its grid over the base params with the dataset's override on top, in a
 * fixed order without repeats; the `key=value;...` params string and its FNV-1a hash. */
#include "hx_experiment_impl.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
        if (m->grid[a].n_values == 0 || total > HX_MAX_CANDIDATES / m->grid[a].n_values)
            return rfm_fail(err, RFM_EINVAL, "model '%s': the grid must hold 1 to %u candidates",
                            m->name, HX_MAX_CANDIDATES);
        total *= m->grid[a].n_values;
    }
    while (mask < 2 * total) mask = 2 * mask + 1; // open addressing, at most half full
    const hx_override *ov = NULL;
    for (size_t i = 0; dataset_name && i < m->n_overrides; i++)
        if (!strcmp(m->overrides[i].dataset, dataset_name)) ov = &m->overrides[i];
    ref_ *w = hx_exp_zalloc(m->n_params + m->n_grid + (ov ? ov->n : 0), sizeof *w);
    hx_candidate *cand = hx_exp_zalloc(total, sizeof *cand);
    uint64_t *hash = hx_exp_zalloc(total, sizeof *hash);
    size_t *slot = hx_exp_zalloc(mask + 1, sizeof *slot); // candidate index + 1; 0 = empty
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
        if (!(c->kv = hx_exp_zalloc(n, sizeof *c->kv))) goto nomem;
        for (size_t i = 0; i < n; i++) {
            c->n = i + 1;
            c->kv[i].key = hx_exp_strdup(w[i].key);
            c->kv[i].value = hx_exp_strdup(w[i].value);
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
    for (size_t i = 0; c && i < count; i++) hx_exp_kv_free(c[i].kv, c[i].n);
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
