/* berth — the OCI runtime spec of a container (what dockerd's
 * daemon/oci_linux.go and oci/defaults.go build): an image config plus a
 * ContainerCreate request become the config.json berth-runtime runs.
 *
 * Pure functions: everything about the host (cgroup version, architecture,
 * kernel release, the paths of files the engine wrote) comes in through
 * struct engine_spec_params, so the result is reproducible in tests.  */
#ifndef BERTH_ENGINE_SPEC_H
#define BERTH_ENGINE_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "base/error.h"
#include "engine/container-config.h"

struct oci_image_exec_config;

/* One resolved mount of a container, dockerd's MountPoint
   (container-mounts.c makes them at create): what the spec binds and what
   config.v2.json and inspect's Mounts show.  */
struct engine_mount_point
{
  char *type;          /* "bind", "volume" or "tmpfs" */
  char *name;          /* the volume's name; NULL for the others */
  char *source;        /* host path: the bind's source, the volume's path */
  char *destination;   /* clean absolute path in the container */
  char *driver;        /* the volume's driver; NULL for the others */
  char *mode;          /* Binds' mode as given, "z" for local volumes, or "" */
  bool rw;             /* false: read-only */
  char *propagation;   /* binds' "rprivate" ...; "" for volumes and tmpfs */
  bool copy_data;      /* fill an empty volume from the image (not nocopy) */
  bool non_recursive;  /* BindOptions.NonRecursive */
  bool create_source;  /* a Binds source: created as a directory when missing */
  char *tmpfs_options; /* tmpfs: "size=...,mode=..." (may be NULL) */
  json_object *spec;   /* the mount.Mount it came from (config.v2.json's Spec) */
};

struct engine_spec_params
{
  const char *id;                             /* the container's full ID: cgroupsPath /berth/<id> */
  const char *rootfs;                         /* root.path */
  const struct oci_image_exec_config *image;  /* NULL: an image with no config */
  const struct engine_create_request *create; /* Config and HostConfig (adapted) */
  /* Files under containers/<id>/ bound over /etc/...; NULL: not mounted.  */
  const char *hosts_path, *hostname_path, *resolv_conf_path;
  /* Namespace paths for NetworkMode/IpcMode/PidMode "container:<id>" (and a
     network namespace the network layer made); NULL: a new one.  */
  const char *netns_path, *ipcns_path, *pidns_path;
  const char *init_path;        /* docker-init on the host, for HostConfig.Init */
  char *const *default_ulimits; /* the daemon's, "nofile=1024:2048" */
  bool cgroup_v2;               /* the host's cgroup version */
  const char *goarch;           /* "amd64"...; NULL: the build's */
  const char *kernel_release;   /* for seccomp's minKernel; NULL: uname */
  int last_cap;                 /* highest capability number; <= 0: all known */
  /* The seccomp profile in Docker's format when SecurityOpt names none;
     NULL: the embedded default (shared/reference/seccomp-default.json).  */
  const char *default_seccomp_profile;
  /* The container's resolved mount points (source: the host path to bind,
     a volume's mounted path): when set they stand for HostConfig.Binds and
     Mounts.  NULL: Binds and Mounts are parsed here (binds only).  */
  const struct engine_mount_point *mount_points;
  size_t n_mount_points;
};

struct engine_spec
{
  json_object *doc; /* the runtime-spec document */
  /* The user spec (Config.User, else the image's; NULL when empty) and
     HostConfig.GroupAdd.  process.user holds what their numbers say; when
     NEEDS_USER is set, a name or a bare uid needs the container's
     /etc/passwd and /etc/group: the engine calls engine_spec_resolve_user
     once the rootfs is mounted.  */
  char *user;
  char **group_add;
  bool needs_user;
  char **caps; /* the capability set, for engine_spec_set_user */
};

/* Build the spec.  Returns a new spec (engine_spec_free) or NULL with *err
   set: EINVAL for what dockerd answers 400 (bad capability, bind, security
   option ...).  */
struct engine_spec *engine_spec_generate (const struct engine_spec_params *p, berth_error_t *err);
void engine_spec_free (struct engine_spec *s);

/* Set process.user, and the capabilities as dockerd does for it: a
   non-root user keeps only the bounding set, as execve would leave it.  */
void engine_spec_set_user (struct engine_spec *s, uint32_t uid, uint32_t gid,
                           const uint32_t *additional_gids, size_t n_additional_gids);

/* Resolve the user spec and GroupAdd as dockerd's getUser does
   (moby/sys/user GetExecUser, GetAdditionalGroups) against /etc/passwd and
   /etc/group inside ROOTFD (resolved in the root, never following a link
   out of it), then engine_spec_set_user.  A no-op unless s->needs_user.
   Errors keep dockerd's wording ("unable to find user app: no matching
   entries in passwd file"), status EINVAL.  */
int engine_spec_resolve_user (struct engine_spec *s, int rootfd, berth_error_t *err);

/* config.json text; the caller frees it.  */
char *engine_spec_to_json (const struct engine_spec *s);

/* The pieces, exported for tests and for `docker exec`.  */

/* dockerd's caps.TweakCapabilities: the capability set of a container from
   the default set, CapAdd and CapDrop ("ALL", with or without "CAP_", any
   case).  LAST_CAP as in the params.  A new vector, or NULL with *err
   (EINVAL, `unknown capability: "CAP_FOO"`).  */
char **engine_caps_tweak (char *const *add, char *const *drop, bool privileged, int last_cap,
                          berth_error_t *err);

/* One HostConfig.Binds entry, host:container[:mode] (volume/mounts
   linux_parser.go): a new mount object {destination, type, source, options}
   or NULL with *err ("invalid mode: xyz", "invalid volume specification:
   '...'").  *PROPAGATION gets the bind's propagation ("rprivate" when the
   mode names none).  */
json_object *engine_bind_parse (const char *spec, const char **propagation, berth_error_t *err);

/* "size=1g" (the largest of g, m, k that divides SIZE, else bytes): the
   size option of mount.ConvertTmpfsOptions.  */
char *engine_tmpfs_size_option (int64_t size);

/* A Binds mode ("ro,z,rshared,nocopy") as linux_parser.go reads it:
   false when it is no valid mode (one of each kind at most).  */
struct engine_mount_mode
{
  bool ro;
  const char *propagation; /* static string, NULL when the mode names none */
  bool nocopy;
};
bool engine_mount_mode_parse (const char *mode, struct engine_mount_mode *out);

/* Docker's seccomp profile (its JSON format) as the runtime-spec's
   linux.seccomp for a container with capability set CAPS, as moby's
   profiles/seccomp setupSeccomp filters it: archMap to the architectures of
   GOARCH, includes/excludes by caps, arches and minKernel.  NULL with *err
   on a bad profile.  */
json_object *engine_seccomp_convert (const char *profile, size_t len, char *const *caps,
                                     const char *goarch, const char *kernel_release,
                                     berth_error_t *err);

/* The embedded default profile.  */
const char *engine_seccomp_default_profile (size_t *len);

#endif
