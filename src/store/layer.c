/* berth — the layer store's generic part: records, chain IDs, reference
   counts, crash-safe creation and removal.  The drivers (layer-overlay.c,
   layer-vfs.c) only lay out and mount directories.  */
#define _GNU_SOURCE
#include "layer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/cleanup.h"
#include "../base/fs.h"
#include "../base/json.h"
#include "../base/log.h"
#include "../base/xalloc.h"
#include "layer-internal.h"

struct layer_new
{
  struct layer_store *s;
  struct layer_rec *rec;
  char *diff_path;
};

static const struct layer_driver_ops *const drivers[]
    = { &layer_overlay_ops, &layer_vfs_ops, NULL };

void
store_layer_chain_id (const char *parent_chain_id, const char *diff_id,
                      char out[DIGEST_SHA256_STRLEN])
{
  cleanup_free char *s = NULL;

  if (parent_chain_id == NULL)
    {
      snprintf (out, DIGEST_SHA256_STRLEN, "%s", diff_id);
      return;
    }
  s = xasprintf ("%s %s", parent_chain_id, diff_id);
  digest_buffer (s, strlen (s), out);
}

void
layer_random_id (char out[LAYER_ID_LEN + 1])
{
  unsigned char b[LAYER_ID_LEN / 2];
  size_t got = 0;

  while (got < sizeof b)
    {
      ssize_t r = getrandom (b + got, sizeof b - got, 0);
      if (r < 0 && errno != EINTR)
        abort (); /* getrandom cannot fail on a buffer this small */
      if (r > 0)
        got += (size_t) r;
    }
  for (size_t i = 0; i < sizeof b; i++)
    snprintf (out + 2 * i, 3, "%02x", b[i]);
}

static void
lock (struct layer_store *s)
{
  pthread_mutex_lock (&s->lock);
}

static void
unlock (struct layer_store *s)
{
  pthread_mutex_unlock (&s->lock);
}

static void
rec_sync_info (struct layer_rec *r)
{
  r->info.id = r->id;
  r->info.chain_id = r->chain_id;
  r->info.diff_id = r->diff_id;
  r->info.parent = r->parent_chain;
  r->info.container_id = r->container_id;
}

static void
rec_free (struct layer_rec *r)
{
  if (r == NULL)
    return;
  free (r->chain_id);
  free (r->diff_id);
  free (r->parent_chain);
  free (r->container_id);
  free (r);
}

/* ---- records on disk ---- */

static void
add_opt (json_object *o, const char *k, const char *v)
{
  if (v && v[0])
    json_object_object_add (o, k, json_object_new_string (v));
}

/* Write DIR/layer.json atomically (tmp file, fsync, rename).  */
static int
rec_write (struct layer_store *s, const char *dir, struct layer_rec *r, berth_error_t *err)
{
  json_object *o = json_object_new_object ();
  cleanup_free char *path = xasprintf ("%s/%s/layer.json", s->root, dir);
  const char *text;
  int ret;

  add_opt (o, "id", r->id);
  add_opt (o, "chain_id", r->chain_id);
  add_opt (o, "diff_id", r->diff_id);
  add_opt (o, "parent", r->parent_chain);
  add_opt (o, "container", r->container_id);
  add_opt (o, "link", r->link);
  json_object_object_add (o, "size", json_object_new_int64 ((int64_t) r->info.size));
  json_object_object_add (o, "refs", json_object_new_int64 (r->info.refs));
  text = bjson_to_string (o);
  ret = fs_write_file_atomic (path, text, strlen (text), 0600, err);
  json_object_put (o);
  return ret;
}

