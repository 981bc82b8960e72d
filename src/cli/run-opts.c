/* berth — docker run/create flags -> ContainerCreate body (see run-opts.h).
 *
 * Field defaults follow what the docker CLI 28 sends: Go's zero values for
 * plain fields, null for nil slices, [] for the ones docker forces non-nil
 * (Dns*, Devices, Ulimits, Blkio*), and absent keys for `omitempty` ones.  */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/json.h"
#include "base/strv.h"
#include "base/xalloc.h"
#include "cli/run-opts-internal.h"

void
runopt_add_str (json_object *o, const char *k, const char *v)
{
  json_object_object_add (o, k, json_object_new_string (v ? v : ""));
}

void
runopt_add_i64 (json_object *o, const char *k, int64_t v)
{
  json_object_object_add (o, k, json_object_new_int64 (v));
}

void
runopt_add_bool (json_object *o, const char *k, bool v)
{
  json_object_object_add (o, k, json_object_new_boolean (v));
}

/* A vector as an array, or null when empty (a nil Go slice).  */
static void
add_strv_or_null (json_object *o, const char *k, char *const *v)
{
  json_object_object_add (o, k, v && *v ? bjson_new_strv (v) : NULL);
}

/* ---------- numbers as pflag and Go read them ---------- */

/* strconv.ParseInt (s, 0, bits): message in *msg on failure.  */
int
runopt_go_parse_int (const char *s, int bits, int64_t *out, const char **msg)
{
  cleanup_free char *clean = xmalloc (strlen (s) + 1);
  size_t j = 0;
  for (const char *p = s; *p; p++)
    if (*p != '_')
      clean[j++] = *p;
  clean[j] = '\0';
  char *end = NULL;
  errno = 0;
  long long v = strtoll (clean, &end, 0);
  if (*s == '\0' || *end != '\0' || isspace ((unsigned char) *s))
    {
      *msg = "invalid syntax";
      return -1;
    }
  int64_t max = bits == 64 ? INT64_MAX : (INT64_C (1) << (bits - 1)) - 1;
  if (errno == ERANGE || v > max || v < -max - 1)
    {
      *msg = "value out of range";
      return -1;
    }
  *out = v;
  return 0;
}

static int
flag_int (const char *s, const char *flag, int bits, bool is_unsigned, int64_t *out,
          berth_error_t *err)
{
  const char *msg = NULL;
  if (s == NULL)
    return 0;
  if (runopt_go_parse_int (s, bits + (is_unsigned ? 1 : 0), out, &msg) < 0
      || (is_unsigned && *out < 0))
    return FLAG_ERR (err, s, flag, "strconv.Parse%s: parsing \"%s\": %s",
                     is_unsigned ? "Uint" : "Int", s, msg ? msg : "invalid syntax");
  return 0;
}

/* go-units RAMInBytes: "64m", "1.5g", "512", binary multipliers.  */
int
runopt_ram_in_bytes (const char *s, int64_t *out, const char **bad_suffix)
{
  char *end = NULL;
  if (!isdigit ((unsigned char) *s) && *s != '.')
    return -1;
  double v = strtod (s, &end);
  if (end == s)
    return -1;
  cleanup_free char *suffix = xstrdup (end);
  for (char *p = suffix; *p; p++)
    *p = (char) tolower ((unsigned char) *p);
  static const char units[] = "kmgtp";
  double mult = 1;
  if (*suffix)
    {
      const char *u = strchr (units, suffix[0]);
      const char *rest = suffix + 1;
      if (u == NULL || (*rest && strcmp (rest, "b") != 0 && strcmp (rest, "ib") != 0))
        {
          *bad_suffix = end;
          return -2;
        }
      for (const char *k = units; k <= u; k++)
        mult *= 1024;
    }
  *out = (int64_t) (v * mult);
  return 0;
}

