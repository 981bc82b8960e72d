/* berth — a container's files: HEAD/GET/PUT /containers/{name}/archive
 * (docker cp), GET /containers/{name}/export, GET
 * /containers/{name}/changes (docker diff) and POST /commit; dockerd's
 * api/server/router/container copy.go and container_routes.go.  */
#define _GNU_SOURCE
#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "api/api-internal.h"
#include "base/base.h"
#include "engine/container-archive.h"
#include "engine/container.h"
#include "engine/engine.h"

/* httputils.ArchiveFormValues.  */
static const char *
archive_path (struct api_request *req, berth_error_t *err)
{
  const char *path = api_request_query (req, "path");
  if (api_request_var (req, "name") == NULL || *api_request_var (req, "name") == '\0')
    return api_error (err, EINVAL, "bad parameter: name cannot be empty"), NULL;
  if (path == NULL || *path == '\0')
    return api_error (err, EINVAL, "bad parameter: path cannot be empty"), NULL;
  return path;
}

/* X-Docker-Container-Path-Stat: base64 (StdEncoding) of the JSON.  */
static void
stat_header (struct api_response *resp, const struct engine_path_stat *st)
{
  json_object *o = engine_path_stat_json (st);
  const char *text
      = json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  size_t len = strlen (text);
  cleanup_free char *b64 = xmalloc (4 * ((len + 2) / 3) + 1);
  EVP_EncodeBlock ((unsigned char *) b64, (const unsigned char *) text, (int) len);
  api_response_header (resp, "X-Docker-Container-Path-Stat", b64);
  json_object_put (o);
}

/* ---- a tar the engine writes into a pipe, relayed as the body ---- */

struct relay
{
  struct api_stream *stream;
  int fd;
  int refs; /* the producer thread and on_close */
};

static void
relay_unref (struct relay *r)
{
  if (__atomic_sub_fetch (&r->refs, 1, __ATOMIC_ACQ_REL) > 0)
    return;
  if (r->fd >= 0)
    close (r->fd);
  free (r);
}

static void
relay_on_close (void *data)
{
  relay_unref (data);
}

static void
relay_run (struct api_stream *s, void *data)
{
  struct relay *r = data;
  cleanup_free char *buf = xmalloc (64 * 1024);
  for (;;)
    {
      ssize_t n = read (r->fd, buf, 64 * 1024);
      if (n < 0 && errno == EINTR)
        continue;
      /* A client gone stops the copy; closing the pipe then stops the
         engine's writer with EPIPE.  */
      if (n <= 0 || api_stream_write_wait (s, buf, (size_t) n) < 0)
        break;
    }
  close (r->fd);
  r->fd = -1;
  api_stream_close (s);
  relay_unref (r);
}

static void
relay_start (struct api_response *resp, int fd)
{
  struct relay *r = xmalloc0 (sizeof *r);
  r->fd = fd;
  r->refs = 2;
  r->stream = api_response_stream (resp, 200, "application/x-tar");
  api_stream_on_close (r->stream, relay_on_close, r);
  api_stream_run (r->stream, relay_run, r);
}

/* ---- /containers/{name}/archive ---- */

static int
archive_head (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct engine_containers *cs = api_containers_of (req, err);
  const char *path = archive_path (req, err);
  struct engine_path_stat st;
  if (cs == NULL || path == NULL
      || engine_container_stat_path (cs, api_request_var (req, "name"), path, &st, err) < 0)
    return -1;
  stat_header (resp, &st);
  engine_path_stat_release (&st);
  api_response_empty (resp, 200);
  return 0;
}

static int
archive_get (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct engine_containers *cs = api_containers_of (req, err);
  const char *path = archive_path (req, err);
  struct engine_path_stat st;
  int fd = -1;
  if (cs == NULL || path == NULL
      || engine_container_archive_path (cs, api_request_var (req, "name"), path, &st, &fd, err) < 0)
    return -1;
  stat_header (resp, &st);
  engine_path_stat_release (&st);
  relay_start (resp, fd);
  return 0;
}

static int
archive_put (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct engine_containers *cs = api_containers_of (req, err);
  const char *path = archive_path (req, err);
  size_t len = 0;
  const char *body = api_request_body (req, &len);
  cleanup_close int fd = -1;
  /* copy.go: overwriting a directory with a file is allowed unless
     noOverwriteDirNonDir is given and true.  */
  const char *nodir = api_request_query (req, "noOverwriteDirNonDir");
  bool no_overwrite = nodir != NULL && api_request_query_bool (req, "noOverwriteDirNonDir");

  if (cs == NULL || path == NULL)
    return -1;
  /* The engine reads a file descriptor: the body, already buffered by the
     server, goes through a memfd.  */
  if ((fd = memfd_create ("berth-cp", MFD_CLOEXEC)) < 0)
    return berth_make_error (err, errno, "memfd_create");
  if ((len && fs_write_all (fd, body, len) < 0) || lseek (fd, 0, SEEK_SET) < 0)
    return berth_make_error (err, errno, "buffer the archive");
  if (engine_container_extract (cs, api_request_var (req, "name"), path, fd,
                                api_request_query_bool (req, "copyUIDGID"), no_overwrite, err)
      < 0)
    return -1;
  api_response_empty (resp, 200);
  return 0;
}

/* ---- export, changes ---- */

static int export(struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct engine_containers *cs = api_containers_of (req, err);
  int fd = -1;
  if (cs == NULL || engine_container_export (cs, api_request_var (req, "name"), &fd, err) < 0)
    return -1;
  relay_start (resp, fd);
  return 0;
}

static int
changes (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct engine_containers *cs = api_containers_of (req, err);
  json_object *arr;
  if (cs == NULL
      || (arr = engine_container_changes (cs, api_request_var (req, "name"), err)) == NULL)
    return -1;
  api_response_json (resp, 200, arr);
  return 0;
}

/* ---- POST /commit ---- */

static int
commit (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct engine_containers *cs = api_containers_of (req, err);
  struct engine_commit_opts o = { 0 };
  cleanup_strv char **changes = NULL;
  cleanup_free char *id = NULL;
  json_object *out;

  if (cs == NULL)
    return -1;
  for (size_t i = 0; req->query_keys && req->query_keys[i]; i++)
    if (strcmp (req->query_keys[i], "changes") == 0)
      changes = strv_append (changes, req->query_values[i]);
  o.repo = api_request_query (req, "repo");
  o.tag = api_request_query (req, "tag");
  o.author = api_request_query (req, "author");
  o.comment = api_request_query (req, "comment");
  o.changes = changes;
  o.pause = api_request_query (req, "pause") == NULL || api_request_query_bool (req, "pause");
  o.config_json = api_request_body (req, &o.config_len);
  if (engine_container_commit (cs, api_request_query (req, "container"), &o, &id, err) < 0)
    return -1;
  out = json_object_new_object ();
  json_object_object_add (out, "Id", json_object_new_string (id));
  api_response_json (resp, 201, out);
  return 0;
}

static const struct api_route routes[] = {
  { "HEAD", "/containers/{name}/archive", archive_head },
  { "GET", "/containers/{name}/archive", archive_get },
  { "PUT", "/containers/{name}/archive", archive_put },
  { "GET", "/containers/{name}/export", export },
  { "GET", "/containers/{name}/changes", changes },
  { "POST", "/commit", commit },
  { NULL, NULL, NULL },
};

void
api_containers_archive_register (struct api_router *r)
{
  api_router_add (r, routes);
}
