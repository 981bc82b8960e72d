/* berth — the CLI layer: command table, flags, the Engine API client.
 *
 * How to add a command (say `berth container top`, shortcut `berth top`):
 *
 * 1. In your src/cli/cmd-<verb>.c, write the flags and the handler:
 *
 *      static const struct cli_flag top_flags[] = {
 *        { "format", 'f', CLI_FLAG_STRING, NULL, "Pretty-print ...", NULL, 0 },
 *        { NULL },
 *      };
 *      static int
 *      cmd_top (struct cli *cli, struct cli_args *a)
 *      {
 *        cleanup_free char *path = cli_path (cli, "/containers/%s/top", a->argv[0]);
 *        struct cli_response r = { 0 };
 *        if (cli_request (cli, "GET", path, NULL, &r) < 0)
 *          return cli_fail (cli, a, 1);       (prints cli->err as docker does)
 *        if (r.status >= 400)
 *          return cli_fail_response (cli, a, &r, 1);
 *        ...print r.body...
 *        cli_response_clear (&r);
 *        return 0;
 *      }
 *
 *    and its table, terminated by an empty entry:
 *
 *      const struct cli_command cli_cmds_top[] = {
 *        { .name = "top", .parent = "container", .shortcut = "top",
 *          .usage = "CONTAINER [ps OPTIONS]",
 *          .short_help = "Display the running processes of a container",
 *          .flags = top_flags, .args = CLI_ARGS_MIN, .nargs = 1, .fn = cmd_top },
 *        { NULL },
 *      };
 *
 *    `.usage` is what follows the command path in "Usage:  berth top ...".
 *    `.aliases` (`(const char *const[]) { "list", "ps", NULL }`) are other
 *    names under the parent; `.shortcut` is the top-level name (`berth ps`).
 *    `.common` orders the "Common Commands" of `berth --help` (1 first).
 *    `.interspersed_stop` makes flags end at the first positional (run,
 *    create, exec: `berth exec c ls -l` passes -l to ls).
 *
 * 2. Add one line `X (top)` to CLI_COMMAND_FILES below and the file to
 *    src/cli/meson.build.  Help, aliases, argument-count errors and
 *    unknown-flag errors then come from the table.
 *
 * Helpers: cli_flag_* read the parsed flags; cli_request/cli_request_json/
 * cli_stream talk to the daemon (client section below); cli_fail* print
 * errors in docker's words and return the exit status to return.  */
#ifndef BERTH_CLI_CLI_H
#define BERTH_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/error.h"

struct json_object;

/* The cmd-*.c files whose `cli_cmds_<name>[]` tables make up berth.  */
/* clang-format off */
/* (clang-format reflows this list differently on every run.)  */
#define CLI_COMMAND_FILES(X)                                                   \
  X (system) X (ps) X (container) X (inspect) X (logs) X (stats) X (cp)        \
  X (image) X (image_archive) X (run) X (exec) X (events) X (unsupported)    \
  X (docs) X (volume) X (network)
/* clang-format on */

enum cli_flag_type
{
  CLI_FLAG_BOOL,     /* --x, --x=false */
  CLI_FLAG_STRING,   /* last one wins */
  CLI_FLAG_STRINGS,  /* repeatable: -e A -e B ("list" in help) */
  CLI_FLAG_INT,      /* Go's strconv.ParseInt(s, 0, 64), range of int */
  CLI_FLAG_INT64,    /* the same, int64 */
  CLI_FLAG_UINT16,   /* strconv.ParseUint(s, 0, 16) */
  CLI_FLAG_BYTES,    /* go-units RAMInBytes: 64m, 1.5g */
  CLI_FLAG_DURATION, /* Go's time.ParseDuration: 1m30s */
  CLI_FLAG_MAP,      /* repeatable key=value (--label, --opt) */
};

#define CLI_FLAG_HIDDEN 1u

struct cli_flag
{
  const char *name; /* long name, without "--" */
  char shorthand;   /* 0 when none */
  enum cli_flag_type type;
  const char *def;     /* default as text, shown in help when not zero; NULL */
  const char *usage;   /* help text; may hold '\n' */
  const char *varname; /* type word in help ("list", "filter"); NULL: derived */
  unsigned flags;      /* CLI_FLAG_HIDDEN */
};

enum cli_args_rule
{
  CLI_ARGS_ANY = 0,
  CLI_ARGS_NONE,  /* cli.NoArgs */
  CLI_ARGS_MIN,   /* cli.RequiresMinArgs(nargs) */
  CLI_ARGS_EXACT, /* cli.ExactArgs(nargs) */
  CLI_ARGS_MAX,   /* cli.RequiresMaxArgs(nargs) */
  CLI_ARGS_RANGE, /* cli.RequiresRangeArgs(nargs, nargs_max) */
};

