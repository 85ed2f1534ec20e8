/* hx_dataset_impl.h - the dataset layer's internals, shared by hx_desc.c (descriptors),
 * hx_dataset.c (csv data and accessors), hx_uci121.c, hx_prep.c and hx_split.c. Not for callers
 * outside the layer. */
#ifndef HX_DATASET_IMPL_H
#define HX_DATASET_IMPL_H

#include "hx_dataset.h"

typedef struct {
    char **items;
    size_t n;
} hx_strlist;

struct hx_desc {
    hx_desc_info info; /* its strings point at the fields below */
    char *source;      /* descriptor (or CSV) path, for messages */
    char *name;
    char *data_path;
    char delim;
    int header;
    char *target; /* column reference; NULL = the last column */
    hx_strlist drop, categorical, numeric, missing;
    /* uci121 metadata (<name>.txt) */
    size_t d, n_classes, n1, n2, n_train, n_val;
    char *meta_path, *split_path, *kfold_path;
};

/* One raw feature column of a csv dataset, over the loaded rows. */
typedef struct {
    char *name;      /* header name, or "column K" (0-based) without a header */
    size_t field;    /* 0-based field in the file, for messages               */
    int categorical;
    double *num;     /* numeric: n values, NaN = missing                      */
    int *code;       /* categorical: n codes into levels, -1 = missing        */
    char **levels;   /* categorical: the distinct strings, numeric-aware order */
    size_t n_levels;
} hx_column;

enum { HX_UCI_LINES = 10 }; /* conxuntos.dat lines 1-2, then conxuntos_kfold.dat lines 1-8 */

struct hx_data {
    hx_data_info info; /* its strings point at the fields below */
    char *name, *file, *source;
    char **class_names; /* n_classes */
    int *labels;        /* classification: n labels */
    double *y;          /* regression: n values */
    size_t *line;       /* csv: source line of each row (uci121: row r is line r + 2) */
    /* csv */
    hx_column *cols;
    size_t n_cols;
    int standardize;
    hx_impute impute;
    size_t kfold;
    double validation;
    uint64_t seed;
    /* csv: how the file was read and which columns played which role, so that a saved
     * preprocessing (hx_prep_save) can read another file the same way */
    char *target_name;  /* the target's header name, or "column K" without a header */
    hx_strlist dropped; /* names of the dropped columns */
    hx_strlist missing; /* the missing-value tokens */
    char delim;
    int header;
    /* uci121 */
    double *X; /* (n, d) features as given */
    size_t d;
    size_t *split[HX_UCI_LINES];
    size_t split_len[HX_UCI_LINES];
};

/* A finite number spanning the whole string (surrounding blanks allowed). */
int hx_parse_number(const char *s, double *out);
/* Numeric-aware order of strings: numbers first, by value, then text by strcmp; equal values
 * written differently ("1", "1.0") stay distinct, ordered by strcmp. isnum/val: from
 * hx_parse_number. Returns <0, 0, >0. */
int hx_value_cmp(const char *a, int a_isnum, double a_val, const char *b, int b_isnum,
                 double b_val);
char *hx_strdup(const char *s);
/* The source line of row r, for messages. */
size_t hx_data_line(const hx_data *data, size_t r);

/* uci121: read <folder>/<name>.txt into d (hx_desc.c calls it once path and name are known). */
rfm_status hx_uci121_meta(hx_desc *d, const char *folder, rfm_error *err);
/* uci121: read fich1 and the two split files into data (allocated, info not yet filled). */
rfm_status hx_uci121_load(const hx_desc *d, hx_data *data, rfm_error *err);

#endif
