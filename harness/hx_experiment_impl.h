/* hx_experiment_impl.h - the experiment module's internals, shared by hx_experiment.c (the YAML
 * loader), hx_experiment_fs.c (files and paths), hx_candidates.c (grid expansion) and
 * hx_experiment_write.c (run.yaml). Not for callers outside the module. */
#ifndef HX_EXPERIMENT_IMPL_H
#define HX_EXPERIMENT_IMPL_H

#include "hx_experiment.h"

/* The most candidates one model's grid may hold (hx_experiment.h, hx_model_candidates). */
#define HX_MAX_CANDIDATES 100000u

/* A malloc'd copy of s, or NULL when out of memory. */
char *hx_exp_strdup(const char *s);
/* calloc that asks for at least one element: calloc(0) may return NULL, which reads as failure. */
void *hx_exp_zalloc(size_t n, size_t size);
/* Free the n pairs' strings and the array. NULL is a no-op. */
void hx_exp_kv_free(hx_kv *kv, size_t n);
/* 1 when s ends with suffix. */
int hx_exp_ends_with(const char *s, const char *suffix);

/* The whole file at path, NUL-terminated, in *out (owned by the caller; *len bytes before the
 * NUL). Errors: RFM_EIO "PATH: cannot open|read: reason", RFM_ENOMEM. */
rfm_status hx_exp_read_all(const char *path, char **out, size_t *len, rfm_error *err);

/* The real path of p's folder joined with p's own name (symlinks and `..` in the folder are
 * resolved, the file keeps its name), malloc'd; NULL when the folder cannot be resolved or out
 * of memory. */
char *hx_exp_canon(const char *p);

/* Lexical normalisation of an absolute path (`.`, `..`, repeated '/'), malloc'd (NULL when out of
 * memory): for folders that may not exist yet, where realpath cannot be used. */
char *hx_exp_lexnorm(const char *p);

/* Expand the `datasets` entries pats[0..n) of the experiment `file` (relative ones against its
 * absolute folder dir): a descriptor file, a folder (its *.yaml files, non-recursive, hidden ones
 * skipped) or a glob(3) pattern. On RFM_OK *out holds *count canonical paths, sorted by strcmp and
 * without repeats (owned by the caller). Errors: RFM_EFORMAT "FILE: datasets[i]: 'pat' matches no
 * descriptor", RFM_ENOMEM "FILE: out of memory"; *out is then NULL and *count 0. */
rfm_status hx_exp_datasets(const char *file, const char *dir, char *const *pats, size_t n,
                           char ***out, size_t *count, rfm_error *err);

/* Load every descriptor of e (hx_desc_load; its data need not be present) for its dataset
 * name, and check the names: no two descriptors may share one, and every name under only,
 * exclude and each model's overrides must be one of them (a dataset that max_rows or
 * max_features leaves out still counts). Errors (RFM_EFORMAT, one line): "FILE: datasets: 'x'
 * is the name of both A and B", "FILE: only[i]: no such dataset 'x'" (exclude[i] alike),
 * "FILE: models[m].overrides.x: no such dataset"; a descriptor's own error; RFM_ENOMEM. */
rfm_status hx_exp_check_names(const char *file, const hx_experiment *e, rfm_error *err);

#endif
