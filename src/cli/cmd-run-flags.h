/* berth — the flags docker 28's `run` and `create` share (cli/command/
   container/opts.go addFlags), with docker's help texts; included by
   cmd-run.c inside its two tables.  The Windows-only flags are hidden, as
   docker hides them against a Linux daemon (berthd always is).  */
#define RUN_F(n, s, t, d, u, v, f) { n, s, CLI_FLAG_##t, d, u, v, f },
#define CGROUPNS_USAGE                                                                             \
  "Cgroup namespace to use (host|private)\n"                                                       \
  "'host':    Run the container in the berth host's cgroup namespace\n"                            \
  "'private': Run the container in its own private cgroup namespace\n"                             \
  "'':        Use the cgroup namespace as configured by the\n"                                     \
  "           default-cgroupns-mode option on the daemon (default)"
#define RUN_COMMON_FLAGS                                                                           \
  RUN_F ("add-host", 0, STRINGS, NULL, "Add a custom host-to-IP mapping (host:ip)", NULL, 0)       \
  RUN_F ("annotation", 0, MAP, "map[]",                                                            \
         "Add an annotation to the container (passed through to the OCI runtime)", "map", 0)       \
  RUN_F ("attach", 'a', STRINGS, NULL, "Attach to STDIN, STDOUT or STDERR", NULL, 0)               \
  RUN_F ("blkio-weight", 0, UINT16, "0",                                                           \
         "Block IO (relative weight), between 10 and 1000, or 0 to disable", NULL, 0)              \
  RUN_F ("blkio-weight-device", 0, STRINGS, "[]", "Block IO weight (relative device weight)",      \
         NULL, 0)                                                                                  \
  RUN_F ("cap-add", 0, STRINGS, NULL, "Add Linux capabilities", NULL, 0)                           \
  RUN_F ("cap-drop", 0, STRINGS, NULL, "Drop Linux capabilities", NULL, 0)                         \
  RUN_F ("cgroup-parent", 0, STRING, NULL, "Optional parent cgroup for the container", NULL, 0)    \
  RUN_F ("cgroupns", 0, STRING, NULL, CGROUPNS_USAGE, NULL, 0)                                     \
  RUN_F ("cidfile", 0, STRING, NULL, "Write the container ID to the file", NULL, 0)                \
  RUN_F ("cpu-count", 0, INT64, NULL, "CPU count (Windows only)", NULL, CLI_FLAG_HIDDEN)           \
  RUN_F ("cpu-percent", 0, INT64, NULL, "CPU percent (Windows only)", NULL, CLI_FLAG_HIDDEN)       \
  RUN_F ("cpu-period", 0, INT64, NULL, "Limit CPU CFS (Completely Fair Scheduler) period", NULL,   \
         0)                                                                                        \
  RUN_F ("cpu-quota", 0, INT64, NULL, "Limit CPU CFS (Completely Fair Scheduler) quota", NULL, 0)  \
  RUN_F ("cpu-rt-period", 0, INT64, NULL, "Limit CPU real-time period in microseconds", NULL, 0)   \
  RUN_F ("cpu-rt-runtime", 0, INT64, NULL, "Limit CPU real-time runtime in microseconds", NULL, 0) \
  RUN_F ("cpu-shares", 'c', INT64, NULL, "CPU shares (relative weight)", NULL, 0)                  \
  RUN_F ("cpus", 0, STRING, NULL, "Number of CPUs", "decimal", 0)                                  \
  RUN_F ("cpuset-cpus", 0, STRING, NULL, "CPUs in which to allow execution (0-3, 0,1)", NULL, 0)   \
  RUN_F ("cpuset-mems", 0, STRING, NULL, "MEMs in which to allow execution (0-3, 0,1)", NULL, 0)   \
  RUN_F ("device", 0, STRINGS, NULL, "Add a host device to the container", NULL, 0)                \
  RUN_F ("device-cgroup-rule", 0, STRINGS, NULL, "Add a rule to the cgroup allowed devices list",  \
         NULL, 0)                                                                                  \
  RUN_F ("device-read-bps", 0, STRINGS, "[]", "Limit read rate (bytes per second) from a device",  \
         NULL, 0)                                                                                  \
  RUN_F ("device-read-iops", 0, STRINGS, "[]", "Limit read rate (IO per second) from a device",    \
         NULL, 0)                                                                                  \
  RUN_F ("device-write-bps", 0, STRINGS, "[]", "Limit write rate (bytes per second) to a device",  \
         NULL, 0)                                                                                  \
  RUN_F ("device-write-iops", 0, STRINGS, "[]", "Limit write rate (IO per second) to a device",    \
         NULL, 0)                                                                                  \
  RUN_F ("disable-content-trust", 0, BOOL, "true", "Skip image verification", NULL, 0)             \
  RUN_F ("dns", 0, STRINGS, NULL, "Set custom DNS servers", NULL, 0)                               \
  RUN_F ("dns-opt", 0, STRINGS, NULL, "Set DNS options", NULL, CLI_FLAG_HIDDEN)                    \
  RUN_F ("dns-option", 0, STRINGS, NULL, "Set DNS options", NULL, 0)                               \
  RUN_F ("dns-search", 0, STRINGS, NULL, "Set custom DNS search domains", NULL, 0)                 \
  RUN_F ("domainname", 0, STRING, NULL, "Container NIS domain name", NULL, 0)                      \
  RUN_F ("entrypoint", 0, STRING, NULL, "Overwrite the default ENTRYPOINT of the image", NULL, 0)  \
  RUN_F ("env", 'e', STRINGS, NULL, "Set environment variables", NULL, 0)                          \
  RUN_F ("env-file", 0, STRINGS, NULL, "Read in a file of environment variables", NULL, 0)         \
  RUN_F ("expose", 0, STRINGS, NULL, "Expose a port or a range of ports", NULL, 0)                 \
  RUN_F ("gpus", 0, STRING, NULL, "GPU devices to add to the container ('all' to pass all GPUs)",  \
         "gpu-request", 0)                                                                         \
  RUN_F ("group-add", 0, STRINGS, NULL, "Add additional groups to join", NULL, 0)                  \
  RUN_F ("health-cmd", 0, STRING, NULL, "Command to run to check health", NULL, 0)                 \
  RUN_F ("health-interval", 0, DURATION, "0s", "Time between running the check (ms|s|m|h)", NULL,  \
         0)                                                                                        \
  RUN_F ("health-retries", 0, INT, NULL, "Consecutive failures needed to report unhealthy", NULL,  \
         0)                                                                                        \
  RUN_F ("health-start-interval", 0, DURATION, "0s",                                               \
         "Time between running the check during the start period (ms|s|m|h)", NULL, 0)             \
  RUN_F ("health-start-period", 0, DURATION, "0s",                                                 \
         "Start period for the container to initialize before starting health-retries "            \
         "countdown (ms|s|m|h)",                                                                   \
         NULL, 0)                                                                                  \
  RUN_F ("health-timeout", 0, DURATION, "0s", "Maximum time to allow one check to run (ms|s|m|h)", \
         NULL, 0)                                                                                  \
  RUN_F ("help", 0, BOOL, NULL, "Print usage", NULL, 0)                                            \
  RUN_F ("hostname", 'h', STRING, NULL, "Container host name", NULL, 0)                            \
  RUN_F ("init", 0, BOOL, NULL,                                                                    \
         "Run an init inside the container that forwards signals and reaps processes", NULL, 0)    \
  RUN_F ("interactive", 'i', BOOL, NULL, "Keep STDIN open even if not attached", NULL, 0)          \
  RUN_F ("io-maxbandwidth", 0, BYTES, NULL,                                                        \
         "Maximum IO bandwidth limit for the system drive (Windows only)", NULL, CLI_FLAG_HIDDEN)  \
  RUN_F ("io-maxiops", 0, INT64, NULL, "Maximum IOps limit for the system drive (Windows only)",   \
         "uint", CLI_FLAG_HIDDEN)                                                                  \
  RUN_F ("ip", 0, STRING, NULL, "IPv4 address (e.g., 172.30.100.104)", NULL, 0)                    \
  RUN_F ("ip6", 0, STRING, NULL, "IPv6 address (e.g., 2001:db8::33)", NULL, 0)                     \
  RUN_F ("ipc", 0, STRING, NULL, "IPC mode to use", NULL, 0)                                       \
  RUN_F ("isolation", 0, STRING, NULL, "Container isolation technology", NULL, 0)                  \
  RUN_F ("kernel-memory", 0, BYTES, NULL, "Kernel memory limit", NULL, 0)                          \
  RUN_F ("label", 'l', STRINGS, NULL, "Set meta data on a container", NULL, 0)                     \
  RUN_F ("label-file", 0, STRINGS, NULL, "Read in a line delimited file of labels", NULL, 0)       \
  RUN_F ("link", 0, STRINGS, NULL, "Add link to another container", NULL, 0)                       \
  RUN_F ("link-local-ip", 0, STRINGS, NULL, "Container IPv4/IPv6 link-local addresses", NULL, 0)   \
  RUN_F ("log-driver", 0, STRING, NULL, "Logging driver for the container", NULL, 0)               \
  RUN_F ("log-opt", 0, STRINGS, NULL, "Log driver options", NULL, 0)                               \
  RUN_F ("mac-address", 0, STRING, NULL, "Container MAC address (e.g., 92:d0:c6:0a:29:33)", NULL,  \
         0)                                                                                        \
  RUN_F ("memory", 'm', BYTES, NULL, "Memory limit", NULL, 0)                                      \
  RUN_F ("memory-reservation", 0, BYTES, NULL, "Memory soft limit", NULL, 0)                       \
  RUN_F ("memory-swap", 0, BYTES, NULL,                                                            \
         "Swap limit equal to memory plus swap: '-1' to enable unlimited swap", NULL, 0)           \
  RUN_F ("memory-swappiness", 0, INT64, "-1", "Tune container memory swappiness (0 to 100)", NULL, \
         0)                                                                                        \
  RUN_F ("mount", 0, STRINGS, NULL, "Attach a filesystem mount to the container", "mount", 0)      \
  RUN_F ("name", 0, STRING, NULL, "Assign a name to the container", NULL, 0)                       \
  RUN_F ("net", 0, STRINGS, NULL, "Connect a container to a network", "network", CLI_FLAG_HIDDEN)  \
  RUN_F ("net-alias", 0, STRINGS, NULL, "Add network-scoped alias for the container", NULL,        \
         CLI_FLAG_HIDDEN)                                                                          \
  RUN_F ("network", 0, STRINGS, NULL, "Connect a container to a network", "network", 0)            \
  RUN_F ("network-alias", 0, STRINGS, NULL, "Add network-scoped alias for the container", NULL, 0) \
  RUN_F ("no-healthcheck", 0, BOOL, NULL, "Disable any container-specified HEALTHCHECK", NULL, 0)  \
  RUN_F ("oom-kill-disable", 0, BOOL, NULL, "Disable OOM Killer", NULL, 0)                         \
  RUN_F ("oom-score-adj", 0, INT, NULL, "Tune host's OOM preferences (-1000 to 1000)", NULL, 0)    \
  RUN_F ("pid", 0, STRING, NULL, "PID namespace to use", NULL, 0)                                  \
  RUN_F ("pids-limit", 0, INT64, NULL, "Tune container pids limit (set -1 for unlimited)", NULL,   \
         0)                                                                                        \
  RUN_F ("platform", 0, STRING, NULL, "Set platform if server is multi-platform capable", NULL, 0) \
  RUN_F ("privileged", 0, BOOL, NULL, "Give extended privileges to this container", NULL, 0)       \
  RUN_F ("publish", 'p', STRINGS, NULL, "Publish a container's port(s) to the host", NULL, 0)      \
  RUN_F ("publish-all", 'P', BOOL, NULL, "Publish all exposed ports to random ports", NULL, 0)     \
  RUN_F ("quiet", 'q', BOOL, NULL, "Suppress the pull output", NULL, 0)                            \
  RUN_F ("read-only", 0, BOOL, NULL, "Mount the container's root filesystem as read only", NULL,   \
         0)                                                                                        \
  RUN_F ("restart", 0, STRING, "no", "Restart policy to apply when a container exits", NULL, 0)    \
  RUN_F ("rm", 0, BOOL, NULL,                                                                      \
         "Automatically remove the container and its associated anonymous volumes when it exits",  \
         NULL, 0)                                                                                  \
  RUN_F ("runtime", 0, STRING, NULL, "Runtime to use for this container", NULL, 0)                 \
  RUN_F ("security-opt", 0, STRINGS, NULL, "Security Options", NULL, 0)                            \
  RUN_F ("shm-size", 0, BYTES, NULL, "Size of /dev/shm", NULL, 0)                                  \
  RUN_F ("stop-signal", 0, STRING, NULL, "Signal to stop the container", NULL, 0)                  \
  RUN_F ("stop-timeout", 0, INT, NULL, "Timeout (in seconds) to stop a container", NULL, 0)        \
  RUN_F ("storage-opt", 0, STRINGS, NULL, "Storage driver options for the container", NULL, 0)     \
  RUN_F ("sysctl", 0, MAP, "map[]", "Sysctl options", "map", 0)                                    \
  RUN_F ("tmpfs", 0, STRINGS, NULL, "Mount a tmpfs directory", NULL, 0)                            \
  RUN_F ("tty", 't', BOOL, NULL, "Allocate a pseudo-TTY", NULL, 0)                                 \
  RUN_F ("ulimit", 0, STRINGS, "[]", "Ulimit options", "ulimit", 0)                                \
  RUN_F ("use-api-socket", 0, BOOL, NULL, "Bind mount berth API socket and required auth", NULL,   \
         0)                                                                                        \
  RUN_F ("user", 'u', STRING, NULL, "Username or UID (format: <name|uid>[:<group|gid>])", NULL, 0) \
  RUN_F ("userns", 0, STRING, NULL, "User namespace to use", NULL, 0)                              \
  RUN_F ("uts", 0, STRING, NULL, "UTS namespace to use", NULL, 0)                                  \
  RUN_F ("volume", 'v', STRINGS, NULL, "Bind mount a volume", NULL, 0)                             \
  RUN_F ("volume-driver", 0, STRING, NULL, "Optional volume driver for the container", NULL, 0)    \
  RUN_F ("volumes-from", 0, STRINGS, NULL, "Mount volumes from the specified container(s)", NULL,  \
         0)                                                                                        \
  RUN_F ("workdir", 'w', STRING, NULL, "Working directory inside the container", NULL, 0)
