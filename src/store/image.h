/* berth — the image store: images keyed by their ID (the sha256 of their
 * config, kept verbatim in the content store), their layer chains in the
 * layer store, and the tags that name them (dockerd's image/ and
 * reference/ stores).
 *
 * On disk, under <data-root>/image/:
 *   blobs/sha256/<hex>   image configs (and later manifests), store/content.h
 *   images.json          {"sha256:<id>": {"lastTagTime": "..."}}: which blobs
 *                        are images, written atomically
 *   repositories.json    docker's reference store, written atomically:
 *                        {"Repositories": {"busybox": {"busybox:latest":
 *                        "sha256:..."}}}
 * An image holds one reference on its top layer (store/layer.h); deleting
 * the image releases it, and the layers nothing else uses go with it.
 *
 * The store is safe to use from several threads (one mutex).  */
#ifndef BERTH_STORE_IMAGE_H
#define BERTH_STORE_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/digest.h"
#include "base/error.h"
#include "oci/image-spec.h"

struct store_images;
struct layer_store;

/* A snapshot of one image, the caller's: free with store_image_free.  */
struct store_image
{
  char *id;          /* "sha256:<hex>" */
  char *config_json; /* the config bytes, verbatim */
  size_t config_len;
  struct oci_image_config *config;
  char *top_layer;     /* chain ID of the top layer, NULL with no layers */
  char **repo_tags;    /* familiar "busybox:latest", sorted */
  char **repo_digests; /* familiar "busybox@sha256:..." */
  int64_t size;        /* bytes of all its layers */
  char *last_tag_time; /* RFC 3339 nano, NULL when never tagged */
};
void store_image_free (struct store_image *img);
/* The image's creation time (config "created") in ns since the epoch, 0
   when absent or malformed.  */
int64_t store_image_created (const struct store_image *img);
/* Free a NULL-terminated vector of images.  */
void store_image_list_free (struct store_image **v);

/* Open the image store of DATA_ROOT (creating what is missing) and the
   layer store it uses (DRIVER as store_layer_store_open takes it, NULL to
   pick); leftovers of a crash are repaired.  NULL on error.  */
struct store_images *store_images_open (const char *data_root, const char *driver,
                                        berth_error_t *err);
void store_images_close (struct store_images *s);
/* The layer store (borrowed): containers' rw layers live there too.  */
struct layer_store *store_images_layers (struct store_images *s);
size_t store_images_count (struct store_images *s);

/* dockerd's GetImage: NAME is a full ID ("sha256:<hex>" or <hex>), a
   reference ("busybox", "busybox:1", "busybox@sha256:..."), or an ID
   prefix of at least one hex digit that matches one image only.
   ENOENT "No such image: busybox:latest"; EINVAL for a malformed
   reference ("invalid reference format").  */
struct store_image *store_image_get (struct store_images *s, const char *name, berth_error_t *err);

/* Every image, newest first (docker images' order); NULL-terminated, never
   NULL.  */
struct store_image **store_image_list (struct store_images *s);

/* dockerd's RepoTagReference: REPO ("busybox", "example.com/a/b") and TAG
   (may be NULL or "": latest) as the normalised "docker.io/library/busybox:
   latest", a new string.  NULL with EINVAL on a bad name or tag, and
   "cannot import digest reference" for a digested REPO.  */
char *store_image_repo_tag (const char *repo, const char *tag, berth_error_t *err);

/* Point REF (a tagged reference, as store_image_repo_tag returns) at the
   image NAME (as store_image_get takes it), replacing what REF named.  */
int store_image_tag (struct store_images *s, const char *name, const char *ref, berth_error_t *err);

/* dockerd's ImageDelete (docker rmi): by a reference, untag it and delete
   the image when no other reference is left; by ID, delete it with its one
   reference, or with all of them when FORCE.  *UNTAGGED and *DELETED get
   the familiar references removed and the IDs deleted (image, then the
   chain IDs of the layers that went with it), new NULL-terminated vectors.
   409 (EEXIST) "conflict: unable to delete <short id> (must be forced) -
   image is referenced in multiple repositories".  */
int store_image_delete (struct store_images *s, const char *name, bool force, char ***untagged,
                        char ***deleted, berth_error_t *err);

/* docker import.  */
struct store_image_import_opts
{
  const char *ref;      /* a tag to give the image (store_image_repo_tag), or NULL */
  const char *message;  /* the commit message; NULL: "Imported from -" */
  char *const *changes; /* Dockerfile instructions applied to the config */
};

/* Read a root filesystem tar (plain or compressed) from FD to its end, make
   it one layer and a new image of it; ID gets the image ID.  */
int store_image_import (struct store_images *s, int fd, const struct store_image_import_opts *o,
                        char id[DIGEST_SHA256_STRLEN], berth_error_t *err);

