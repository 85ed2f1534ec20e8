/* hx_rtable.h - an RFC 4180 reader for the run directory's CSV files: the whole file parsed in
 * place into a rectangular table of strings, with the line and column of every cell for error
 * messages, and detection of a torn final record (a write cut short by a kill). */
#ifndef HX_RTABLE_H
#define HX_RTABLE_H

#include <stddef.h>

#include "rfm.h"

/* A parsed CSV file: row 0 is the header, every row has exactly `cols` cells. */
typedef struct {
    char *text;      /* owned; cells point into it, unquoted in place, NUL-terminated */
    char **cell;     /* (rows + 1) * cols */
    size_t *line;    /* rows + 1: the 1-based line where each record starts */
    unsigned *col;   /* (rows + 1) * cols: 1-based column of each cell within its line */
    size_t rows;     /* data records, header excluded */
    size_t cols;
    size_t torn;     /* 1 when a final record without a newline was ignored, else 0 */
} hx_rtable;

/* Read an RFC 4180 file (LF or CRLF, optional UTF-8 BOM; blank lines skipped). On RFM_OK *out is
 * owned by the caller (hx_rtable_free). Errors: cannot read (RFM_EIO, "FILE: reason"); a quote
 * inside an unquoted field, garbage after a closing quote, or a record whose field count
 * differs from the header's (RFM_EFORMAT, "FILE:LINE:COL: what" / "FILE:LINE: what"); an empty
 * file (RFM_EFORMAT, "FILE:1: empty file"). */
rfm_status hx_rtable_read(const char *path, hx_rtable **out, rfm_error *err);
void hx_rtable_free(hx_rtable *t); /* NULL is a no-op */
/* The index of the header column `name`, or -1. */
long hx_rtable_column(const hx_rtable *t, const char *name);
/* The cell (row, c); row 0 is the header. */
const char *hx_rtable_cell(const hx_rtable *t, size_t row, size_t c);

#endif
