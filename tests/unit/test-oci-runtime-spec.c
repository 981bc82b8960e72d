/* Unit tests: src/oci/runtime-spec*.c, the config.json parser.  */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/base.h"
#include "oci/oci.h"

/* JSON written with single quotes for readability: 'a' -> "a".  */
static char *
q (const char *s)
{
  char *r = xstrdup (s);
  for (char *p = r; *p; p++)
    if (*p == '\'')
      *p = '"';
  return r;
}

static struct oci_config *
parse_q (const char *s, berth_error_t *err)
{
  cleanup_free char *j = q (s);
  return oci_config_parse (j, strlen (j), "config.json", err);
}

static void
ok (const char *s)
{
  berth_error_t err = NULL;
  struct oci_config *c = parse_q (s, &err);
  if (c == NULL)
    fail_msg ("unexpected error: %s\nfor %s", err->msg, s);
  assert_null (err);
  oci_config_free (c);
}

static void
fails (const char *s, const char *msg)
{
  berth_error_t err = NULL;
  struct oci_config *c = parse_q (s, &err);
  if (c != NULL)
    {
      oci_config_free (c);
      fail_msg ("parsed but should fail with `%s`:\n%s", msg, s);
    }
  assert_non_null (err);
  assert_int_equal (err->status, EINVAL);
  if (strcmp (err->msg, msg) != 0)
    fail_msg ("got      `%s`\nexpected `%s`", err->msg, msg);
  berth_error_release (&err);
}

#define V "'ociVersion':'1.2.0'"
#define PROC "'process':{'args':['sh'],'cwd':'/'}"

static char *
read_source_file (const char *rel, size_t *len)
{
  const char *root = getenv ("BERTH_SOURCE_ROOT");
  cleanup_free char *path = xasprintf ("%s/%s", root ? root : ".", rel);
  berth_error_t err = NULL;
  char *t = fs_read_file (path, len, &err);
  if (t == NULL)
    fail_msg ("%s", err->msg);
  return t;
}

/* ---- valid documents ---- */

static void
test_spec_example (void **state)
{
  (void) state;
  size_t len;
  berth_error_t err = NULL;
  cleanup_free char *text = read_source_file ("tests/fuzz/corpus/config/spec-example.json", &len);
  struct oci_config *c = oci_config_parse (text, len, "config.json", &err);

  if (c == NULL)
    fail_msg ("%s", err->msg);
  assert_string_equal (c->oci_version, "1.0.1");
  assert_true (c->process->terminal);
  assert_int_equal (c->process->user.uid, 1);
  assert_int_equal (c->process->user.n_additional_gids, 2);
  assert_int_equal (c->process->user.additional_gids[1], 6);
  assert_string_equal (c->process->args[0], "sh");
  assert_string_equal (c->process->cwd, "/");
  assert_int_equal (c->process->n_rlimits, 2);
  assert_string_equal (c->process->rlimits[1].type, "RLIMIT_NOFILE");
  assert_non_null (c->process->capabilities->bounding);
  assert_true (c->process->has_io_priority);
  assert_string_equal (c->process->io_priority_class, "IOPRIO_CLASS_IDLE");
  assert_int_equal (c->process->io_priority, 4);
  assert_true (c->process->has_oom_score_adj);
  assert_string_equal (c->root->path, "rootfs");
  assert_true (c->root->readonly);
  assert_string_equal (c->hostname, "slartibartfast");
  assert_true (c->n_mounts >= 7);
  assert_string_equal (c->mounts[0].destination, "/proc");
  assert_int_equal (c->hooks->n_hooks[OCI_HOOK_PRESTART], 2);
  assert_null (c->hooks->hooks[OCI_HOOK_PRESTART][1].args);
  assert_int_equal (c->hooks->n_hooks[OCI_HOOK_POSTSTART], 1);
  assert_true (c->hooks->hooks[OCI_HOOK_POSTSTART][0].has_timeout);
  assert_int_equal (c->hooks->hooks[OCI_HOOK_POSTSTART][0].timeout, 5);
  assert_int_equal (c->hooks->n_hooks[OCI_HOOK_POSTSTOP], 1);
  assert_non_null (c->annotation_keys[0]);

  struct oci_linux *l = c->linux;
  assert_int_equal (l->n_devices, 2);
  assert_string_equal (l->devices[0].path, "/dev/fuse");
  assert_int_equal (l->devices[0].major, 10);
  assert_int_equal (l->devices[0].file_mode, 438);
  assert_int_equal (l->n_uid_mappings, 1);
  assert_int_equal (l->n_namespaces, 8);
  assert_int_equal (l->n_time_offsets, 2);
  assert_non_null (l->sysctl_keys[0]);
  assert_non_null (l->cgroups_path);
  assert_non_null (l->rootfs_propagation);
  assert_non_null (l->masked_paths[0]);
  assert_non_null (l->readonly_paths[0]);
  assert_non_null (l->mount_label);

  struct oci_resources *r = l->resources;
  assert_true (r->has_network);
  assert_int_equal (r->net_class_id, 1048577);
  assert_int_equal (r->pids->limit, 32771);
  assert_int_equal (r->n_hugepage_limits, 2);
  assert_true (r->hugepage_limits[0].limit == 9223372036854772000ULL);
  assert_int_equal (r->memory->limit, 536870912);
  assert_int_equal (r->memory->kernel, -1);
  assert_true (r->memory->has_swappiness);
  assert_true (r->memory->has_disable_oom_killer);
  assert_false (r->memory->disable_oom_killer);
  assert_false (r->memory->has_use_hierarchy);
  assert_int_equal (r->cpu->shares, 1024);
  assert_string_equal (r->cpu->cpus, "2-3");
  assert_true (r->cpu->has_idle);
  assert_false (r->cpu->has_burst);
  assert_int_equal (r->n_devices, 3);
  assert_false (r->devices[0].allow);
  assert_false (r->devices[0].has_major);
  assert_int_equal (r->devices[0].major, -1);
  assert_int_equal (r->devices[1].minor, 229);
  assert_string_equal (r->devices[2].access, "r");
  assert_int_equal (r->block_io->weight, 10);
  assert_int_equal (r->block_io->n_weight_device, 2);
  assert_true (r->block_io->weight_device[0].has_leaf_weight);
  assert_false (r->block_io->weight_device[1].has_leaf_weight);
  assert_int_equal (r->block_io->n_throttle_read_bps, 1);
  assert_int_equal (r->block_io->throttle_read_bps[0].rate, 600);
  assert_int_equal (r->block_io->n_throttle_write_iops, 1);
  assert_int_equal (r->block_io->n_throttle_write_bps, 0);

  assert_string_equal (l->seccomp->default_action, "SCMP_ACT_ALLOW");
  assert_int_equal (l->seccomp->n_syscalls, 1);
  assert_string_equal (l->seccomp->syscalls[0].names[1], "chmod");
  oci_config_free (c);
}

