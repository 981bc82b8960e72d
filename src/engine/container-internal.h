/* berth — privates of the container store shared by container*.c.  */
#ifndef BERTH_ENGINE_CONTAINER_INTERNAL_H
#define BERTH_ENGINE_CONTAINER_INTERNAL_H

#include <pthread.h>

#include "engine/container.h"
#include "engine/spec.h"

struct container
{
  char *id;
  char *name;     /* without the leading "/" */
  char *image;    /* as the request named it */
  char *image_id; /* "sha256:<hex>" */
  char *created;  /* RFC 3339 nano */
  char *path;
  char **args;
  json_object *config;      /* Config, merged with the image's */
  json_object *host_config; /* HostConfig as given */
  char *state;              /* created running exited dead removing */
  int pid;
  int exit_code;
  bool oom_killed;
  char *error;
  char *started_at, *finished_at; /* "0001-01-01T00:00:00Z" when never */
  unsigned exits;                 /* times it exited: next-exit waits on it */
  bool tty;
  bool auto_remove;
  /* Restart policy (container-restart.c) and live restore
     (container-restore.c).  */
  int restart_count;          /* RestartCount: policy restarts since the user's start */
  bool manually_stopped;      /* HasBeenManuallyStopped (unless-stopped), persisted */
  bool restart_cancelled;     /* dockerd's ExitOnNext: the next exit is final */
  int64_t restart_backoff_ms; /* the restart manager's delay: 100 ms doubling to 1 min */
  int64_t restart_at_ns;      /* CLOCK_MONOTONIC: when a "restarting" one starts again */
  int shim_pidfd;             /* > 0: a pidfd of its berth-shim (0 is stdin, never ours) */
  struct container_attacher *attachers; /* waiting for start (container-attach.c) */
  bool paused; /* frozen by pause (container-ops.c); state stays "running" */
  /* Mount points (container-mounts.c), config.v2.json's MountPoints.  */
  struct engine_mount_point *mounts;
  size_t n_mounts;
  bool volumes_mounted; /* volume_mount done for the running container */
  bool remove_volumes;  /* rm -v: its anonymous volumes go with it */
  /* NetworkSettings as config.v2.json keeps them (container-net.c):
     Networks (name -> EndpointSettings), Ports, SandboxID, SandboxKey.  */
  json_object *net;
  struct container_net_job *net_job; /* an exit's teardown still running */
};

struct engine_containers
{
  struct engine *engine;
  struct store_images *images;
  char *shim;
  char *data_dir; /* <data-root>/containers */
  char *exec_dir; /* <exec-root>/containers */
  char *runtime_root;
  pthread_mutex_t lock;
  pthread_cond_t changed;
  struct container **v; /* creation order */
  size_t n;
  pthread_t monitor;
  int monitor_epfd; /* the shims' pidfds and monitor_wake */
  int monitor_wake; /* an eventfd: engine_containers_close wakes the monitor */
  bool stopping;
  /* The exit codes of the last removed containers, for a wait with
     condition=removed that finds its container gone (`run --rm`).  */
  struct
  {
    char id[65];
    int exit_code;
  } removed[32];
  unsigned removed_next;
  struct engine_execs *execs; /* exec.c: exec instances and healthchecks */
  struct net_dns *dns;        /* container-net.c: the embedded DNS server, made at first use */
  int net_jobs;               /* container-net.c: exit teardowns running (atomic) */
};

#define CONTAINER_ZERO_TIME "0001-01-01T00:00:00Z"

/* container-attach.c: attach clients waiting for the container to start
   (each on its own thread's stack; start hands them their connection).  */
struct container_attacher
{
  int fd; /* the shim connection, -1 when it failed */
  bool done;
  char id[65]; /* the container's */
  struct container_attacher *next;
};
unsigned container_attach_pending (struct container *c);
/* After the shim started with --attach-hold: connect every pending
   attacher and wake it.  Lock held.  */
void container_attach_connect_pending (struct engine_containers *cs, struct container *c);
/* New strings: the shim's sockets of C.  */
char *container_attach_socket (struct engine_containers *cs, struct container *c);
char *container_control_socket (struct engine_containers *cs, struct container *c);
/* process.consoleSize of spec DOC from HostConfig.ConsoleSize (tty only).  */
void container_console_size_apply (struct container *c, json_object *doc);

/* container.c */
/* HostConfig.LogConfig.Config as "KEY=VALUE" (without the keys that are
   every driver's: mode, max-buffer-size); a new vector or NULL.  */
char **container_log_opts (const struct container *c);
void container_free (struct container *c);
/* Find by full ID, name (with or without "/"), or unique ID prefix; call
   with the lock held.  404 "No such container: x".  */
struct container *container_find (struct engine_containers *cs, const char *name,
                                  berth_error_t *err);
