/* berth — what the typed pass of docker's `inspect` knows of docker's Go
   types and json-c does not: which fields are nil-able pointers (printed
   "<nil>"), and the structs fmt prints as "{v1 v2 ...}" (field values in
   declaration order, zero values for the fields the JSON omits) where a
   JSON object would print as "map[k:v ...]".  */
#include <string.h>

#include "base/base.h"
#include "cli/format.h"
#include "cli/template-internal.h"

/* A struct of docker's types: the JSON names of its fields in Go's
   declaration order, each with its kind ('s' string, 'i' number, 'b' bool,
   'm' map, 'a' slice, 'p' pointer, 't' struct), as "Name:k".  */
struct tstruct
{
  const char *parent; /* NULL: any */
  const char *name;
  const char *const fields[6];
};

/* docker 28's api/types: network.ConfigReference, network.IPAM,
   network.IPAMConfig, container.LogConfig, container.RestartPolicy,
   volume.UsageData.  */
static const struct tstruct structs[] = {
  { NULL, "ConfigFrom", { "Network:s" } },
  { NULL, "IPAM", { "Driver:s", "Options:m", "Config:a" } },
  { "IPAM", "Config", { "Subnet:s", "IPRange:s", "Gateway:s", "AuxiliaryAddresses:m" } },
  { NULL, "LogConfig", { "Type:s", "Config:m" } },
  { NULL, "RestartPolicy", { "Name:s", "MaximumRetryCount:i" } },
  { NULL, "UsageData", { "Size:i", "RefCount:i" } },
};

const struct tstruct *
template_struct_of (const char *parent, const char *name)
{
  for (size_t i = 0; name && i < sizeof structs / sizeof structs[0]; i++)
    if (strcmp (structs[i].name, name) == 0
        && (structs[i].parent == NULL || (parent && strcmp (structs[i].parent, parent) == 0)))
      return &structs[i];
  return NULL;
}

void
template_struct_mark (json_object *o, const struct tstruct *t)
{
  if (t && json_object_is_type (o, json_type_object))
    json_object_set_userdata (o, (void *) t, NULL);
}

/* The struct O was marked with, NULL for maps and unmarked objects (whose
   userdata, if any, is someone else's: only our table's addresses count). */
static const struct tstruct *
struct_of (json_object *o)
{
  if (!json_object_is_type (o, json_type_object))
    return NULL;
  const struct tstruct *t = json_object_get_userdata (o);
  if (t >= structs && t < structs + sizeof structs / sizeof structs[0])
    return t;
  return NULL;
}

static void
print_zero (struct cli_buf *b, char kind)
{
  static const char *const zero[]
      = { "s", "", "i", "0", "b", "false", "m", "map[]", "a", "[]", "p", "<nil>", "t", "{}" };
  for (size_t i = 0; i < sizeof zero / sizeof zero[0]; i += 2)
    if (zero[i][0] == kind)
      cli_buf_puts (b, zero[i + 1]);
}

static void
print_typed (struct cli_buf *b, json_object *v)
{
  if (json_object_is_type (v, json_type_array))
    {
      cli_buf_puts (b, "[");
      for (size_t k = 0; k < json_object_array_length (v); k++)
        {
          if (k)
            cli_buf_puts (b, " ");
          print_typed (b, json_object_array_get_idx (v, k));
        }
      cli_buf_puts (b, "]");
    }
  else if (!template_print_struct (b, v))
    cli_format_go_value (b, v);
}

bool
template_print_struct (struct cli_buf *b, json_object *o)
{
  const struct tstruct *t = struct_of (o);
  if (t == NULL)
    return false;
  cli_buf_puts (b, "{");
  for (size_t i = 0; i < 6 && t->fields[i]; i++)
    {
      const char *colon = strchr (t->fields[i], ':');
      cleanup_free char *key = xstrndup (t->fields[i], (size_t) (colon - t->fields[i]));
      json_object *v = NULL;
      if (i)
        cli_buf_puts (b, " ");
      if (!json_object_object_get_ex (o, key, &v) || v == NULL)
        print_zero (b, colon[1]);
      else
        print_typed (b, v);
    }
  cli_buf_puts (b, "}");
  return true;
}

bool
template_print_typed (struct cli_buf *b, json_object *v)
{
  if (!json_object_is_type (v, json_type_array) && struct_of (v) == NULL)
    return false;
  print_typed (b, v);
  return true;
}

/* Pointer fields of docker's types, nil when the JSON omits them or has
   null: fmt prints "<nil>", and a field of one is Go's "nil pointer
   evaluating *TYPE.FIELD".  Returns the pointer's Go type, or NULL.  */
const char *
template_ptr_type (const char *name)
{
  static const char *const ptrs[] = { "Healthcheck",
                                      "*container.HealthConfig",
                                      "Health",
                                      "*container.Health",
                                      "UsageData",
                                      "*volume.UsageData",
                                      "ClusterVolume",
                                      "*volume.ClusterVolume",
                                      "Platform",
                                      "*ocispec.Platform",
                                      NULL };
  for (size_t i = 0; name && ptrs[i]; i += 2)
    if (strcmp (name, ptrs[i]) == 0)
      return ptrs[i + 1];
  return NULL;
}