static void
test_everything (void **state)
{
  (void) state;
  berth_error_t err = NULL;
  struct oci_config *c = parse_q (
      "{" V ",'process':{'terminal':true,'consoleSize':{'height':24,'width':80},"
      "'user':{'uid':1000,'gid':100,'umask':18,'additionalGids':[4294967295],'username':'u'},"
      "'args':['a','b'],'env':['A=1'],'cwd':'/w','commandLine':'x',"
      "'capabilities':{'inheritable':[],'ambient':['CAP_KILL']},"
      "'rlimits':[{'type':'RLIMIT_CORE','soft':0,'hard':18446744073709551615}],"
      "'noNewPrivileges':true,'apparmorProfile':'p','oomScoreAdj':-1000,"
      "'selinuxLabel':'s','ioPriority':{'class':'IOPRIO_CLASS_RT','priority':0},"
      "'scheduler':{'policy':'SCHED_DEADLINE','nice':-20,'priority':1,"
      "'flags':['SCHED_FLAG_RECLAIM'],'runtime':1,'deadline':2,'period':3},"
      "'execCPUAffinity':{'initial':'0','final':'1-3'}},"
      "'root':{'path':'/r'},'hostname':'h','domainname':'d',"
      "'mounts':[{'destination':'/m','source':'/s','type':'bind','options':['rbind'],"
      "'uidMappings':[{'containerID':0,'hostID':1000,'size':1}],"
      "'gidMappings':[{'containerID':0,'hostID':100,'size':2}]}],"
      "'hooks':{'createRuntime':[{'path':'/a'}],'createContainer':[{'path':'/b'}],"
      "'startContainer':[{'path':'/c','args':['c'],'env':['E=1'],'timeout':1}],"
      "'poststop':[]},"
      "'annotations':{'k':'v'},"
      "'linux':{'namespaces':[{'type':'pid','path':'/proc/1/ns/pid'},{'type':'time'}],"
      "'timeOffsets':{'boottime':{'secs':-5,'nanosecs':7}},"
      "'devices':[{'type':'p','path':'/dev/fifo'},{'type':'u','path':'/dev/x','major':1,"
      "'minor':2,'uid':3,'gid':4}],"
      "'resources':{'memory':{'useHierarchy':true,'checkBeforeUpdate':false,'kernelTCP':5},"
      "'cpu':{'burst':9,'quota':-1,'mems':'0'},'pids':{},"
      "'blockIO':{'leafWeight':65535,'throttleWriteBpsDevice':[{'major':1,'minor':2,'rate':3}],"
      "'throttleReadIOPSDevice':[{'major':4,'minor':5,'rate':6}]},"
      "'network':{},'unified':{'memory.high':'max','io.weight':'default 100'},"
      "'devices':[{'allow':true,'type':'a','access':''}]},"
      "'seccomp':{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':1,'flags':['SECCOMP_FILTER_"
      "FLAG_LOG'],"
      "'listenerPath':'/run/l','listenerMetadata':'m','syscalls':[{'names':['clone'],"
      "'action':'SCMP_ACT_ALLOW','errnoRet':38,'args':[{'index':0,'value':2080505856,"
      "'valueTwo':0,'op':'SCMP_CMP_MASKED_EQ'}]}]},"
      "'personality':{'domain':'LINUX32','flags':[]},"
      "'sysctl':{'net.ipv4.ip_forward':'1'}}}",
      &err);

  if (c == NULL)
    fail_msg ("%s", err->msg);
  struct oci_process *p = c->process;
  assert_true (p->has_console_size);
  assert_int_equal (p->console_width, 80);
  assert_true (p->user.has_umask);
  assert_int_equal (p->user.umask, 18);
  assert_int_equal (p->user.additional_gids[0], UINT32_MAX);
  assert_string_equal (p->user.username, "u");
  assert_string_equal (p->command_line, "x");
  assert_null (p->capabilities->bounding);
  assert_non_null (p->capabilities->inheritable);
  assert_null (p->capabilities->inheritable[0]);
  assert_true (p->rlimits[0].hard == UINT64_MAX);
  assert_int_equal (p->oom_score_adj, -1000);
  assert_string_equal (p->scheduler->policy, "SCHED_DEADLINE");
  assert_int_equal (p->scheduler->nice, -20);
  assert_int_equal (p->scheduler->period, 3);
  assert_string_equal (p->exec_cpu_affinity_final, "1-3");
  assert_false (c->root->readonly);
  assert_string_equal (c->domainname, "d");
  assert_int_equal (c->mounts[0].n_gid_mappings, 1);
  assert_int_equal (c->mounts[0].gid_mappings[0].size, 2);
  assert_int_equal (c->hooks->n_hooks[OCI_HOOK_PRESTART], 0);
  assert_int_equal (c->hooks->n_hooks[OCI_HOOK_POSTSTOP], 0);
  assert_int_equal (c->hooks->n_hooks[OCI_HOOK_CREATE_CONTAINER], 1);
  assert_int_equal (c->hooks->hooks[OCI_HOOK_START_CONTAINER][0].timeout, 1);
  assert_string_equal (c->annotation_values[0], "v");
  assert_null (c->annotation_keys[1]);

  struct oci_linux *l = c->linux;
  assert_null (l->namespaces[1].path);
  assert_string_equal (l->time_offsets[0].clock, "boottime");
  assert_int_equal (l->time_offsets[0].secs, -5);
  assert_int_equal (l->time_offsets[0].nanosecs, 7);
  assert_false (l->devices[0].has_major);
  assert_true (l->devices[1].has_uid);
  assert_false (l->devices[1].has_file_mode);
  assert_true (l->resources->memory->use_hierarchy);
  assert_false (l->resources->memory->has_limit);
  assert_int_equal (l->resources->memory->kernel_tcp, 5);
  assert_int_equal (l->resources->cpu->quota, -1);
  assert_false (l->resources->pids->has_limit);
  assert_int_equal (l->resources->block_io->leaf_weight, 65535);
  assert_false (l->resources->block_io->has_weight);
  assert_int_equal (l->resources->block_io->throttle_read_iops[0].rate, 6);
  assert_true (l->resources->has_network);
  assert_false (l->resources->has_net_class_id);
  assert_string_equal (l->resources->unified_keys[1], "io.weight");
  assert_string_equal (l->resources->unified_values[1], "default 100");
  assert_string_equal (l->seccomp->syscalls[0].args[0].op, "SCMP_CMP_MASKED_EQ");
  assert_true (l->seccomp->syscalls[0].has_errno_ret);
  assert_int_equal (l->seccomp->default_errno_ret, 1);
  assert_string_equal (l->seccomp->listener_metadata, "m");
  assert_string_equal (l->personality->domain, "LINUX32");
  assert_string_equal (l->sysctl_values[0], "1");
  oci_config_free (c);
}

