/* berth — file helpers: whole-file read/write, atomic replace, mkdir -p.  */
#ifndef BERTH_BASE_FS_H
#define BERTH_BASE_FS_H

#include <fcntl.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/* Read all of PATH (relative to DIRFD, AT_FDCWD allowed) into a new
   NUL-terminated buffer; *len gets its size when len is not NULL.  */
char *fs_read_file_at (int dirfd, const char *path, size_t *len, berth_error_t *err);
#define fs_read_file(path, len, err) fs_read_file_at (AT_FDCWD, path, len, err)

/* Read what is left of FD into a new NUL-terminated buffer.  */
char *fs_read_fd (int fd, size_t *len, berth_error_t *err);

/* Write LEN bytes to PATH under DIRFD with O_WRONLY|O_TRUNC (no create): the
   shape cgroup and /proc files need.  */
int fs_write_file_at (int dirfd, const char *path, const char *data, size_t len,
                      berth_error_t *err);

/* Replace PATH with DATA atomically: a temporary file in the same
   directory, fsync, rename, fsync of the directory.  */
int fs_write_file_atomic (const char *path, const char *data, size_t len, mode_t mode,
                          berth_error_t *err);

/* Write all of BUF to FD, retrying short writes and EINTR; -1 with errno.  */
int fs_write_all (int fd, const void *buf, size_t len);

/* Read exactly LEN bytes; returns bytes read (< len at EOF) or -1.  */
ssize_t fs_read_all (int fd, void *buf, size_t len);

/* Move FD to the lowest free number >= ABOVE (close-on-exec), closing the
   old one; FD itself when it is already there or < 0.  -1 with errno when
   the dup fails (FD is then closed too).  The runtime keeps its own fds
   above the range it passes to the container (--preserve-fds).  */
int fd_move_above (int fd, int above);

/* mkdir -p with MODE for each created component.  */
int fs_mkdir_p (const char *path, mode_t mode, berth_error_t *err);

/* rm -rf of PATH (no symlinks followed, stays on PATH's filesystems).  */
int fs_remove_tree (const char *path, berth_error_t *err);

/* The directory part of PATH as a new string ("." for none).  */
char *fs_dirname (const char *path);

#endif
