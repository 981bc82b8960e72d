/* berth — mount(8)-style option words -> mount(2) arguments
 * (rootfs-options.c): the runtime's mounts, and the local volume driver's
 * `o=` option, parse the same words the same way.  */
#ifndef BERTH_RUNTIME_MOUNT_OPTIONS_H
#define BERTH_RUNTIME_MOUNT_OPTIONS_H

#include <stddef.h>

#include "../base/error.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

enum rootfs_opt_extra
{
  ROOTFS_OPT_TMPCOPYUP = 1 << 0, /* copy the old contents into the tmpfs */
  ROOTFS_OPT_IDMAP = 1 << 1,     /* idmap / ridmap: not supported yet */
};

#define ROOTFS_MAX_PROPAGATION 4

struct rootfs_mount_options
{
  unsigned long flags; /* MS_* to pass (MS_BIND|MS_REC for bind/rbind) */
  unsigned long clear; /* MS_* explicitly cleared (rw, suid, dev, exec, atime...) */
  unsigned long propagation[ROOTFS_MAX_PROPAGATION]; /* applied after, in order */
  size_t n_propagation;
  char *data;     /* unknown options joined by ',' for the filesystem; NULL if none */
  unsigned extra; /* enum rootfs_opt_extra */
};

/* A pure function of OPTIONS (NULL-terminated, may be NULL).  Unknown
   options go to data, as mount(8) does.  Release OUT after use.  */
int rootfs_mount_options_parse (char *const *options, struct rootfs_mount_options *out,
                                berth_error_t *err);
void rootfs_mount_options_release (struct rootfs_mount_options *o);

/* "rprivate" -> MS_PRIVATE|MS_REC ...; 0 when S is not a propagation.  */
unsigned long rootfs_propagation_flag (const char *s);

#endif
