/* The part of littlefs's lfs.h that docs/PORTING.md uses, declared as littlefs declares it,
 * so that the docs' code blocks compile without littlefs (tests/docs/run.sh). */
#ifndef LFS_H
#define LFS_H
#include <stdint.h>
typedef uint32_t lfs_size_t;
typedef int32_t lfs_ssize_t;
typedef struct lfs lfs_t;
typedef struct lfs_file { uint8_t opaque[128]; } lfs_file_t;
enum lfs_open_flags { LFS_O_RDONLY = 1, LFS_O_WRONLY = 2, LFS_O_RDWR = 3, LFS_O_CREAT = 0x0100,
                      LFS_O_EXCL = 0x0200, LFS_O_TRUNC = 0x0400, LFS_O_APPEND = 0x0800 };
enum lfs_error { LFS_ERR_OK = 0, LFS_ERR_NOENT = -2 };
int lfs_file_open(lfs_t *lfs, lfs_file_t *file, const char *path, int flags);
int lfs_file_close(lfs_t *lfs, lfs_file_t *file);
lfs_ssize_t lfs_file_read(lfs_t *lfs, lfs_file_t *file, void *buffer, lfs_size_t size);
lfs_ssize_t lfs_file_write(lfs_t *lfs, lfs_file_t *file, const void *buffer, lfs_size_t size);
lfs_ssize_t lfs_file_size(lfs_t *lfs, lfs_file_t *file);
int lfs_remove(lfs_t *lfs, const char *path);
#endif