static void
test_minimal (void **state)
{
  (void) state;
  berth_error_t err = NULL;
  struct oci_config *c = parse_q ("{" V "}", &err);
  assert_non_null (c);
  assert_null (c->process);
  assert_null (c->root);
  assert_null (c->hooks);
  assert_null (c->linux);
  assert_int_equal (c->n_mounts, 0);
  oci_config_free (c);
  /* JSON null is "absent" for every optional field.  */
  ok ("{" V ",'process':null,'root':null,'mounts':null,'hooks':null,'linux':null,"
      "'annotations':null,'hostname':null}");
  ok ("{" V ",'mounts':[],'hooks':{},'linux':{},'annotations':{}}");
}

static void
test_unknown_fields (void **state)
{
  (void) state;
  /* config.md "Extensibility": unknown properties MUST be ignored, whatever
     their type.  */
  ok ("{" V ",'future':{'x':[1,2]},'windows':{'layerFolders':[]},'vm':7,"
      "'process':{'args':['sh'],'cwd':'/','new':[{}],'user':{'uid':0,'gid':0,'sid':'x'}},"
      "'root':{'path':'r','x':1},'mounts':[{'destination':'/x','y':null}],"
      "'hooks':{'newKind':[{'nopath':1}]},"
      "'linux':{'intelRdt':{'closID':'c'},'rdma':{},'memoryPolicy':{'mode':'MPOL_BIND'},"
      "'netDevices':{'eth0':{}},'resources':{'rdma':{'x':{}},'network':{'priorities':"
      "[{'name':'eth0','priority':5}]},'zzz':true},'seccomp':{'defaultAction':'A','q':1}}}");
}

/* ---- errors ---- */

static void
test_not_json (void **state)
{
  (void) state;
  berth_error_t err = NULL;
  assert_null (oci_config_parse ("", 0, "config.json", &err));
  assert_string_equal (err->msg, "config.json: unexpected end of JSON input");
  assert_int_equal (err->status, EINVAL);
  berth_error_release (&err);
  assert_null (oci_config_parse ("{} x", 4, "config.json", &err));
  assert_string_equal (err->msg, "config.json: invalid JSON: trailing data at offset 3");
  berth_error_release (&err);
  /* A NUL byte is not whitespace.  */
  assert_null (oci_config_parse ("{\"ociVersion\":\"1\"}\0", 19, "config.json", &err));
  assert_non_null (strstr (err->msg, "trailing data"));
  berth_error_release (&err);
  fails ("[]", "config.json: expected a JSON object");
  fails ("'1.0'", "config.json: expected a JSON object");
}

