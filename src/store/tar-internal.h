/* berth — privates shared by the tar apply and diff code.  */
#ifndef BERTH_STORE_TAR_INTERNAL_H
#define BERTH_STORE_TAR_INTERNAL_H

#include <errno.h>
#include <stdio.h>

#include "base/error.h"

/* OCI image-spec layer.md "Whiteouts".  */
#define WH_PREFIX ".wh."
#define WH_PREFIX_LEN 4
#define WH_META_PREFIX ".wh..wh."
#define WH_OPAQUE ".wh..wh..opq"

#define OVL_OPAQUE_XATTR "trusted.overlay.opaque"
#define OVL_XATTR_PREFIX "trusted.overlay."

/* "/proc/self/fd/<DIRFD>/<NAME>": the one way to reach an xattr of NAME
   (a symlink, a device) without following it and without a path that
   could be redirected: the magic link pins the exact directory.  */
static inline void
tar_proc_path (char *buf, size_t size, int dirfd, const char *name)
{
  snprintf (buf, size, "/proc/self/fd/%d/%s", dirfd, name);
}

/* A hostile or corrupt archive: EINVAL (400 at the API), and a message
   with no strerror appended.  */
#define tar_invalid(err, ...) berth_make_error_msg ((err), EINVAL, __VA_ARGS__)

#endif
