/* hx_prep_impl.h - the preprocessing object, shared by hx_prep.c (fit, and apply to the data it
 * was fitted on) and hx_prep_io.c (save, load, and apply to another file by column name). A
 * prep owns copies of everything it needs (names, levels, statistics, class names), so a loaded
 * one works without the data it was fitted on. Not for callers outside the layer. */
#ifndef HX_PREP_IMPL_H
#define HX_PREP_IMPL_H

#include "hx_dataset_impl.h"
#include "hx_prep.h"

/* One raw feature column and the outputs it expands into. */
typedef struct {
    char *name;        /* header name, or "column K" without a header                       */
    int categorical;
    size_t offset;     /* first output column                                               */
    size_t width;      /* outputs: 1 (numeric), or one per kept level (categorical)         */
    double fill;       /* numeric: the value of a missing entry                             */
    double mean;       /* numeric: subtracted (0 without standardize)                       */
    double scale;      /* numeric: divided by (1 without standardize)                       */
    char **level;      /* categorical: width entries in output order; NULL = "missing"      */
    long *slot;        /* fitted data only: data level (n_levels + 1, the last = missing) ->
                        * output within the column, -1 = no output (NULL for a loaded prep) */
} hx_colprep;

struct hx_prep {
    const hx_data *data; /* the data fitted on; NULL for a loaded prep                      */
    hx_format format;
    hx_task task;
    size_t d;            /* outputs                                                         */
    hx_colprep *cols;    /* csv: one per raw feature column, in file order; uci121: none    */
    size_t n_cols;
    char **class_names;  /* classification: n_classes names in label order                  */
    size_t n_classes;
    char *target;        /* csv: the target column's name; uci121: NULL                     */
    hx_strlist dropped;  /* csv: columns ignored by the fit                                 */
    hx_strlist missing;  /* csv: missing-value tokens of the fitted file                    */
    char delim;
    int header;
    hx_impute impute;
    int standardize;
};

#endif
