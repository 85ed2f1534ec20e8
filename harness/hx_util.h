/* hx_util.h - small file-system helpers shared by the harness's subcommands. */
#ifndef HX_UTIL_H
#define HX_UTIL_H

/* mkdir -p: create dir and its missing parents (mode 0755). 0 on success, -1 with errno set. */
int hx_mkdirs(const char *dir);

/* "a/b" in a new malloc'd string (the caller frees it), or NULL when out of memory. */
char *hx_path_join(const char *a, const char *b);

#endif