static void
test_required (void **state)
{
  (void) state;
  fails ("{}", "config.json: `ociVersion`: field is required");
  fails ("{'ociVersion':null}", "config.json: `ociVersion`: field is required");
  fails ("{" V ",'root':{}}", "config.json: `root.path`: field is required");
  fails ("{" V ",'root':{'readonly':true}}", "config.json: `root.path`: field is required");
  fails ("{" V ",'process':{'cwd':'/'}}", "config.json: `process.args`: field is required");
  fails ("{" V ",'process':{'args':[],'cwd':'/'}}",
         "config.json: `process.args`: must not be empty");
  fails ("{" V ",'process':{'args':['sh']}}", "config.json: `process.cwd`: field is required");
  fails ("{" V ",'process':{'args':['sh'],'cwd':'rel'}}",
         "config.json: `process.cwd`: must be an absolute path");
  fails ("{" V ",'process':{'args':['sh'],'cwd':''}}",
         "config.json: `process.cwd`: must be an absolute path");
  fails ("{" V ",'process':{'args':['sh'],'cwd':'/','consoleSize':{'height':1}}}",
         "config.json: `process.consoleSize.width`: field is required");
  fails ("{" V ",'process':{'args':['sh'],'cwd':'/','ioPriority':{'class':'IOPRIO_CLASS_BE'}}}",
         "config.json: `process.ioPriority.priority`: field is required");
  fails ("{" V ",'process':{'args':['sh'],'cwd':'/','ioPriority':{'class':'X','priority':1}}}",
         "config.json: `process.ioPriority.class`: unknown class `X`");
  fails ("{" V ",'process':{'args':['sh'],'cwd':'/','scheduler':{}}}",
         "config.json: `process.scheduler.policy`: field is required");
  fails ("{" V ",'mounts':[{'destination':'/a'},{'source':'x'}]}",
         "config.json: `mounts[1].destination`: field is required");
  fails ("{" V ",'mounts':[{'destination':'/a','uidMappings':[{'containerID':0,'size':1}]}]}",
         "config.json: `mounts[0].uidMappings[0].hostID`: field is required");
  fails ("{" V ",'linux':{'gidMappings':[{'containerID':0,'hostID':0}]}}",
         "config.json: `linux.gidMappings[0].size`: field is required");
  fails ("{" V ",'linux':{'uidMappings':[{'hostID':0,'size':1}]}}",
         "config.json: `linux.uidMappings[0].containerID`: field is required");
}

static void
test_rlimits (void **state)
{
  (void) state;
  fails ("{" V ",'process':{'args':['sh'],'cwd':'/','rlimits':[{'soft':1,'hard':1}]}}",
         "config.json: `process.rlimits[0].type`: field is required");
  fails ("{" V ",'process':{'args':['sh'],'cwd':'/','rlimits':[{'type':'NOFILE','soft':1,"
         "'hard':1}]}}",
         "config.json: `process.rlimits[0].type`: unknown rlimit `NOFILE`");
  fails ("{" V ",'process':{'args':['sh'],'cwd':'/','rlimits':[{'type':'RLIMIT_NOFILE',"
         "'hard':1}]}}",
         "config.json: `process.rlimits[0].soft`: field is required");
  fails ("{" V ",'process':{'args':['sh'],'cwd':'/','rlimits':[{'type':'RLIMIT_NOFILE',"
         "'soft':1,'hard':1},{'type':'RLIMIT_CPU','soft':1,'hard':1},{'type':'RLIMIT_NOFILE',"
         "'soft':2,'hard':2}]}}",
         "config.json: `process.rlimits[2].type`: duplicate rlimit `RLIMIT_NOFILE`");
  fails ("{" V ",'process':{'args':['sh'],'cwd':'/','rlimits':['RLIMIT_CPU']}}",
         "config.json: `process.rlimits[0]`: expected an object");
}

static void
test_namespaces (void **state)
{
  (void) state;
  fails ("{" V ",'linux':{'namespaces':[{'path':'/x'}]}}",
         "config.json: `linux.namespaces[0].type`: field is required");
  fails ("{" V ",'linux':{'namespaces':[{'type':'net'}]}}",
         "config.json: `linux.namespaces[0].type`: unknown namespace type `net`");
  fails ("{" V ",'linux':{'namespaces':[{'type':'pid'},{'type':'uts'},{'type':'pid'}]}}",
         "config.json: `linux.namespaces[2].type`: duplicate namespace `pid`");
  fails ("{" V ",'linux':{'namespaces':[{'type':'pid','path':'proc/1/ns/pid'}]}}",
         "config.json: `linux.namespaces[0].path`: must be an absolute path");
  ok ("{" V ",'linux':{'namespaces':[{'type':'pid'},{'type':'network'},{'type':'mount'},"
      "{'type':'ipc'},{'type':'uts'},{'type':'user'},{'type':'cgroup'},{'type':'time'}]}}");
}

static void
test_hooks (void **state)
{
  (void) state;
  fails ("{" V ",'hooks':{'poststop':[{'args':['x']}]}}",
         "config.json: `hooks.poststop[0].path`: field is required");
  fails ("{" V ",'hooks':{'prestart':[{'path':'/ok'},{'path':'bin/hook'}]}}",
         "config.json: `hooks.prestart[1].path`: must be an absolute path");
  fails ("{" V ",'hooks':{'poststart':[{'path':'/h','timeout':0}]}}",
         "config.json: `hooks.poststart[0].timeout`: must be greater than zero");
  fails ("{" V ",'hooks':{'createRuntime':[{'path':'/h','timeout':-3}]}}",
         "config.json: `hooks.createRuntime[0].timeout`: must be greater than zero");
  fails ("{" V ",'hooks':{'startContainer':{'path':'/h'}}}",
         "config.json: `hooks.startContainer`: expected an array");
  fails ("{" V ",'hooks':[]}", "config.json: `hooks`: expected an object");
}