struct cli;
struct cli_args;

struct cli_command
{
  const char *name;
  const char *parent;         /* "container", "image", "system", or NULL */
  const char *const *aliases; /* NULL-terminated: other names under parent */
  const char *shortcut;       /* top-level name for a subcommand ("ps") */
  const char *usage;          /* after the command path: "[OPTIONS] IMAGE ..." */
  const char *short_help;
  const struct cli_flag *flags; /* NULL-name terminated; may be NULL */
  enum cli_args_rule args;
  int nargs, nargs_max;
  bool interspersed_stop; /* flags end at the first positional */
  int common;             /* order among "Common Commands"; 0: not common */
  bool hidden;            /* internal (__docs): never in help, docs, completion */
  const char *long_help;  /* cobra's Long: replaces short_help in --help; NULL */
  int (*fn) (struct cli *cli, struct cli_args *a); /* NULL: management cmd */
};

#define CLI_DECLARE_TABLE(n) extern const struct cli_command cli_cmds_##n[];
CLI_COMMAND_FILES (CLI_DECLARE_TABLE)
#undef CLI_DECLARE_TABLE

/* One flag's parsed values.  */
struct cli_flag_value
{
  bool set;
  bool b;
  char *s;   /* last value given (string, int, ... as typed) */
  char **v;  /* every value, for STRINGS and MAP */
  int64_t i; /* INT, INT64, UINT16, BYTES, DURATION (ns) */
};

struct cli_args
{
  const struct cli_command *cmd;
  char *path;                    /* "berth container ls" or "berth ps": as invoked */
  int argc;                      /* positionals */
  char **argv;                   /* NULL-terminated; owned */
  struct cli_flag_value *values; /* one per cmd->flags entry */
  bool help;                     /* -h/--help given */
  bool help_short;               /* as -h: docker warns that it is deprecated */
};

/* Parse ARGV (after the command words) for CMD into A.  On a bad flag,
   A->cmd stays set and *err holds pflag's message ("unknown flag: --x");
   the caller prints it with cli_usage_error and returns 125.  */
int cli_args_parse (struct cli_args *a, const struct cli_command *cmd, const char *path, int argc,
                    char **argv, berth_error_t *err);
void cli_args_clear (struct cli_args *a);
/* The argument-count rule; *err holds docker's message without the
   "berth: " prefix and the usage lines.  */
int cli_args_check (const struct cli_args *a, berth_error_t *err);

bool cli_flag_bool (const struct cli_args *a, const char *name);
/* The value, or the default, or NULL.  */
const char *cli_flag_string (const struct cli_args *a, const char *name);
/* Every value given, NULL-terminated (may be NULL): borrowed.  */
char *const *cli_flag_strings (const struct cli_args *a, const char *name);
/* INT/INT64/UINT16/BYTES/DURATION (ns): value or default.  */
int64_t cli_flag_int (const struct cli_args *a, const char *name);
bool cli_flag_set (const struct cli_args *a, const char *name);

/* Value parsers of the flag types, exposed for tests and commands that
   parse the same syntaxes inside other options.  Messages are Go's.  */
int cli_parse_bytes (const char *s, int64_t *out, berth_error_t *err);
int cli_parse_duration (const char *s, int64_t *ns, berth_error_t *err);
int cli_parse_bool (const char *s, bool *out, berth_error_t *err);

/* ---- help (help.c) ---- */

/* The whole command table, and lookups in it.  */
const struct cli_command *const *cli_commands (size_t *n);
const struct cli_command *cli_command_find (const char *parent, const char *name);
/* "Usage:  PATH USAGE" text after "Usage:  ".  */
char *cli_use_line (const struct cli_command *cmd, const char *path);
void cli_help_top (FILE *out, const struct cli_flag *globals);
void cli_help_command (FILE *out, const struct cli_command *cmd, const char *path);
/* pflag's FlagUsagesWrapped(cols): the "Options:" block.  */
char *cli_flag_usages (const struct cli_flag *flags, int cols);
/* "MSG\n\nUsage:  USE\n\nRun 'PATH --help' for more information\n" on
   stderr; returns 125 (flag errors).  */
int cli_usage_error (const struct cli_args *a, const char *msg);

/* ---- the client (client.c) ---- */

