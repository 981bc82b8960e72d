/* berth — host facts for the system endpoints.  */
#ifndef BERTH_API_HOST_H
#define BERTH_API_HOST_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

char *api_host_kernel_version (void);
char *api_host_machine (void);      /* uname -m: "x86_64" */
const char *api_host_goarch (void); /* "amd64" */
char *api_host_os_release (const char *key);
char *api_host_os_release_value (const char *text, const char *key);
const char *api_host_cgroup_version (void); /* "1" or "2" */
const char *api_host_fs_name (const char *path);
long api_host_ncpu (void);
int64_t api_host_mem_total (void);
char *api_host_name (void);
int api_host_count_fds (void);
int api_host_count_threads (void);
bool api_host_ip_forward (void);
char *api_host_rfc3339_nano (const struct timespec *ts, bool utc);

#endif