static int
flag_size (const char *s, const char *flag, bool allow_minus_one, int64_t *out, berth_error_t *err)
{
  if (s == NULL || (*s == '\0' && allow_minus_one))
    return 0;
  if (allow_minus_one && strcmp (s, "-1") == 0)
    {
      *out = -1;
      return 0;
    }
  const char *suffix = NULL;
  int r = runopt_ram_in_bytes (s, out, &suffix);
  if (r == -2)
    return FLAG_ERR (err, s, flag, "invalid suffix: '%s'", suffix);
  if (r < 0)
    return FLAG_ERR (err, s, flag, "invalid size: '%s'", s);
  return 0;
}

/* --cpus: a decimal number of CPUs to nano CPUs, exactly (big.Rat).  */
static int
flag_cpus (const char *s, int64_t *out, berth_error_t *err)
{
  if (s == NULL || *s == '\0')
    return 0;
  const char *p = s;
  bool neg = *p == '-';
  if (*p == '-' || *p == '+')
    p++;
  int64_t whole = 0, frac = 0, scale = 1000000000;
  bool digits = false, precise = true;
  for (; isdigit ((unsigned char) *p); p++, digits = true)
    whole = whole * 10 + (*p - '0');
  if (*p == '.')
    for (p++; isdigit ((unsigned char) *p); p++, digits = true)
      {
        if (scale == 1)
          precise = precise && *p == '0';
        else
          {
            scale /= 10;
            frac += (*p - '0') * scale;
          }
      }
  if (!digits || *p != '\0')
    return FLAG_ERR (err, s, "--cpus", "failed to parse %s as a rational number", s);
  if (!precise)
    return FLAG_ERR (err, s, "--cpus", "value is too precise");
  *out = (whole * 1000000000 + frac) * (neg ? -1 : 1);
  return 0;
}

/* Go's time.ParseDuration, to nanoseconds.  */
static int
go_duration (const char *s, int64_t *out, char **msg)
{
  static const struct
  {
    const char *u;
    double ns;
  } units[] = { { "ns", 1 },   { "us", 1e3 }, { "\xc2\xb5s", 1e3 }, { "\xce\xbcs", 1e3 },
                { "ms", 1e6 }, { "s", 1e9 },  { "m", 60e9 },        { "h", 3600e9 } };
  const char *p = s;
  bool neg = *p == '-';
  if (*p == '-' || *p == '+')
    p++;
  if (strcmp (p, "0") == 0)
    return *out = 0, 0;
  if (*p == '\0')
    goto invalid;
  double total = 0;
  while (*p)
    {
      char *end;
      if (!isdigit ((unsigned char) *p) && *p != '.')
        goto invalid;
      double v = strtod (p, &end);
      if (end == p)
        goto invalid;
      p = end;
      size_t ulen = 0;
      while (p[ulen] && p[ulen] != '.' && !isdigit ((unsigned char) p[ulen]))
        ulen++;
      if (ulen == 0)
        {
          *msg = xasprintf ("time: missing unit in duration \"%s\"", s);
          return -1;
        }
      size_t i;
      for (i = 0; i < sizeof units / sizeof *units; i++)
        if (strlen (units[i].u) == ulen && strncmp (p, units[i].u, ulen) == 0)
          break;
      if (i == sizeof units / sizeof *units)
        {
          *msg = xasprintf ("time: unknown unit \"%.*s\" in duration \"%s\"", (int) ulen, p, s);
          return -1;
        }
      total += v * units[i].ns;
      p += ulen;
    }
  *out = (int64_t) llround (neg ? -total : total);
  return 0;
invalid:
  *msg = xasprintf ("time: invalid duration \"%s\"", s);
  return -1;
}

static int
flag_duration (const char *s, const char *flag, int64_t *out, berth_error_t *err)
{
  cleanup_free char *msg = NULL;
  if (s == NULL)
    return 0;
  if (go_duration (s, out, &msg) < 0)
    return FLAG_ERR (err, s, flag, "%s", msg);
  return 0;
}

