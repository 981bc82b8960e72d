/* libFuzzer harness: ContainerCreate bodies (src/engine/container-config.c)
   and the spec generated from them (src/engine/spec*.c).  A body parses or
   fails with EINVAL and a message; what parses yields a spec or an EINVAL
   error; the spec serialises; nothing leaks.  Privileged and Devices are
   cleared first: they read the host's /dev.  */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/base.h"
#include "engine/container-config.h"
#include "engine/spec.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check (berth_error_t *err)
{
  if (*err == NULL || (*err)->msg == NULL || (*err)->status != 22)
    __builtin_trap ();
  berth_error_release (err);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  berth_error_t err = NULL;
  struct engine_create_request *r = engine_create_request_parse ((const char *) data, size, &err);
  struct engine_spec_params p = { 0 };
  struct engine_spec *s;
  size_t n_devices;
  if (r == NULL)
    {
      check (&err);
      return 0;
    }
  engine_host_config_adapt (&r->host);
  if (engine_host_config_validate (&r->host, 4, &err) < 0)
    check (&err);
  r->host.privileged = false;
  n_devices = r->host.n_devices;
  r->host.n_devices = 0;
  p.id = "fuzz";
  p.rootfs = "/nonexistent";
  p.create = r;
  p.cgroup_v2 = size % 2;
  p.goarch = "amd64";
  p.kernel_release = "6.1.0";
  p.netns_path = "/proc/1/ns/net";
  p.ipcns_path = "/proc/1/ns/ipc";
  p.pidns_path = "/proc/1/ns/pid";
  p.default_seccomp_profile = "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[]}";
  s = engine_spec_generate (&p, &err);
  if (s == NULL)
    check (&err);
  else
    {
      free (engine_spec_to_json (s));
      engine_spec_free (s);
    }
  r->host.n_devices = n_devices;
  engine_create_request_free (r);
  return 0;
}