struct cli
{
  char *host;       /* unix:///run/berth/berth.sock, tcp://h:p */
  char *config_dir; /* --config, DOCKER_CONFIG, ~/.docker */
  bool debug;
  char *log_level;
  bool tls, tlsverify;
  char *tlscacert, *tlscert, *tlskey;
  char *api_version;              /* "1.50" after negotiation or DOCKER_API_VERSION */
  bool api_fixed;                 /* DOCKER_API_VERSION: no negotiation */
  bool host_given;                /* -H or an env var: never start berthd */
  const char *argv0;              /* to find berthd beside the binary */
  const struct cli_flag *globals; /* the global options' table (docs.c) */
  void *curl;                     /* CURL *, reused across requests (keep-alive) */
  berth_error_t err;              /* last client error, for cli_fail */
};

struct cli_response
{
  long status; /* HTTP status */
  char *body;  /* NUL-terminated */
  size_t len;
};

/* The newest API version this client speaks.  */
#define CLI_API_VERSION "1.50"
#define CLI_DEFAULT_HOST "unix:///run/berth/berth.sock"

void cli_init (struct cli *cli, const char *argv0);
void cli_clear (struct cli *cli);
void cli_response_clear (struct cli_response *r);

/* "/v1.50" + printf(fmt): the versioned path of an endpoint; negotiates
   the version first (GET /_ping) unless done.  Returns NULL and sets
   cli->err when the daemon cannot be reached.  */
char *cli_path (struct cli *cli, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

/* The detach keys of run/start/attach/exec: FLAG when given and not empty,
   else config.json's "detachKeys" (docker's default), else NULL.  New
   string.  */
char *cli_detach_keys (struct cli *cli, const char *flag);
/* Negotiate once: GET /_ping; min(Api-Version, 1.50) or DOCKER_API_VERSION.  */
int cli_negotiate (struct cli *cli);

/* One request; BODY (JSON text) may be NULL.  Fills R (status + body);
   < 0 only when no answer came (cli->err set: "Cannot connect ...").  */
int cli_request (struct cli *cli, const char *method, const char *path, const char *body,
                 struct cli_response *r);
/* The same, the body serialised from OBJ (may be NULL).  */
int cli_request_json (struct cli *cli, const char *method, const char *path,
                      struct json_object *obj, struct cli_response *r);
/* A streamed answer: CB gets each chunk as it arrives (return < 0 to stop).
   On an error status the body is gathered in R instead of passed to CB.
   BODY_FD >= 0 uploads a file/pipe as the request body (load, import).  */
typedef int (*cli_chunk_cb) (const char *data, size_t len, void *opaque);
/* A connection to the daemon for a raw exchange (hijack, wait): unix,
   tcp, or TLS through a helper thread.  < 0 with cli->err.  */
int cli_dial (struct cli *cli);
/* A HEAD request; the value of HEADER ("x-docker-container-path-stat:",
   lower case) in *VALUE (new string, left alone when absent).  */
int cli_head (struct cli *cli, const char *path, const char *header, char **value,
              struct cli_response *r);
int cli_stream (struct cli *cli, const char *method, const char *path, const char *content_type,
                int body_fd, cli_chunk_cb cb, void *opaque, struct cli_response *r);
/* A cli_chunk_cb that writes each chunk to the fd *OPAQUE (an int *),
   whole (fs_write_all).  */
int cli_chunk_to_fd (const char *data, size_t len, void *opaque);

/* Hijack (attach, exec start): POST PATH with BODY and "Upgrade: tcp";
   on 101 (or 200) returns the connected fd, and in *extra (length in
   *extra_len) the bytes already read past the headers (free *extra).  On an HTTP error the
   answer is in R and -1 is returned with cli->err set to its message.
   tcp with TLS is not supported yet.  */
int cli_hijack (struct cli *cli, const char *path, const char *body, struct cli_response *r,
                char **extra, size_t *extra_len);

/* Query strings: append "&key=value" (first "?"), value escaped.  */
void cli_query_add (char **query, const char *key, const char *value);
/* Percent-escape as Go's url.QueryEscape.  */
char *cli_query_escape (const char *s);

/* The daemon's message of an error answer: {"message": ...}, else the
   body trimmed, else the status line.  */
char *cli_response_message (const struct cli_response *r);

/* Error printing: docker's wording on stderr; each returns STATUS.
   cli_fail: cli->err (a connection error prints as is).
   cli_fail_response: "Error response from daemon: <message>".
   For run/create-type commands (STATUS 125) docker prefixes "berth: " and
   appends "\n\nRun 'PATH --help' for more information".  */
int cli_fail (struct cli *cli, const struct cli_args *a, int status);
int cli_fail_response (struct cli *cli, const struct cli_args *a, const struct cli_response *r,
                       int status);
int cli_fail_msg (const struct cli_args *a, int status, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/* ---- main (main.c) ---- */

/* The whole CLI: global options, dispatch, exit status.  */
int cli_main (int argc, char **argv);

#endif
