/* berth — the pieces of OCI spec generation (engine-internal).  */
#ifndef BERTH_ENGINE_SPEC_INTERNAL_H
#define BERTH_ENGINE_SPEC_INTERNAL_H

#include "engine/spec.h"

/* HostConfig.SecurityOpt, as dockerd's parseSecurityOpt reads it.  */
struct spec_security
{
  bool no_new_privileges;
  bool writable_cgroups;
  char *seccomp;  /* NULL: default; "unconfined"; "builtin"; or a JSON profile */
  char *apparmor; /* kept, not applied: berth loads no AppArmor profile */
};

int spec_security_parse (char *const *opts, struct spec_security *s, berth_error_t *err);
void spec_security_release (struct spec_security *s);

/* A JSON array of the strings of V (NULL: empty).  */
json_object *spec_strv_json (char *const *v);

/* mounts[]: docker's defaults, binds, tmpfs, Mounts, /etc files, init.
   Sets root propagation in LINUX when a bind needs it.  */
json_object *spec_mounts_build (const struct engine_spec_params *p, json_object *lx,
                                berth_error_t *err);

/* The lx object: namespaces, cgroupsPath, resources, devices, masked and
   read-only paths, sysctl.  */
json_object *spec_linux_build (const struct engine_spec_params *p, berth_error_t *err);

/* Docker's tmpfs option merge (mount.MergeTmpfsOptions); a new vector or
   NULL with *err.  */
char **spec_tmpfs_options_merge (char *const *opts, berth_error_t *err);

/* "nofile=1024:2048" -> an rlimit object; NULL with *err.  */
json_object *spec_ulimit_parse (const char *s, char **name, berth_error_t *err);

#endif
