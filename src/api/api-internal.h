/* berth — privates of the api layer shared by its files and unit tests.  */
#ifndef BERTH_API_API_INTERNAL_H
#define BERTH_API_API_INTERNAL_H

#include <errno.h>
#include <sys/types.h>

#include "api/api.h"

struct api_request
{
  char *method;
  char *path;
  char *version;   /* negotiated, set by the router */
  char **var_keys; /* path variables */
  char **var_values;
  char **query_keys;
  char **query_values;
  char **header_keys;
  char **header_values;
  char *body;
  size_t body_len;
  bool body_mapped; /* BODY is a mapping of LEN + 1 bytes (a spooled body) */
  struct engine *engine;
};

enum api_response_kind
{
  API_RESPONSE_BODY = 0,
  API_RESPONSE_STREAM,
  API_RESPONSE_UPGRADE,
};

struct api_response
{
  enum api_response_kind kind;
  int status;
  char **header_keys;
  char **header_values;
  char *body;
  size_t body_len;
  struct api_stream *stream;
  api_upgrade_fn upgrade_fn;
  void *upgrade_data;
  void (*upgrade_free) (void *);
};

struct api_request *api_request_new (struct engine *engine, const char *method, const char *path);
void api_request_free (struct api_request *req);
void api_request_add_query (struct api_request *req, const char *key, const char *value);
void api_request_add_header (struct api_request *req, const char *name, const char *value);
/* Takes BODY (malloc'ed).  */
void api_request_set_body (struct api_request *req, char *body, size_t len);
/* Takes BODY, a read-only mapping of LEN + 1 bytes ending in a NUL.  */
void api_request_set_body_mapped (struct api_request *req, char *body, size_t len);

struct api_response *api_response_new (void);
/* Frees a body response; a stream or upgrade response hands its stream to
   the server first (api_response_take_stream).  */
void api_response_free (struct api_response *resp);
const char *api_response_get_header (const struct api_response *resp, const char *name);

/* stream.c, for the server: a stream's reader side.  */
struct api_stream *api_stream_new (void);
/* Copy up to MAX queued bytes into BUF, waiting for data; CLIENT_FD is
   watched for the client going away.  Returns bytes, 0 at the end of the
   stream, -1 when the client went away or the deadline passed with an
   error.  */
ssize_t api_stream_read (struct api_stream *s, int client_fd, char *buf, size_t max);
/* The response ended: run the producer's on_close, join its thread, free.  */
void api_stream_finish (struct api_stream *s);
/* Start the producer thread, if any (called once headers are queued).  */
void api_stream_start (struct api_stream *s);

/* The path without a /vX.Y prefix; *version gets the prefix's version
   (new string) or NULL.  */
const char *api_path_strip_version (const char *path, char **version);
/* Match PATH against PATTERN; on a match, the variables are appended to
 *keys / *values (new strings).  */
bool api_path_match (const char *pattern, const char *path, char ***keys, char ***values);

/* query.c: dockerd's query decoders (filters.FromJSON, timestamps).  */
struct api_filters
{
  char **keys; /* one entry per (key, value) pair whose value is set */
  char **values;
  char **bare_keys; /* every key given, whatever its values */
};
/* Parse a filters= value: {"k":{"v":true}} or the legacy {"k":["v"]}.
   An empty string is no filter.  400 "invalid filter" otherwise.  */
struct api_filters *api_filters_parse (const char *json, berth_error_t *err);
void api_filters_free (struct api_filters *f);
bool api_filters_has (const struct api_filters *f, const char *key);
/* moby's Args.ExactMatch / FuzzyMatch / MatchKVList: true when KEY is not
   filtered at all.  */
bool api_filters_exact_match (const struct api_filters *f, const char *key, const char *source);
bool api_filters_fuzzy_match (const struct api_filters *f, const char *key, const char *source);
bool api_filters_match_kv_list (const struct api_filters *f, const char *key, char *const *keys,
                                char *const *values);
/* A Unix timestamp "seconds[.nanoseconds]" as ns since the epoch (0 for
   ""); < 0 with moby's message otherwise.  */
int api_parse_timestamp (const char *value, int64_t *out_ns, berth_error_t *err);

/* containers.c: the engine's container store, or ENOSYS when berthd runs
   without one.  */
struct engine_containers *api_containers_of (struct api_request *req, berth_error_t *err);

/* dockerd refuses a prune while one of the same kind runs: 409 "a prune
   operation is already running".  RUNNING is the kind's flag (a static of
   its handler).  api_prune_begin < 0 with *err when one runs; else pair it
   with api_prune_end.  */
static inline int
api_prune_begin (int *running, berth_error_t *err)
{
  if (__atomic_exchange_n (running, 1, __ATOMIC_ACQ_REL))
    return berth_make_error_msg (err, EBUSY, "a prune operation is already running");
  return 0;
}

static inline void
api_prune_end (int *running)
{
  __atomic_store_n (running, 0, __ATOMIC_RELEASE);
}

/* images-archive.c: docker save / load, registered by api_images_register.  */
void api_images_archive_register (struct api_router *r);

/* volumes.c: system df's Volumes (local volumes without options, with
   UsageData); an empty array without a volume store.  */
json_object *api_volumes_disk_usage (struct api_request *req);

#endif