/* net.ParseIP, normalised as ip.String() prints it into BUF.  */
bool
runopt_parse_ip (const char *s, char buf[INET6_ADDRSTRLEN])
{
  unsigned char a[16];
  if (inet_pton (AF_INET, s, a) == 1)
    return inet_ntop (AF_INET, a, buf, INET6_ADDRSTRLEN) != NULL;
  if (strchr (s, '%') == NULL && inet_pton (AF_INET6, s, a) == 1)
    {
      static const unsigned char v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
      if (memcmp (a, v4mapped, 12) == 0)
        return inet_ntop (AF_INET, a + 12, buf, INET6_ADDRSTRLEN) != NULL;
      return inet_ntop (AF_INET6, a, buf, INET6_ADDRSTRLEN) != NULL;
    }
  return false;
}

/* ---------- key=value lists ---------- */

/* ConvertKVStringsToMap: "k=v" -> k: v, "k" -> k: "".  The last one wins.  */
static json_object *
kv_map (char *const *v)
{
  json_object *m = json_object_new_object ();
  for (; v && *v; v++)
    {
      const char *eq = strchr (*v, '=');
      cleanup_free char *k = eq ? xstrndup (*v, (size_t) (eq - *v)) : xstrdup (*v);
      runopt_add_str (m, k, eq ? eq + 1 : "");
    }
  return m;
}

/* The env: files first, then -e; one entry per key, the last value winning
   (docker goes through a map, so its order is random; ours is stable).  */
static json_object *
build_env (const struct cli_run_opts *o, berth_error_t *err)
{
  cleanup_strv char **all = NULL;
  for (char **f = o->env_file; f && *f; f++)
    if (cli_kvfile_read (*f, true, &all, err) < 0)
      return NULL;
  for (char **e = o->env; e && *e; e++)
    {
      cleanup_free char *r = cli_env_resolve (*e, err);
      if (r == NULL)
        return NULL;
      all = strv_append (all, r);
    }
  if (all == NULL)
    return NULL;
  json_object *arr = json_object_new_array ();
  for (size_t i = 0; all[i]; i++)
    {
      size_t klen = strcspn (all[i], "=");
      bool later = false;
      for (size_t j = i + 1; all[j] && !later; j++)
        later = strcspn (all[j], "=") == klen && strncmp (all[i], all[j], klen) == 0;
      if (!later)
        json_object_array_add (arr, json_object_new_string (all[i]));
    }
  return arr;
}

static json_object *
build_labels (const struct cli_run_opts *o, berth_error_t *err)
{
  cleanup_strv char **all = NULL;
  for (char **f = o->label_file; f && *f; f++)
    if (cli_kvfile_read (*f, false, &all, err) < 0)
      return NULL;
  for (char **l = o->label; l && *l; l++)
    all = strv_append (all, *l);
  return kv_map (all);
}

/* ---------- the three parts of the body ---------- */

static int
build_health (const struct cli_run_opts *o, json_object *config, berth_error_t *err)
{
  int64_t interval = 0, timeout = 0, start = 0, start_int = 0, retries = 0;
  if (flag_duration (o->health_interval, "--health-interval", &interval, err) < 0
      || flag_duration (o->health_timeout, "--health-timeout", &timeout, err) < 0
      || flag_duration (o->health_start_period, "--health-start-period", &start, err) < 0
      || flag_duration (o->health_start_interval, "--health-start-interval", &start_int, err) < 0
      || flag_int (o->health_retries, "--health-retries", 64, false, &retries, err) < 0)
    return -1;
  bool have
      = (o->health_cmd && *o->health_cmd) || interval || timeout || start || start_int || retries;
  json_object *h = json_object_new_object ();
  if (o->no_healthcheck)
    {
      json_object_put (h);
      if (have)
        return berth_make_error_msg (err, EINVAL,
                                     "--no-healthcheck conflicts with --health-* options");
      h = json_object_new_object ();
      json_object_object_add (h, "Test", bjson_new_strv ((char *[]){ (char *) "NONE", NULL }));
      json_object_object_add (config, "Healthcheck", h);
      return 0;
    }
  if (!have)
    return json_object_put (h), 0;
  json_object_object_add (config, "Healthcheck", h);
  const struct
  {
    const char *key, *flag;
    int64_t v;
  } f[] = { { "Interval", "--health-interval", interval },
            { "Timeout", "--health-timeout", timeout },
            { "Retries", "--health-retries", retries },
            { "StartPeriod", "--health-start-period", start },
            { "StartInterval", "--health-start-interval", start_int } };
  if (o->health_cmd && *o->health_cmd)
    json_object_object_add (
        h, "Test",
        bjson_new_strv ((char *[]){ (char *) "CMD-SHELL", (char *) o->health_cmd, NULL }));
  for (size_t i = 0; i < sizeof f / sizeof *f; i++)
    {
      if (f[i].v < 0)
        return berth_make_error_msg (err, EINVAL, "%s cannot be negative", f[i].flag);
      if (f[i].v)
        runopt_add_i64 (h, f[i].key, f[i].v);
    }
  return 0;
}

