/* berth — the ExecConfig body of POST /containers/{name}/exec, decoded
 * (hostile input: fuzzed by tests/fuzz/fuzz-exec-config.c).  */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>

#include "base/base.h"
#include "engine/exec-internal.h"

void
exec_req_release (struct exec_req *r)
{
  strv_free (r->cmd);
  strv_free (r->env);
  free (r->user);
  free (r->working_dir);
  free (r->detach_keys);
}

int
exec_req_parse (const char *body, size_t len, struct exec_req *r, berth_error_t *err)
{
  json_object *o = bjson_parse (body, len, "exec config", err), *cs = NULL;
  int rc = -1;
  if (o == NULL)
    return -1;
  if (bjson_get_strv (o, "", "Cmd", &r->cmd, err) < 0
      || bjson_get_strv (o, "", "Env", &r->env, err) < 0
      || bjson_get_string (o, "", "User", &r->user, err) < 0
      || bjson_get_string (o, "", "WorkingDir", &r->working_dir, err) < 0
      || bjson_get_string (o, "", "DetachKeys", &r->detach_keys, err) < 0
      /* docker-py sends "detachKeys"; Go's decoder matches it all the same.  */
      || (r->detach_keys == NULL
          && bjson_get_string (o, "", "detachKeys", &r->detach_keys, err) < 0)
      || bjson_get_bool (o, "", "Tty", &r->tty, err) < 0
      || bjson_get_bool (o, "", "Privileged", &r->privileged, err) < 0
      || bjson_get_bool (o, "", "AttachStdin", &r->attach_stdin, err) < 0
      || bjson_get_bool (o, "", "AttachStdout", &r->attach_stdout, err) < 0
      || bjson_get_bool (o, "", "AttachStderr", &r->attach_stderr, err) < 0
      || bjson_get_array (o, "", "ConsoleSize", &cs, err) < 0)
    goto out;
  if (cs && json_object_array_length (cs) == 2)
    {
      r->height = (uint32_t) json_object_get_int64 (json_object_array_get_idx (cs, 0));
      r->width = (uint32_t) json_object_get_int64 (json_object_array_get_idx (cs, 1));
    }
  rc = 0;
  if (r->cmd == NULL || r->cmd[0] == NULL)
    rc = berth_make_error_msg (err, EINVAL, "No exec command specified");
out:
  json_object_put (o);
  return rc;
}
