/* berth — docker save / load: GET /images/get?names=a&names=b,
 * GET /images/{name}/get (a docker-archive tar) and POST /images/load (the
 * archive as the body, answered by docker's JSON message stream);
 * dockerd's api/server/router/image get and load handlers.
 *
 * Both are buffered (the archive in a memfd, the messages in memory): the
 * API buffers request bodies anyway, and a failure found before the first
 * byte is sent can still be an HTTP error the CLI prints as such.  */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "api/api-internal.h"
#include "base/base.h"
#include "engine/engine.h"
#include "store/image.h"

static struct store_images *
images_of (struct api_request *req, berth_error_t *err)
{
  struct store_images *s = engine_get_images (api_request_engine (req));
  if (s == NULL)
    api_error (err, ENOSYS, "the image store is not available");
  return s;
}

static void
publish (struct api_request *req, const char *action, const char *id)
{
  const char *attrs[] = { "name", id, NULL };
  engine_events_publish (engine_get_events (api_request_engine (req)), "image", action, id, attrs);
}

static int
save (struct api_request *req, struct api_response *resp, char *const *names, berth_error_t *err)
{
  struct store_images *s = images_of (req, err);
  cleanup_close int fd = -1;
  cleanup_free char *tar = NULL;
  size_t len = 0;

  if (s == NULL)
    return -1;
  if ((fd = memfd_create ("berth-save", MFD_CLOEXEC)) < 0)
    return berth_make_error (err, errno, "memfd_create");
  if (store_image_save (s, names, fd, err) < 0)
    return -1;
  if (lseek (fd, 0, SEEK_SET) < 0 || (tar = fs_read_fd (fd, &len, err)) == NULL)
    return berth_error_wrap (err, "read image archive");
  for (size_t i = 0; names[i]; i++)
    publish (req, "save", names[i]);
  api_response_text (resp, 200, "application/x-tar", tar, len);
  return 0;
}

/* GET /images/get?names=...  */
static int
get_many (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  cleanup_strv char **names = NULL;

  for (size_t i = 0; req->query_keys && req->query_keys[i]; i++)
    if (strcmp (req->query_keys[i], "names") == 0)
      names = strv_append (names, req->query_values[i]);
  if (names == NULL)
    return api_error (err, EINVAL, "no images to save");
  return save (req, resp, names, err);
}

/* GET /images/{name}/get  */
static int
get_one (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  char *names[] = { (char *) api_request_var (req, "name"), NULL };
  return save (req, resp, names, err);
}

struct load_out
{
  json_object *lines;
};

/* One {"stream": "...\n"} message per line, as dockerd's stream formatter.  */
static void
on_message (void *data, const char *msg)
{
  struct load_out *o = data;
  json_object *j = json_object_new_object ();
  cleanup_free char *line = xasprintf ("%s\n", msg);

  json_object_object_add (j, "stream", json_object_new_string (line));
  json_object_array_add (o->lines, j);
}

static char *
messages_text (json_object *lines, size_t *len)
{
  char *out = xstrdup ("");
  for (size_t i = 0; i < json_object_array_length (lines); i++)
    {
      char *next = xasprintf ("%s%s\r\n", out,
                              json_object_to_json_string_ext (json_object_array_get_idx (lines, i),
                                                              JSON_C_TO_STRING_PLAIN));
      free (out);
      out = next;
    }
  *len = strlen (out);
  return out;
}

/* POST /images/load  */
static int
load (struct api_request *req, struct api_response *resp, berth_error_t *err)
{
  struct store_images *s = images_of (req, err);
  struct load_out o = { NULL };
  cleanup_close int fd = -1;
  cleanup_free char *text = NULL;
  const char *body;
  size_t len = 0;
  int ret;

  if (s == NULL)
    return -1;
  body = api_request_body (req, &len);
  if ((fd = memfd_create ("berth-load", MFD_CLOEXEC)) < 0)
    return berth_make_error (err, errno, "memfd_create");
  if ((len && fs_write_all (fd, body, len) < 0) || lseek (fd, 0, SEEK_SET) < 0)
    return berth_make_error (err, errno, "buffer image archive");
  o.lines = json_object_new_array ();
  ret = store_image_load (s, fd, on_message, &o, err);
  if (ret < 0)
    {
      /* As dockerd's postImagesLoad: 200 and the error as the stream's last
         message, after the images loaded before the failure, if any.  */
      json_object *j = json_object_new_object ();
      json_object *d = json_object_new_object ();
      json_object_object_add (d, "message", json_object_new_string ((*err)->msg));
      json_object_object_add (j, "errorDetail", d);
      json_object_object_add (j, "error", json_object_new_string ((*err)->msg));
      json_object_array_add (o.lines, j);
      berth_error_release (err);
    }
  text = messages_text (o.lines, &len);
  json_object_put (o.lines);
  api_response_text (resp, 200, "application/json", text, len);
  return 0;
}

static const struct api_route archive_routes[] = {
  { "GET", "/images/get", get_many },
  { "GET", "/images/{name:.*}/get", get_one },
  { "POST", "/images/load", load },
  { NULL, NULL, NULL },
};

void
api_images_archive_register (struct api_router *r)
{
  api_router_add (r, archive_routes);
}
