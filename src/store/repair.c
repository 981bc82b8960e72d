/* berth — removal of atomic-write temporaries a crash left behind.  */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "store/repair.h"

/* mkostemp's suffix.  */
#define TEMP_SUFFIX ".tmp-"
#define TEMP_RANDOM 6

bool
store_repair_is_temp_name (const char *name)
{
  size_t len = name ? strlen (name) : 0, sl = strlen (TEMP_SUFFIX);
  const char *p;

  if (len <= sl + TEMP_RANDOM)
    return false;
  p = name + len - TEMP_RANDOM - sl;
  if (strncmp (p, TEMP_SUFFIX, sl) != 0)
    return false;
  for (p += sl; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
      return false;
  return true;
}

/* DIRFD is the directory (O_DIRECTORY), closed here.  DEV keeps us on
   one filesystem: a mount under the data root is someone's data.  */
static int
repair_fd (int dirfd, const char *path, int depth, dev_t dev, berth_error_t *err)
{
  cleanup_dir DIR *d = fdopendir (dirfd);
  struct dirent *de;
  int removed = 0;

  if (d == NULL)
    {
      close (dirfd);
      return berth_make_error (err, errno, "open `%s`", path);
    }
  while ((de = readdir (d)) != NULL)
    {
      struct stat st;
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0
          || fstatat (dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != dev)
        continue;
      if (S_ISREG (st.st_mode) && store_repair_is_temp_name (de->d_name))
        {
          if (unlinkat (dirfd, de->d_name, 0) == 0)
            {
              log_info ("removed `%s/%s`, left by a crash", path, de->d_name);
              removed++;
            }
        }
      else if (S_ISDIR (st.st_mode) && depth > 0)
        {
          cleanup_free char *sub = xasprintf ("%s/%s", path, de->d_name);
          int fd = openat (dirfd, de->d_name,
                           O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
          int r = fd < 0 ? 0 : repair_fd (fd, sub, depth - 1, dev, err);
          if (r < 0)
            return r;
          removed += r;
        }
    }
  return removed;
}

int
store_repair_temp_files (const char *dir, int depth, berth_error_t *err)
{
  struct stat st;
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

  if (fd < 0)
    return errno == ENOENT ? 0 : berth_make_error (err, errno, "open `%s`", dir);
  if (fstat (fd, &st) < 0)
    {
      int e = errno;
      close (fd);
      return berth_make_error (err, e, "stat `%s`", dir);
    }
  return repair_fd (fd, dir, depth, st.st_dev, err);
}

int
store_repair_data_root (const char *data_root, berth_error_t *err)
{
  int r = store_repair_temp_files (data_root, 2, err);
  if (r < 0)
    return berth_error_wrap (err, "repair data root `%s`", data_root);
  return r;
}
