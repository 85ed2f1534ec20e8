/* hx_cli.c - `rfmbench datasets PATH...`: load every descriptor found (files, folders, globs),
 * validate its data and splits, print one line each. (`fit` and `predict`: hx_fitcli.c.) */
#include "hx_cli.h"

#include <dirent.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hx_dataset.h"
#include "hx_split.h"
#include "rfm.h"

/* Load one descriptor and print its line; returns 0, or 1 after printing the error. */
static int show_one_(const char *path, int *unavailable) {
    rfm_error err = {RFM_OK, ""};
    hx_desc *d = NULL;
    hx_data *data = NULL;
    hx_splits *sp = NULL;
    int rc = 0;
    if (hx_desc_load(path, &d, &err)) goto fail;
    if (!hx_desc_info_get(d)->data_present) {
        printf("%-40s unavailable: data file missing (%s)\n", hx_desc_info_get(d)->name,
               hx_desc_info_get(d)->data_path);
        ++*unavailable;
        goto done;
    }
    if (hx_data_load(d, &data, &err) || hx_data_splits(data, &sp, &err)) goto fail;
    char line[1024];
    hx_data_describe(data, line, sizeof line);
    printf("%s\n", line);
    goto done;
fail:
    fprintf(stderr, "rfmbench: %s\n", err.msg);
    rc = 1;
done:
    hx_splits_free(sp);
    hx_data_free(data);
    hx_desc_free(d);
    return rc;
}

static int is_descriptor_(const char *name) {
    size_t n = strlen(name);
    return name[0] != '.' && ((n > 5 && !strcmp(name + n - 5, ".yaml")) ||
                              (n > 4 && !strcmp(name + n - 4, ".yml")));
}

static int cmp_str_(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A folder: its descriptors in name order. */
static int show_dir_(const char *dir, int *unavailable, size_t *count) {
    DIR *dp = opendir(dir);
    if (!dp) {
        fprintf(stderr, "rfmbench: %s: cannot open folder\n", dir);
        return 1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(dp))) {
        if (!is_descriptor_(de->d_name)) continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **nn = realloc(names, cap * sizeof *names);
            if (!nn) break;
            names = nn;
        }
        names[n++] = strdup(de->d_name);
    }
    closedir(dp);
    qsort(names, n, sizeof *names, cmp_str_);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        rc |= show_one_(path, unavailable);
        free(names[i]);
        ++*count;
    }
    free(names);
    return rc;
}

int hx_cmd_datasets(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        FILE *fp = argc < 2 ? stderr : stdout;
        fprintf(fp, "usage: rfmbench datasets PATH...\n"
                    "Loads and validates dataset descriptors (files, folders or glob patterns)\n"
                    "and prints name, task, n, d, classes and splits for each.\n");
        return argc < 2 ? 2 : 0;
    }
    int rc = 0, unavailable = 0;
    size_t count = 0;
    for (int i = 1; i < argc; i++) {
        struct stat sb;
        if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
            rc |= show_dir_(argv[i], &unavailable, &count);
            continue;
        }
        if (stat(argv[i], &sb) == 0) {
            rc |= show_one_(argv[i], &unavailable);
            count++;
            continue;
        }
        glob_t g;
        if (glob(argv[i], 0, NULL, &g) != 0) {
            fprintf(stderr, "rfmbench: %s: no such file, folder or matching descriptor\n",
                    argv[i]);
            rc = 1;
            continue;
        }
        for (size_t j = 0; j < g.gl_pathc; j++) {
            rc |= show_one_(g.gl_pathv[j], &unavailable);
            count++;
        }
        globfree(&g);
    }
    printf("%zu descriptors, %d unavailable\n", count, unavailable);
    return rc;
}
