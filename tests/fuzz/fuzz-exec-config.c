/* libFuzzer harness: ExecConfig bodies of POST /containers/{name}/exec
   (src/engine/exec-config.c).  A body decodes or fails with EINVAL and a
   message; what decodes has a command; nothing leaks.  */
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "engine/exec-internal.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct exec_req q = { 0 };
  berth_error_t err = NULL;

  if (exec_req_parse ((const char *) data, size, &q, &err) < 0)
    {
      if (err == NULL || err->msg == NULL || err->status != EINVAL)
        __builtin_trap ();
      berth_error_release (&err);
    }
  else if (q.cmd == NULL || q.cmd[0] == NULL)
    __builtin_trap ();
  exec_req_release (&q);
  return 0;
}
