/* hx_uci121.c - the UCI-121 files of uci121-protocol.md section 2: the <name>.txt metadata, the
 * tab-separated fich1 and the two split files, with every check of section 2.5 (row count,
 * fields per row, row numbers, label range, split line counts, index range, conxuntos line
 * lengths, train/test disjointness). fich2 is never read: the protocol does not use it. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hx_dataset_impl.h"
#include "hx_util.h"

// Strip the line terminator (LF or CRLF) in place; returns the new length.
static size_t chomp_(char *s, ssize_t len) {
    size_t n = len > 0 ? (size_t)len : 0;
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r')) s[--n] = '\0';
    return n;
}

static int blank_(const char *s) {
    for (; *s; s++) {
        if (*s != ' ' && *s != '\t') return 0;
    }
    return 1;
}

// A whole-token non-negative integer that fits the limit.
static int parse_count_(const char *s, size_t limit, size_t *out) {
    if (*s < '0' || *s > '9') return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || errno || v > limit) return 0;
    *out = (size_t)v;
    return 1;
}

rfm_status hx_uci121_meta(hx_desc *d, const char *folder, rfm_error *err) {
    enum { M_D, M_C, M_F1, M_N1, M_F2, M_N2, M_TR, M_VA, M_COUNT };
    static const char *const keys[] = {"n_entradas=", "n_clases=", "fich1=", "n_patrons1=",
                                       "fich2=", "n_patrons2=", "n_patrons_entrena=",
                                       "n_patrons_valida="};
    rfm_status st = RFM_OK;
    char *line = NULL, *fich1 = NULL, *path = NULL;
    size_t cap = 0, vals[M_COUNT] = {0}, lineno = 0;
    int seen[M_COUNT] = {0};
    FILE *f = NULL;
    // <path>/<name>.txt, else <path>/<folder name>.txt (a descriptor renamed on purpose).
    size_t fl = strlen(folder);
    while (fl > 1 && folder[fl - 1] == '/') fl--;
    char base[256], txt[300];
    const char *slash = folder + fl;
    while (slash > folder && slash[-1] != '/') slash--;
    snprintf(base, sizeof base, "%.*s", (int)(folder + fl - slash), slash);
    snprintf(txt, sizeof txt, "%s.txt", d->name);
    path = hx_path_join(folder, txt);
    if (path && access(path, R_OK) != 0 && strcmp(base, d->name) != 0) {
        snprintf(txt, sizeof txt, "%s.txt", base);
        char *alt = hx_path_join(folder, txt);
        if (alt && access(alt, R_OK) == 0) {
            free(path);
            path = alt;
        } else {
            free(alt);
        }
    }
    if (!path) return rfm_fail(err, RFM_ENOMEM, "%s: out of memory", d->source);
    if (!(f = fopen(path, "rb"))) {
        st = rfm_fail(err, RFM_EIO, "%s: cannot open the uci121 metadata: %s", path,
                      strerror(errno));
        goto done;
    }
    ssize_t got;
    while ((got = getline(&line, &cap, f)) >= 0) {
        lineno++;
        chomp_(line, got);
        char *save = NULL, *key = strtok_r(line, " \t", &save);
        if (!key) continue;
        char *val = strtok_r(NULL, " \t", &save);
        int id = 0;
        while (id < M_COUNT && strcmp(keys[id], key) != 0) id++;
        if (id == M_COUNT) continue; // n_arquivos=, n_conxuntos=: implied by the others
        if (!val) {
            st = rfm_fail(err, RFM_EFORMAT, "%s:%zu:1: %s has no value", path, lineno, key);
            goto done;
        }
        seen[id] = 1;
        if (id == M_F1 || id == M_F2) {
            if (id == M_F1) {
                free(fich1);
                if (!(fich1 = hx_strdup(val))) {
                    st = rfm_fail(err, RFM_ENOMEM, "%s: out of memory", path);
                    goto done;
                }
            }
        } else if (!parse_count_(val, (size_t)1 << 40, &vals[id]) ||
                   (vals[id] == 0 && id != M_N2)) {
            st = rfm_fail(err, RFM_EFORMAT, "%s:%zu:%zu: %s '%s': expected a positive integer",
                          path, lineno, strlen(key) + 2, key, val);
            goto done;
        }
    }
    for (int id = 0; id < M_COUNT; id++) {
        if (!seen[id] && id != M_F2 && id != M_N2) {
            st = rfm_fail(err, RFM_EFORMAT, "%s: %s missing", path, keys[id]);
            goto done;
        }
    }
    if (vals[M_C] < 2) {
        st = rfm_fail(err, RFM_EFORMAT, "%s: n_clases= %zu: needs at least 2", path, vals[M_C]);
        goto done;
    }
    if (vals[M_TR] + vals[M_VA] != vals[M_N1]) {
        st = rfm_fail(err, RFM_EFORMAT, "%s: n_patrons_entrena= %zu + n_patrons_valida= %zu != "
                      "n_patrons1= %zu", path, vals[M_TR], vals[M_VA], vals[M_N1]);
        goto done;
    }
    d->d = vals[M_D];
    d->n_classes = vals[M_C];
    d->n1 = vals[M_N1];
    d->n2 = vals[M_N2];
    d->n_train = vals[M_TR];
    d->n_val = vals[M_VA];
    d->info.size_total = d->n1 + d->n2;
    d->info.n_rows = d->n1;
    d->info.n_features_raw = d->d;
    d->info.n_classes = d->n_classes;
    d->info.has_test_file = seen[M_F2];
    free(d->data_path);
    free(d->split_path);
    free(d->kfold_path);
    d->data_path = hx_path_join(folder, fich1);
    d->split_path = hx_path_join(folder, "conxuntos.dat");
    d->kfold_path = hx_path_join(folder, "conxuntos_kfold.dat");
    free(d->meta_path);
    d->meta_path = path;
    path = NULL;
    if (!d->data_path || !d->split_path || !d->kfold_path) {
        st = rfm_fail(err, RFM_ENOMEM, "%s: out of memory", d->source);
    }
done:
    if (f) fclose(f);
    free(line);
    free(fich1);
    free(path);
    return st;
}

// fich1: a header line, then n1 rows `i x_1 .. x_d label` separated by tabs.
static rfm_status read_data_(const hx_desc *d, hx_data *data, rfm_error *err) {
    const char *path = d->data_path;
    rfm_status st = RFM_OK;
    char *line = NULL;
    size_t cap = 0, lineno = 0, row = 0, dd = d->d, want = d->d + 2;
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT) return rfm_fail(err, RFM_EIO, "%s: data file missing", path);
        return rfm_fail(err, RFM_EIO, "%s: cannot open: %s", path, strerror(errno));
    }
    if ((st = rfm_alloc((void **)&data->X, d->n1, dd, sizeof(double), "uci121 features", err)) !=
            RFM_OK ||
        (st = rfm_alloc((void **)&data->labels, d->n1, 1, sizeof(int), "labels", err)) != RFM_OK) {
        goto done;
    }
    ssize_t got;
    while ((got = getline(&line, &cap, f)) >= 0) {
        lineno++;
        chomp_(line, got);
        if (lineno == 1 || blank_(line)) continue; // line 1 is the header
        if (row == d->n1) {
            st = rfm_fail(err, RFM_EFORMAT, "%s:%zu:1: more than n_patrons1= %zu data rows", path,
                          lineno, d->n1);
            goto done;
        }
        size_t field = 0;
        char *p = line;
        for (;;) {
            char *tab = strchr(p, '\t');
            if (tab) *tab = '\0';
            field++;
            if (field <= want) {
                double v;
                char *end;
                if (field == 1) {
                    size_t k;
                    if (!parse_count_(p, SIZE_MAX, &k) || k != row + 1) {
                        st = rfm_fail(err, RFM_EFORMAT, "%s:%zu:1: row number '%s', expected %zu",
                                      path, lineno, p, row + 1);
                        goto done;
                    }
                } else if (field < want) {
                    v = strtod(p, &end);
                    if (end == p || *end || !isfinite(v)) {
                        st = rfm_fail(err, RFM_EFORMAT, "%s:%zu:%zu: '%s' is not a number", path,
                                      lineno, field, p);
                        goto done;
                    }
                    data->X[row * dd + field - 2] = v;
                } else {
                    size_t lab;
                    if (!parse_count_(p, d->n_classes - 1, &lab)) {
                        st = rfm_fail(err, RFM_EFORMAT, "%s:%zu:%zu: label '%s' is not in 0..%zu "
                                      "(n_clases= %zu)", path, lineno, field, p,
                                      d->n_classes - 1, d->n_classes);
                        goto done;
                    }
                    data->labels[row] = (int)lab;
                }
            }
            if (!tab) break;
            p = tab + 1;
        }
        if (field != want) {
            st = rfm_fail(err, RFM_EFORMAT, "%s:%zu:%zu: row has %zu fields, expected %zu "
                          "(n_entradas= %zu + 2)", path, lineno, (field < want ? field : want) + 1,
                          field, want, dd);
            goto done;
        }
        row++;
    }
    if (ferror(f)) {
        st = rfm_fail(err, RFM_EIO, "%s: read error: %s", path, strerror(errno));
    } else if (row != d->n1) {
        st = rfm_fail(err, RFM_EFORMAT, "%s: has %zu data rows, expected n_patrons1= %zu", path,
                      row, d->n1);
    }
done:
    fclose(f);
    free(line);
    return st;
}

// The non-empty lines of a split file as index arrays; checks count, range and repeats.
static rfm_status read_split_(const char *path, size_t n_lines, size_t n, size_t **idx,
                              size_t *len, size_t *lines_at, unsigned char *mark,
                              rfm_error *err) {
    rfm_status st = RFM_OK;
    char *line = NULL;
    size_t cap = 0, lineno = 0, k = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return rfm_fail(err, RFM_EIO, "%s: cannot open: %s", path, strerror(errno));
    ssize_t got;
    while ((got = getline(&line, &cap, f)) >= 0) {
        lineno++;
        chomp_(line, got);
        if (blank_(line)) continue;
        if (k == n_lines) {
            st = rfm_fail(err, RFM_EFORMAT, "%s:%zu:1: more than %zu non-empty lines", path,
                          lineno, n_lines);
            goto done;
        }
        size_t count = 0, tcap = 64;
        size_t *v = malloc(tcap * sizeof *v);
        idx[k] = v;
        if (!v) {
            st = rfm_fail(err, RFM_ENOMEM, "%s: out of memory", path);
            goto done;
        }
        memset(mark, 0, n);
        char *save = NULL;
        for (char *tok = strtok_r(line, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
            size_t i;
            if (!parse_count_(tok, SIZE_MAX, &i) || i >= n) {
                st = rfm_fail(err, RFM_EFORMAT, "%s:%zu:%zu: index '%s' is not in [0, %zu)", path,
                              lineno, count + 1, tok, n);
                goto done;
            }
            if (mark[i]) {
                st = rfm_fail(err, RFM_EFORMAT, "%s:%zu:%zu: index %zu repeated", path, lineno,
                              count + 1, i);
                goto done;
            }
            mark[i] = 1;
            if (count == tcap) {
                size_t *v2 = realloc(v, 2 * tcap * sizeof *v);
                if (!v2) {
                    st = rfm_fail(err, RFM_ENOMEM, "%s: out of memory", path);
                    goto done;
                }
                idx[k] = v = v2;
                tcap *= 2;
            }
            v[count++] = i;
        }
        len[k] = count;
        lines_at[k] = lineno;
        k++;
    }
    if (k != n_lines) {
        st = rfm_fail(err, RFM_EFORMAT, "%s: has %zu non-empty lines, expected %zu", path, k,
                      n_lines);
    }
done:
    fclose(f);
    free(line);
    return st;
}

rfm_status hx_uci121_load(const hx_desc *d, hx_data *data, rfm_error *err) {
    static const char *const role[HX_UCI_LINES] = {"train", "validation", "train", "test",
                                                   "train", "test", "train", "test", "train",
                                                   "test"};
    rfm_status st = read_data_(d, data, err);
    size_t at[HX_UCI_LINES];
    unsigned char *mark = NULL;
    if (st != RFM_OK) return st;
    data->d = d->d;
    if (!(mark = malloc(d->n1))) return rfm_fail(err, RFM_ENOMEM, "%s: out of memory", d->source);
    if ((st = read_split_(d->split_path, 2, d->n1, data->split, data->split_len, at, mark, err)) !=
            RFM_OK ||
        (st = read_split_(d->kfold_path, 8, d->n1, data->split + 2, data->split_len + 2, at + 2,
                          mark, err)) != RFM_OK) {
        goto done;
    }
    const size_t want[2] = {d->n_train, d->n_val};
    const char *key[2] = {"n_patrons_entrena=", "n_patrons_valida="};
    for (int j = 0; j < 2; j++) {
        if (data->split_len[j] != want[j]) {
            size_t col = (data->split_len[j] < want[j] ? data->split_len[j] : want[j]) + 1;
            st = rfm_fail(err, RFM_EFORMAT, "%s:%zu:%zu: line has %zu indices, expected %s %zu",
                          d->split_path, at[j], col, data->split_len[j], key[j], want[j]);
            goto done;
        }
    }
    // Each (train, held-out) pair must be disjoint: mark the train line, probe the other.
    for (int j = 0; j < HX_UCI_LINES; j += 2) {
        const char *path = j == 0 ? d->split_path : d->kfold_path;
        memset(mark, 0, d->n1);
        for (size_t i = 0; i < data->split_len[j]; i++) mark[data->split[j][i]] = 1;
        for (size_t i = 0; i < data->split_len[j + 1]; i++) {
            size_t r = data->split[j + 1][i];
            if (mark[r]) {
                st = rfm_fail(err, RFM_EFORMAT, "%s:%zu:%zu: index %zu is in both the %s line %zu "
                              "and this %s line", path, at[j + 1], i + 1, r, role[j], at[j],
                              role[j + 1]);
                goto done;
            }
        }
    }
done:
    free(mark);
    return st;
}
