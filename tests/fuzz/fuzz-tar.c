/* libFuzzer harness: a layer tar is hostile input (issue 3, "Safe tar
   application").  Every input is applied into a fresh directory root/
   inside a private temporary directory, in overlay or delete whiteout mode
   (chosen by the input's length), then written back as a diff.  Whatever
   the bytes: no crash, no leak, an error with a message when it fails, and
   nothing created beside root/.  The temporary directory is removed after
   each input.  */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "store/tar.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* The temporary directory holds root/ alone.  */
static void
check_nothing_beside (const char *dir)
{
  DIR *d = opendir (dir);
  struct dirent *de;
  if (d == NULL)
    __builtin_trap ();
  while ((de = readdir (d)))
    if (strcmp (de->d_name, ".") && strcmp (de->d_name, "..") && strcmp (de->d_name, "root"))
      __builtin_trap ();
  closedir (d);
}

static void
check_error (int r, berth_error_t *err)
{
  if (r == 0 && *err == NULL)
    return;
  if (r >= 0 || *err == NULL || (*err)->msg == NULL || (*err)->msg[0] == '\0')
    __builtin_trap ();
  berth_error_release (err);
}

static int
memfd_of (const uint8_t *data, size_t size)
{
  int fd = memfd_create ("fuzz-tar", MFD_CLOEXEC);
  if (fd < 0 || fs_write_all (fd, data, size) < 0 || lseek (fd, 0, SEEK_SET) != 0)
    __builtin_trap ();
  return fd;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char tmpl[] = "/tmp/berth-fuzz-tar-XXXXXX";
  berth_error_t err = NULL;
  if (mkdtemp (tmpl) == NULL)
    __builtin_trap ();
  cleanup_free char *root = xasprintf ("%s/root", tmpl);
  if (mkdir (root, 0755) < 0)
    __builtin_trap ();
  int rootfd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int src = memfd_of (data, size);
  struct store_tar_opts o = {
    .whiteout_mode = (size & 1) ? STORE_WHITEOUT_DELETE : STORE_WHITEOUT_OVERLAY,
    .ignore_chown_errors = true,
  };
  struct store_tar_stats st;
  int r = store_tar_apply (src, rootfd, &o, &st, &err);
  check_error (r, &err);
  close (src);
  check_nothing_beside (tmpl);

  /* Whatever was applied can be written back.  */
  int out = memfd_create ("fuzz-tar-out", MFD_CLOEXEC);
  check_error (store_tar_diff (rootfd, out, NULL, &err), &err);
  close (out);
  close (rootfd);

  if (fs_remove_tree (tmpl, &err) < 0)
    __builtin_trap ();
  return 0;
}
