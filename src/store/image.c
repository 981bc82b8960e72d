/* berth — the image store: records, lookups, tags and deletion (dockerd's
 * image/store.go, reference/store.go and daemon/images/image_delete.go).
 * Import is in image-import.c.  */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "base/base.h"
#include "store/content.h"
#include "store/image-internal.h"
#include "store/layer.h"
#include "store/ref.h"

#define CONFIG_MAX (8u << 20)

void
store_image_free (struct store_image *img)
{
  if (img == NULL)
    return;
  free (img->id);
  free (img->config_json);
  oci_image_config_free (img->config);
  free (img->top_layer);
  strv_free (img->repo_tags);
  strv_free (img->repo_digests);
  free (img->last_tag_time);
  free (img);
}

void
store_image_list_free (struct store_image **v)
{
  for (size_t i = 0; v && v[i]; i++)
    store_image_free (v[i]);
  free (v);
}

/* ---- persistence ---- */

int
image_save_images (struct store_images *s, berth_error_t *err)
{
  json_object *o = json_object_new_object ();
  cleanup_free char *path = xasprintf ("%s/images.json", s->root);
  const char *text;
  int ret;

  for (size_t i = 0; i < s->n_images; i++)
    {
      json_object *r = json_object_new_object ();
      if (s->images[i].last_tag_time)
        json_object_object_add (r, "lastTagTime",
                                json_object_new_string (s->images[i].last_tag_time));
      json_object_object_add (o, s->images[i].id, r);
    }
  text = json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN);
  ret = fs_write_file_atomic (path, text, strlen (text), 0600, err);
  json_object_put (o);
  return ret;
}

/* Docker's reference store file: familiar names, grouped by repository.  */
int
image_save_refs (struct store_images *s, berth_error_t *err)
{
  json_object *o = json_object_new_object ();
  json_object *repos = json_object_new_object ();
  cleanup_free char *path = xasprintf ("%s/repositories.json", s->root);
  const char *text;
  int ret;

  for (size_t i = 0; i < s->n_refs; i++)
    {
      json_object *repo = NULL;
      if (!json_object_object_get_ex (repos, s->refs[i].name, &repo))
        {
          repo = json_object_new_object ();
          json_object_object_add (repos, s->refs[i].name, repo);
        }
      json_object_object_add (repo, s->refs[i].ref, json_object_new_string (s->refs[i].id));
    }
  json_object_object_add (o, "Repositories", repos);
  text = json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN);
  ret = fs_write_file_atomic (path, text, strlen (text), 0600, err);
  json_object_put (o);
  return ret;
}

static void
add_ref_rec (struct store_images *s, const char *name, const char *ref, const char *id)
{
  s->refs = xrealloc (s->refs, (s->n_refs + 1) * sizeof (*s->refs));
  s->refs[s->n_refs].name = xstrdup (name);
  s->refs[s->n_refs].ref = xstrdup (ref);
  s->refs[s->n_refs].id = xstrdup (id);
  s->n_refs++;
}

void
image_add_rec (struct store_images *s, const char *id, const char *last_tag_time)
{
  s->images = xrealloc (s->images, (s->n_images + 1) * sizeof (*s->images));
  s->images[s->n_images].id = xstrdup (id);
  s->images[s->n_images].last_tag_time = xstrdup (last_tag_time);
  s->n_images++;
}

/* images.json and repositories.json; absent files are an empty store.
   References to unknown images are dropped, as dockerd's store does.  */
