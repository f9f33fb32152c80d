/*
 * Directory listing for the on-target test images. Semihosting can open host
 * files but cannot list a directory, so make writes a listing of
 * tests/vectors (one "d path" or "f path" line per entry, QEMU_DIRLIST names
 * it) and these calls answer from it. tests/support/vectors.c is compiled
 * with -DTV_HAVE_DIRENT=1 -include qemu_dirent.h to use them.
 */
#ifndef BMQTT_QEMU_DIRENT_H
#define BMQTT_QEMU_DIRENT_H

struct dirent {
    char d_name[256];
};

typedef struct qemu_dir DIR;

DIR *opendir(const char *path);
struct dirent *readdir(DIR *d);
int closedir(DIR *d);

#endif