/* -v: binds (with a source) go to HostConfig.Binds, the rest are anonymous
   volumes in Config.Volumes.  */
static int
build_volumes (const struct cli_run_opts *o, json_object *config, json_object *host,
               berth_error_t *err)
{
  json_object *volumes = json_object_new_object ();
  json_object_object_add (config, "Volumes", volumes);
  cleanup_strv char **binds = NULL;
  for (char **v = o->volume; v && *v; v++)
    {
      if (**v == '\0')
        return berth_make_error_msg (err, EINVAL, "invalid empty volume spec");
      const char *colon = strchr (*v, ':');
      if (colon && colon != *v)
        {
          if (!strv_contains (binds, *v))
            binds = strv_append (binds, *v);
        }
      else
        json_object_object_add (volumes, *v, json_object_new_object ());
    }
  add_strv_or_null (host, "Binds", binds);
  json_object *mounts = NULL;
  for (char **m = o->mount; m && *m; m++)
    {
      json_object *one = runopt_parse_mount (*m, err);
      if (one == NULL)
        return -1;
      if (mounts == NULL)
        {
          mounts = json_object_new_array ();
          json_object_object_add (host, "Mounts", mounts);
        }
      json_object_array_add (mounts, one);
    }
  if (o->tmpfs && *o->tmpfs)
    {
      json_object *t = json_object_new_object ();
      json_object_object_add (host, "Tmpfs", t);
      for (char **s = o->tmpfs; *s; s++)
        {
          const char *colon = strchr (*s, ':');
          cleanup_free char *k = colon ? xstrndup (*s, (size_t) (colon - *s)) : xstrdup (*s);
          runopt_add_str (t, k, colon ? colon + 1 : "");
        }
    }
  return 0;
}

