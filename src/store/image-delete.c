/* berth — docker rmi: dockerd's ImageDelete (daemon/images/image_delete.go)
 * without containers yet: untag by reference, delete by ID, conflicts when
 * an image deleted by ID has several names.  */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "store/content.h"
#include "store/image-internal.h"
#include "store/layer.h"
#include "store/ref.h"

/* isImageIDPrefix.  */
static bool
is_id_prefix (const char *id, const char *name)
{
  return str_has_prefix (id, name) || str_has_prefix (id + 7, name);
}

static size_t
count_refs (struct store_images *s, const char *id)
{
  size_t n = 0;
  for (size_t i = 0; i < s->n_refs; i++)
    n += strcmp (s->refs[i].id, id) == 0;
  return n;
}

static void
remove_ref_at (struct store_images *s, size_t i, char ***untagged)
{
  *untagged = strv_append (*untagged, s->refs[i].ref);
  free (s->refs[i].name);
  free (s->refs[i].ref);
  free (s->refs[i].id);
  memmove (&s->refs[i], &s->refs[i + 1], (s->n_refs - i - 1) * sizeof (*s->refs));
  s->n_refs--;
}

static void
remove_all_refs (struct store_images *s, const char *id, char ***untagged)
{
  for (size_t i = 0; i < s->n_refs;)
    if (strcmp (s->refs[i].id, id) == 0)
      remove_ref_at (s, i, untagged);
    else
      i++;
}

/* Untag NAME (a reference, "latest" added); false when it names nothing.  */
static bool
untag (struct store_images *s, const char *name, char ***untagged)
{
  struct store_ref r = { 0 };
  cleanup_free char *fam = NULL;

  if (store_ref_parse_normalized (name, &r, NULL) < 0)
    return false;
  store_ref_tag_name_only (&r);
  fam = store_ref_familiar (&r);
  store_ref_clear (&r);
  for (size_t i = 0; i < s->n_refs; i++)
    if (strcmp (s->refs[i].ref, fam) == 0)
      {
        remove_ref_at (s, i, untagged);
        return true;
      }
  return false;
}

/* Remove the record at I, its config and its hold on its layers; the
   layers that went with it are added to *DELETED.  */
static int
delete_image (struct store_images *s, size_t i, char ***deleted, berth_error_t *err)
{
  cleanup_free char *id = xstrdup (s->images[i].id);
  cleanup_free char *cfg = NULL;
  cleanup_strv char **chain = NULL;
  struct oci_image_config *c = NULL;
  size_t len = 0, n;

  cfg = store_content_read_all (s->content, id, 8u << 20, &len, NULL);
  if (cfg)
    c = oci_image_config_parse (cfg, len, id, NULL);
  chain = c ? image_chain_ids (c) : xcalloc (1, sizeof (char *));
  oci_image_config_free (c);
  n = strv_len (chain);
  if (n > 0 && store_layer_get (s->layers, chain[n - 1])
      && store_layer_release (s->layers, chain[n - 1], err) < 0)
    return berth_error_wrap (err, "delete image %s", id);
  free (s->images[i].id);
  free (s->images[i].last_tag_time);
  memmove (&s->images[i], &s->images[i + 1], (s->n_images - i - 1) * sizeof (*s->images));
  s->n_images--;
  if (image_save_images (s, err) < 0 || image_save_refs (s, err) < 0)
    return -1;
  store_content_delete (s->content, id, NULL);
  *deleted = strv_append (*deleted, id);
  /* ReleaseLayer's removed layers, top first.  */
  for (size_t j = n; j > 0; j--)
    if (store_layer_get (s->layers, chain[j - 1]) == NULL)
      *deleted = strv_append (*deleted, chain[j - 1]);
  return 0;
}

static int
delete_locked (struct store_images *s, const char *name, bool force, char ***untagged,
               char ***deleted, berth_error_t *err)
{
  ssize_t i = image_resolve (s, name, err);
  cleanup_free char *id = NULL;
  size_t nrefs;

  if (i < 0)
    return -1;
  id = xstrdup (s->images[i].id);
  nrefs = count_refs (s, id);
  if (!is_id_prefix (id, name))
    {
      if (untag (s, name, untagged) && count_refs (s, id) > 0)
        return image_save_refs (s, err);
    }
  else if (nrefs == 1)
    remove_all_refs (s, id, untagged);
  if (!force && count_refs (s, id) > 0)
    return berth_make_error_msg (err, EEXIST,
                                 "conflict: unable to delete %.12s (must be forced) - image is "
                                 "referenced in multiple repositories",
                                 id + 7);
  remove_all_refs (s, id, untagged);
  return delete_image (s, (size_t) image_find_rec (s, id), deleted, err);
}

int
store_image_delete (struct store_images *s, const char *name, bool force, char ***untagged,
                    char ***deleted, berth_error_t *err)
{
  int ret;

  *untagged = xcalloc (1, sizeof (char *));
  *deleted = xcalloc (1, sizeof (char *));
  pthread_mutex_lock (&s->lock);
  ret = delete_locked (s, name, force, untagged, deleted, err);
  pthread_mutex_unlock (&s->lock);
  return ret;
}