static void
test_devices (void **state)
{
  (void) state;
  fails ("{" V ",'linux':{'devices':[{'path':'/dev/x'}]}}",
         "config.json: `linux.devices[0].type`: field is required");
  fails ("{" V ",'linux':{'devices':[{'type':'c'}]}}",
         "config.json: `linux.devices[0].path`: field is required");
  fails ("{" V ",'linux':{'devices':[{'type':'x','path':'/dev/x'}]}}",
         "config.json: `linux.devices[0].type`: unknown device type `x`");
  fails ("{" V ",'linux':{'devices':[{'type':'cb','path':'/dev/x'}]}}",
         "config.json: `linux.devices[0].type`: unknown device type `cb`");
  fails ("{" V ",'linux':{'devices':[{'type':'','path':'/dev/x'}]}}",
         "config.json: `linux.devices[0].type`: unknown device type ``");
  fails ("{" V ",'linux':{'devices':[{'type':'c','path':'/dev/x','minor':1}]}}",
         "config.json: `linux.devices[0].major`: field is required");
  fails ("{" V ",'linux':{'devices':[{'type':'b','path':'/dev/x','major':1}]}}",
         "config.json: `linux.devices[0].minor`: field is required");
  fails ("{" V ",'linux':{'devices':[{'type':'u','path':'/dev/x'}]}}",
         "config.json: `linux.devices[0].major`: field is required");
  ok ("{" V ",'linux':{'devices':[{'type':'p','path':'/dev/x'}]}}");
  fails ("{" V ",'linux':{'resources':{'devices':[{'access':'rwm'}]}}}",
         "config.json: `linux.resources.devices[0].allow`: field is required");
  fails ("{" V ",'linux':{'resources':{'devices':[{'allow':false,'type':'p'}]}}}",
         "config.json: `linux.resources.devices[0].type`: unknown device type `p`");
  fails ("{" V ",'linux':{'resources':{'devices':[{'allow':false,'access':'rwx'}]}}}",
         "config.json: `linux.resources.devices[0].access`: invalid access `rwx`");
}

static void
test_linux_required (void **state)
{
  (void) state;
  fails ("{" V ",'linux':{'seccomp':{}}}",
         "config.json: `linux.seccomp.defaultAction`: field is required");
  fails ("{" V ",'linux':{'seccomp':{'defaultAction':'A','syscalls':[{'action':'B'}]}}}",
         "config.json: `linux.seccomp.syscalls[0].names`: field is required");
  fails ("{" V ",'linux':{'seccomp':{'defaultAction':'A','syscalls':[{'names':['x']}]}}}",
         "config.json: `linux.seccomp.syscalls[0].action`: field is required");
  fails ("{" V ",'linux':{'seccomp':{'defaultAction':'A','syscalls':[{'names':['x'],"
         "'action':'B','args':[{'index':0,'op':'SCMP_CMP_EQ'}]}]}}}",
         "config.json: `linux.seccomp.syscalls[0].args[0].value`: field is required");
  fails ("{" V ",'linux':{'seccomp':{'defaultAction':'A','syscalls':[{'names':['x'],"
         "'action':'B','args':[{'index':0,'value':1}]}]}}}",
         "config.json: `linux.seccomp.syscalls[0].args[0].op`: field is required");
  fails ("{" V ",'linux':{'personality':{'flags':[]}}}",
         "config.json: `linux.personality.domain`: field is required");
  fails ("{" V ",'linux':{'resources':{'hugepageLimits':[{'limit':1}]}}}",
         "config.json: `linux.resources.hugepageLimits[0].pageSize`: field is required");
  fails ("{" V ",'linux':{'resources':{'blockIO':{'weightDevice':[{'major':8}]}}}}",
         "config.json: `linux.resources.blockIO.weightDevice[0].minor`: field is required");
  fails ("{" V ",'linux':{'resources':{'blockIO':{'throttleReadBpsDevice':[{'major':8,"
         "'minor':0}]}}}}",
         "config.json: `linux.resources.blockIO.throttleReadBpsDevice[0].rate`: field is required");
  fails ("{" V ",'linux':{'timeOffsets':{'realtime':{'secs':1}}}}",
         "config.json: `linux.timeOffsets`: unknown clock `realtime`");
  fails ("{" V ",'linux':{'timeOffsets':{'monotonic':1}}}",
         "config.json: `linux.timeOffsets.monotonic`: expected an object");
}

