/* berth — docker import: a root filesystem tar made one layer and a new
 * image (dockerd's daemon/images/image_import.go).  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "store/content.h"
#include "store/image-internal.h"
#include "store/layer.h"
#include "store/tar.h"

void
image_now_rfc3339 (char *buf, size_t len)
{
  struct timespec ts;
  struct tm tm;
  char frac[16];
  size_t n;
  size_t off;

  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  off = strftime (buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
  /* Go's RFC3339Nano drops the fraction's trailing zeros.  */
  snprintf (frac, sizeof (frac), ".%09ld", ts.tv_nsec);
  n = strlen (frac);
  while (n > 1 && frac[n - 1] == '0')
    frac[--n] = '\0';
  snprintf (buf + off, len - off, "%sZ", n > 1 ? frac : "");
}

/* The host's architecture as Go's GOARCH names it.  */
static const char *
host_goarch (void)
{
  static const char *const map[][2] = {
    { "x86_64", "amd64" },    { "aarch64", "arm64" }, { "i686", "386" },
    { "i386", "386" },        { "armv7l", "arm" },    { "armv6l", "arm" },
    { "ppc64le", "ppc64le" }, { "s390x", "s390x" },   { "riscv64", "riscv64" },
  };
  struct utsname u;
  if (uname (&u) < 0)
    return "amd64";
  for (size_t i = 0; i < sizeof (map) / sizeof (map[0]); i++)
    if (strcmp (u.machine, map[i][0]) == 0)
      return map[i][1];
  return "amd64";
}

/* Apply the tar of FD as a new base layer; CHAIN and DIFF_ID get its IDs and
   the caller one reference on it.  */
static int
import_layer (struct store_images *s, int fd, char chain[DIGEST_SHA256_STRLEN],
              char diff_id[DIGEST_SHA256_STRLEN], berth_error_t *err)
{
  struct layer_new *n = store_layer_create_begin (s->layers, NULL, err);
  struct store_tar_opts o = { 0 };
  struct store_tar_stats st;
  cleanup_close int dirfd = -1;

  if (n == NULL)
    return -1;
  o.whiteout_mode = store_layer_store_whiteouts (s->layers) == LAYER_WHITEOUT_OVERLAY
                        ? STORE_WHITEOUT_OVERLAY
                        : STORE_WHITEOUT_DELETE;
  memset (&st, 0, sizeof (st));
  dirfd = open (store_layer_new_diff_path (n), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    {
      berth_make_error (err, errno, "open `%s`", store_layer_new_diff_path (n));
      store_layer_create_abort (n);
      return -1;
    }
  if (store_tar_apply (fd, dirfd, &o, &st, err) < 0)
    {
      store_layer_create_abort (n);
      return -1;
    }
  memcpy (diff_id, st.diff_id, DIGEST_SHA256_STRLEN);
  if (store_layer_create_commit (n, st.diff_id, st.content_bytes, chain, err) < 0)
    {
      store_layer_create_abort (n);
      return -1;
    }
  return 0;
}

/* The new image's config, as moby's image.Image for an import.  */
static char *
import_config (const char *diff_id, const char *msg, char *const *changes, berth_error_t *err)
{
  struct oci_image_config *c = xmalloc0 (sizeof (*c));
  char now[64];
  char *out = NULL;

  if (store_image_apply_changes (&c->config, changes, err) == 0)
    {
      image_now_rfc3339 (now, sizeof (now));
      c->created = xstrdup (now);
      c->architecture = xstrdup (host_goarch ());
      c->os = xstrdup ("linux");
      c->has_config = true;
      c->rootfs_type = xstrdup ("layers");
      c->diff_ids = strv_append (NULL, diff_id);
      c->history = xcalloc (1, sizeof (*c->history));
      c->n_history = 1;
      c->history[0].created = xstrdup (now);
      c->history[0].comment = xstrdup (msg);
      c->extra = json_object_new_object ();
      json_object_object_add (c->extra, "comment", json_object_new_string (msg));
      json_object_object_add (c->extra, "docker_version", json_object_new_string (BERTH_VERSION));
      out = oci_image_config_write (c);
    }
  oci_image_config_free (c);
  return out;
}

int
image_register (struct store_images *s, const char *id, const char *chain, const char *ref,
                berth_error_t *err)
{
  int ret = 0;

  pthread_mutex_lock (&s->lock);
  if (image_find_rec (s, id) >= 0)
    store_layer_release (s->layers, chain, NULL); /* the image holds it already */
  else
    {
      image_add_rec (s, id, NULL);
      ret = image_save_images (s, err);
    }
  if (ret == 0 && ref)
    ret = image_set_ref (s, ref, id, err);
  pthread_mutex_unlock (&s->lock);
  return ret;
}

int
store_image_import (struct store_images *s, int fd, const struct store_image_import_opts *o,
                    char id[DIGEST_SHA256_STRLEN], berth_error_t *err)
{
  char chain[DIGEST_SHA256_STRLEN], diff_id[DIGEST_SHA256_STRLEN];
  const char *msg = o && o->message && o->message[0] ? o->message : "Imported from -";
  cleanup_free char *config = NULL;

  if (import_layer (s, fd, chain, diff_id, err) < 0)
    return berth_error_wrap (err, "import image");
  /* Keep the tar for docker save (store/image-archive.c); best effort, and
     only a seekable fd (the API's memfd) can be read again.  */
  if (lseek (fd, 0, SEEK_CUR) >= 0)
    {
      berth_error_t kerr = NULL;
      if (store_image_keep_layer_tar (s, fd, diff_id, &kerr) < 0)
        berth_error_release (&kerr);
    }
  config = import_config (diff_id, msg, o ? o->changes : NULL, err);
  if (config == NULL
      || store_content_ingest_buffer (s->content, config, strlen (config), NULL, id, err) < 0
      || image_register (s, id, chain, o ? o->ref : NULL, err) < 0)
    {
      store_layer_release (s->layers, chain, NULL);
      return -1;
    }
  return 0;
}