char *container_now (void);
void container_publish (struct engine_containers *cs, struct container *c, const char *action);
/* C's Mounts for inspect and the list (container-list.c).  */
json_object *container_mounts_json (const struct container *c);
void container_publish_attrs (struct engine_containers *cs, struct container *c, const char *action,
                              const char *const *extra);
/* The die event, with exitCode.  */
void container_publish_die (struct engine_containers *cs, struct container *c);

/* container-store.c */
int container_save (struct engine_containers *cs, struct container *c, berth_error_t *err);
/* container_save where a failure is only logged: the record on disk lags
   until the next save, and the in-memory state stays right.  */
void container_save_logged (struct engine_containers *cs, struct container *c);
int container_load_all (struct engine_containers *cs, berth_error_t *err);
/* Unlink C from the store, remove its files and rw layer; lock held.  */
int container_destroy (struct engine_containers *cs, struct container *c, berth_error_t *err);

/* container-start.c */
/* Whether /sys/fs/cgroup is a pure cgroup v2 hierarchy.  */
bool container_cgroup_v2 (void);
int container_start_locked (struct engine_containers *cs, struct container *c, berth_error_t *err);
/* The exit file of a running container: 1 and the state updated when it
   is there, 0 when not yet.  Lock held.  */
int container_check_exit (struct engine_containers *cs, struct container *c);
int container_kill (struct engine_containers *cs, struct container *c, int sig, berth_error_t *err);
/* Run berth-shim with ARGV and wait for its report (its daemon stays);
   the shim's error as "failed to create task for container: ...".  */
int container_run_shim (char *const *argv, berth_error_t *err);

/* container-restart.c: restart policies as dockerd's restartmanager.
   State "restarting" is dockerd's Running+Restarting: treat it as running
   (rm without force is a 409, start is a no-op).  Lock held for all.  */
/* C has just exited (check_exit ran): schedule its restart when the policy
   says so (state "restarting", RestartCount + 1); true when scheduled.  */
bool container_restart_on_exit (struct engine_containers *cs, struct container *c);
/* Start the restarting containers whose delay is over; true if any.  */
bool container_restart_due (struct engine_containers *cs);
/* A stop or kill by the user (dockerd's killWithSignal): the next exit is
   final and unless-stopped remembers it; a restarting container is
   stopped at once.  SIG is the signal sent.  Returns true when C was
   restarting: no process to signal.  container_kill calls it.  */
bool container_restart_cancel (struct engine_containers *cs, struct container *c, int sig);
/* A start by the user: RestartCount 0, not manually stopped, no backoff.  */
void container_restart_reset (struct container *c);
/* Whether berthd restarts C (not running) when it starts (dockerd's
   ShouldRestart at restore).  */
bool container_restart_on_boot (const struct container *c);
/* RestartCount and HasBeenManuallyStopped in config.v2.json.  */
void container_restart_record_write (const struct container *c, json_object *record);
void container_restart_record_read (struct container *c, json_object *record);

/* container-mounts.c: dockerd's mount points (daemon/volumes.go).  */
struct engine_create_request;
/* At create, lock held (VolumesFrom reads other containers): check
   VolumesFrom, Binds and Mounts of REQ into C's mount points and reference
   the volumes of VolumesFrom; no volume driver is called.  */
int container_mounts_plan (struct engine_containers *cs, struct container *c,
                           const struct engine_create_request *req, json_object *hc,
                           berth_error_t *err);
/* Then, lock NOT held (C not in the store yet), rootfs mounted at ROOTFD:
   add Config.Volumes of REQ (HC: HostConfig as JSON, for VolumeOptions),
   create and reference the volumes, then fill new volumes from the image
   (copy-up).  On error the volumes made for C are removed; the caller's
   container_mounts_release drops the references.  */
int container_mounts_create (struct engine_containers *cs, struct container *c,
                             const struct engine_create_request *req, json_object *hc, int rootfd,
                             berth_error_t *err);
/* Drop C's references; REMOVE_ANONYMOUS: remove its anonymous volumes no
   other container uses (rm -v, AutoRemove).  */
void container_mounts_release (struct engine_containers *cs, struct container *c,
                               bool remove_anonymous);
/* With no lock held, after container_mounts_release of container ID:
   wait until the volume drivers removed what it queued (rm -v).  */
void container_mounts_wait_released (struct engine_containers *cs, const char *id);
/* Before engine_container_start takes the lock: mount the volumes of
   container NAME with no lock held (a plugin may hang until its timeout)
   and hand their paths to it, unless it runs or was removed meanwhile.
   The driver's error is the container's Error and *ERR.  */
int container_mounts_premount (struct engine_containers *cs, const char *name, berth_error_t *err);
/* At start: mount C's volumes (volume_mount) unless premounted, create missing Binds
   sources; the mount points' sources then are the paths to bind.  */
