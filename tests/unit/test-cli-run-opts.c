/* Unit tests for src/cli/run-opts.c: the ContainerCreate bodies the docker
 * CLI 28.2.2 sent for the same command lines (captured once from the real
 * CLI against a logging fake daemon), compared key-order free, and docker's
 * error texts.  */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/json.h"
#include "cli/run-opts.h"

#define V(...) ((char *[]){ __VA_ARGS__, NULL })

static const char *const expected[] = {
  "{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":"
  "true,\"AttachStderr\":true,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,"
  "\"Cmd\":null,\"Image\":\"busybox\",\"Volumes\":{},\"WorkingDir\":\"\",\"Entrypoint\":null,"
  "\"OnBuild\":null,\"Labels\":{},\"HostConfig\":{\"Binds\":null,\"ContainerIDFile\":\"\","
  "\"LogConfig\":{\"Type\":\"\",\"Config\":{}},\"NetworkMode\":\"default\",\"PortBindings\":{},"
  "\"RestartPolicy\":{\"Name\":\"no\",\"MaximumRetryCount\":0},\"AutoRemove\":false,"
  "\"VolumeDriver\":\"\",\"VolumesFrom\":null,\"ConsoleSize\":[0,0],\"CapAdd\":null,\"CapDrop\":"
  "null,\"CgroupnsMode\":\"\",\"Dns\":[],\"DnsOptions\":[],\"DnsSearch\":[],\"ExtraHosts\":null,"
  "\"GroupAdd\":null,\"IpcMode\":\"\",\"Cgroup\":\"\",\"Links\":null,\"OomScoreAdj\":0,\"PidMode\":"
  "\"\",\"Privileged\":false,\"PublishAllPorts\":false,\"ReadonlyRootfs\":false,\"SecurityOpt\":"
  "null,\"UTSMode\":\"\",\"UsernsMode\":\"\",\"ShmSize\":0,\"Isolation\":\"\",\"CpuShares\":0,"
  "\"Memory\":0,\"NanoCpus\":0,\"CgroupParent\":\"\",\"BlkioWeight\":0,\"BlkioWeightDevice\":[],"
  "\"BlkioDeviceReadBps\":[],\"BlkioDeviceWriteBps\":[],\"BlkioDeviceReadIOps\":[],"
  "\"BlkioDeviceWriteIOps\":[],\"CpuPeriod\":0,\"CpuQuota\":0,\"CpuRealtimePeriod\":0,"
  "\"CpuRealtimeRuntime\":0,\"CpusetCpus\":\"\",\"CpusetMems\":\"\",\"Devices\":[],"
  "\"DeviceCgroupRules\":null,\"DeviceRequests\":null,\"MemoryReservation\":0,\"MemorySwap\":0,"
  "\"MemorySwappiness\":-1,\"OomKillDisable\":false,\"PidsLimit\":0,\"Ulimits\":[],\"CpuCount\":0,"
  "\"CpuPercent\":0,\"IOMaximumIOps\":0,\"IOMaximumBandwidth\":0,\"MaskedPaths\":null,"
  "\"ReadonlyPaths\":null},\"NetworkingConfig\":{\"EndpointsConfig\":{\"default\":{\"IPAMConfig\":"
  "null,\"Links\":null,\"Aliases\":null,\"MacAddress\":\"\",\"DriverOpts\":null,\"GwPriority\":0,"
  "\"NetworkID\":\"\",\"EndpointID\":\"\",\"Gateway\":\"\",\"IPAddress\":\"\",\"IPPrefixLen\":0,"
  "\"IPv6Gateway\":\"\",\"GlobalIPv6Address\":\"\",\"GlobalIPv6PrefixLen\":0,\"DNSNames\":null}}}}",
  "{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":"
  "false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,"
  "\"Cmd\":null,\"Image\":\"busybox\",\"Volumes\":{},\"WorkingDir\":\"\",\"Entrypoint\":null,"
  "\"OnBuild\":null,\"Labels\":{},\"HostConfig\":{\"Binds\":null,\"ContainerIDFile\":\"\","
  "\"LogConfig\":{\"Type\":\"\",\"Config\":{}},\"NetworkMode\":\"default\",\"PortBindings\":{},"
  "\"RestartPolicy\":{\"Name\":\"no\",\"MaximumRetryCount\":0},\"AutoRemove\":false,"
  "\"VolumeDriver\":\"\",\"VolumesFrom\":null,\"ConsoleSize\":[0,0],\"CapAdd\":null,\"CapDrop\":"
  "null,\"CgroupnsMode\":\"\",\"Dns\":[],\"DnsOptions\":[],\"DnsSearch\":[],\"ExtraHosts\":null,"
  "\"GroupAdd\":null,\"IpcMode\":\"\",\"Cgroup\":\"\",\"Links\":null,\"OomScoreAdj\":0,\"PidMode\":"
  "\"\",\"Privileged\":false,\"PublishAllPorts\":false,\"ReadonlyRootfs\":false,\"SecurityOpt\":"
  "null,\"UTSMode\":\"\",\"UsernsMode\":\"\",\"ShmSize\":0,\"Isolation\":\"\",\"CpuShares\":0,"
  "\"Memory\":0,\"NanoCpus\":0,\"CgroupParent\":\"\",\"BlkioWeight\":0,\"BlkioWeightDevice\":[],"
  "\"BlkioDeviceReadBps\":[],\"BlkioDeviceWriteBps\":[],\"BlkioDeviceReadIOps\":[],"
  "\"BlkioDeviceWriteIOps\":[],\"CpuPeriod\":0,\"CpuQuota\":0,\"CpuRealtimePeriod\":0,"
  "\"CpuRealtimeRuntime\":0,\"CpusetCpus\":\"\",\"CpusetMems\":\"\",\"Devices\":[],"
  "\"DeviceCgroupRules\":null,\"DeviceRequests\":null,\"MemoryReservation\":0,\"MemorySwap\":0,"
  "\"MemorySwappiness\":-1,\"OomKillDisable\":false,\"PidsLimit\":0,\"Ulimits\":[],\"CpuCount\":0,"
  "\"CpuPercent\":0,\"IOMaximumIOps\":0,\"IOMaximumBandwidth\":0,\"MaskedPaths\":null,"
  "\"ReadonlyPaths\":null},\"NetworkingConfig\":{\"EndpointsConfig\":{\"default\":{\"IPAMConfig\":"
  "null,\"Links\":null,\"Aliases\":null,\"MacAddress\":\"\",\"DriverOpts\":null,\"GwPriority\":0,"
  "\"NetworkID\":\"\",\"EndpointID\":\"\",\"Gateway\":\"\",\"IPAddress\":\"\",\"IPPrefixLen\":0,"
  "\"IPv6Gateway\":\"\",\"GlobalIPv6Address\":\"\",\"GlobalIPv6PrefixLen\":0,\"DNSNames\":null}}}}",
  "{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":true,\"AttachStdout\":true,"
  "\"AttachStderr\":true,\"Tty\":true,\"OpenStdin\":true,\"StdinOnce\":true,\"Env\":null,\"Cmd\":["
  "\"sh\",\"-c\",\"echo "
  "hi\"],\"Image\":\"busybox\",\"Volumes\":{},\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":"
  "null,\"Labels\":{},\"HostConfig\":{\"Binds\":null,\"ContainerIDFile\":\"\",\"LogConfig\":{"
  "\"Type\":\"\",\"Config\":{}},\"NetworkMode\":\"default\",\"PortBindings\":{},\"RestartPolicy\":{"
  "\"Name\":\"no\",\"MaximumRetryCount\":0},\"AutoRemove\":false,\"VolumeDriver\":\"\","
  "\"VolumesFrom\":null,\"ConsoleSize\":[0,0],\"CapAdd\":null,\"CapDrop\":null,\"CgroupnsMode\":"
  "\"\",\"Dns\":[],\"DnsOptions\":[],\"DnsSearch\":[],\"ExtraHosts\":null,\"GroupAdd\":null,"
  "\"IpcMode\":\"\",\"Cgroup\":\"\",\"Links\":null,\"OomScoreAdj\":0,\"PidMode\":\"\","
  "\"Privileged\":false,\"PublishAllPorts\":false,\"ReadonlyRootfs\":false,\"SecurityOpt\":null,"
  "\"UTSMode\":\"\",\"UsernsMode\":\"\",\"ShmSize\":0,\"Isolation\":\"\",\"CpuShares\":0,"
  "\"Memory\":0,\"NanoCpus\":0,\"CgroupParent\":\"\",\"BlkioWeight\":0,\"BlkioWeightDevice\":[],"
  "\"BlkioDeviceReadBps\":[],\"BlkioDeviceWriteBps\":[],\"BlkioDeviceReadIOps\":[],"
  "\"BlkioDeviceWriteIOps\":[],\"CpuPeriod\":0,\"CpuQuota\":0,\"CpuRealtimePeriod\":0,"
  "\"CpuRealtimeRuntime\":0,\"CpusetCpus\":\"\",\"CpusetMems\":\"\",\"Devices\":[],"
  "\"DeviceCgroupRules\":null,\"DeviceRequests\":null,\"MemoryReservation\":0,\"MemorySwap\":0,"
  "\"MemorySwappiness\":-1,\"OomKillDisable\":false,\"PidsLimit\":0,\"Ulimits\":[],\"CpuCount\":0,"
  "\"CpuPercent\":0,\"IOMaximumIOps\":0,\"IOMaximumBandwidth\":0,\"MaskedPaths\":null,"
  "\"ReadonlyPaths\":null},\"NetworkingConfig\":{\"EndpointsConfig\":{\"default\":{\"IPAMConfig\":"
  "null,\"Links\":null,\"Aliases\":null,\"MacAddress\":\"\",\"DriverOpts\":null,\"GwPriority\":0,"
  "\"NetworkID\":\"\",\"EndpointID\":\"\",\"Gateway\":\"\",\"IPAddress\":\"\",\"IPPrefixLen\":0,"
  "\"IPv6Gateway\":\"\",\"GlobalIPv6Address\":\"\",\"GlobalIPv6PrefixLen\":0,\"DNSNames\":null}}}}",
  "{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":"
  "true,\"AttachStderr\":true,\"ExposedPorts\":{\"3000/tcp\":{},\"3001/tcp\":{},\"5000/"
  "tcp\":{},\"53/udp\":{},\"7000/tcp\":{},\"7001/tcp\":{},\"80/"
  "tcp\":{}},\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":null,"
  "\"Image\":\"busybox\",\"Volumes\":{},\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,"
  "\"Labels\":{},\"HostConfig\":{\"Binds\":null,\"ContainerIDFile\":\"\",\"LogConfig\":{\"Type\":"
  "\"\",\"Config\":{}},\"NetworkMode\":\"default\",\"PortBindings\":{\"5000/"
  "tcp\":[{\"HostIp\":\"\",\"HostPort\":\"\"}],\"53/"
  "udp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"53\"}],\"7000/"
  "tcp\":[{\"HostIp\":\"\",\"HostPort\":\"9000\"}],\"7001/"
  "tcp\":[{\"HostIp\":\"\",\"HostPort\":\"9001\"}],\"80/"
  "tcp\":[{\"HostIp\":\"\",\"HostPort\":\"8080\"}]},\"RestartPolicy\":{\"Name\":\"no\","
  "\"MaximumRetryCount\":0},\"AutoRemove\":false,\"VolumeDriver\":\"\",\"VolumesFrom\":null,"
  "\"ConsoleSize\":[0,0],\"CapAdd\":null,\"CapDrop\":null,\"CgroupnsMode\":\"\",\"Dns\":[],"
  "\"DnsOptions\":[],\"DnsSearch\":[],\"ExtraHosts\":null,\"GroupAdd\":null,\"IpcMode\":\"\","
  "\"Cgroup\":\"\",\"Links\":null,\"OomScoreAdj\":0,\"PidMode\":\"\",\"Privileged\":false,"
  "\"PublishAllPorts\":true,\"ReadonlyRootfs\":false,\"SecurityOpt\":null,\"UTSMode\":\"\","
  "\"UsernsMode\":\"\",\"ShmSize\":0,\"Isolation\":\"\",\"CpuShares\":0,\"Memory\":0,\"NanoCpus\":"
  "0,\"CgroupParent\":\"\",\"BlkioWeight\":0,\"BlkioWeightDevice\":[],\"BlkioDeviceReadBps\":[],"
  "\"BlkioDeviceWriteBps\":[],\"BlkioDeviceReadIOps\":[],\"BlkioDeviceWriteIOps\":[],\"CpuPeriod\":"
  "0,\"CpuQuota\":0,\"CpuRealtimePeriod\":0,\"CpuRealtimeRuntime\":0,\"CpusetCpus\":\"\","
  "\"CpusetMems\":\"\",\"Devices\":[],\"DeviceCgroupRules\":null,\"DeviceRequests\":null,"
  "\"MemoryReservation\":0,\"MemorySwap\":0,\"MemorySwappiness\":-1,\"OomKillDisable\":false,"
  "\"PidsLimit\":0,\"Ulimits\":[],\"CpuCount\":0,\"CpuPercent\":0,\"IOMaximumIOps\":0,"
  "\"IOMaximumBandwidth\":0,\"MaskedPaths\":null,\"ReadonlyPaths\":null},\"NetworkingConfig\":{"
  "\"EndpointsConfig\":{\"default\":{\"IPAMConfig\":null,\"Links\":null,\"Aliases\":null,"
  "\"MacAddress\":\"\",\"DriverOpts\":null,\"GwPriority\":0,\"NetworkID\":\"\",\"EndpointID\":\"\","
  "\"Gateway\":\"\",\"IPAddress\":\"\",\"IPPrefixLen\":0,\"IPv6Gateway\":\"\","
  "\"GlobalIPv6Address\":\"\",\"GlobalIPv6PrefixLen\":0,\"DNSNames\":null}}}}",
  "{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":"
  "true,\"AttachStderr\":true,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,"
  "\"Cmd\":null,\"Image\":\"busybox\",\"Volumes\":{},\"WorkingDir\":\"\",\"Entrypoint\":null,"
  "\"OnBuild\":null,\"Labels\":{},\"HostConfig\":{\"Binds\":null,\"ContainerIDFile\":\"\","
  "\"LogConfig\":{\"Type\":\"\",\"Config\":{}},\"NetworkMode\":\"default\",\"PortBindings\":{},"
  "\"RestartPolicy\":{\"Name\":\"no\",\"MaximumRetryCount\":0},\"AutoRemove\":false,"
  "\"VolumeDriver\":\"\",\"VolumesFrom\":null,\"ConsoleSize\":[0,0],\"CapAdd\":null,\"CapDrop\":"
  "null,\"CgroupnsMode\":\"\",\"Dns\":[],\"DnsOptions\":[],\"DnsSearch\":[],\"ExtraHosts\":null,"
  "\"GroupAdd\":null,\"IpcMode\":\"\",\"Cgroup\":\"\",\"Links\":null,\"OomScoreAdj\":0,\"PidMode\":"
  "\"\",\"Privileged\":false,\"PublishAllPorts\":false,\"ReadonlyRootfs\":false,\"SecurityOpt\":"
  "null,\"UTSMode\":\"\",\"UsernsMode\":\"\",\"ShmSize\":0,\"Isolation\":\"\",\"CpuShares\":512,"
  "\"Memory\":67108864,\"NanoCpus\":1500000000,\"CgroupParent\":\"\",\"BlkioWeight\":300,"
  "\"BlkioWeightDevice\":[],\"BlkioDeviceReadBps\":[],\"BlkioDeviceWriteBps\":[],"
  "\"BlkioDeviceReadIOps\":[],\"BlkioDeviceWriteIOps\":[],\"CpuPeriod\":100000,\"CpuQuota\":50000,"
  "\"CpuRealtimePeriod\":0,\"CpuRealtimeRuntime\":0,\"CpusetCpus\":\"0-1\",\"CpusetMems\":\"0\","
  "\"Devices\":[],\"DeviceCgroupRules\":null,\"DeviceRequests\":null,\"MemoryReservation\":"
  "33554432,\"MemorySwap\":-1,\"MemorySwappiness\":-1,\"OomKillDisable\":false,\"PidsLimit\":100,"
  "\"Ulimits\":[{\"Name\":\"nofile\",\"Hard\":2048,\"Soft\":1024}],\"CpuCount\":0,\"CpuPercent\":0,"
  "\"IOMaximumIOps\":0,\"IOMaximumBandwidth\":0,\"MaskedPaths\":null,\"ReadonlyPaths\":null},"
  "\"NetworkingConfig\":{\"EndpointsConfig\":{\"default\":{\"IPAMConfig\":null,\"Links\":null,"
  "\"Aliases\":null,\"MacAddress\":\"\",\"DriverOpts\":null,\"GwPriority\":0,\"NetworkID\":\"\","
  "\"EndpointID\":\"\",\"Gateway\":\"\",\"IPAddress\":\"\",\"IPPrefixLen\":0,\"IPv6Gateway\":\"\","
  "\"GlobalIPv6Address\":\"\",\"GlobalIPv6PrefixLen\":0,\"DNSNames\":null}}}}",
  "{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":"
  "true,\"AttachStderr\":true,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,"
  "\"Cmd\":null,\"Image\":\"busybox\",\"Volumes\":{},\"WorkingDir\":\"\",\"Entrypoint\":null,"
  "\"OnBuild\":null,\"Labels\":{},\"HostConfig\":{\"Binds\":null,\"ContainerIDFile\":\"\","
  "\"LogConfig\":{\"Type\":\"\",\"Config\":{}},\"NetworkMode\":\"default\",\"PortBindings\":{},"
  "\"RestartPolicy\":{\"Name\":\"on-failure\",\"MaximumRetryCount\":3},\"AutoRemove\":false,"
  "\"VolumeDriver\":\"\",\"VolumesFrom\":null,\"ConsoleSize\":[0,0],\"CapAdd\":[\"CAP_NET_ADMIN\"],"
  "\"CapDrop\":[\"ALL\"],\"CgroupnsMode\":\"\",\"Dns\":[],\"DnsOptions\":[],\"DnsSearch\":[],"
  "\"ExtraHosts\":null,\"GroupAdd\":null,\"IpcMode\":\"\",\"Cgroup\":\"\",\"Links\":null,"
  "\"OomScoreAdj\":0,\"PidMode\":\"\",\"Privileged\":true,\"PublishAllPorts\":false,"
  "\"ReadonlyRootfs\":true,\"SecurityOpt\":[\"no-new-privileges\"],\"UTSMode\":\"\",\"UsernsMode\":"
  "\"\",\"ShmSize\":134217728,\"Sysctls\":{\"net.ipv4.ip_forward\":\"1\"},\"Isolation\":\"\","
  "\"CpuShares\":0,\"Memory\":0,\"NanoCpus\":0,\"CgroupParent\":\"\",\"BlkioWeight\":0,"
  "\"BlkioWeightDevice\":[],\"BlkioDeviceReadBps\":[],\"BlkioDeviceWriteBps\":[],"
  "\"BlkioDeviceReadIOps\":[],\"BlkioDeviceWriteIOps\":[],\"CpuPeriod\":0,\"CpuQuota\":0,"
  "\"CpuRealtimePeriod\":0,\"CpuRealtimeRuntime\":0,\"CpusetCpus\":\"\",\"CpusetMems\":\"\","
  "\"Devices\":[{\"PathOnHost\":\"/dev/null\",\"PathInContainer\":\"/dev/"
  "xnull\",\"CgroupPermissions\":\"rw\"},{\"PathOnHost\":\"/dev/zero\",\"PathInContainer\":\"/dev/"
  "zero\",\"CgroupPermissions\":\"rwm\"}],\"DeviceCgroupRules\":null,\"DeviceRequests\":null,"
  "\"MemoryReservation\":0,\"MemorySwap\":0,\"MemorySwappiness\":-1,\"OomKillDisable\":true,"
  "\"PidsLimit\":0,\"Ulimits\":[],\"CpuCount\":0,\"CpuPercent\":0,\"IOMaximumIOps\":0,"
  "\"IOMaximumBandwidth\":0,\"MaskedPaths\":null,\"ReadonlyPaths\":null,\"Init\":true},"
  "\"NetworkingConfig\":{\"EndpointsConfig\":{\"default\":{\"IPAMConfig\":null,\"Links\":null,"
  "\"Aliases\":null,\"MacAddress\":\"\",\"DriverOpts\":null,\"GwPriority\":0,\"NetworkID\":\"\","
  "\"EndpointID\":\"\",\"Gateway\":\"\",\"IPAddress\":\"\",\"IPPrefixLen\":0,\"IPv6Gateway\":\"\","
  "\"GlobalIPv6Address\":\"\",\"GlobalIPv6PrefixLen\":0,\"DNSNames\":null}}}}",
  "{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":"
  "true,\"AttachStderr\":true,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,"
  "\"Cmd\":null,\"Healthcheck\":{\"Test\":[\"CMD-SHELL\",\"curl "
  "x\"],\"Interval\":5000000000,\"Retries\":3},\"Image\":\"busybox\",\"Volumes\":{},\"WorkingDir\":"
  "\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":{},\"StopSignal\":\"SIGKILL\","
  "\"StopTimeout\":5,\"HostConfig\":{\"Binds\":null,\"ContainerIDFile\":\"\",\"LogConfig\":{"
  "\"Type\":\"\",\"Config\":{}},\"NetworkMode\":\"host\",\"PortBindings\":{},\"RestartPolicy\":{"
  "\"Name\":\"no\",\"MaximumRetryCount\":0},\"AutoRemove\":true,\"VolumeDriver\":\"\","
  "\"VolumesFrom\":null,\"ConsoleSize\":[0,0],\"CapAdd\":null,\"CapDrop\":null,\"CgroupnsMode\":"
  "\"\",\"Dns\":[\"1.1.1.1\"],\"DnsOptions\":[\"ndots:2\"],\"DnsSearch\":[\"x.com\"],"
  "\"ExtraHosts\":[\"a:1.2.3.4\",\"b:::1\"],\"GroupAdd\":null,\"IpcMode\":\"\",\"Cgroup\":\"\","
  "\"Links\":null,\"OomScoreAdj\":0,\"PidMode\":\"\",\"Privileged\":false,\"PublishAllPorts\":"
  "false,\"ReadonlyRootfs\":false,\"SecurityOpt\":null,\"UTSMode\":\"\",\"UsernsMode\":\"\","
  "\"ShmSize\":0,\"Isolation\":\"\",\"CpuShares\":0,\"Memory\":0,\"NanoCpus\":0,\"CgroupParent\":"
  "\"\",\"BlkioWeight\":0,\"BlkioWeightDevice\":[],\"BlkioDeviceReadBps\":[],"
  "\"BlkioDeviceWriteBps\":[],\"BlkioDeviceReadIOps\":[],\"BlkioDeviceWriteIOps\":[],\"CpuPeriod\":"
  "0,\"CpuQuota\":0,\"CpuRealtimePeriod\":0,\"CpuRealtimeRuntime\":0,\"CpusetCpus\":\"\","
  "\"CpusetMems\":\"\",\"Devices\":[],\"DeviceCgroupRules\":null,\"DeviceRequests\":null,"
  "\"MemoryReservation\":0,\"MemorySwap\":0,\"MemorySwappiness\":-1,\"OomKillDisable\":false,"
  "\"PidsLimit\":0,\"Ulimits\":[],\"CpuCount\":0,\"CpuPercent\":0,\"IOMaximumIOps\":0,"
  "\"IOMaximumBandwidth\":0,\"MaskedPaths\":null,\"ReadonlyPaths\":null},\"NetworkingConfig\":{"
  "\"EndpointsConfig\":{}}}",
  "{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":"
  "true,\"AttachStderr\":true,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":[\"A="
  "1\"],\"Cmd\":null,\"Image\":\"busybox\",\"Volumes\":{\"/"
  "anon\":{}},\"WorkingDir\":\"\",\"Entrypoint\":[\"\"],\"OnBuild\":null,\"Labels\":{\"a\":\"b\"},"
  "\"HostConfig\":{\"Binds\":[\"/tmp:/"
  "data:ro\"],\"ContainerIDFile\":\"\",\"LogConfig\":{\"Type\":\"json-file\",\"Config\":{\"max-"
  "size\":\"10m\"}},\"NetworkMode\":\"mynet\",\"PortBindings\":{},\"RestartPolicy\":{\"Name\":"
  "\"no\",\"MaximumRetryCount\":0},\"AutoRemove\":false,\"VolumeDriver\":\"\",\"VolumesFrom\":null,"
  "\"ConsoleSize\":[0,0],\"CapAdd\":null,\"CapDrop\":null,\"CgroupnsMode\":\"\",\"Dns\":[],"
  "\"DnsOptions\":[],\"DnsSearch\":[],\"ExtraHosts\":null,\"GroupAdd\":null,\"IpcMode\":\"\","
  "\"Cgroup\":\"\",\"Links\":[\"foo:bar\"],\"OomScoreAdj\":0,\"PidMode\":\"\",\"Privileged\":false,"
  "\"PublishAllPorts\":false,\"ReadonlyRootfs\":false,\"SecurityOpt\":null,\"Tmpfs\":{\"/"
  "run\":\"rw,size=64m\"},\"UTSMode\":\"\",\"UsernsMode\":\"\",\"ShmSize\":0,\"Isolation\":\"\","
  "\"CpuShares\":0,\"Memory\":0,\"NanoCpus\":0,\"CgroupParent\":\"\",\"BlkioWeight\":0,"
  "\"BlkioWeightDevice\":[],\"BlkioDeviceReadBps\":[],\"BlkioDeviceWriteBps\":[],"
  "\"BlkioDeviceReadIOps\":[],\"BlkioDeviceWriteIOps\":[],\"CpuPeriod\":0,\"CpuQuota\":0,"
  "\"CpuRealtimePeriod\":0,\"CpuRealtimeRuntime\":0,\"CpusetCpus\":\"\",\"CpusetMems\":\"\","
  "\"Devices\":[],\"DeviceCgroupRules\":null,\"DeviceRequests\":null,\"MemoryReservation\":0,"
  "\"MemorySwap\":0,\"MemorySwappiness\":-1,\"OomKillDisable\":false,\"PidsLimit\":0,\"Ulimits\":[]"
  ",\"CpuCount\":0,\"CpuPercent\":0,\"IOMaximumIOps\":0,\"IOMaximumBandwidth\":0,\"Mounts\":[{"
  "\"Type\":\"tmpfs\",\"Target\":\"/"
  "t\",\"TmpfsOptions\":{\"SizeBytes\":1048576,\"Mode\":1016}}],\"MaskedPaths\":null,"
  "\"ReadonlyPaths\":null},\"NetworkingConfig\":{\"EndpointsConfig\":{\"mynet\":{\"IPAMConfig\":{"
  "\"IPv4Address\":\"10.0.0.5\"},\"Links\":[\"foo:bar\"],\"Aliases\":[\"x\"],\"MacAddress\":\"\","
  "\"DriverOpts\":null,\"GwPriority\":0,\"NetworkID\":\"\",\"EndpointID\":\"\",\"Gateway\":\"\","
  "\"IPAddress\":\"\",\"IPPrefixLen\":0,\"IPv6Gateway\":\"\",\"GlobalIPv6Address\":\"\","
  "\"GlobalIPv6PrefixLen\":0,\"DNSNames\":null}}}}"
};

static void
check (const struct cli_run_opts *o, char *const *cmd, size_t i)
{
  berth_error_t err = NULL;
  json_object *got = cli_run_opts_to_create (o, "busybox", cmd, &err);
  if (got == NULL)
    fail_msg ("case %zu: %s", i, err->msg);
  json_object *want = json_tokener_parse (expected[i]);
  assert_non_null (want);
  if (!json_object_equal (got, want))
    fail_msg ("case %zu:\n got  %s\n want %s", i, bjson_to_string (got), expected[i]);
  json_object_put (got);
  json_object_put (want);
}

static void
test_bodies (void **state)
{
  (void) state;
  struct cli_run_opts o[8];
  memset (o, 0, sizeof o);
  o[1].detach = true;
  o[2].interactive = o[2].tty = true;
  o[3].publish = V ("8080:80", "127.0.0.1:53:53/udp", "9000-9001:7000-7001", "5000");
  o[3].expose = V ("3000-3001/tcp");
  o[3].publish_all = true;
  o[4] = (struct cli_run_opts){ .memory = "64m",
                                .memory_swap = "-1",
                                .memory_reservation = "32m",
                                .cpus = "1.5",
                                .cpu_shares = "512",
                                .cpu_period = "100000",
                                .cpu_quota = "50000",
                                .cpuset_cpus = "0-1",
                                .cpuset_mems = "0",
                                .pids_limit = "100",
                                .blkio_weight = "300",
                                .ulimit = V ("nofile=1024:2048") };
  o[5] = (struct cli_run_opts){ .restart = "on-failure:3",
                                .init = true,
                                .init_set = true,
                                .privileged = true,
                                .cap_add = V ("net_admin"),
                                .cap_drop = V ("ALL"),
                                .device = V ("/dev/null:/dev/xnull:rw", "/dev/zero"),
                                .read_only = true,
                                .shm_size = "128m",
                                .security_opt = V ("no-new-privileges"),
                                .sysctl = V ("net.ipv4.ip_forward=1"),
                                .oom_kill_disable = true };
  o[6] = (struct cli_run_opts){ .rm = true,
                                .network = V ("host"),
                                .dns = V ("1.1.1.1"),
                                .dns_search = V ("x.com"),
                                .dns_option = V ("ndots:2"),
                                .add_host = V ("a:1.2.3.4", "b=::1"),
                                .stop_signal = "SIGKILL",
                                .stop_timeout = "5",
                                .health_cmd = "curl x",
                                .health_interval = "5s",
                                .health_retries = "3" };
  o[7] = (struct cli_run_opts){ .network = V ("mynet"),
                                .network_alias = V ("x"),
                                .ip = "10.0.0.5",
                                .link = V ("foo:bar"),
                                .volume = V ("/tmp:/data:ro", "/anon"),
                                .mount = V ("type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=1770"),
                                .tmpfs = V ("/run:rw,size=64m"),
                                .entrypoint = "",
                                .env = V ("A=1"),
                                .label = V ("a=b"),
                                .log_driver = "json-file",
                                .log_opt = V ("max-size=10m") };
  for (size_t i = 0; i < 8; i++)
    check (&o[i], i == 2 ? V ("sh", "-c", "echo hi") : NULL, i);
}

struct err_case
{
  struct cli_run_opts o;
  const char *msg;
};

static void
test_errors (void **state)
{
  (void) state;
  const struct err_case cases[] = {
    { { .publish = V ("99999") }, "invalid containerPort: 99999" },
    { { .publish = V ("80:99999") }, "invalid containerPort: 99999" },
    { { .publish = V ("abc") }, "invalid containerPort: abc" },
    { { .publish = V ("1.2.3:80:80") }, "invalid IP address: 1.2.3" },
    { { .expose = V ("1:2") }, "invalid port format for --expose: 1:2" },
    { { .restart = "on-failure:x" },
      "invalid restart policy format: maximum retry count must be an integer" },
    { { .rm = true, .restart = "always" },
      "conflicting options: cannot specify both --restart and --rm" },
    { { .memory = "64x" },
      "invalid argument \"64x\" for \"-m, --memory\" flag: invalid suffix: 'x'" },
    { { .cpus = "abc" },
      "invalid argument \"abc\" for \"--cpus\" flag: failed to parse abc as a rational number" },
    { { .ulimit = V ("nofile") },
      "invalid argument \"nofile\" for \"--ulimit\" flag: invalid ulimit argument: nofile" },
    { { .ulimit = V ("nofile=2:1") },
      "invalid argument \"nofile=2:1\" for \"--ulimit\" flag: ulimit soft limit must be less than "
      "or equal to hard limit: 2 > 1" },
    { { .ulimit = V ("foo=1") },
      "invalid argument \"foo=1\" for \"--ulimit\" flag: invalid ulimit type: foo" },
    { { .env = V ("") },
      "invalid argument \"\" for \"-e, --env\" flag: invalid environment variable: " },
    { { .add_host = V ("bad") },
      "invalid argument \"bad\" for \"--add-host\" flag: bad format for add-host: \"bad\"" },
    { { .add_host = V ("a:notip") },
      "invalid argument \"a:notip\" for \"--add-host\" flag: invalid IP address in add-host: "
      "\"notip\"" },
    { { .mount = V ("type=bind") },
      "invalid argument \"type=bind\" for \"--mount\" flag: target is required" },
    { { .mount = V ("bogus") },
      "invalid argument \"bogus\" for \"--mount\" flag: invalid field 'bogus' must be a key=value "
      "pair" },
    { { .no_healthcheck = true, .health_cmd = "x" },
      "--no-healthcheck conflicts with --health-* options" },
    { { .health_interval = "-1s" }, "--health-interval cannot be negative" },
    { { .env_file = V ("/nonexistent") }, "open /nonexistent: no such file or directory" },
    { { .label_file = V ("/nonexistent") }, "open /nonexistent: no such file or directory" },
    { { .device = V ("/dev/null:rel") }, "rel is not an absolute path" },
    { { .pid = "bad" }, "--pid: invalid PID mode" },
    { { .uts = "bad" }, "--uts: invalid UTS mode" },
    { { .cgroupns = "bad" }, "--cgroupns: invalid CGROUP mode" },
    { { .mac_address = "bad" }, "bad is not a valid mac address" },
    { { .attach = V ("bogus") },
      "invalid argument \"bogus\" for \"-a, --attach\" flag: valid streams are STDIN, STDOUT and "
      "STDERR" },
    { { .security_opt = V ("seccomp=/nonexistent") },
      "opening seccomp profile (/nonexistent) failed: open /nonexistent: no such file or "
      "directory" },
    { { .sysctl = V ("foo") },
      "invalid argument \"foo\" for \"--sysctl\" flag: sysctl 'foo' is not allowed" },
    { { .shm_size = "x" }, "invalid argument \"x\" for \"--shm-size\" flag: invalid size: 'x'" },
    { { .stop_timeout = "x" },
      "invalid argument \"x\" for \"--stop-timeout\" flag: strconv.ParseInt: parsing \"x\": "
      "invalid syntax" },
    { { .cpu_shares = "x" },
      "invalid argument \"x\" for \"-c, --cpu-shares\" flag: strconv.ParseInt: parsing \"x\": "
      "invalid syntax" },
    { { .dns = V ("bad") },
      "invalid argument \"bad\" for \"--dns\" flag: IP address is not correctly formatted: bad" },
    { { .network = V ("host"), .network_alias = V ("x") },
      "network-scoped aliases are only supported for user-defined networks" },
    { { .network_alias = V ("x") },
      "network-scoped aliases are only supported for user-defined networks" },
    { { .memory_swappiness = "200" },
      "invalid value: 200. Valid memory swappiness range is 0-100" },
    { { .volume = V ("") }, "invalid empty volume spec" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    {
      berth_error_t err = NULL;
      json_object *got = cli_run_opts_to_create (&cases[i].o, "busybox", NULL, &err);
      if (got)
        fail_msg ("case %zu: no error, want %s", i, cases[i].msg);
      assert_string_equal (err->msg, cases[i].msg);
      berth_error_release (&err);
    }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_bodies),
    cmocka_unit_test (test_errors),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