static struct layer_rec *
rec_read (struct layer_store *s, const char *dir, berth_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/%s/layer.json", s->root, dir);
  cleanup_free char *id = NULL, *link = NULL;
  json_object *o = bjson_parse_file (path, err);
  struct layer_rec *r;
  uint64_t size = 0;
  uint32_t refs = 0;

  if (o == NULL)
    return NULL;
  r = xmalloc0 (sizeof (*r));
  if (bjson_get_string (o, "", "id", &id, err) < 0
      || bjson_get_string (o, "", "chain_id", &r->chain_id, err) < 0
      || bjson_get_string (o, "", "diff_id", &r->diff_id, err) < 0
      || bjson_get_string (o, "", "parent", &r->parent_chain, err) < 0
      || bjson_get_string (o, "", "container", &r->container_id, err) < 0
      || bjson_get_string (o, "", "link", &link, err) < 0
      || bjson_get_uint64 (o, "", "size", &size, err) < 0
      || bjson_get_uint32 (o, "", "refs", &refs, err) < 0)
    goto fail;
  if (id == NULL || strcmp (id, dir) != 0 || (r->chain_id == NULL) == (r->container_id == NULL)
      || (link && strlen (link) >= sizeof r->link))
    {
      berth_make_error (err, EINVAL, "corrupt layer record `%s`", path);
      goto fail;
    }
  snprintf (r->id, sizeof r->id, "%s", id);
  snprintf (r->link, sizeof r->link, "%s", link ? link : "");
  r->info.size = size;
  r->info.refs = refs;
  rec_sync_info (r);
  json_object_put (o);
  return r;
fail:
  json_object_put (o);
  rec_free (r);
  return NULL;
}

static int
fsync_root (struct layer_store *s)
{
  cleanup_close int fd = open (s->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || fsync (fd) < 0)
    return -1;
  return 0;
}

/* ---- open, load, repair ---- */

static bool
is_layer_dir_name (const char *n)
{
  return strlen (n) == LAYER_ID_LEN && strspn (n, "0123456789abcdef") == LAYER_ID_LEN;
}

static void
rec_index (struct layer_store *s, struct layer_rec *r)
{
  if (r->chain_id)
    HASH_ADD_KEYPTR (hh, s->by_chain, r->chain_id, strlen (r->chain_id), r);
  else
    HASH_ADD_KEYPTR (hh_rw, s->by_container, r->container_id, strlen (r->container_id), r);
}

static struct layer_rec *
find_chain (struct layer_store *s, const char *chain_id)
{
  struct layer_rec *r = NULL;
  if (chain_id)
    HASH_FIND_STR (s->by_chain, chain_id, r);
  return r;
}

static struct layer_rec *
find_rw (struct layer_store *s, const char *container_id)
{
  struct layer_rec *r = NULL;
  if (container_id)
    HASH_FIND (hh_rw, s->by_container, container_id, strlen (container_id), r);
  return r;
}

static void
link_parents (struct layer_store *s)
{
  struct layer_rec *r, *t;
  struct layer_rec *tables[2] = { s->by_chain, s->by_container };

  for (int i = 0; i < 2; i++)
    for (r = tables[i]; r; r = i == 0 ? r->hh.next : r->hh_rw.next)
      {
        if (r->parent_chain == NULL)
          continue;
        r->parent = t = find_chain (s, r->parent_chain);
        if (t)
          t->info.children++;
        else
          log_warning ("layer `%s`: parent `%s` is missing", r->id, r->parent_chain);
      }
}

static int
load (struct layer_store *s, berth_error_t *err)
{
  cleanup_dir DIR *d = opendir (s->root);
  struct dirent *de;

  if (d == NULL)
    return berth_make_error (err, errno, "open `%s`", s->root);
  while ((de = readdir (d)))
    {
      berth_error_t e = NULL;
      struct layer_rec *r;
      if (!is_layer_dir_name (de->d_name))
        continue;
      r = rec_read (s, de->d_name, &e);
      if (r == NULL)
        {
          /* One bad record must not take every image down with it.  */
          log_warning ("skipping layer `%s`: %s", de->d_name, e->msg);
          berth_error_release (&e);
          continue;
        }
      if ((r->chain_id && find_chain (s, r->chain_id))
          || (r->container_id && find_rw (s, r->container_id)))
        {
          log_warning ("skipping duplicate layer `%s`", de->d_name);
          rec_free (r);
          continue;
        }
      rec_index (s, r);
    }
  link_parents (s);
  return 0;
}

