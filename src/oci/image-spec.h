/* berth — OCI image-spec documents (and Docker's equivalents) as C structs:
 * descriptors, image manifests, image indexes / manifest lists, image
 * configs, the image layout's oci-layout file and docker-archive's
 * manifest.json.
 *
 * Parsers read hostile input: unknown fields are ignored (image-spec
 * considerations.md "Extensibility"), a field of the wrong type or a bad
 * digest is an EINVAL error naming its JSON path
 * ("manifest.json: `layers[1].digest`: invalid digest `x`").
 * Vectors are NULL-terminated (char **) or counted (n_<field>); string maps
 * are two parallel NULL-terminated vectors (<name>_keys, <name>_values).
 *
 * Writers produce the canonical bytes Go's encoding/json would: fields in
 * the order of the Go structs (OCI's for OCI media types, distribution's for
 * Docker's), empty optional fields omitted.  The caller owns the returned
 * string (free).
 *
 * An image's ID is the sha256 of its config bytes, so a config that came
 * from elsewhere must never be rewritten: keep the bytes it came in, and use
 * oci_image_config_write only for configs berth creates (commit, build).  */
#ifndef BERTH_OCI_IMAGE_SPEC_H
#define BERTH_OCI_IMAGE_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "../base/error.h"

/* Media types.  */
#define OCI_MEDIA_TYPE_DESCRIPTOR "application/vnd.oci.descriptor.v1+json"
#define OCI_MEDIA_TYPE_LAYOUT "application/vnd.oci.layout.header.v1+json"
#define OCI_MEDIA_TYPE_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define OCI_MEDIA_TYPE_INDEX "application/vnd.oci.image.index.v1+json"
#define OCI_MEDIA_TYPE_CONFIG "application/vnd.oci.image.config.v1+json"
#define OCI_MEDIA_TYPE_LAYER "application/vnd.oci.image.layer.v1.tar"
#define OCI_MEDIA_TYPE_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define OCI_MEDIA_TYPE_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define OCI_MEDIA_TYPE_EMPTY "application/vnd.oci.empty.v1+json"
#define DOCKER_MEDIA_TYPE_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define DOCKER_MEDIA_TYPE_MANIFEST_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define DOCKER_MEDIA_TYPE_CONFIG "application/vnd.docker.container.image.v1+json"
#define DOCKER_MEDIA_TYPE_LAYER "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define DOCKER_MEDIA_TYPE_FOREIGN_LAYER "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

#define OCI_ANNOTATION_REF_NAME "org.opencontainers.image.ref.name"
#define OCI_IMAGE_LAYOUT_VERSION "1.0.0"

/* True for the Docker (distribution) media types, whose descriptors are
   written in distribution's field order (mediaType, size, digest).  */
bool oci_media_type_is_docker (const char *media_type);

struct oci_platform
{
  char *architecture; /* required */
  char *os;           /* required */
  char *os_version;
  char **os_features;
  char *variant;
};

/* descriptor.md: mediaType, digest and size are REQUIRED.  */
struct oci_descriptor
{
  char *media_type;
  char *digest; /* validated with digest_validate */
  int64_t size; /* >= 0 */
  char **urls;
  char **annotation_keys, **annotation_values;
  char *data;                    /* base64, kept as given */
  struct oci_platform *platform; /* NULL when absent */
  char *artifact_type;
};

/* manifest.md; also Docker's image manifest v2 schema 2.  */
struct oci_manifest
{
  int schema_version; /* always 2 */
  char *media_type;   /* NULL when absent (OCI allows it) */
  char *artifact_type;
  struct oci_descriptor config;
  struct oci_descriptor *layers;
  size_t n_layers;
  struct oci_descriptor *subject;
  char **annotation_keys, **annotation_values;
};

/* image-index.md; also Docker's manifest list.  The image layout's
   index.json is one of these.  */
struct oci_index
{
  int schema_version;
  char *media_type;
  char *artifact_type;
  struct oci_descriptor *manifests;
  size_t n_manifests;
  struct oci_descriptor *subject;
  char **annotation_keys, **annotation_values;
};

