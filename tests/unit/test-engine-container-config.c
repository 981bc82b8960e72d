/* Unit tests: src/engine/container-config.c (ContainerCreate bodies with
   dockerd's decoder messages and create-time checks).  */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"
#include "engine/container-config.h"

static struct engine_create_request *
parse (const char *text, berth_error_t *err)
{
  return engine_create_request_parse (text, strlen (text), err);
}

/* The message of a body that must fail, with status EINVAL.  */
static void
expect_error (const char *text, const char *msg)
{
  berth_error_t err = NULL;
  struct engine_create_request *r = parse (text, &err);
  assert_null (r);
  assert_non_null (err);
  assert_int_equal (err->status, EINVAL);
  assert_string_equal (err->msg, msg);
  berth_error_release (&err);
}

static void
test_full_body (void **state)
{
  berth_error_t err = NULL;
  const char *body
      = "{\"Hostname\":\"h1\",\"User\":\"1000:1000\",\"Tty\":true,\"OpenStdin\":true,"
        "\"Env\":[\"A=1\",\"B=2\"],\"Cmd\":[\"sh\",\"-c\",\"true\"],\"Image\":\"busybox\","
        "\"Entrypoint\":null,\"ExposedPorts\":{\"80/tcp\":{}},\"Labels\":{\"a\":\"b\"},"
        "\"StopSignal\":\"SIGINT\",\"StopTimeout\":5,\"Volumes\":{\"/data\":{}},"
        "\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"],\"Interval\":1000000000,\"Retries\":3},"
        "\"HostConfig\":{\"Binds\":[\"/a:/b:ro\"],\"NetworkMode\":\"none\",\"Memory\":67108864,"
        "\"NanoCpus\":1500000000,\"PidsLimit\":-1,\"OomKillDisable\":false,"
        "\"CapAdd\":\"NET_ADMIN\",\"CapDrop\":[\"chown\"],\"Privileged\":false,"
        "\"RestartPolicy\":{\"Name\":\"on-failure\",\"MaximumRetryCount\":3},"
        "\"PortBindings\":{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"8080\"}]},"
        "\"Ulimits\":[{\"Name\":\"nofile\",\"Soft\":1024,\"Hard\":2048}],"
        "\"Devices\":[{\"PathOnHost\":\"/dev/null\",\"PathInContainer\":\"/dev/xnull\","
        "\"CgroupPermissions\":\"rwm\"}],\"Tmpfs\":{\"/run\":\"size=1m\"},"
        "\"Mounts\":[{\"Type\":\"tmpfs\",\"Target\":\"/"
        "t\",\"TmpfsOptions\":{\"SizeBytes\":1048576}}],"
        "\"BlkioWeight\":500,\"Init\":true,\"Sysctls\":{\"net.ipv4.ip_forward\":\"1\"},"
        "\"MaskedPaths\":[],\"SecurityOpt\":[\"no-new-privileges\"]},"
        "\"NetworkingConfig\":{\"EndpointsConfig\":{}}}";
  struct engine_create_request *r = parse (body, &err);
  (void) state;
  assert_null (err);
  assert_non_null (r);
  assert_string_equal (r->config.hostname, "h1");
  assert_true (r->config.tty);
  assert_int_equal (strv_len (r->config.env), 2);
  assert_string_equal (r->config.cmd[2], "true");
  assert_null (r->config.entrypoint);
  assert_string_equal (r->config.exposed_ports[0], "80/tcp");
  assert_true (r->config.has_stop_timeout);
  assert_int_equal (r->config.stop_timeout, 5);
  assert_int_equal (r->config.healthcheck->retries, 3);
  assert_string_equal (r->host.binds[0], "/a:/b:ro");
  assert_int_equal (r->host.memory, 67108864);
  assert_int_equal (r->host.nano_cpus, 1500000000);
  assert_true (r->host.has_pids_limit);
  assert_int_equal (r->host.pids_limit, -1);
  assert_true (r->host.has_oom_kill_disable);
  assert_string_equal (r->host.cap_add[0], "NET_ADMIN"); /* StrSlice from a string */
  assert_string_equal (r->host.cap_drop[0], "chown");
  assert_string_equal (r->host.restart_policy_name, "on-failure");
  assert_int_equal (r->host.restart_max_retry, 3);
  assert_int_equal (r->host.n_port_bindings, 1);
  assert_string_equal (r->host.port_bindings[0].bindings[0].host_port, "8080");
  assert_int_equal (r->host.n_ulimits, 1);
  assert_int_equal (r->host.ulimits[0].hard, 2048);
  assert_string_equal (r->host.devices[0].path_in_container, "/dev/xnull");
  assert_string_equal (r->host.tmpfs_keys[0], "/run");
  assert_int_equal (r->host.n_mounts, 1);
  assert_int_equal (r->host.mounts[0].tmpfs_size, 1048576);
  assert_int_equal (r->host.blkio_weight, 500);
  assert_true (r->host.has_init && r->host.init);
  assert_non_null (r->host.masked_paths);
  assert_null (r->host.masked_paths[0]); /* [] is not absent */
  assert_null (r->host.readonly_paths);
  assert_non_null (r->networking_config);
  engine_create_request_free (r);
}

