/* libFuzzer harness: docker load reads a hostile archive
   (src/store/image-archive.c): tar members, manifest.json, index.json,
   oci-layout, configs and layer tars.  Every input is loaded into a fresh
   image store (vfs driver) in a private temporary directory, removed after
   each input.  Whatever the bytes: no crash, no leak, an error with a
   message when the load fails, and then no image left.  */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/base.h"
#include "store/image.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
on_msg (void *data, const char *msg)
{
  (void) data;
  if (msg == NULL || msg[0] == '\0')
    __builtin_trap ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char dir[] = "/tmp/berth-fuzz-archive-XXXXXX";
  struct store_images *s;
  berth_error_t err = NULL;
  int fd, r;

  if (mkdtemp (dir) == NULL)
    return 0;
  s = store_images_open (dir, "vfs", NULL);
  fd = memfd_create ("fuzz", MFD_CLOEXEC);
  if (s && fd >= 0 && (size == 0 || fs_write_all (fd, data, size) == 0)
      && lseek (fd, 0, SEEK_SET) == 0)
    {
      r = store_image_load (s, fd, on_msg, NULL, &err);
      if (r < 0 && (err == NULL || err->msg == NULL || err->msg[0] == '\0'))
        __builtin_trap ();
      /* A refused archive of one image leaves nothing behind.  */
      if (r < 0 && store_images_count (s) > 1)
        __builtin_trap ();
      berth_error_release (&err);
    }
  if (fd >= 0)
    close (fd);
  if (s)
    store_images_close (s);
  fs_remove_tree (dir, NULL);
  return 0;
}