static int
load (struct store_images *s, berth_error_t *err)
{
  cleanup_free char *ipath = xasprintf ("%s/images.json", s->root);
  cleanup_free char *rpath = xasprintf ("%s/repositories.json", s->root);
  json_object *o = NULL, *repos = NULL;

  if (access (ipath, F_OK) == 0)
    {
      if ((o = bjson_parse_file (ipath, err)) == NULL)
        return -1;
      json_object_object_foreach (o, id, rec)
      {
        json_object *t = NULL;
        json_object_object_get_ex (rec, "lastTagTime", &t);
        if (digest_validate (id, NULL) == 0)
          image_add_rec (s, id, t ? json_object_get_string (t) : NULL);
      }
      json_object_put (o);
    }
  if (access (rpath, F_OK) != 0)
    return 0;
  if ((o = bjson_parse_file (rpath, err)) == NULL)
    return -1;
  if (json_object_object_get_ex (o, "Repositories", &repos))
    {
      json_object_object_foreach (repos, name, repo)
      {
        json_object_object_foreach (repo, ref, id)
        {
          const char *sid = json_object_get_string (id);
          if (image_find_rec (s, sid) >= 0)
            add_ref_rec (s, name, ref, sid);
        }
      }
    }
  json_object_put (o);
  return 0;
}

struct store_images *
store_images_open (const char *data_root, const char *driver, berth_error_t *err)
{
  struct store_images *s = xmalloc0 (sizeof (*s));

  pthread_mutex_init (&s->lock, NULL);
  s->root = xasprintf ("%s/image", data_root);
  if ((s->content = store_content_open_root (s->root, err)) == NULL
      || (s->layers = store_layer_store_open (data_root, driver, err)) == NULL
      || store_layer_repair (s->layers, err) < 0 || load (s, err) < 0)
    {
      berth_error_wrap (err, "open image store under `%s`", data_root);
      store_images_close (s);
      return NULL;
    }
  store_content_gc_ingest (s->content, NULL);
  return s;
}

void
store_images_close (struct store_images *s)
{
  if (s == NULL)
    return;
  for (size_t i = 0; i < s->n_images; i++)
    {
      free (s->images[i].id);
      free (s->images[i].last_tag_time);
    }
  for (size_t i = 0; i < s->n_refs; i++)
    {
      free (s->refs[i].name);
      free (s->refs[i].ref);
      free (s->refs[i].id);
    }
  free (s->images);
  free (s->refs);
  if (s->layers)
    store_layer_store_close (s->layers);
  store_content_free (s->content);
  pthread_mutex_destroy (&s->lock);
  free (s->root);
  free (s);
}

struct layer_store *
store_images_layers (struct store_images *s)
{
  return s->layers;
}

size_t
store_images_count (struct store_images *s)
{
  size_t n;
  pthread_mutex_lock (&s->lock);
  n = s->n_images;
  pthread_mutex_unlock (&s->lock);
  return n;
}

/* ---- lookups ---- */

ssize_t
image_find_rec (struct store_images *s, const char *id)
{
  for (size_t i = 0; id && i < s->n_images; i++)
    if (strcmp (s->images[i].id, id) == 0)
      return (ssize_t) i;
  return -1;
}

static ssize_t
find_ref (struct store_images *s, const char *ref)
{
  for (size_t i = 0; i < s->n_refs; i++)
    if (strcmp (s->refs[i].ref, ref) == 0)
      return (ssize_t) i;
  return -1;
}

/* The chain IDs of the image's layers, base first.  */
char **
image_chain_ids (const struct oci_image_config *c)
{
  char **v = xcalloc (1, sizeof (char *));
  char chain[DIGEST_SHA256_STRLEN] = "";

  for (size_t i = 0; c->diff_ids && c->diff_ids[i]; i++)
    {
      char next[DIGEST_SHA256_STRLEN];
      store_layer_chain_id (i ? chain : NULL, c->diff_ids[i], next);
      memcpy (chain, next, sizeof (chain));
      v = strv_append (v, chain);
    }
  return v;
}