static void
test_wrong_types (void **state)
{
  (void) state;
  fails ("{'ociVersion':1}", "config.json: `ociVersion`: expected a string");
  fails ("{" V ",'process':[]}", "config.json: `process`: expected an object");
  fails ("{" V ",'process':{'args':['a','b',3],'cwd':'/'}}",
         "config.json: `process.args[2]`: expected a string");
  fails ("{" V ",'process':{'args':'sh','cwd':'/'}}",
         "config.json: `process.args`: expected an array");
  fails ("{" V ",'process':{'args':['sh'],'cwd':'/','terminal':'yes'}}",
         "config.json: `process.terminal`: expected a boolean");
  fails ("{" V ",'process':{'args':['sh'],'cwd':'/','user':{'uid':'0'}}}",
         "config.json: `process.user.uid`: expected an unsigned integer");
  fails ("{" V ",'process':{'args':['sh'],'cwd':'/','user':{'uid':0,'additionalGids':[1,'2']}}}",
         "config.json: `process.user.additionalGids[1]`: expected a 32-bit unsigned integer");
  fails ("{" V ",'process':{'args':['sh'],'cwd':'/','capabilities':{'bounding':[null]}}}",
         "config.json: `process.capabilities.bounding[0]`: expected a string");
  fails ("{" V ",'process':{'args':['sh'],'cwd':'/','env':[true]}}",
         "config.json: `process.env[0]`: expected a string");
  fails ("{" V ",'process':{'args':['sh'],'cwd':'/','oomScoreAdj':1.5}}",
         "config.json: `process.oomScoreAdj`: expected an integer");
  fails ("{" V ",'mounts':{}}", "config.json: `mounts`: expected an array");
  fails ("{" V ",'mounts':[{'destination':'/a','options':'ro'}]}",
         "config.json: `mounts[0].options`: expected an array");
  fails ("{" V ",'annotations':{'a':'b','c':1}}",
         "config.json: `annotations.c`: expected a string");
  fails ("{" V ",'linux':{'resources':{'memory':{'limit':'1g'}}}}",
         "config.json: `linux.resources.memory.limit`: expected an integer");
  fails ("{" V ",'linux':{'resources':{'memory':{'disableOOMKiller':0}}}}",
         "config.json: `linux.resources.memory.disableOOMKiller`: expected a boolean");
  fails ("{" V ",'linux':{'resources':{'cpu':{'cpus':0}}}}",
         "config.json: `linux.resources.cpu.cpus`: expected a string");
  fails ("{" V ",'linux':{'resources':{'blockIO':{'throttleWriteIOPSDevice':[{'major':8,"
         "'minor':0,'rate':'fast'}]}}}}",
         "config.json: `linux.resources.blockIO.throttleWriteIOPSDevice[0].rate`: expected an "
         "unsigned integer");
  fails ("{" V ",'linux':{'resources':{'unified':{'a':{}}}}}",
         "config.json: `linux.resources.unified.a`: expected a string");
  fails ("{" V ",'linux':{'sysctl':[]}}", "config.json: `linux.sysctl`: expected an object");
  fails ("{" V ",'linux':{'seccomp':{'defaultAction':'A','syscalls':[{'names':['x'],"
         "'action':'B','args':[{'index':0,'value':1,'valueTwo':'2','op':'E'}]}]}}}",
         "config.json: `linux.seccomp.syscalls[0].args[0].valueTwo`: expected an unsigned "
         "integer");
  fails ("{" V ",'linux':{'maskedPaths':[1]}}",
         "config.json: `linux.maskedPaths[0]`: expected a string");
  fails ("{" V ",'linux':{'personality':{'domain':'LINUX','flags':'x'}}}",
         "config.json: `linux.personality.flags`: expected an array");
  fails ("{" V ",'linux':{'resources':{'network':{'classID':-1}}}}",
         "config.json: `linux.resources.network.classID`: expected an unsigned integer");
  fails ("{" V ",'hostname':['h']}", "config.json: `hostname`: expected a string");
  fails ("{" V ",'linux':7}", "config.json: `linux`: expected an object");
}

static void
test_numbers (void **state)
{
  (void) state;
  berth_error_t err = NULL;
  struct oci_config *c;

  /* Negative into unsigned fields.  */
  fails ("{" V ",'process':{'args':['sh'],'cwd':'/','user':{'uid':-1}}}",
         "config.json: `process.user.uid`: expected an unsigned integer");
  fails ("{" V ",'process':{'args':['sh'],'cwd':'/','user':{'additionalGids':[-1]}}}",
         "config.json: `process.user.additionalGids[0]`: expected a 32-bit unsigned integer");
  fails ("{" V ",'process':{'args':['sh'],'cwd':'/','rlimits':[{'type':'RLIMIT_CPU','soft':-1,"
         "'hard':1}]}}",
         "config.json: `process.rlimits[0].soft`: expected an unsigned integer");
  fails ("{" V ",'linux':{'resources':{'cpu':{'shares':-1024}}}}",
         "config.json: `linux.resources.cpu.shares`: expected an unsigned integer");
  fails ("{" V ",'linux':{'resources':{'cpu':{'period':-1e3}}}}",
         "config.json: `linux.resources.cpu.period`: expected an unsigned integer");
  /* Beyond the field's width.  */
  fails ("{" V ",'process':{'args':['sh'],'cwd':'/','user':{'uid':4294967296}}}",
         "config.json: `process.user.uid`: integer out of range");
  fails ("{" V ",'process':{'args':['sh'],'cwd':'/','user':{'gid':99999999999999999999999}}}",
         "config.json: `process.user.gid`: integer out of range");
  fails ("{" V ",'process':{'args':['sh'],'cwd':'/','oomScoreAdj':2147483648}}",
         "config.json: `process.oomScoreAdj`: integer out of range");
  fails ("{" V ",'process':{'args':['sh'],'cwd':'/','oomScoreAdj':-2147483649}}",
         "config.json: `process.oomScoreAdj`: integer out of range");
  fails ("{" V ",'linux':{'resources':{'memory':{'limit':9223372036854775808}}}}",
         "config.json: `linux.resources.memory.limit`: integer out of range");
  fails ("{" V ",'linux':{'resources':{'blockIO':{'weight':65536}}}}",
         "config.json: `linux.resources.blockIO.weight`: integer out of range");
  fails ("{" V ",'linux':{'resources':{'memory':{'limit':1e300}}}}",
         "config.json: `linux.resources.memory.limit`: expected an integer");
  fails ("{" V ",'linux':{'resources':{'memory':{'swap':NaN}}}}",
         "config.json: `linux.resources.memory.swap`: expected an integer");
  fails ("{" V ",'linux':{'resources':{'memory':{'swap':-Infinity}}}}",
         "config.json: `linux.resources.memory.swap`: expected an integer");
  fails ("{" V ",'linux':{'resources':{'cpu':{'shares':Infinity}}}}",
         "config.json: `linux.resources.cpu.shares`: expected an unsigned integer");
  fails ("{" V ",'linux':{'timeOffsets':{'boottime':{'nanosecs':1.25}}}}",
         "config.json: `linux.timeOffsets.boottime.nanosecs`: expected an unsigned integer");

  /* The extremes that fit.  */
  c = parse_q ("{" V ",'linux':{'resources':{'memory':{'limit':9223372036854775807,"
               "'swap':-9223372036854775808,'swappiness':18446744073709551615},"
               "'cpu':{'shares':1e3,'period':1.8e19,'quota':-1e3}}}}",
               &err);
  if (c == NULL)
    fail_msg ("%s", err->msg);
  assert_true (c->linux->resources->memory->limit == INT64_MAX);
  assert_true (c->linux->resources->memory->swap == INT64_MIN);
  assert_true (c->linux->resources->memory->swappiness == UINT64_MAX);
  assert_int_equal (c->linux->resources->cpu->shares, 1000);
  assert_true (c->linux->resources->cpu->period == 18000000000000000000ULL);
  assert_int_equal (c->linux->resources->cpu->quota, -1000);
  oci_config_free (c);
}