static const struct layer_driver_ops *
pick_driver (const char *data_root, const char *name, berth_error_t *err)
{
  if (name && strcmp (name, "overlay2") == 0)
    name = "overlay";
  for (size_t i = 0; drivers[i]; i++)
    {
      cleanup_free char *root = xasprintf ("%s/%s", data_root, drivers[i]->name);
      int r;
      if (name && strcmp (name, drivers[i]->name) != 0)
        continue;
      if (fs_mkdir_p (root, 0700, err) < 0)
        return NULL;
      r = drivers[i]->probe (root, err);
      if (r < 0)
        return NULL;
      if (r > 0)
        return drivers[i];
      /* Forced (--storage-driver) but unusable: say so now, not at the
         first container start.  */
      if (name)
        {
          berth_make_error_msg (err, EINVAL, "storage driver %s is not supported on `%s`", name,
                                data_root);
          return NULL;
        }
      log_info ("storage driver %s is not supported on `%s`", drivers[i]->name, data_root);
    }
  berth_make_error_msg (err, EINVAL, "unknown storage driver `%s`", name ? name : "");
  return NULL;
}

struct layer_store *
store_layer_store_open (const char *data_root, const char *driver, berth_error_t *err)
{
  const struct layer_driver_ops *ops = pick_driver (data_root, driver, err);
  struct layer_store *s;

  if (ops == NULL)
    return NULL;
  s = xmalloc0 (sizeof (*s));
  pthread_mutex_init (&s->lock, NULL);
  s->ops = ops;
  s->root = xasprintf ("%s/%s", data_root, ops->name);
  s->rootfd = open (s->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (s->rootfd < 0)
    {
      berth_make_error (err, errno, "open `%s`", s->root);
      store_layer_store_close (s);
      return NULL;
    }
  if (load (s, err) < 0)
    {
      store_layer_store_close (s);
      return NULL;
    }
  return s;
}

void
store_layer_store_close (struct layer_store *s)
{
  struct layer_rec *r, *t;

  if (s == NULL)
    return;
  HASH_ITER (hh, s->by_chain, r, t)
  {
    HASH_DELETE (hh, s->by_chain, r);
    rec_free (r);
  }
  HASH_ITER (hh_rw, s->by_container, r, t)
  {
    HASH_DELETE (hh_rw, s->by_container, r);
    rec_free (r);
  }
  if (s->rootfd >= 0)
    close (s->rootfd);
  pthread_mutex_destroy (&s->lock);
  free (s->root);
  free (s);
}

const char *
store_layer_store_driver (struct layer_store *s)
{
  return s->ops->name;
}

enum layer_whiteout_format
store_layer_store_whiteouts (struct layer_store *s)
{
  return s->ops->whiteouts;
}

int
store_layer_repair (struct layer_store *s, berth_error_t *err)
{
  cleanup_dir DIR *d = opendir (s->root);
  struct dirent *de;
  int removed = 0, r;

  if (d == NULL)
    return berth_make_error (err, errno, "open `%s`", s->root);
  lock (s);
  while ((de = readdir (d)))
    {
      cleanup_free char *p = NULL;
      if (strncmp (de->d_name, "tmp-", 4) != 0)
        continue;
      p = xasprintf ("%s/%s", s->root, de->d_name);
      log_info ("removing half-created layer `%s`", p);
      if (fs_remove_tree (p, err) < 0)
        {
          unlock (s);
          return -1;
        }
      removed++;
    }
  r = s->ops->repair ? s->ops->repair (s, err) : 0;
  unlock (s);
  return r < 0 ? r : removed + r;
}

/* ---- removal ---- */

static void
unindex (struct layer_store *s, struct layer_rec *r)
{
  if (r->chain_id)
    HASH_DELETE (hh, s->by_chain, r);
  else
    HASH_DELETE (hh_rw, s->by_container, r);
}

/* Rename <id> to tmp-<id> (the instant the layer stops existing), then
   delete the tree; what a crash leaves behind is repair's.  Locked.  */
static int
remove_one (struct layer_store *s, struct layer_rec *r, berth_error_t *err)
{
  char tmp[LAYER_ID_LEN + 8];
  cleanup_free char *path = NULL;
  berth_error_t e = NULL;

  snprintf (tmp, sizeof tmp, "tmp-%s", r->id);
  if (renameat (s->rootfd, r->id, s->rootfd, tmp) < 0)
    return berth_make_error (err, errno, "remove layer `%s`", r->id);
  fsync_root (s);
  s->ops->remove (s, r);
  path = xasprintf ("%s/%s", s->root, tmp);
  if (fs_remove_tree (path, &e) < 0)
    {
      log_warning ("remove layer `%s`: %s", r->id, e->msg);
      berth_error_release (&e);
    }
  unindex (s, r);
  if (r->parent)
    r->parent->info.children--;
  rec_free (r);
  return 0;
}

/* Remove R and then each parent left with neither references nor
   children.  Locked.  */
static int
remove_cascade (struct layer_store *s, struct layer_rec *r, berth_error_t *err)
{
  while (r)
    {
      struct layer_rec *p = r->parent;
      if (remove_one (s, r, err) < 0)
        return -1;
      r = p && p->info.refs == 0 && p->info.children == 0 ? p : NULL;
    }
  return 0;
}

static int
not_found (berth_error_t *err, const char *chain_id)
{
  return berth_make_error_msg (err, ENOENT, "layer `%s` not found", chain_id);
}

/* ---- read-only layers ---- */

static struct layer_rec *
new_rec (struct layer_store *s, const char *parent, berth_error_t *err)
{
  struct layer_rec *p = NULL, *r;

  if (parent && (p = find_chain (s, parent)) == NULL)
    {
      not_found (err, parent);
      return NULL;
    }
  r = xmalloc0 (sizeof (*r));
  layer_random_id (r->id);
  r->parent = p;
  r->parent_chain = xstrdup (parent);
  /* Pinned from now on: the parent cannot go while a child is built.  */
  if (p)
    p->info.children++;
  rec_sync_info (r);
  return r;
}

/* Undo new_rec and whatever create made.  Locked.  */
static void
drop_new (struct layer_store *s, struct layer_rec *r)
{
  cleanup_free char *path = xasprintf ("%s/tmp-%s", s->root, r->id);
  berth_error_t e = NULL;

  s->ops->remove (s, r);
  if (fs_remove_tree (path, &e) < 0)
    {
      log_warning ("remove `%s`: %s", path, e->msg);
      berth_error_release (&e);
    }
  if (r->parent)
    r->parent->info.children--;
  rec_free (r);
}

/* Make tmp-<id> and let the driver fill it.  Unlocked: the parent is
   pinned, and a vfs copy may take a while.  */
static int
make_dir (struct layer_store *s, struct layer_rec *r, berth_error_t *err)
{
  char tmp[LAYER_ID_LEN + 8];

  snprintf (tmp, sizeof tmp, "tmp-%s", r->id);
  if (mkdirat (s->rootfd, tmp, 0700) < 0)
    return berth_make_error (err, errno, "create layer directory `%s/%s`", s->root, tmp);
  return s->ops->create (s, tmp, r, err);
}

/* Record, then rename into place: the commit point.  Locked.  */
static int
publish (struct layer_store *s, struct layer_rec *r, berth_error_t *err)
{
  char tmp[LAYER_ID_LEN + 8];

  snprintf (tmp, sizeof tmp, "tmp-%s", r->id);
  rec_sync_info (r);
  if (rec_write (s, tmp, r, err) < 0)
    return -1;
  if (renameat (s->rootfd, tmp, s->rootfd, r->id) < 0)
    return berth_make_error (err, errno, "commit layer `%s`", r->id);
  if (fsync_root (s) < 0)
    return berth_make_error (err, errno, "sync `%s`", s->root);
  rec_index (s, r);
  return 0;
}

struct layer_new *
store_layer_create_begin (struct layer_store *s, const char *parent, berth_error_t *err)
{
  struct layer_new *n;
  struct layer_rec *r;

  lock (s);
  r = new_rec (s, parent, err);
  unlock (s);
  if (r == NULL)
    return NULL;
  if (make_dir (s, r, err) < 0)
    {
      lock (s);
      drop_new (s, r);
      unlock (s);
      return NULL;
    }
  n = xmalloc0 (sizeof (*n));
  n->s = s;
  n->rec = r;
  n->diff_path = xasprintf ("%s/tmp-%s/diff", s->root, r->id);
  return n;
}

const char *
store_layer_new_diff_path (struct layer_new *n)
{
  return n->diff_path;
}

void
store_layer_create_abort (struct layer_new *n)
{
  if (n == NULL)
    return;
  if (n->rec)
    {
      lock (n->s);
      drop_new (n->s, n->rec);
      unlock (n->s);
    }
  free (n->diff_path);
  free (n);
}

static int
commit_locked (struct layer_new *n, const char *diff_id, uint64_t size,
               char chain_id[DIGEST_SHA256_STRLEN], berth_error_t *err)
{
  struct layer_store *s = n->s;
  struct layer_rec *r = n->rec, *old;

  store_layer_chain_id (r->parent_chain, diff_id, chain_id);
  old = find_chain (s, chain_id);
  if (old)
    {
      /* Same content on the same parents: share the layer (a pull racing
         another pull, or a layer already present).  */
      old->info.refs++;
      if (rec_write (s, old->id, old, err) < 0)
        {
          old->info.refs--;
          return -1;
        }
      return 0;
    }
  r->chain_id = xstrdup (chain_id);
  r->diff_id = xstrdup (diff_id);
  r->info.size = size;
  r->info.refs = 1;
  if (publish (s, r, err) < 0)
    return -1;
  n->rec = NULL;
  return 0;
}

int
store_layer_create_commit (struct layer_new *n, const char *diff_id, uint64_t size,
                           char chain_id[DIGEST_SHA256_STRLEN], berth_error_t *err)
{
  int r;

  if (digest_validate (diff_id, err) < 0)
    r = -1;
  else
    {
      lock (n->s);
      r = commit_locked (n, diff_id, size, chain_id, err);
      unlock (n->s);
    }
  store_layer_create_abort (n); /* frees N; drops the tmp dir unless published */
  return r < 0 ? -1 : 0;
}

const struct layer_info *
store_layer_get (struct layer_store *s, const char *chain_id)
{
  struct layer_rec *r;
  lock (s);
  r = find_chain (s, chain_id);
  unlock (s);
  return r ? &r->info : NULL;
}

char *
store_layer_diff_path (struct layer_store *s, const char *chain_id, berth_error_t *err)
{
  struct layer_rec *r;
  char *path = NULL;

  lock (s);
  r = find_chain (s, chain_id);
  if (r == NULL)
    not_found (err, chain_id);
  else
    path = xasprintf ("%s/%s/diff", s->root, r->id);
  unlock (s);
  return path;
}

int
store_layer_ref (struct layer_store *s, const char *chain_id, berth_error_t *err)
{
  struct layer_rec *r;
  int ret = 0;

  lock (s);
  r = find_chain (s, chain_id);
  if (r == NULL)
    ret = not_found (err, chain_id);
  else
    {
      r->info.refs++;
      if (rec_write (s, r->id, r, err) < 0)
        {
          r->info.refs--;
          ret = -1;
        }
    }
  unlock (s);
  return ret;
}

static int
release_locked (struct layer_store *s, const char *chain_id, berth_error_t *err)
{
  struct layer_rec *r = find_chain (s, chain_id);

  if (r == NULL)
    return not_found (err, chain_id);
  if (r->info.refs == 0)
    return berth_make_error (err, EINVAL, "layer `%s` is not referenced", chain_id);
  r->info.refs--;
  if (r->info.refs == 0 && r->info.children == 0)
    return remove_cascade (s, r, err);
  if (rec_write (s, r->id, r, err) < 0)
    {
      r->info.refs++;
      return -1;
    }
  return 0;
}

int
store_layer_release (struct layer_store *s, const char *chain_id, berth_error_t *err)
{
  int r;
  lock (s);
  r = release_locked (s, chain_id, err);
  unlock (s);
  return r;
}

int
store_layer_remove (struct layer_store *s, const char *chain_id, berth_error_t *err)
{
  struct layer_rec *r;
  int ret;

  lock (s);
  r = find_chain (s, chain_id);
  if (r == NULL)
    ret = not_found (err, chain_id);
  else if (r->info.refs > 0 || r->info.children > 0)
    ret = berth_make_error_msg (err, EBUSY, "remove layer `%s`: layer is in use", chain_id);
  else
    ret = remove_cascade (s, r, err);
  unlock (s);
  return ret;
}

/* ---- containers' rw layers ---- */

static int
rw_not_found (berth_error_t *err, const char *container_id)
{
  return berth_make_error_msg (err, ENOENT, "no rw layer for container `%s`", container_id);
}

int
store_layer_create_rw (struct layer_store *s, const char *parent, const char *container_id,
                       berth_error_t *err)
{
  struct layer_rec *r;

  lock (s);
  if (find_rw (s, container_id))
    {
      unlock (s);
      return berth_make_error_msg (err, EEXIST, "container `%s` already has a rw layer",
                                   container_id);
    }
  r = new_rec (s, parent, err);
  unlock (s);
  if (r == NULL)
    return -1;
  r->container_id = xstrdup (container_id);
  if (make_dir (s, r, err) < 0)
    goto out_drop;
  lock (s);
  /* A concurrent create for the same container lost the race to us or
     won it: check again under the lock before publishing.  */
  if (find_rw (s, container_id))
    {
      berth_make_error_msg (err, EEXIST, "container `%s` already has a rw layer", container_id);
      drop_new (s, r);
      unlock (s);
      return -EEXIST;
    }
  if (publish (s, r, err) < 0)
    {
      drop_new (s, r);
      unlock (s);
      return -1;
    }
  unlock (s);
  return 0;
out_drop:
  lock (s);
  drop_new (s, r);
  unlock (s);
  return -1;
}

const struct layer_info *
store_layer_get_rw (struct layer_store *s, const char *container_id)
{
  struct layer_rec *r;
  lock (s);
  r = find_rw (s, container_id);
  unlock (s);
  return r ? &r->info : NULL;
}

char *
store_layer_mount (struct layer_store *s, const char *container_id, berth_error_t *err)
{
  struct layer_rec *r;
  char *path = NULL;

  lock (s);
  r = find_rw (s, container_id);
  if (r == NULL)
    rw_not_found (err, container_id);
  else if ((path = s->ops->mount (s, r, err)) != NULL)
    r->mounts++;
  unlock (s);
  if (path == NULL && r)
    berth_error_wrap (err, "mount rootfs of container `%s`", container_id);
  return path;
}

int
store_layer_unmount (struct layer_store *s, const char *container_id, berth_error_t *err)
{
  struct layer_rec *r;
  int ret = 0;

  lock (s);
  r = find_rw (s, container_id);
  if (r == NULL)
    ret = rw_not_found (err, container_id);
  else if (r->mounts > 1)
    r->mounts--;
  else if ((ret = s->ops->unmount (s, r, err)) == 0)
    r->mounts = 0;
  unlock (s);
  return ret;
}

char *
store_layer_rw_diff_path (struct layer_store *s, const char *container_id, berth_error_t *err)
{
  struct layer_rec *r;
  char *path = NULL;

  lock (s);
  r = find_rw (s, container_id);
  if (r == NULL)
    rw_not_found (err, container_id);
  else
    path = xasprintf ("%s/%s/diff", s->root, r->id);
  unlock (s);
  return path;
}

int
store_layer_remove_rw (struct layer_store *s, const char *container_id, berth_error_t *err)
{
  struct layer_rec *r;
  int ret;

  lock (s);
  r = find_rw (s, container_id);
  if (r == NULL)
    ret = rw_not_found (err, container_id);
  else if ((ret = s->ops->unmount (s, r, err)) == 0)
    ret = remove_cascade (s, r, err);
  unlock (s);
  return ret;
}