static int
cmp_strp (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* A new snapshot of the image recorded at index I.  */
static struct store_image *
snapshot (struct store_images *s, size_t i, berth_error_t *err)
{
  struct store_image *img = xmalloc0 (sizeof (*img));
  cleanup_strv char **chain = NULL;
  size_t n;

  img->id = xstrdup (s->images[i].id);
  img->last_tag_time = xstrdup (s->images[i].last_tag_time);
  img->config_json
      = store_content_read_all (s->content, img->id, CONFIG_MAX, &img->config_len, err);
  if (img->config_json == NULL
      || (img->config = oci_image_config_parse (img->config_json, img->config_len, img->id, err))
             == NULL)
    {
      store_image_free (img);
      return NULL;
    }
  chain = image_chain_ids (img->config);
  n = strv_len (chain);
  img->top_layer = n ? xstrdup (chain[n - 1]) : NULL;
  for (size_t j = 0; j < n; j++)
    {
      const struct layer_info *l = store_layer_get (s->layers, chain[j]);
      img->size += l ? (int64_t) l->size : 0;
    }
  img->repo_tags = xcalloc (1, sizeof (char *));
  img->repo_digests = xcalloc (1, sizeof (char *));
  for (size_t j = 0; j < s->n_refs; j++)
    if (strcmp (s->refs[j].id, img->id) == 0)
      {
        if (strchr (s->refs[j].ref, '@'))
          img->repo_digests = strv_append (img->repo_digests, s->refs[j].ref);
        else
          img->repo_tags = strv_append (img->repo_tags, s->refs[j].ref);
      }
  qsort (img->repo_tags, strv_len (img->repo_tags), sizeof (char *), cmp_strp);
  return img;
}

static bool
is_hex (const char *s)
{
  if (*s == '\0')
    return false;
  for (; *s; s++)
    if (!isdigit ((unsigned char) *s) && !(*s >= 'a' && *s <= 'f'))
      return false;
  return true;
}

/* digestset.Lookup: a unique image whose ID starts with TERM (with or
   without "sha256:").  */
static ssize_t
search_prefix (struct store_images *s, const char *term)
{
  ssize_t found = -1;
  if (str_has_prefix (term, "sha256:"))
    term += 7;
  if (!is_hex (term) || strlen (term) > DIGEST_SHA256_HEX)
    return -1;
  for (size_t i = 0; i < s->n_images; i++)
    if (str_has_prefix (s->images[i].id + 7, term))
      {
        if (found >= 0)
          return -1; /* ambiguous: dockerd says "No such image" too */
        found = (ssize_t) i;
      }
  return found;
}

/* dockerd's GetImage, under the lock: the index of NAME's record.  */
ssize_t
image_resolve (struct store_images *s, const char *name, berth_error_t *err)
{
  struct store_ref r = { 0 };
  cleanup_free char *fam = NULL;
  ssize_t i;

  if (store_ref_parse_any (name, &r, err) < 0)
    return -1;
  if (r.path == NULL)
    {
      i = image_find_rec (s, r.digest);
      if (i < 0)
        berth_make_error_msg (err, ENOENT, "No such image: %s", r.digest);
      store_ref_clear (&r);
      return i;
    }
  store_ref_tag_name_only (&r);
  fam = store_ref_familiar (&r);
  store_ref_clear (&r);
  i = find_ref (s, fam);
  if (i >= 0 && (i = image_find_rec (s, s->refs[i].id)) >= 0)
    return i;
  if ((i = search_prefix (s, name)) >= 0)
    return i;
  return berth_make_error_msg (err, ENOENT, "No such image: %s", fam);
}

struct store_image *
store_image_get (struct store_images *s, const char *name, berth_error_t *err)
{
  struct store_image *img = NULL;
  ssize_t i;

  pthread_mutex_lock (&s->lock);
  i = image_resolve (s, name, err);
  if (i >= 0)
    img = snapshot (s, (size_t) i, err);
  pthread_mutex_unlock (&s->lock);
  return img;
}

static int
cmp_created_desc (const void *a, const void *b)
{
  const struct store_image *x = *(struct store_image *const *) a;
  const struct store_image *y = *(struct store_image *const *) b;
  int64_t cx = store_image_created (x), cy = store_image_created (y);
  return cx < cy ? 1 : cx > cy ? -1 : strcmp (x->id, y->id);
}

struct store_image **
store_image_list (struct store_images *s)
{
  struct store_image **v;
  size_t n = 0;

  pthread_mutex_lock (&s->lock);
  v = xcalloc (s->n_images + 1, sizeof (*v));
  for (size_t i = 0; i < s->n_images; i++)
    {
      berth_error_t err = NULL;
      struct store_image *img = snapshot (s, i, &err);
      if (img == NULL)
        {
          log_warning ("image %s: %s", s->images[i].id, err->msg);
          berth_error_release (&err);
          continue;
        }
      v[n++] = img;
    }
  pthread_mutex_unlock (&s->lock);
  qsort (v, n, sizeof (*v), cmp_created_desc);
  return v;
}

/* ---- tags ---- */

char *
store_image_repo_tag (const char *repo, const char *tag, berth_error_t *err)
{
  struct store_ref r = { 0 };
  char *out = NULL;

  if (store_ref_parse_normalized (repo, &r, err) < 0)
    return NULL;
  if (r.digest)
    berth_make_error_msg (err, EINVAL, "cannot import digest reference");
  else if (tag && tag[0] && store_ref_set_tag (&r, tag, err) < 0)
    ;
  else
    {
      store_ref_tag_name_only (&r);
      out = store_ref_string (&r);
    }
  store_ref_clear (&r);
  return out;
}

/* Point the familiar REF at ID, under the lock.  */
int
image_set_ref (struct store_images *s, const char *ref, const char *id, berth_error_t *err)
{
  struct store_ref r = { 0 };
  cleanup_free char *fam = NULL;
  cleanup_free char *name = NULL;
  ssize_t i;
  char now[64];

  if (store_ref_parse_normalized (ref, &r, err) < 0)
    return -1;
  fam = store_ref_familiar (&r);
  name = store_ref_familiar_name (&r);
  store_ref_clear (&r);
  if ((i = find_ref (s, fam)) >= 0)
    {
      free (s->refs[i].id);
      s->refs[i].id = xstrdup (id);
    }
  else
    add_ref_rec (s, name, fam, id);
  image_now_rfc3339 (now, sizeof (now));
  if ((i = image_find_rec (s, id)) >= 0)
    {
      free (s->images[i].last_tag_time);
      s->images[i].last_tag_time = xstrdup (now);
    }
  if (image_save_refs (s, err) < 0 || image_save_images (s, err) < 0)
    return -1;
  return 0;
}

int
store_image_tag (struct store_images *s, const char *name, const char *ref, berth_error_t *err)
{
  ssize_t i;
  cleanup_free char *id = NULL;
  int ret;

  pthread_mutex_lock (&s->lock);
  i = image_resolve (s, name, err);
  if (i >= 0)
    id = xstrdup (s->images[i].id);
  ret = i < 0 ? -1 : image_set_ref (s, ref, id, err);
  pthread_mutex_unlock (&s->lock);
  return ret;
}

/* An RFC 3339 time ("2024-01-02T03:04:05.123Z", "...+02:00") in ns.  */
int64_t
store_image_created (const struct store_image *img)
{
  const char *s = img->config ? img->config->created : NULL;
  struct tm tm;
  char *p;
  int64_t ns = 0, scale = 100000000;
  time_t t;

  memset (&tm, 0, sizeof (tm));
  if (s == NULL || (p = strptime (s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
    return 0;
  t = timegm (&tm);
  if (*p == '.')
    for (p++; isdigit ((unsigned char) *p); p++, scale /= 10)
      ns += (*p - '0') * scale;
  if ((*p == '+' || *p == '-') && strlen (p) >= 6)
    {
      int off = atoi (p + 1) * 3600 + atoi (p + 4) * 60;
      t -= *p == '+' ? off : -off;
    }
  return (int64_t) t * 1000000000 + ns;
}