static void
test_strings (void **state)
{
  (void) state;
  /* An embedded NUL would cut the C string: refused, not truncated.  */
  fails ("{" V ",'hostname':'a\\u0000b'}", "config.json: `hostname`: string contains a NUL byte");
  fails ("{" V ",'process':{'args':['sh','\\u0000'],'cwd':'/'}}",
         "config.json: `process.args[1]`: string contains a NUL byte");
  fails ("{" V ",'annotations':{'k':'v\\u0000'}}",
         "config.json: `annotations.k`: string contains a NUL byte");
  ok ("{" V ",'hostname':'\\u00e9t\\u00e9'}");
}

static void
test_default_spec (void **state)
{
  (void) state;
  for (int rootless = 0; rootless <= 1; rootless++)
    {
      berth_error_t err = NULL;
      cleanup_free char *s = oci_config_default_json (rootless);
      struct oci_config *c = oci_config_parse (s, strlen (s), "config.json", &err);

      if (c == NULL)
        fail_msg ("%s", err->msg);
      assert_string_equal (c->oci_version, "1.2.0");
      assert_true (c->process->terminal);
      assert_string_equal (c->process->args[0], "sh");
      assert_int_equal (c->process->n_rlimits, 1);
      assert_true (c->process->rlimits[0].soft == 1024);
      assert_true (c->process->no_new_privileges);
      assert_int_equal (strv_len (c->process->capabilities->bounding), 3);
      assert_null (c->process->capabilities->inheritable);
      assert_string_equal (c->root->path, "rootfs");
      assert_true (c->root->readonly);
      assert_string_equal (c->hostname, "runc");
      assert_int_equal (c->n_mounts, 7);
      assert_string_equal (c->mounts[5].destination, "/sys");
      assert_int_equal (strv_len (c->linux->masked_paths), 10);
      assert_int_equal (strv_len (c->linux->readonly_paths), 5);
      assert_int_equal (c->linux->n_namespaces, 5);
      if (rootless)
        {
          assert_string_equal (c->mounts[5].type, "none");
          assert_false (strv_contains (c->mounts[2].options, "gid=5"));
          assert_null (c->linux->resources);
          assert_int_equal (c->linux->n_uid_mappings, 1);
          assert_int_equal (c->linux->uid_mappings[0].host_id, geteuid ());
          assert_int_equal (c->linux->gid_mappings[0].host_id, getegid ());
          assert_string_equal (c->linux->namespaces[4].type, "user");
        }
      else
        {
          assert_string_equal (c->mounts[5].type, "sysfs");
          assert_true (strv_contains (c->mounts[2].options, "gid=5"));
          assert_int_equal (c->linux->resources->n_devices, 1);
          assert_false (c->linux->resources->devices[0].allow);
          assert_int_equal (c->linux->n_uid_mappings, 0);
          assert_string_equal (c->linux->namespaces[1].type, "network");
        }
      oci_config_free (c);
    }
}