int container_mounts_setup (struct engine_containers *cs, struct container *c, berth_error_t *err);
/* At stop: volume_unmount what setup mounted.  */
void container_mounts_teardown (struct engine_containers *cs, struct container *c);
/* At berthd start: reference C's volumes again (mounted again if C runs).  */
void container_mounts_restore (struct engine_containers *cs, struct container *c);
/* config.v2.json's MountPoints (a new object) and back.  */
/* container-mounts-record.c: MountPoints of config.v2.json.  */
json_object *container_mounts_record (const struct container *c);
void container_mounts_record_read (struct container *c, json_object *record);
/* A tmpfs mount's data string (mode, size) from its TmpfsOptions, as
   ConvertTmpfsOptions; NULL when it has none.  */
char *container_mounts_tmpfs_options (const struct engine_mount *a);
void container_mounts_free (struct container *c);

/* container-restore.c: live restore and crash repair.  */
/* Once, after the records are loaded and before the monitor runs: find
   the running containers' shims again, record exits that happened while
   berthd was down, clean what a crash left, restart by policy.  */
void container_restore_all (struct engine_containers *cs);
/* Watch the shim of C (running): a pidfd on the parent of its init.  */
void container_shim_watch (struct engine_containers *cs, struct container *c);
/* Make the monitor look for exits now (container.c): a shim that could not
   be watched may be gone already, and the next tick is a second away.  */
void container_monitor_wake (struct engine_containers *cs);
void container_shim_unwatch (struct container *c);
/* The shim of running C died without an exit file: kill and delete the
   container, unmount, record exit 137 (containerd's dead-shim exit).
   1 when that happened, 0 when the shim lives.  */
int container_check_shim (struct engine_containers *cs, struct container *c);

/* container-net.c: C on its networks.  */
/* HostConfig.NetworkMode, "bridge" for "" and "default".  */
const char *container_net_mode (const struct container *c);
/* NetworkSettings.Networks of C (borrowed), or NULL.  */
json_object *container_net_networks (const struct container *c);
/* At create, lock held: the networks of NetworkMode and NETWORKING_CONFIG
   (NetworkingConfig, may be NULL) resolved into C's Networks; dockerd's
   "network X not found", "No such container: x" for container:<x>.  */
int container_net_create (struct engine_containers *cs, struct container *c,
                          json_object *networking_config, berth_error_t *err);
/* At start, lock held: make C's network namespace, join its networks,
   write its /etc files.  *NETNS_PATH gets the namespace for the spec (a
   new string; NULL: the host's).  Nothing is left on failure.  */
int container_net_start (struct engine_containers *cs, struct container *c, char **netns_path,
                         berth_error_t *err);
/* At exit (and when a crash is repaired): leave every network, drop the
   namespace.  Idempotent; true when there was something to release (the
   record then wants saving).  */
bool container_net_stop (struct engine_containers *cs, struct container *c);
/* The same at an exit, the endpoints left by a thread of their own: the
   kernel takes ~25 ms to delete a veth, which `run --rm` must not wait
   for.  The next start of C waits for it.  */
void container_net_stop_async (struct engine_containers *cs, struct container *c);
/* At berthd start, C still running: re-adopt its endpoints.  */
void container_net_restore (struct engine_containers *cs, struct container *c);
/* At close: wait for the exit teardowns, stop the embedded DNS server.  */
void container_net_dns_free (struct engine_containers *cs);
/* <exec-root>/netns/<id>, a new string.  */
char *container_net_netns_path (struct engine_containers *cs, const struct container *c);
/* config.v2.json's NetworkSettings (a new reference or NULL) and back.  */
json_object *container_net_record (const struct container *c);
void container_net_record_read (struct container *c, json_object *record);
void container_net_free (struct container *c);
/* container-net-etc.c: hostname, hosts, resolv.conf of C; OWNER (may be
   NULL): the container whose namespace C shares, whose files C gets.  */
int container_net_etc_write (struct engine_containers *cs, struct container *c,
                             struct container *owner, berth_error_t *err);
/* /etc/hosts of running C again, in place (connect, disconnect).  */
void container_net_etc_hosts_update (struct engine_containers *cs, struct container *c);
/* container-net-view.c: the list's NetworkSettings ({"Networks"}), a new
   object; whether C is on network VALUE (name or ID).  */
json_object *container_net_summary (const struct container *c);
bool container_net_on (const struct container *c, const char *value);

/* container-net-view.c: inspect's NetworkSettings (Ports: the bindings
   made while running).  A new object.  */
json_object *container_network_settings (const struct container *c);
/* `docker ps`'s Ports, from the same.  A new array.  */
json_object *container_list_ports (const struct container *c);
/* The docker-init binary for HostConfig.Init (init-path, docker-init
   beside berthd or in libexec or PATH, /usr/bin/tini-static): a new string,
   or NULL with *err.  */
struct engine_config;
char *container_init_path (const struct engine_config *cf, berth_error_t *err);

#endif
