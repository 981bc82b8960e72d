/* berth — the cgroup filesystem inside the container.
 *
 * cgroup v2: cgroup2 itself in a cgroup namespace, else a bind of the
 * container's own cgroup.  cgroup v1: a tmpfs holding one directory per
 * hierarchy, each the hierarchy itself (cgroup namespace) or a bind of the
 * container's own cgroup in it, read-only when asked, as runc does.  */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include "../base/cleanup.h"
#include "../base/fs.h"
#include "../base/strv.h"
#include "../base/xalloc.h"
#include "rootfs-internal.h"

/* The line of /proc/self/cgroup for hierarchy CTRLS ("" for v2): its path,
   a new string, or NULL.  */
static char *
own_cgroup_path (const char *cgroups, const char *ctrls)
{
  size_t n = strlen (ctrls);
  for (const char *l = cgroups; l && *l; l = strchr (l, '\n') ? strchr (l, '\n') + 1 : NULL)
    {
      const char *c = strchr (l, ':');
      if (c == NULL || strncmp (c + 1, ctrls, n) != 0 || c[1 + n] != ':')
        continue;
      const char *p = c + 2 + n;
      return xstrndup (p, strcspn (p, "\n"));
    }
  return NULL;
}

/* Do the comma-separated super options OPTS name every controller of
   CTRLS?  */
static bool
has_all_controllers (const char *opts, const char *ctrls)
{
  cleanup_strv char **want = strv_split (ctrls, ',');
  cleanup_strv char **have = strv_split (opts, ',');
  for (size_t i = 0; want && want[i]; i++)
    if (!strv_contains (have, want[i]))
      return false;
  return true;
}

/* Find the v1 hierarchy of CTRLS in MOUNTINFO: its mount point and root,
   new strings.  */
static int
find_hierarchy (const char *mountinfo, const char *ctrls, char **mp, char **root)
{
  cleanup_strv char **lines = strv_split (mountinfo, '\n');
  for (size_t i = 0; lines && lines[i]; i++)
    {
      cleanup_strv char **f = strv_split (lines[i], ' ');
      size_t n = strv_len (f), sep = 6;
      while (sep < n && strcmp (f[sep], "-") != 0)
        sep++;
      if (sep + 3 >= n || strcmp (f[sep + 1], "cgroup") != 0)
        continue;
      if (!has_all_controllers (f[sep + 3], ctrls))
        continue;
      *root = xstrdup (f[3]);
      *mp = xstrdup (f[4]);
      return 0;
    }
  return -1;
}

/* One v1 hierarchy (a line "N:CTRLS:PATH" of /proc/self/cgroup).  */
static int
mount_hierarchy (struct rootfs_ctx *ctx, const struct oci_mount *m,
                 const struct rootfs_mount_options *mo, const char *mountinfo, const char *ctrls,
                 const char *path, int tmpfd, berth_error_t *err)
{
  cleanup_free char *mp = NULL, *root = NULL;
  const char *name;
  if (ctx->cgroupns)
    /* The kernel names it: "cpu,cpuacct", "name=systemd" -> "systemd".  */
    name = str_has_prefix (ctrls, "name=") ? ctrls + 5 : ctrls;
  else if (find_hierarchy (mountinfo, ctrls, &mp, &root) < 0)
    return 0; /* not mounted on the host: nothing to show */
  else
    name = strrchr (mp, '/') + 1;
  cleanup_free char *sub = xasprintf ("%s/%s", m->destination, name);
  unsigned long flags = (mo->flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)) | MS_NOSUID
                        | MS_NODEV | MS_NOEXEC;
  int r;

  if (ctx->cgroupns)
    r = rootfs_mount_at (ctx, "cgroup", sub, "cgroup", flags, ctrls, false, NULL, err);
  else
    {
      size_t rl = strcmp (root, "/") == 0 ? 0 : strlen (root);
      if (rl && strncmp (path, root, rl) == 0)
        path += rl;
      cleanup_free char *src = xasprintf ("%s%s", mp, path);
      struct rootfs_mount_options bind = { .flags = MS_BIND | flags };
      r = rootfs_mount_bind (ctx, src, sub, &bind, err);
    }
  if (r < 0)
    return r;
  /* Comounted "cpu,cpuacct": a link per controller, as on the host.  */
  if (strchr (name, ','))
    {
      cleanup_strv char **each = strv_split (name, ',');
      for (size_t i = 0; each && each[i]; i++)
        if (symlinkat (name, tmpfd, each[i]) < 0 && errno != EEXIST)
          return berth_make_error (err, errno, "%s: symlink `%s`", ctx->what, each[i]);
    }
  return 0;
}