static void
test_process_only (void **state)
{
  (void) state;
  berth_error_t err = NULL;
  cleanup_free char *j = q ("{'args':['ls','-l'],'cwd':'/tmp','env':['A=B'],'terminal':false}");
  json_object *o = bjson_parse (j, strlen (j), "process.json", &err);
  struct oci_process *p;

  assert_non_null (o);
  p = oci_process_parse_json (o, "", &err);
  assert_non_null (p);
  assert_string_equal (p->args[1], "-l");
  assert_string_equal (p->env[0], "A=B");
  oci_process_free (p);
  json_object_put (o);

  j = (free (j), q ("{'args':['ls',{}],'cwd':'/tmp'}"));
  o = bjson_parse (j, strlen (j), "process.json", &err);
  assert_null (oci_process_parse_json (o, "", &err));
  assert_string_equal (err->msg, "`args[1]`: expected a string");
  assert_int_equal (err->status, EINVAL);
  berth_error_release (&err);
  json_object_put (o);

  /* From a file, as `exec --process FILE`.  */
  char dir[] = "/tmp/berth-test-oci-XXXXXX";
  assert_non_null (mkdtemp (dir));
  cleanup_free char *file = xasprintf ("%s/process.json", dir);
  j = (free (j), q ("{'args':['sh'],'cwd':'x'}"));
  assert_int_equal (fs_write_file_atomic (file, j, strlen (j), 0600, &err), 0);
  assert_null (oci_process_parse_file (file, &err));
  cleanup_free char *want = xasprintf ("%s: `cwd`: must be an absolute path", file);
  assert_string_equal (err->msg, want);
  berth_error_release (&err);
  j = (free (j), q ("{'args':['sh'],'cwd':'/'}"));
  assert_int_equal (fs_write_file_atomic (file, j, strlen (j), 0600, &err), 0);
  p = oci_process_parse_file (file, &err);
  assert_non_null (p);
  oci_process_free (p);
  assert_null (oci_process_parse_file ("/nonexistent/process.json", &err));
  assert_int_equal (err->status, ENOENT);
  berth_error_release (&err);

  /* config.json from a file names the file.  */
  cleanup_free char *cfg = xasprintf ("%s/config.json", dir);
  j = (free (j), q ("{" V "," PROC ",'root':{'path':1}}"));
  assert_int_equal (fs_write_file_atomic (cfg, j, strlen (j), 0600, &err), 0);
  assert_null (oci_config_parse_file (cfg, &err));
  free (want);
  want = xasprintf ("%s: `root.path`: expected a string", cfg);
  assert_string_equal (err->msg, want);
  berth_error_release (&err);
  assert_int_equal (fs_remove_tree (dir, &err), 0);
}

static void
test_resources_only (void **state)
{
  (void) state;
  berth_error_t err = NULL;
  cleanup_free char *j = q ("{'memory':{'limit':1048576,'swap':-1},'pids':{'limit':-1},"
                            "'cpu':{'shares':512},'unified':{}}");
  json_object *o = bjson_parse (j, strlen (j), "resources.json", &err);
  struct oci_resources *r = oci_resources_parse_json (o, "", &err);

  assert_non_null (r);
  assert_int_equal (r->memory->limit, 1048576);
  assert_int_equal (r->memory->swap, -1);
  assert_int_equal (r->pids->limit, -1);
  assert_true (r->pids->has_limit);
  assert_int_equal (r->cpu->shares, 512);
  assert_null (r->unified_keys[0]);
  assert_null (r->block_io);
  oci_resources_free (r);
  json_object_put (o);

  j = (free (j), q ("{'blockIO':{'weightDevice':[{'major':8,'minor':0,'weight':'x'}]}}"));
  o = bjson_parse (j, strlen (j), "resources.json", &err);
  assert_null (oci_resources_parse_json (o, "", &err));
  assert_string_equal (err->msg, "`blockIO.weightDevice[0].weight`: expected an unsigned integer");
  berth_error_release (&err);
  assert_null (oci_resources_parse_json (o, "linux.resources", &err));
  assert_string_equal (err->msg,
                       "`linux.resources.blockIO.weightDevice[0].weight`: expected an unsigned "
                       "integer");
  berth_error_release (&err);
  json_object_put (o);

  o = json_object_new_array ();
  assert_null (oci_resources_parse_json (o, "", &err));
  assert_string_equal (err->msg, "expected a JSON object");
  berth_error_release (&err);
  json_object_put (o);
}

static void
test_long_path (void **state)
{
  (void) state;
  /* Paths live in fixed buffers; a huge index is still a tidy message.  */
  size_t n = 2000;
  cleanup_free char *s = xmalloc (n * 40 + 200);
  char *p = s;
  p += sprintf (p, "{\"ociVersion\":\"1\",\"linux\":{\"seccomp\":{\"defaultAction\":\"A\","
                   "\"syscalls\":[");
  for (size_t i = 0; i < n; i++)
    p += sprintf (p, "%s{\"names\":[],\"action\":\"B\"}", i ? "," : "");
  sprintf (p, ",{}]}}}");
  berth_error_t err = NULL;
  assert_null (oci_config_parse (s, strlen (s), "config.json", &err));
  assert_string_equal (err->msg,
                       "config.json: `linux.seccomp.syscalls[2000].names`: field is required");
  berth_error_release (&err);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_spec_example),   cmocka_unit_test (test_everything),
    cmocka_unit_test (test_minimal),        cmocka_unit_test (test_unknown_fields),
    cmocka_unit_test (test_not_json),       cmocka_unit_test (test_required),
    cmocka_unit_test (test_rlimits),        cmocka_unit_test (test_namespaces),
    cmocka_unit_test (test_hooks),          cmocka_unit_test (test_devices),
    cmocka_unit_test (test_linux_required), cmocka_unit_test (test_wrong_types),
    cmocka_unit_test (test_numbers),        cmocka_unit_test (test_strings),
    cmocka_unit_test (test_default_spec),   cmocka_unit_test (test_process_only),
    cmocka_unit_test (test_resources_only), cmocka_unit_test (test_long_path),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
