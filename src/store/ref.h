/* berth — Docker image references ("busybox", "example.com:5000/a/b:tag@sha256:..."),
   parsed and normalised exactly as github.com/distribution/reference does
   (the package dockerd and the docker CLI use), with Go's error messages.  */
#ifndef BERTH_STORE_REF_H
#define BERTH_STORE_REF_H

#include <stdbool.h>

#include "base/error.h"

/* A parsed reference.  Every field is a heap string owned by the struct, or
   NULL when absent:
     domain  "docker.io", "localhost:5000", "[::1]:5000"; NULL for a name with
             no domain (only from store_ref_parse) and for a bare digest
     path    "library/busybox"; NULL for a bare digest (an image ID)
     tag     "latest"
     digest  "sha256:<hex>"  */
struct store_ref
{
  char *domain;
  char *path;
  char *tag;
  char *digest;
};

/* The longest path ("library/busybox") a reference may have.  */
#define STORE_REF_PATH_MAX 255

/* reference.Parse: the grammar alone, no normalisation ("busybox" stays
   "busybox" with no domain).  Returns 0, or < 0 with *err (EINVAL) set and
   *out left zeroed.  */
int store_ref_parse (const char *s, struct store_ref *out, berth_error_t *err);

/* reference.ParseNormalizedNamed: a familiar name made fully qualified
   ("busybox" -> "docker.io/library/busybox", "index.docker.io/x" ->
   "docker.io/library/x").  A 64-hex string is refused (it is an image ID).
   No tag is added: see store_ref_tag_name_only.  */
int store_ref_parse_normalized (const char *s, struct store_ref *out, berth_error_t *err);

/* reference.ParseDockerRef: normalised, "latest" added to a bare name, and
   the tag dropped when a digest is present (the digest wins).  */
int store_ref_parse_docker (const char *s, struct store_ref *out, berth_error_t *err);

/* reference.ParseAnyReference: a 64-hex image ID or a "sha256:<hex>" digest
   gives a reference with only `digest` set; anything else is parsed as
   store_ref_parse_normalized does.  */
int store_ref_parse_any (const char *s, struct store_ref *out, berth_error_t *err);

/* reference.TagNameOnly: add the tag "latest" when REF has neither a tag
   nor a digest.  */
void store_ref_tag_name_only (struct store_ref *ref);

/* reference.WithTag: set (replace) the tag of a named REF; "invalid tag
   format" (EINVAL) when TAG is not [\w][\w.-]{0,127}.  */
int store_ref_set_tag (struct store_ref *ref, const char *tag, berth_error_t *err);

/* True when S is a 64 lower-case hex string (an image ID, not a name).  */
bool store_ref_is_identifier (const char *s);

/* True when REF has a name but neither tag nor digest.  */
bool store_ref_is_name_only (const struct store_ref *ref);

/* New strings.  store_ref_name: "docker.io/library/busybox";
   store_ref_string: the whole reference, "docker.io/library/busybox:latest"
   (the digest alone for a bare digest); the familiar forms drop the
   "docker.io/" domain and the "library/" of official images:
   "busybox", "busybox:latest", "user/img@sha256:...".  */
char *store_ref_name (const struct store_ref *ref);
char *store_ref_string (const struct store_ref *ref);
char *store_ref_familiar_name (const struct store_ref *ref);
char *store_ref_familiar (const struct store_ref *ref);

/* Free the fields of REF and zero it; REF itself is the caller's.  */
void store_ref_clear (struct store_ref *ref);

#endif