static int
mount_v1 (struct rootfs_ctx *ctx, const struct oci_mount *m, const struct rootfs_mount_options *mo,
          berth_error_t *err)
{
  cleanup_close int tmpfd = -1;
  cleanup_free char *cgroups = fs_read_file ("/proc/self/cgroup", NULL, err);
  if (cgroups == NULL)
    return berth_error_wrap (err, "%s", ctx->what);
  /* Only binds need the host's mount points.  */
  cleanup_free char *mountinfo = NULL;
  if (!ctx->cgroupns && (mountinfo = fs_read_file ("/proc/self/mountinfo", NULL, err)) == NULL)
    return berth_error_wrap (err, "%s", ctx->what);

  unsigned long tflags = mo->flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME);
  if (rootfs_mount_at (ctx, "tmpfs", m->destination, "tmpfs", tflags, "mode=755", false, &tmpfd,
                       err)
      < 0)
    return -1;
  cleanup_strv char **lines = strv_split (cgroups, '\n');
  for (size_t i = 0; lines && lines[i]; i++)
    {
      char *a = strchr (lines[i], ':'), *b = a ? strchr (a + 1, ':') : NULL;
      if (b == NULL || b == a + 1)
        continue; /* the v2 line of a hybrid host */
      *b = '\0';
      if (mount_hierarchy (ctx, m, mo, mountinfo, a + 1, b + 1, tmpfd, err) < 0)
        return -1;
    }
  if ((mo->flags & MS_RDONLY)
      && rootfs_remount (tmpfd, NULL, MS_BIND | MS_RDONLY | tflags, mo->clear, err) < 0)
    return berth_error_wrap (err, "%s", ctx->what);
  return 0;
}

static int
mount_v2 (struct rootfs_ctx *ctx, const struct oci_mount *m, const struct rootfs_mount_options *mo,
          berth_error_t *err)
{
  if (ctx->cgroupns)
    return rootfs_mount_at (ctx, "cgroup2", m->destination, "cgroup2", mo->flags & ~MS_REC,
                            mo->data, false, NULL, err);

  /* No cgroup namespace: cgroup2 would show the host's whole tree.  */
  cleanup_free char *cgroups = fs_read_file ("/proc/self/cgroup", NULL, err);
  if (cgroups == NULL)
    return berth_error_wrap (err, "%s", ctx->what);
  cleanup_free char *path = own_cgroup_path (cgroups, "");
  cleanup_free char *src = xasprintf ("/sys/fs/cgroup%s", path ? path : "/");
  struct rootfs_mount_options bind = *mo;
  bind.flags |= MS_BIND | MS_REC;
  bind.n_propagation = 0;
  return rootfs_mount_bind (ctx, src, m->destination, &bind, err);
}

int
rootfs_mount_cgroup (struct rootfs_ctx *ctx, const struct oci_mount *m,
                     const struct rootfs_mount_options *mo, berth_error_t *err)
{
  struct statfs sfs;
  if (statfs ("/sys/fs/cgroup", &sfs) < 0)
    return berth_make_error (err, errno, "%s: statfs `/sys/fs/cgroup`", ctx->what);
  if (sfs.f_type == CGROUP2_SUPER_MAGIC)
    return mount_v2 (ctx, m, mo, err);
  return mount_v1 (ctx, m, mo, err);
}
