/* berth — privates of the image store shared by image*.c.  */
#ifndef BERTH_STORE_IMAGE_INTERNAL_H
#define BERTH_STORE_IMAGE_INTERNAL_H

#include <pthread.h>
#include <sys/types.h>

#include "store/image.h"

struct store_content;

struct image_rec
{
  char *id;            /* "sha256:<hex>" */
  char *last_tag_time; /* RFC 3339 nano or NULL */
};

/* One reference: the familiar string and its repository.  */
struct ref_rec
{
  char *name; /* "busybox" */
  char *ref;  /* "busybox:latest" */
  char *id;
};

struct store_images
{
  pthread_mutex_t lock;
  char *root; /* <data-root>/image */
  struct store_content *content;
  struct layer_store *layers;
  struct image_rec *images;
  size_t n_images;
  struct ref_rec *refs;
  size_t n_refs;
};

/* Under the lock.  */
ssize_t image_find_rec (struct store_images *s, const char *id);
ssize_t image_resolve (struct store_images *s, const char *name, berth_error_t *err);
void image_add_rec (struct store_images *s, const char *id, const char *last_tag_time);
int image_set_ref (struct store_images *s, const char *ref, const char *id, berth_error_t *err);
int image_save_images (struct store_images *s, berth_error_t *err);
int image_save_refs (struct store_images *s, berth_error_t *err);
char **image_chain_ids (const struct oci_image_config *c);
/* image-import.c: record the new image ID (its config ingested) holding
   one reference on its top layer CHAIN, and point REF (may be NULL) at
   it; takes the lock.  An image already there keeps its own reference.  */
int image_register (struct store_images *s, const char *id, const char *chain, const char *ref,
                    berth_error_t *err);
/* Now as Go's time.RFC3339Nano in UTC.  */
void image_now_rfc3339 (char *buf, size_t len);

#endif
