/* berth — mount options of config.json to mount(2) flags and data.
 *
 * The names are mount(8)'s, as runtime-spec config.md "Mounts" asks, plus
 * the bind/propagation ones runc and crun accept.  */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mount.h>

#include "../base/xalloc.h"
#include "rootfs-internal.h"

struct flag_opt
{
  const char *name;
  bool clear; /* the option turns FLAG off */
  unsigned long flag;
};

static const struct flag_opt flag_opts[] = {
  { "defaults", false, 0 },
  { "bind", false, MS_BIND },
  { "rbind", false, MS_BIND | MS_REC },
  { "ro", false, MS_RDONLY },
  { "rw", true, MS_RDONLY },
  { "nosuid", false, MS_NOSUID },
  { "suid", true, MS_NOSUID },
  { "nodev", false, MS_NODEV },
  { "dev", true, MS_NODEV },
  { "noexec", false, MS_NOEXEC },
  { "exec", true, MS_NOEXEC },
  { "sync", false, MS_SYNCHRONOUS },
  { "async", true, MS_SYNCHRONOUS },
  { "dirsync", false, MS_DIRSYNC },
  { "remount", false, MS_REMOUNT },
  { "mand", false, MS_MANDLOCK },
  { "nomand", true, MS_MANDLOCK },
  { "atime", true, MS_NOATIME },
  { "noatime", false, MS_NOATIME },
  { "diratime", true, MS_NODIRATIME },
  { "nodiratime", false, MS_NODIRATIME },
  { "relatime", false, MS_RELATIME },
  { "norelatime", true, MS_RELATIME },
  { "strictatime", false, MS_STRICTATIME },
  { "nostrictatime", true, MS_STRICTATIME },
  { "lazytime", false, MS_LAZYTIME },
  { "nolazytime", true, MS_LAZYTIME },
  { "silent", false, MS_SILENT },
  { "loud", true, MS_SILENT },
  { "iversion", false, MS_I_VERSION },
  { "noiversion", true, MS_I_VERSION },
  { "nosymfollow", false, MS_NOSYMFOLLOW },
  { "symfollow", true, MS_NOSYMFOLLOW },
};

static const struct
{
  const char *name;
  unsigned long flag;
} propagation_opts[] = {
  { "private", MS_PRIVATE },       { "rprivate", MS_PRIVATE | MS_REC },
  { "shared", MS_SHARED },         { "rshared", MS_SHARED | MS_REC },
  { "slave", MS_SLAVE },           { "rslave", MS_SLAVE | MS_REC },
  { "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
};

unsigned long
rootfs_propagation_flag (const char *s)
{
  for (size_t i = 0; i < sizeof propagation_opts / sizeof propagation_opts[0]; i++)
    if (strcmp (s, propagation_opts[i].name) == 0)
      return propagation_opts[i].flag;
  return 0;
}

/* The atime options are one choice: a later one replaces an earlier one,
   as in mount(8).  */
#define ATIME_FLAGS (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)

static void
apply_flag (struct rootfs_mount_options *o, const struct flag_opt *f)
{
  if (f->flag & ATIME_FLAGS)
    {
      o->flags &= ~ATIME_FLAGS;
      o->clear |= ATIME_FLAGS & ~f->flag;
    }
  if (f->clear)
    {
      o->flags &= ~f->flag;
      o->clear |= f->flag;
    }
  else
    {
      o->flags |= f->flag;
      o->clear &= ~f->flag;
    }
}

static bool
parse_one (struct rootfs_mount_options *o, const char *opt)
{
  for (size_t i = 0; i < sizeof flag_opts / sizeof flag_opts[0]; i++)
    if (strcmp (opt, flag_opts[i].name) == 0)
      {
        apply_flag (o, &flag_opts[i]);
        return true;
      }
  if (strcmp (opt, "tmpcopyup") == 0)
    o->extra |= ROOTFS_OPT_TMPCOPYUP;
  else if (strcmp (opt, "idmap") == 0 || strcmp (opt, "ridmap") == 0)
    o->extra |= ROOTFS_OPT_IDMAP;
  else
    return false;
  return true;
}

static void
append_data (struct rootfs_mount_options *o, const char *opt)
{
  if (o->data == NULL)
    {
      o->data = xstrdup (opt);
      return;
    }
  size_t a = strlen (o->data), b = strlen (opt);
  o->data = xrealloc (o->data, a + b + 2);
  o->data[a] = ',';
  memcpy (o->data + a + 1, opt, b + 1);
}

int
rootfs_mount_options_parse (char *const *options, struct rootfs_mount_options *out,
                            berth_error_t *err)
{
  memset (out, 0, sizeof *out);
  for (size_t i = 0; options && options[i]; i++)
    {
      const char *opt = options[i];
      unsigned long prop = rootfs_propagation_flag (opt);
      if (prop)
        {
          if (out->n_propagation == ROOTFS_MAX_PROPAGATION)
            {
              rootfs_mount_options_release (out);
              return berth_make_error (err, EINVAL, "too many propagation options at `%s`", opt);
            }
          out->propagation[out->n_propagation++] = prop;
          continue;
        }
      if (!parse_one (out, opt))
        append_data (out, opt);
    }
  return 0;
}

void
rootfs_mount_options_release (struct rootfs_mount_options *o)
{
  free (o->data);
  o->data = NULL;
}
