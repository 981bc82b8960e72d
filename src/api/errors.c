/* berth — errors as the Engine API sends them.  */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "api/api-internal.h"
#include "base/base.h"

/* dockerd's errdefs -> HTTP (errdefs/http_helpers.go), from errno.  */
int
api_error_http_status (int status)
{
  switch (status)
    {
    case ENOENT:
      return 404;
    case EEXIST:
    case EBUSY:
      return 409;
    case EINVAL:
      return 400;
    case ENOTSUP:
    case ENOSYS:
      return 501;
    default:
      return 500;
    }
}

void
api_response_error (struct api_response *resp, berth_error_t err)
{
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "message",
                          json_object_new_string (err && err->msg ? err->msg : "internal error"));
  api_response_json (resp, api_error_http_status (err ? err->status : 0), o);
}