static int
build_config (const struct cli_run_opts *o, const char *image, char *const *cmd, json_object *body,
              berth_error_t *err)
{
  bool a_in = strv_len (o->attach) == 0 ? false : false, a_out = false, a_err = false;
  for (char **a = o->attach; a && *a; a++)
    {
      if (strcasecmp (*a, "stdin") == 0)
        a_in = true;
      else if (strcasecmp (*a, "stdout") == 0)
        a_out = true;
      else if (strcasecmp (*a, "stderr") == 0)
        a_err = true;
      else
        return FLAG_ERR (err, *a, "-a, --attach", "valid streams are STDIN, STDOUT and STDERR");
    }
  if (o->detach && o->attach && *o->attach)
    return berth_make_error_msg (err, EINVAL,
                                 "conflicting options: cannot specify both --attach and --detach");
  if (o->interactive)
    a_in = true;
  if (!o->detach && !(o->attach && *o->attach))
    a_out = a_err = true;
  runopt_add_str (body, "Hostname", o->hostname);
  runopt_add_str (body, "Domainname", o->domainname);
  runopt_add_str (body, "User", o->user);
  runopt_add_bool (body, "AttachStdin", a_in && !o->detach);
  runopt_add_bool (body, "AttachStdout", a_out);
  runopt_add_bool (body, "AttachStderr", a_err);
  runopt_add_bool (body, "Tty", o->tty);
  runopt_add_bool (body, "OpenStdin", o->interactive);
  runopt_add_bool (body, "StdinOnce", o->interactive && a_in && !o->detach);
  berth_error_t env_err = NULL;
  json_object *env = build_env (o, &env_err);
  if (env_err)
    return *err = env_err, -1;
  json_object_object_add (body, "Env", env);
  add_strv_or_null (body, "Cmd", cmd);
  runopt_add_str (body, "Image", image);
  runopt_add_str (body, "WorkingDir", o->workdir);
  if (o->entrypoint)
    json_object_object_add (body, "Entrypoint",
                            bjson_new_strv ((char *[]){ (char *) o->entrypoint, NULL }));
  else
    json_object_object_add (body, "Entrypoint", NULL);
  json_object_object_add (body, "OnBuild", NULL);
  berth_error_t lerr = NULL;
  json_object *labels = build_labels (o, &lerr);
  if (labels == NULL)
    return *err = lerr, -1;
  json_object_object_add (body, "Labels", labels);
  if (o->stop_signal)
    runopt_add_str (body, "StopSignal", o->stop_signal);
  int64_t st = 0;
  if (o->stop_timeout && flag_int (o->stop_timeout, "--stop-timeout", 64, false, &st, err) < 0)
    return -1;
  if (o->stop_timeout)
    runopt_add_i64 (body, "StopTimeout", st);
  return build_health (o, body, err);
}

static int
build_resources (const struct cli_run_opts *o, json_object *h, berth_error_t *err)
{
  int64_t mem = 0, swap = 0, resv = 0, shm = 0, nano = 0, shares = 0, period = 0, quota = 0;
  int64_t rtp = 0, rtr = 0, pids = 0, blkio = 0, swappiness = -1, oom_adj = 0;
  if (flag_size (o->memory, "-m, --memory", false, &mem, err) < 0
      || flag_size (o->memory_swap, "--memory-swap", true, &swap, err) < 0
      || flag_size (o->memory_reservation, "--memory-reservation", false, &resv, err) < 0
      || flag_size (o->shm_size, "--shm-size", false, &shm, err) < 0
      || flag_cpus (o->cpus, &nano, err) < 0
      || flag_int (o->cpu_shares, "-c, --cpu-shares", 64, false, &shares, err) < 0
      || flag_int (o->cpu_period, "--cpu-period", 64, false, &period, err) < 0
      || flag_int (o->cpu_quota, "--cpu-quota", 64, false, &quota, err) < 0
      || flag_int (o->cpu_rt_period, "--cpu-rt-period", 64, false, &rtp, err) < 0
      || flag_int (o->cpu_rt_runtime, "--cpu-rt-runtime", 64, false, &rtr, err) < 0
      || flag_int (o->pids_limit, "--pids-limit", 64, false, &pids, err) < 0
      || flag_int (o->blkio_weight, "--blkio-weight", 16, true, &blkio, err) < 0
      || flag_int (o->memory_swappiness, "--memory-swappiness", 64, false, &swappiness, err) < 0
      || flag_int (o->oom_score_adj, "--oom-score-adj", 64, false, &oom_adj, err) < 0)
    return -1;
  if (o->kernel_memory
      && flag_size (o->kernel_memory, "--kernel-memory", false, &(int64_t){ 0 }, err) < 0)
    return -1;
  if (swappiness != -1 && (swappiness < 0 || swappiness > 100))
    return berth_make_error_msg (
        err, EINVAL, "invalid value: %" PRId64 ". Valid memory swappiness range is 0-100",
        swappiness);
  const struct
  {
    const char *k;
    int64_t v;
  } nums[] = { { "Memory", mem },
               { "MemorySwap", swap },
               { "MemoryReservation", resv },
               { "ShmSize", shm },
               { "NanoCpus", nano },
               { "CpuShares", shares },
               { "CpuPeriod", period },
               { "CpuQuota", quota },
               { "CpuRealtimePeriod", rtp },
               { "CpuRealtimeRuntime", rtr },
               { "PidsLimit", pids },
               { "BlkioWeight", blkio },
               { "MemorySwappiness", swappiness },
               { "OomScoreAdj", oom_adj },
               { "CpuCount", 0 },
               { "CpuPercent", 0 },
               { "IOMaximumIOps", 0 },
               { "IOMaximumBandwidth", 0 } };
  for (size_t i = 0; i < sizeof nums / sizeof *nums; i++)
    runopt_add_i64 (h, nums[i].k, nums[i].v);
  runopt_add_str (h, "CgroupParent", o->cgroup_parent);
  runopt_add_str (h, "CpusetCpus", o->cpuset_cpus);
  runopt_add_str (h, "CpusetMems", o->cpuset_mems);
  runopt_add_bool (h, "OomKillDisable", o->oom_kill_disable);
  static const char *const empty_lists[]
      = { "BlkioWeightDevice", "BlkioDeviceReadBps", "BlkioDeviceWriteBps", "BlkioDeviceReadIOps",
          "BlkioDeviceWriteIOps" };
  for (size_t i = 0; i < sizeof empty_lists / sizeof *empty_lists; i++)
    json_object_object_add (h, empty_lists[i], json_object_new_array ());
  add_strv_or_null (h, "DeviceCgroupRules", o->device_cgroup_rule);
  json_object_object_add (h, "DeviceRequests", NULL);
  json_object *devices = json_object_new_array (), *ulimits = json_object_new_array ();
  json_object_object_add (h, "Devices", devices);
  json_object_object_add (h, "Ulimits", ulimits);
  for (char **d = o->device; d && *d; d++)
    {
      json_object *one = runopt_parse_device (*d, err);
      if (one == NULL)
        return -1;
      json_object_array_add (devices, one);
    }
  for (char **u = o->ulimit; u && *u; u++)
    if (runopt_parse_ulimit (*u, ulimits, err) < 0)
      return -1;
  return 0;
}