/* Docker's HEALTHCHECK (container.HealthConfig); durations in ns.  */
struct oci_healthcheck
{
  char **test;
  int64_t interval, timeout, start_period, start_interval;
  int32_t retries;
};

/* config.md "config": the execution parameters, with Docker's extensions
   (Healthcheck, OnBuild, Shell).  A NULL vector is an absent field; an empty
   vector ({NULL}) was given as [] (docker run --entrypoint "" relies on the
   difference).  */
struct oci_image_exec_config
{
  char *user;
  char **exposed_ports; /* keys of the ExposedPorts set: "80/tcp" */
  char **env;
  char **entrypoint;
  char **cmd;
  char **volumes; /* keys of the Volumes set */
  char *working_dir;
  char **label_keys, **label_values;
  char *stop_signal;
  bool args_escaped;
  int64_t memory, memory_swap, cpu_shares;
  struct oci_healthcheck *healthcheck;
  char **on_build;
  char **shell;
};

struct oci_history
{
  char *created;
  char *created_by;
  char *author;
  char *comment;
  bool empty_layer;
};

struct oci_image_config
{
  char *created; /* RFC 3339, kept as given */
  char *author;
  char *architecture; /* required */
  char *os;           /* required */
  char *os_version;
  char **os_features;
  char *variant;
  struct oci_image_exec_config config;
  bool has_config;
  char *rootfs_type; /* "layers" */
  char **diff_ids;   /* validated digests, base layer first */
  struct oci_history *history;
  size_t n_history;
  /* Every other top-level field (Docker's container, container_config,
     docker_version, id, parent ...), so that a rewrite keeps them.  */
  json_object *extra;
};

/* docker-archive (docker save/load) manifest.json: one entry per image.  */
struct oci_archive_entry
{
  char *config;     /* path inside the archive, "<hex>.json" or blobs/sha256/<hex> */
  char **repo_tags; /* may be NULL */
  char **layers;    /* paths of the layer tars, base first */
};

struct oci_archive_manifest
{
  struct oci_archive_entry *entries;
  size_t n_entries;
};

/* Parsers: TEXT/LEN is the document, WHAT names it in errors (NULL for a
   default name).  Return a new struct (free with the matching _free) or
   NULL with *err set (status EINVAL).  */
struct oci_manifest *oci_manifest_parse (const char *text, size_t len, const char *what,
                                         berth_error_t *err);
struct oci_index *oci_index_parse (const char *text, size_t len, const char *what,
                                   berth_error_t *err);
struct oci_image_config *oci_image_config_parse (const char *text, size_t len, const char *what,
                                                 berth_error_t *err);
struct oci_archive_manifest *oci_archive_manifest_parse (const char *text, size_t len,
                                                         const char *what, berth_error_t *err);
/* oci-layout: {"imageLayoutVersion": "1.0.0"}; 0 when the version is one
   we read, < 0 otherwise.  */
int oci_layout_check (const char *text, size_t len, const char *what, berth_error_t *err);

/* Parse one descriptor object found at PATH inside another document.  */
int oci_descriptor_parse (json_object *obj, const char *path, struct oci_descriptor *d,
                          berth_error_t *err);

void oci_descriptor_clear (struct oci_descriptor *d);
void oci_manifest_free (struct oci_manifest *m);
void oci_index_free (struct oci_index *ix);
void oci_image_config_free (struct oci_image_config *c);
void oci_archive_manifest_free (struct oci_archive_manifest *a);

/* Writers: canonical compact JSON, a new string.  They do not fail.  */
char *oci_manifest_write (const struct oci_manifest *m);
char *oci_index_write (const struct oci_index *ix);
char *oci_image_config_write (const struct oci_image_config *c);
char *oci_archive_manifest_write (const struct oci_archive_manifest *a);
char *oci_layout_write (void);
/* The descriptor as a new json object, in the field order of MEDIA_TYPE's
   family (Docker's or OCI's).  */
json_object *oci_descriptor_to_json (const struct oci_descriptor *d, bool docker_order);

#endif