static void
test_case_insensitive_and_empty (void **state)
{
  berth_error_t err = NULL;
  struct engine_create_request *r
      = parse ("{\"cmd\":\"echo hi\",\"entrypoint\":[],\"hostconfig\":{\"memory\":7000000}}", &err);
  (void) state;
  assert_non_null (r);
  assert_string_equal (r->config.cmd[0], "echo hi");
  assert_non_null (r->config.entrypoint);
  assert_null (r->config.entrypoint[0]);
  assert_int_equal (r->host.memory, 7000000);
  engine_create_request_free (r);
  r = parse ("{}", &err);
  assert_non_null (r);
  assert_null (r->config.cmd);
  engine_create_request_free (r);
}

static void
test_type_errors (void **state)
{
  (void) state;
  expect_error ("{\"HostConfig\":{\"Memory\":\"1g\"}}",
                "json: cannot unmarshal string into Go struct field HostConfig.HostConfig.Memory "
                "of type int64");
  expect_error ("{\"HostConfig\":{\"Memory\":1.5}}",
                "json: cannot unmarshal number 1.5 into Go struct field "
                "HostConfig.HostConfig.Memory of type int64");
  expect_error ("{\"HostConfig\":{\"BlkioWeight\":70000}}",
                "json: cannot unmarshal number 70000 into Go struct field "
                "HostConfig.HostConfig.BlkioWeight of type uint16");
  expect_error ("{\"Env\":\"A=1\"}",
                "json: cannot unmarshal string into Go struct field CreateRequest.Env of type "
                "[]string");
  expect_error ("{\"Env\":[1]}",
                "json: cannot unmarshal number into Go struct field CreateRequest.Env of type "
                "string");
  expect_error ("{\"Cmd\":[1]}",
                "json: cannot unmarshal array into Go struct field CreateRequest.Cmd of type "
                "string");
  expect_error (
      "{\"Tty\":\"yes\"}",
      "json: cannot unmarshal string into Go struct field CreateRequest.Tty of type bool");
  expect_error ("{\"HostConfig\":{\"RestartPolicy\":{\"MaximumRetryCount\":\"3\"}}}",
                "json: cannot unmarshal string into Go struct field "
                "RestartPolicy.HostConfig.RestartPolicy.MaximumRetryCount of type int");
  expect_error ("{\"HostConfig\":{\"Ulimits\":[{\"Name\":\"nofile\",\"Soft\":\"x\"}]}}",
                "json: cannot unmarshal string into Go struct field "
                "Ulimit.HostConfig.Ulimits.Soft of type int64");
  expect_error ("{\"HostConfig\":[]}",
                "json: cannot unmarshal array into Go struct field CreateRequest.HostConfig of "
                "type container.HostConfig");
  expect_error ("{\"Labels\":{\"a\":1}}",
                "json: cannot unmarshal number into Go struct field CreateRequest.Labels of "
                "type string");
  expect_error ("[]", "json: cannot unmarshal array into Go value of type container.CreateRequest");
}

static void
test_adapt_and_validate (void **state)
{
  berth_error_t err = NULL;
  struct
  {
    const char *body, *msg;
  } cases[] = {
    { "{\"HostConfig\":{\"Memory\":1000}}", "Minimum memory limit allowed is 6MB" },
    { "{\"HostConfig\":{\"NanoCpus\":1000000000,\"CpuPeriod\":100000}}",
      "Conflicting options: Nano CPUs and CPU Period cannot both be set" },
    { "{\"HostConfig\":{\"NanoCpus\":1000000000,\"CpuQuota\":100000}}",
      "Conflicting options: Nano CPUs and CPU Quota cannot both be set" },
    { "{\"HostConfig\":{\"NanoCpus\":9000000000}}",
      "Range of CPUs is from 0.01 to 4.00, as specified by the number of CPUs available in the "
      "system" },
    { "{\"HostConfig\":{\"BlkioWeight\":5}}", "Range of blkio weight is from 10 to 1000" },
    { "{\"HostConfig\":{\"OomScoreAdj\":2000}}",
      "Invalid value 2000, range for oom score adj is [-1000, 1000]" },
    { "{\"HostConfig\":{\"MemorySwap\":100000000}}",
      "You should always set the Memory limit when using Memoryswap limit, see usage" },
    { "{\"HostConfig\":{\"AutoRemove\":true,\"RestartPolicy\":{\"Name\":\"always\"}}}",
      "can't create 'AutoRemove' container with restart policy" },
    { "{\"HostConfig\":{\"RestartPolicy\":{\"Name\":\"sometimes\"}}}",
      "invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', "
      "'on-failure', or 'unless-stopped'" },
  };
  (void) state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      struct engine_create_request *r = parse (cases[i].body, &err);
      assert_non_null (r);
      engine_host_config_adapt (&r->host);
      assert_true (engine_host_config_validate (&r->host, 4, &err) < 0);
      assert_int_equal (err->status, EINVAL);
      assert_string_equal (err->msg, cases[i].msg);
      berth_error_release (&err);
      engine_create_request_free (r);
    }
  {
    struct engine_create_request *r = parse ("{\"HostConfig\":{\"Memory\":104857600}}", &err);
    engine_host_config_adapt (&r->host);
    assert_int_equal (r->host.memory_swap, 209715200);
    assert_int_equal (r->host.shm_size, 67108864);
    assert_int_equal (engine_host_config_validate (&r->host, 4, &err), 0);
    engine_create_request_free (r);
  }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_full_body),
    cmocka_unit_test (test_case_insensitive_and_empty),
    cmocka_unit_test (test_type_errors),
    cmocka_unit_test (test_adapt_and_validate),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
