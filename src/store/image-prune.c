/* berth — docker image prune and the images' share of docker system df
 * (dockerd's daemon/images/image_prune.go and the SharedSize / LayersSize
 * accounting of its image list).  The API layer decodes the filters and
 * knows the containers; here is which images go and what they free.  */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "store/image-internal.h"
#include "store/layer.h"

/* The chain IDs of IMG's layers, base first, with their sizes: taken
   before a delete so that what it freed can be counted afterwards
   (dockerd reads its layer map before pruning for the same reason).  */
struct sizes
{
  char **ids;
  int64_t *bytes;
  size_t n;
};

static void
sizes_add_image (struct store_images *s, struct sizes *z, const struct store_image *img)
{
  cleanup_strv char **chain = image_chain_ids (img->config);

  for (size_t i = 0; chain[i]; i++)
    {
      const struct layer_info *l = store_layer_get (s->layers, chain[i]);
      if (l == NULL || (z->ids && strv_contains (z->ids, chain[i])))
        continue;
      z->ids = strv_append (z->ids, chain[i]);
      z->bytes = xrealloc (z->bytes, (z->n + 1) * sizeof (*z->bytes));
      z->bytes[z->n++] = (int64_t) l->size;
    }
}

static int64_t
sizes_get (const struct sizes *z, const char *id)
{
  for (size_t i = 0; i < z->n; i++)
    if (strcmp (z->ids[i], id) == 0)
      return z->bytes[i];
  return 0;
}

static void
report_add (struct store_image_prune_report *r, bool deleted, const char *name,
            const char *image_id)
{
  struct store_image_prune_entry *e;

  r->entries = xrealloc (r->entries, (r->n + 1) * sizeof (*r->entries));
  e = &r->entries[r->n++];
  e->deleted = deleted;
  e->name = xstrdup (name);
  e->image_id = xstrdup (image_id);
}

void
store_image_prune_report_release (struct store_image_prune_report *r)
{
  for (size_t i = 0; i < r->n; i++)
    {
      free (r->entries[i].name);
      free (r->entries[i].image_id);
    }
  free (r->entries);
  memset (r, 0, sizeof (*r));
}

/* Whether IMG is one prune may take, before the containers are asked.  */
static bool
selected (const struct store_image_prune_opts *o, const struct store_image *img)
{
  int64_t created = store_image_created (img);

  /* Only untagged images are dangling; digest references do not keep an
     image (dockerd deletes those unless a tag names it).  */
  if (!o->all && img->repo_tags[0] != NULL)
    return false;
  /* dockerd skips images without a creation time under until=.  */
  if (o->until && (created == 0 || created > o->until))
    return false;
  if (o->match && !o->match (o->match_data, img))
    return false;
  return !(o->in_use && strv_contains (o->in_use, img->id));
}

/* Delete IMG with every reference to it, adding what went to R.  */
static void
prune_one (struct store_images *s, const struct store_image *img, const struct sizes *z,
           struct store_image_prune_report *r)
{
  cleanup_strv char **untagged = NULL;
  cleanup_strv char **deleted = NULL;
  berth_error_t e = NULL;

  /* By ID and forced: the references go with the image (dockerd deletes
     every reference in turn, the last one taking the image).  */
  if (store_image_delete (s, img->id, true, &untagged, &deleted, &e) < 0)
    {
      /* Gone meanwhile, or a conflict: dockerd skips it as well.  */
      log_warning ("failed to prune image %s: %s", img->id, e->msg);
      berth_error_release (&e);
      return;
    }
  for (size_t i = 0; untagged[i]; i++)
    report_add (r, false, untagged[i], img->id);
  for (size_t i = 0; deleted[i]; i++)
    {
      report_add (r, true, deleted[i], img->id);
      r->reclaimed += (uint64_t) sizes_get (z, deleted[i]);
    }
}

int
store_image_prune (struct store_images *s, const struct store_image_prune_opts *o,
                   struct store_image_prune_report *r, berth_error_t *err)
{
  struct store_image **v = store_image_list (s);
  struct sizes z = { 0 };

  (void) err;
  memset (r, 0, sizeof (*r));
  for (size_t i = 0; v[i]; i++)
    sizes_add_image (s, &z, v[i]);
  for (size_t i = 0; v[i]; i++)
    if (selected (o, v[i]))
      prune_one (s, v[i], &z, r);
  strv_free (z.ids);
  free (z.bytes);
  store_image_list_free (v);
  return 0;
}

/* ---- docker system df ---- */

/* How many images use each layer, counted over IDS (chain IDs of every
   image, repeated): dockerd's layerRefs.  */
static size_t
count_in (char *const *ids, const char *id)
{
  size_t n = 0;
  for (size_t i = 0; ids && ids[i]; i++)
    n += strcmp (ids[i], id) == 0;
  return n;
}

void
store_images_disk_usage (struct store_images *s, struct store_image_usage *out)
{
  cleanup_strv char **all = NULL;    /* every image's chain IDs, repeated */
  cleanup_strv char **unique = NULL; /* each once */
  size_t n;

  memset (out, 0, sizeof (*out));
  out->images = store_image_list (s);
  for (n = 0; out->images[n];)
    n++;
  out->shared_size = xcalloc (n + 1, sizeof (*out->shared_size));
  for (size_t i = 0; i < n; i++)
    {
      cleanup_strv char **chain = image_chain_ids (out->images[i]->config);
      for (size_t j = 0; chain[j]; j++)
        {
          all = strv_append (all, chain[j]);
          if (unique == NULL || !strv_contains (unique, chain[j]))
            unique = strv_append (unique, chain[j]);
        }
    }
  for (size_t i = 0; unique && unique[i]; i++)
    {
      const struct layer_info *l = store_layer_get (s->layers, unique[i]);
      out->layers_size += l ? (int64_t) l->size : 0;
    }
  for (size_t i = 0; i < n; i++)
    {
      cleanup_strv char **chain = image_chain_ids (out->images[i]->config);
      for (size_t j = 0; chain[j]; j++)
        {
          const struct layer_info *l = store_layer_get (s->layers, chain[j]);
          if (l && count_in (all, chain[j]) > 1)
            out->shared_size[i] += (int64_t) l->size;
        }
    }
}

void
store_image_usage_release (struct store_image_usage *u)
{
  store_image_list_free (u->images);
  free (u->shared_size);
  memset (u, 0, sizeof (*u));
}
