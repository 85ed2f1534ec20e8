/* hx_results_impl.h - helpers shared by the run-file modules hx_rtable.c (the reader) and
 * hx_results.c (the line builder and appenders). Not for callers outside them. */
#ifndef HX_RESULTS_IMPL_H
#define HX_RESULTS_IMPL_H

#include <stddef.h>

#include "rfm.h"

/* Read all of fd (from offset 0, with pread) into a malloc'd buffer with a NUL after its *size
 * bytes; the in-place parser needs the NUL. A file that shrinks while being read yields what was
 * there. Errors: RFM_EIO "PATH: reason", RFM_ENOMEM; *out is then untouched. */
rfm_status hx_res_slurp_fd(int fd, const char *path, char **out, size_t *size, rfm_error *err);

/* Room for `need` items of `size` bytes in p (capacity *cap, doubled from 64): p itself, a larger
 * copy (*cap updated), or NULL when out of memory (p is then still valid and owned by the
 * caller). */
void *hx_res_grow(void *p, size_t *cap, size_t need, size_t size);

#endif