/* Flags docker checks with `Valid()` before sending.  */
static int
check_modes (const struct cli_run_opts *o, berth_error_t *err)
{
  const char *pid = o->pid ? o->pid : "";
  if (*pid && strcmp (pid, "host") != 0
      && !(str_has_prefix (pid, "container:") && pid[strlen ("container:")]))
    return berth_make_error_msg (err, EINVAL, "--pid: invalid PID mode");
  if (o->uts && *o->uts && strcmp (o->uts, "host") != 0)
    return berth_make_error_msg (err, EINVAL, "--uts: invalid UTS mode");
  if (o->userns && *o->userns && strcmp (o->userns, "host") != 0)
    return berth_make_error_msg (err, EINVAL, "--userns: invalid USER mode");
  if (o->cgroupns && *o->cgroupns && strcmp (o->cgroupns, "host") != 0
      && strcmp (o->cgroupns, "private") != 0)
    return berth_make_error_msg (err, EINVAL, "--cgroupns: invalid CGROUP mode");
  return 0;
}

/* Go's errno texts start in lower case; uses a static buffer.  */
static const char *
lower_first (const char *s)
{
  static char buf[256];
  snprintf (buf, sizeof buf, "%s", s);
  buf[0] = (char) tolower ((unsigned char) buf[0]);
  return buf;
}

/* --security-opt: seccomp=FILE is inlined; systempaths=unconfined becomes
   empty MaskedPaths / ReadonlyPaths.  */