/* Apply the Dockerfile instructions CHANGES (docker commit/import --change:
   CMD ENTRYPOINT ENV EXPOSE LABEL ONBUILD USER VOLUME WORKDIR, JSON array or
   shell form) to C.  EINVAL with dockerd's words on an instruction that is
   not allowed or malformed.  */
int store_image_apply_changes (struct oci_image_exec_config *c, char *const *changes,
                               berth_error_t *err);

/* docker save / load (store/image-archive.c): the docker-archive format,
   manifest.json [{Config, RepoTags, Layers}] with <hex>.json configs kept
   verbatim and <diff-hex>/layer.tar; load also reads an OCI image layout
   (index.json, oci-layout, blobs/sha256/).  A saved layer tar must hash to
   its diff ID, which a tar rewritten from the layer's directory cannot
   promise, so the original uncompressed tar of every layer imported or
   loaded is kept in the content store under its diff ID and written back
   verbatim.  */

/* Write to OUT_FD a docker-archive tar of the images NAMES (as
   store_image_get takes them; a reference names itself in RepoTags, an ID
   gives every tag of the image); layers shared by several are written
   once.  ENOENT "No such image: x"; ENOENT for a layer whose tar was not
   kept (an image imported before berth kept them).  */
int store_image_save (struct store_images *s, char *const *names, int out_fd, berth_error_t *err);

/* docker load: FD is a docker-archive or OCI layout tar (plain or
   compressed), read to its end.  For every message ("Loaded image:
   busybox:latest", "Loaded image ID: sha256:...", "The image busybox:latest
   already exists, renaming the old one with ID sha256:... to empty
   string") MSG_FN is called with DATA (may be NULL).  A corrupt, truncated
   or hostile archive, or a layer whose diff ID is not the config's, is
   EINVAL and leaves nothing of the image that failed behind.  */
typedef void (*store_image_load_fn) (void *data, const char *msg);
int store_image_load (struct store_images *s, int fd, store_image_load_fn msg_fn, void *data,
                      berth_error_t *err);

/* docker commit (store/image-commit.c).  */
struct store_image_commit_opts
{
  const char *parent;       /* the container's image ID; NULL: none */
  const char *container_id; /* whose rw layer becomes the new layer */
  const char *author;
  const char *comment;
  const char *created_by; /* the history's: the container's Cmd joined */
  /* The new image's config, moved into it (left zeroed).  */
  struct oci_image_exec_config *config;
  json_object *container_config; /* kept as "container_config" (borrowed) */
  const char *ref;               /* a tag (store_image_repo_tag's), or NULL */
};

/* The container's changes as a new layer on its image's (none when it
   changed nothing: an empty_layer history entry), and a child image of
   it; ID gets the new image's ID.  */
int store_image_commit (struct store_images *s, const struct store_image_commit_opts *o,
                        char id[DIGEST_SHA256_STRLEN], berth_error_t *err);

/* Keep the layer tar of FD (seekable; plain or compressed) in the content
   store under DIFF_ID, its uncompressed sha256, for store_image_save.  */
int store_image_keep_layer_tar (struct store_images *s, int fd, const char *diff_id,
                                berth_error_t *err);

/* docker image prune (store/image-prune.c), dockerd's ImagesPrune.  */
struct store_image_prune_opts
{
  bool all;      /* dangling=false: every unused image, not only untagged ones */
  int64_t until; /* ns since the epoch, 0: none; images created after it stay */
  /* The label filters: false keeps IMG.  NULL: every image passes.  */
  bool (*match) (void *data, const struct store_image *img);
  void *match_data;
  char *const *in_use; /* image IDs containers use: they stay (may be NULL) */
};
/* One line of ImagesDeleted: an untagged reference, or a deleted image or
   layer (chain ID); IMAGE_ID is the image it was pruned with.  */
struct store_image_prune_entry
{
  bool deleted;
  char *name;
  char *image_id;
};
struct store_image_prune_report
{
  struct store_image_prune_entry *entries; /* in the order they went */
  size_t n;
  uint64_t reclaimed; /* bytes of the layers deleted */
};
/* Delete the images O selects, with their references and the layers only
   they used; an image that fails to go is skipped (logged), as dockerd
   does.  R is filled (release with store_image_prune_report_release).  */
int store_image_prune (struct store_images *s, const struct store_image_prune_opts *o,
                       struct store_image_prune_report *r, berth_error_t *err);
void store_image_prune_report_release (struct store_image_prune_report *r);

/* GET /system/df's images: every image (store_image_list's order) with
   the bytes of its layers other images use too (SharedSize), and the
   bytes of every layer some image uses, each once (LayersSize).  */
struct store_image_usage
{
  struct store_image **images;
  int64_t *shared_size; /* parallel to IMAGES */
  int64_t layers_size;
};
void store_images_disk_usage (struct store_images *s, struct store_image_usage *out);
void store_image_usage_release (struct store_image_usage *u);

#endif
