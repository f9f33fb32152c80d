/* opendir/readdir/closedir over the listing make writes: see qemu_dirent.h. */
#include "qemu_dirent.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef QEMU_DIRLIST
#error "QEMU_DIRLIST: the listing file written by make (path relative to where QEMU runs)"
#endif

struct qemu_dir {
    FILE *list;
    char path[256];
    size_t path_len;
    struct dirent entry;
};

/* Reads the next "t path" line into *type and path[]; 0 at the end. */
static int next_line(FILE *f, char *type, char *path, size_t cap)
{
    char line[512];
    while (fgets(line, sizeof line, f) != NULL) {
        size_t n = strcspn(line, "\r\n");
        line[n] = '\0';
        if (n < 3 || line[1] != ' ' || n - 2 >= cap) continue;
        *type = line[0];
        memcpy(path, line + 2, n - 1);
        return 1;
    }
    return 0;
}

DIR *opendir(const char *path)
{
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/') len--;
    if (len >= sizeof ((DIR *)0)->path) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    FILE *f = fopen(QEMU_DIRLIST, "r");
    if (f == NULL) {
        fprintf(stderr, "opendir: cannot open the listing %s\n", QEMU_DIRLIST);
        errno = EIO;
        return NULL;
    }
    char type, p[256];
    while (next_line(f, &type, p, sizeof p)) {
        if (type == 'd' && strlen(p) == len && memcmp(p, path, len) == 0) {
            DIR *d = calloc(1, sizeof *d);
            if (d == NULL) break;
            d->list = f;
            memcpy(d->path, path, len);
            d->path_len = len;
            rewind(f);
            return d;
        }
    }
    fclose(f);
    errno = ENOENT; /* not a directory in the listing (a file, or missing) */
    return NULL;
}

struct dirent *readdir(DIR *d)
{
    char type, p[256];
    while (next_line(d->list, &type, p, sizeof p)) {
        /* An entry directly under d->path: "<path>/<name>" with no further '/'. */
        if (strncmp(p, d->path, d->path_len) != 0 || p[d->path_len] != '/') continue;
        const char *name = p + d->path_len + 1;
        if (*name == '\0' || strchr(name, '/') != NULL) continue;
        snprintf(d->entry.d_name, sizeof d->entry.d_name, "%s", name);
        return &d->entry;
    }
    return NULL;
}

int closedir(DIR *d)
{
    fclose(d->list);
    free(d);
    return 0;
}