static int
build_security (const struct cli_run_opts *o, json_object *h, berth_error_t *err)
{
  cleanup_strv char **out = NULL;
  bool unconfined = false;
  for (char **s = o->security_opt; s && *s; s++)
    {
      const char *sep = strchr (*s, '=');
      if (sep == NULL && strcmp (*s, "no-new-privileges") != 0)
        sep = strchr (*s, ':');
      if ((sep == NULL || sep[1] == '\0') && strcmp (*s, "no-new-privileges") != 0)
        return berth_make_error_msg (err, EINVAL, "Invalid --security-opt: \"%s\"", *s);
      if (strcmp (*s, "systempaths=unconfined") == 0)
        {
          unconfined = true;
          continue;
        }
      if (str_has_prefix (*s, "seccomp=") && strcmp (sep + 1, "unconfined") != 0
          && strcmp (sep + 1, "builtin") != 0)
        {
          berth_error_t jerr = NULL;
          json_object *prof = bjson_parse_file (sep + 1, &jerr);
          if (prof == NULL)
            {
              int st = berth_error_status (jerr);
              berth_error_release (&jerr);
              if (st)
                return berth_make_error_msg (err, EINVAL,
                                             "opening seccomp profile (%s) failed: open %s: %s",
                                             sep + 1, sep + 1, lower_first (strerror (st)));
              return berth_make_error_msg (
                  err, EINVAL, "compacting json for seccomp profile (%s) failed", sep + 1);
            }
          cleanup_free char *kv = xasprintf (
              "seccomp=%s", json_object_to_json_string_ext (
                                prof, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
          json_object_put (prof);
          out = strv_append (out, kv);
          continue;
        }
      out = strv_append (out, *s);
    }
  add_strv_or_null (h, "SecurityOpt", out);
  json_object_object_add (h, "MaskedPaths", unconfined ? json_object_new_array () : NULL);
  json_object_object_add (h, "ReadonlyPaths", unconfined ? json_object_new_array () : NULL);
  return 0;
}

static int
build_lists (const struct cli_run_opts *o, json_object *h, berth_error_t *err)
{
  json_object *dns = json_object_new_array ();
  json_object_object_add (h, "Dns", dns);
  for (char **d = o->dns; d && *d; d++)
    {
      char buf[INET6_ADDRSTRLEN];
      cleanup_free char *t = str_trim (xstrdup (*d));
      if (!runopt_parse_ip (t, buf))
        return FLAG_ERR (err, *d, "--dns", "IP address is not correctly formatted: %s", *d);
      json_object_array_add (dns, json_object_new_string (buf));
    }
  json_object_object_add (h, "DnsSearch", bjson_new_strv (o->dns_search));
  json_object_object_add (h, "DnsOptions", bjson_new_strv (o->dns_option));
  cleanup_strv char **hosts = NULL;
  for (char **a = o->add_host; a && *a; a++)
    {
      cleanup_free char *one = NULL;
      if (runopt_parse_add_host (*a, &one, err) < 0)
        return -1;
      hosts = strv_append (hosts, one);
    }
  add_strv_or_null (h, "ExtraHosts", hosts);
  json_object *sysctls = o->sysctl && *o->sysctl ? json_object_new_object () : NULL;
  if (sysctls)
    json_object_object_add (h, "Sysctls", sysctls);
  for (char **s = o->sysctl; s && *s; s++)
    {
      const char *eq = strchr (*s, '=');
      cleanup_free char *k = eq ? xstrndup (*s, (size_t) (eq - *s)) : xstrdup (*s);
      if (eq == NULL || !runopt_sysctl_allowed (k))
        return FLAG_ERR (err, *s, "--sysctl", "sysctl '%s' is not allowed", *s);
      runopt_add_str (sysctls, k, eq + 1);
    }
  cleanup_strv char **add = runopt_normalize_caps (o->cap_add);
  cleanup_strv char **drop = runopt_normalize_caps (o->cap_drop);
  if (strv_contains (add, "ALL"))
    {
      strv_free (add);
      add = strv_append (NULL, "ALL");
    }
  add_strv_or_null (h, "CapAdd", add);
  add_strv_or_null (h, "CapDrop", drop);
  add_strv_or_null (h, "GroupAdd", o->group_add);
  add_strv_or_null (h, "Links", o->link);
  add_strv_or_null (h, "VolumesFrom", o->volumes_from);
  if (o->storage_opt && *o->storage_opt)
    json_object_object_add (h, "StorageOpt", kv_map (o->storage_opt));
  return 0;
}

static int
build_host (const struct cli_run_opts *o, json_object *body, json_object *config,
            berth_error_t *err)
{
  json_object *h = json_object_new_object ();
  json_object_object_add (body, "HostConfig", h);
  if (check_modes (o, err) < 0 || build_volumes (o, config, h, err) < 0
      || build_resources (o, h, err) < 0 || build_lists (o, h, err) < 0
      || build_security (o, h, err) < 0)
    return -1;
  json_object *restart = runopt_parse_restart (o->restart, err);
  if (restart == NULL)
    return -1;
  json_object_object_add (h, "RestartPolicy", restart);
  const char *rname = json_object_get_string (json_object_object_get (restart, "Name"));
  if (o->rm && *rname && strcmp (rname, "no") != 0)
    return berth_make_error_msg (err, EINVAL,
                                 "conflicting options: cannot specify both --restart and --rm");
  if (o->log_driver && strcmp (o->log_driver, "none") == 0 && o->log_opt && *o->log_opt)
    return berth_make_error_msg (err, EINVAL, "invalid logging opts for driver none");
  json_object *log = json_object_new_object ();
  runopt_add_str (log, "Type", o->log_driver);
  json_object_object_add (log, "Config", kv_map (o->log_opt));
  json_object_object_add (h, "LogConfig", log);
  cleanup_free char *net = runopt_network_mode (o);
  runopt_add_str (h, "NetworkMode", net);
  runopt_add_str (h, "ContainerIDFile", o->cidfile);
  runopt_add_bool (h, "AutoRemove", o->rm);
  runopt_add_str (h, "VolumeDriver", o->volume_driver);
  json_object *cs = json_object_new_array ();
  json_object_array_add (cs, json_object_new_int64 (o->console_height));
  json_object_array_add (cs, json_object_new_int64 (o->console_width));
  json_object_object_add (h, "ConsoleSize", cs);
  const char *strs[][2]
      = { { "CgroupnsMode", o->cgroupns }, { "IpcMode", o->ipc }, { "Cgroup", NULL },
          { "PidMode", o->pid },           { "UTSMode", o->uts }, { "UsernsMode", o->userns },
          { "Isolation", o->isolation } };
  for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
    runopt_add_str (h, strs[i][0], strs[i][1]);
  runopt_add_bool (h, "Privileged", o->privileged);
  runopt_add_bool (h, "PublishAllPorts", o->publish_all);
  runopt_add_bool (h, "ReadonlyRootfs", o->read_only);
  if (o->init_set)
    runopt_add_bool (h, "Init", o->init);
  if (o->runtime && *o->runtime)
    runopt_add_str (h, "Runtime", o->runtime);
  json_object *exposed = json_object_new_object (), *bindings = json_object_new_object ();
  json_object_object_add (h, "PortBindings", bindings);
  json_object_object_add (config, "ExposedPorts", exposed);
  for (char **p = o->publish; p && *p; p++)
    {
      cleanup_free char *std = runopt_publish_standard (*p, err);
      if (std == NULL || runopt_parse_publish (std, exposed, bindings, err) < 0)
        return -1;
    }
  for (char **e = o->expose; e && *e; e++)
    if (runopt_parse_expose (*e, exposed, err) < 0)
      return -1;
  if (json_object_object_length (exposed) == 0)
    json_object_object_del (config, "ExposedPorts");
  return 0;
}

json_object *
cli_run_opts_to_create (const struct cli_run_opts *o, const char *image, char *const *cmd,
                        berth_error_t *err)
{
  json_object *body = json_object_new_object ();
  /* --network values are flags docker parses (and refuses) first.  */
  if (runopt_check_networks (o, err) < 0 || build_config (o, image, cmd, body, err) < 0
      || build_host (o, body, body, err) < 0 || runopt_build_networking (o, body, err) < 0)
    {
      json_object_put (body);
      return NULL;
    }
  return body;
}
