/* hx_csv.h - a delimited-text reader (libcsv underneath) that returns a rectangular table of
 * strings with the source line of every row, for the dataset loaders and error messages.
 *
 * Accepted input: RFC 4180 quoting (a quoted field may hold the delimiter, newlines and doubled
 * quotes ""), LF or CRLF line endings, any one-character delimiter, an optional UTF-8 byte-order
 * mark, blank lines (skipped). Spaces and tabs around unquoted fields are trimmed (libcsv's
 * rule), except the delimiter itself. Errors (one line each):
 *   FILE: cannot open: <reason>                          (RFM_EIO)
 *   FILE: empty file / FILE: no data rows after the header  (RFM_EFORMAT)
 *   FILE:LINE:COL: row has N fields, expected M          (RFM_EFORMAT; M = the first row's count,
 *                                                          COL = the first missing/extra field)
 *   FILE:LINE:COL: malformed quoted field                (RFM_EFORMAT; COL = the character)
 * LINE is 1-based; for a row it is the line where the row's first field ends. */
#ifndef HX_CSV_H
#define HX_CSV_H

#include <stddef.h>

#include "rfm.h"

typedef struct {
    size_t n_rows;    /* data rows (the header is not counted)             */
    size_t n_cols;    /* fields per row, the same for every row            */
    int has_header;   /* 1 when the first row was read as column names     */
    size_t *line;     /* n_rows + has_header entries: line of each row, the
                       * header's first; use hx_csv_line()                  */
    size_t *off;      /* (n_rows + has_header) * n_cols offsets into text  */
    char *text;       /* every field, NUL-terminated, back to back         */
} hx_csv;

/* Read path with the given delimiter (not '"', CR or LF). header != 0: the first row holds the
 * column names. On RFM_OK *out is a new table owned by the caller (free with hx_csv_free);
 * otherwise *out is NULL. */
rfm_status hx_csv_read(const char *path, char delim, int header, hx_csv **out, rfm_error *err);

/* Field c of data row r (0-based), borrowed from t. */
const char *hx_csv_cell(const hx_csv *t, size_t r, size_t c);
/* The header name of column c, or NULL when the table has no header. */
const char *hx_csv_name(const hx_csv *t, size_t c);
/* The 1-based source line of data row r. */
size_t hx_csv_line(const hx_csv *t, size_t r);

void hx_csv_free(hx_csv *t); /* NULL is a no-op */

#endif
