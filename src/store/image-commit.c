/* berth — docker commit: a container's rw layer made a layer on top of
 * its image's, and a child image of it (dockerd's
 * daemon/images/image_commit.go and image.NewChildImage).  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "store/content.h"
#include "store/image-internal.h"
#include "store/layer.h"
#include "store/tar.h"

/* The diff ID of a tar with nothing in it (1024 zero bytes): a commit
   without changes adds no layer, only a history entry (layer.IsEmpty).  */
#define EMPTY_DIFF_ID "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"

static char *
dup_opt (const char *s)
{
  return s && *s ? xstrdup (s) : NULL;
}

/* Write the rw layer's diff to a temporary file (seekable, so the tar can
   also be kept for docker save), apply it as a layer on PARENT_CHAIN.
   *CHAIN gets the new layer, or the parent (with a new reference) when
   the diff is empty; *EMPTY says so.  */
static int
commit_layer (struct store_images *s, const char *container_id, const char *parent_chain,
              char chain[DIGEST_SHA256_STRLEN], char diff_id[DIGEST_SHA256_STRLEN], bool *empty,
              berth_error_t *err)
{
  struct store_tar_opts o = { 0 };
  struct store_tar_stats st;
  struct layer_new *n;
  cleanup_close int dirfd = -1;
  cleanup_close int fd = open (s->root, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

  if (fd < 0)
    return berth_make_error (err, errno, "create temporary file in `%s`", s->root);
  if (store_layer_rw_diff (s->layers, container_id, fd, err) < 0 || lseek (fd, 0, SEEK_SET) < 0)
    return -1;
  if ((n = store_layer_create_begin (s->layers, parent_chain, err)) == NULL)
    return -1;
  o.whiteout_mode = store_layer_store_whiteouts (s->layers) == LAYER_WHITEOUT_OVERLAY
                        ? STORE_WHITEOUT_OVERLAY
                        : STORE_WHITEOUT_DELETE;
  dirfd = open (store_layer_new_diff_path (n), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0 || store_tar_apply (fd, dirfd, &o, &st, err) < 0)
    {
      if (dirfd < 0)
        berth_make_error (err, errno, "open `%s`", store_layer_new_diff_path (n));
      store_layer_create_abort (n);
      return -1;
    }
  memcpy (diff_id, st.diff_id, DIGEST_SHA256_STRLEN);
  *empty = strcmp (st.diff_id, EMPTY_DIFF_ID) == 0 && parent_chain != NULL;
  if (*empty)
    {
      store_layer_create_abort (n);
      snprintf (chain, DIGEST_SHA256_STRLEN, "%s", parent_chain);
      return store_layer_ref (s->layers, parent_chain, err);
    }
  if (store_layer_create_commit (n, st.diff_id, st.content_bytes, chain, err) < 0)
    {
      store_layer_create_abort (n);
      return -1;
    }
  berth_error_t kerr = NULL;
  if (lseek (fd, 0, SEEK_SET) < 0 || store_image_keep_layer_tar (s, fd, st.diff_id, &kerr) < 0)
    berth_error_release (&kerr); /* only docker save needs it */
  return 0;
}

/* Parent's history and a new entry.  */
static void
child_history (struct oci_image_config *c, const struct oci_image_config *p,
               const struct store_image_commit_opts *o, const char *now, bool empty)
{
  size_t n = p ? p->n_history : 0;
  c->history = xcalloc (n + 1, sizeof *c->history);
  for (size_t i = 0; i < n; i++)
    {
      c->history[i].created = dup_opt (p->history[i].created);
      c->history[i].created_by = dup_opt (p->history[i].created_by);
      c->history[i].author = dup_opt (p->history[i].author);
      c->history[i].comment = dup_opt (p->history[i].comment);
      c->history[i].empty_layer = p->history[i].empty_layer;
    }
  c->history[n].created = xstrdup (now);
  c->history[n].author = dup_opt (o->author);
  c->history[n].created_by = dup_opt (o->created_by);
  c->history[n].comment = dup_opt (o->comment);
  c->history[n].empty_layer = empty;
  c->n_history = n + 1;
}

/* The child image's config: the parent's platform, layers and history,
   and the container's.  */
static char *
child_config (const struct oci_image_config *p, const struct store_image_commit_opts *o,
              const char *diff_id, bool empty)
{
  struct oci_image_config *c = xmalloc0 (sizeof *c);
  char now[64];
  char *out;

  image_now_rfc3339 (now, sizeof now);
  c->created = xstrdup (now);
  c->author = dup_opt (o->author);
  c->architecture = xstrdup (p && p->architecture ? p->architecture : "amd64");
  c->variant = p ? dup_opt (p->variant) : NULL;
  c->os = xstrdup (p && p->os ? p->os : "linux");
  c->os_version = p ? dup_opt (p->os_version) : NULL;
  c->os_features = p ? strv_dup (p->os_features) : NULL;
  if (o->config)
    {
      c->config = *o->config;
      memset (o->config, 0, sizeof *o->config); /* moved */
    }
  c->has_config = true;
  c->rootfs_type = xstrdup ("layers");
  c->diff_ids = p && p->diff_ids ? strv_dup (p->diff_ids) : NULL;
  if (!empty)
    c->diff_ids = strv_append (c->diff_ids, diff_id);
  child_history (c, p, o, now, empty);
  c->extra = json_object_new_object ();
  json_object_object_add (c->extra, "container", json_object_new_string (o->container_id));
  if (o->container_config)
    {
      json_object *copy = NULL;
      json_object_deep_copy (o->container_config, &copy, NULL);
      json_object_object_add (c->extra, "container_config", copy);
    }
  json_object_object_add (c->extra, "docker_version", json_object_new_string (BERTH_VERSION));
  out = oci_image_config_write (c);
  oci_image_config_free (c);
  return out;
}

int
store_image_commit (struct store_images *s, const struct store_image_commit_opts *o,
                    char id[DIGEST_SHA256_STRLEN], berth_error_t *err)
{
  struct store_image *parent = NULL;
  char chain[DIGEST_SHA256_STRLEN] = "", diff_id[DIGEST_SHA256_STRLEN] = "";
  cleanup_free char *config = NULL;
  bool empty = false;
  int r = -1;

  if (o->parent && *o->parent && (parent = store_image_get (s, o->parent, err)) == NULL)
    return -1;
  if (commit_layer (s, o->container_id, parent ? parent->top_layer : NULL, chain, diff_id, &empty,
                    err)
      == 0)
    {
      config = child_config (parent ? parent->config : NULL, o, diff_id, empty);
      if (store_content_ingest_buffer (s->content, config, strlen (config), NULL, id, err) == 0
          && image_register (s, id, chain, o->ref, err) == 0)
        r = 0;
      else
        store_layer_release (s->layers, chain, NULL);
    }
  store_image_free (parent);
  if (r < 0)
    berth_error_wrap (err, "commit container %s", o->container_id);
  return r;
}
