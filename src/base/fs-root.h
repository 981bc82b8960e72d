/* berth — paths resolved inside a root directory, never leaving it.
 *
 * A container rootfs is hostile: any component of a path inside it may be a
 * symlink to "/" or "../../..".  Every function here takes an fd of the root
 * and resolves PATH as if that fd were "/" (absolute symlinks restart at the
 * root, ".." stops at it), with openat2 RESOLVE_IN_ROOT, or on kernels
 * without openat2 a walk one component at a time.  Never build a host path
 * by concatenation and follow it (runc CVE-2021-30465, docker cp
 * CVE-2018-15664).  */
#ifndef BERTH_BASE_FS_ROOT_H
#define BERTH_BASE_FS_ROOT_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

/* Extra resolution flags for fs_root_openat.  */
enum
{
  /* Fail with ELOOP when any component (the last included) is a symlink:
     for destinations such as /proc whose redirection is an attack
     (CVE-2023-28642).  */
  FS_ROOT_NO_SYMLINKS = 1 << 0,
};

/* Open PATH inside ROOTFD with open(2) FLAGS and MODE.  O_NOFOLLOW applies
   to the last component only, as for open(2); O_CREAT creates inside the
   root.  O_CLOEXEC is always added.  Returns a new fd or < 0 with *err set
   (status is the errno, e.g. ENOENT).  */
int fs_root_open (int rootfd, const char *path, int flags, mode_t mode, berth_error_t *err);
int fs_root_openat (int rootfd, const char *path, int flags, mode_t mode, unsigned resolve,
                    berth_error_t *err);

/* mkdir -p of PATH inside ROOTFD (MODE for each created directory, minus
   the umask).  Dangling symlinks are followed and their target created
   inside the root, as runc's securejoin does.  Returns an O_PATH fd of the
   final directory, or < 0 with *err set.  */
int fs_root_mkdir_p (int rootfd, const char *path, mode_t mode, berth_error_t *err);

/* Make sure PATH exists inside ROOTFD as a non-directory (an empty regular
   file of MODE is created when missing, its parents with 0755): the target
   of a bind mount of a file.  Returns an O_PATH fd of it, or < 0.  */
int fs_root_create_file (int rootfd, const char *path, mode_t mode, berth_error_t *err);

/* Tests only: force the component walk even when openat2 exists.  */
void fs_root_force_fallback (bool force);

#endif
