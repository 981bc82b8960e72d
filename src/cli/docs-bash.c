/* berth — the bash completion script, generated from the command table:
   the commands and subcommands with their aliases, every command's flags
   (and which of them take a value), and what each positional argument
   names, read from the usage line (CONTAINER, IMAGE, NAME|ID, PATH), which
   the script completes with the names `berth ps` and `berth images` list,
   as docker's completion does.  */
#include <string.h>

#include "base/base.h"
#include "cli/cli.h"
#include "cli/docs.h"

/* "container_ls": a command's key in the script; management commands end
   in '/'.  */
static char *
key_of (const struct cli_command *cmd)
{
  cleanup_free char *path = cli_docs_path (cmd);
  char *key = xasprintf ("%s%s", path + strlen ("berth "), cmd->fn ? "" : "/");
  for (char *c = key; *c; c++)
    if (*c == ' ')
      *c = '_';
  return key;
}

/* Every name, "--long" and "-s", of FLAGS; with VALUES, only those that
   take a value; with FILES, only those whose value is a path.  */
static void
put_flags (FILE *out, const struct cli_flag *flags, bool values, bool files)
{
  static const char *const path_flags[]
      = { "cidfile", "config",    "env-file", "file",   "input", "label-file",
          "output",  "tlscacert", "tlscert",  "tlskey", NULL };
  bool first = true;
  for (size_t i = 0; flags && flags[i].name; i++)
    {
      const struct cli_flag *f = &flags[i];
      if ((f->flags & CLI_FLAG_HIDDEN) || (values && f->type == CLI_FLAG_BOOL)
          || (files && !strv_contains ((char *const *) path_flags, f->name)))
        continue;
      fprintf (out, "%s--%s", first ? "" : " ", f->name);
      if (f->shorthand)
        fprintf (out, " -%c", f->shorthand);
      first = false;
    }
}

/* One letter per positional of the usage line: c container, i image,
   a either, f a path, - nothing; a final '*' repeats the one before.  */
static char *
arg_kinds (const char *usage)
{
  cleanup_free char *first = xstrndup (usage ? usage : "", strcspn (usage ? usage : "", "\n"));
  cleanup_strv char **words = strv_split (first, ' ');
  char *kinds = xcalloc (strlen (first) + 2, 1);
  size_t k = 0;
  for (size_t i = 0; words && words[i]; i++)
    {
      const char *w = words[i];
      if (*w == '\0' || strstr (w, "OPTIONS"))
        continue;
      char kind = strchr (w, ':') && strstr (w, "CONTAINER") ? 'f'
                  : strstr (w, "CONTAINER")                  ? 'c'
                  : strstr (w, "IMAGE")                      ? 'i'
                  : strstr (w, "NAME|ID")                    ? 'a'
                  : strstr (w, "PATH") || strstr (w, "FILE") ? 'f'
                                                             : '-';
      kinds[k++] = kind;
      if (strstr (w, "..."))
        {
          kinds[k++] = '*';
          break;
        }
    }
  return kinds;
}

/* Which containers a command offers, as docker's completion filters them.  */
static const char *
container_state (const struct cli_command *cmd)
{
  static const char *const running[]
      = { "attach", "exec", "kill", "pause", "port", "stop", "top", NULL };
  if (strv_contains ((char *const *) running, cmd->name))
    return "running";
  if (strcmp (cmd->name, "start") == 0)
    return "stopped";
  if (strcmp (cmd->name, "unpause") == 0)
    return "paused";
  return "all";
}

static void
put_info (FILE *out, const char *key, const struct cli_command *cmd, const struct cli_flag *flags)
{
  cleanup_free char *kinds = cmd ? arg_kinds (cmd->usage) : xstrdup ("");
  fprintf (out, "    '%s')\n      __berth_flags='", key);
  put_flags (out, flags, false, false);
  fputs ("'\n      __berth_vflags='", out);
  put_flags (out, flags, true, false);
  fputs ("'\n      __berth_fflags='", out);
  put_flags (out, flags, true, true);
  fprintf (out, "'\n      __berth_args='%s' __berth_stop=%d __berth_cstate=%s ;;\n", kinds,
           cmd && cmd->interspersed_stop ? 1 : 0, cmd ? container_state (cmd) : "all");
}

static void
put_keys (FILE *out, const struct cli_command *const *all, size_t n)
{
  fputs ("# __berth_key [MANAGEMENT] WORD: the key of a command word in __berth_k.\n"
         "__berth_key () {\n  case \"$*\" in\n",
         out);
  for (size_t i = 0; i < n; i++)
    {
      const struct cli_command *c = all[i];
      if (c->hidden)
        continue;
      cleanup_free char *key = key_of (c);
      const char *up = c->parent ? c->parent : "";
      fprintf (out, "    '%s%s%s'", up, *up ? " " : "", c->name);
      for (size_t k = 0; c->aliases && c->aliases[k]; k++)
        fprintf (out, "|'%s%s%s'", up, *up ? " " : "", c->aliases[k]);
      if (c->parent && c->shortcut)
        fprintf (out, "|'%s'", c->shortcut);
      fprintf (out, ") __berth_k='%s' ;;\n", key);
    }
  fputs ("    help) __berth_k=help ;;\n    *) __berth_k= ;;\n  esac\n}\n\n", out);
}

static void
put_words (FILE *out)
{
  size_t n = 0;
  cleanup_free const struct cli_command **top = cli_docs_children (NULL, &n);
  fputs ("# The words of `berth TAB` and `berth MANAGEMENT TAB`.\n__berth_words () {\n"
         "  case \"$1\" in\n    '')\n      echo '",
         out);
  for (size_t i = 0; i < n; i++)
    fprintf (out, "%s ", top[i]->parent ? top[i]->shortcut : top[i]->name);
  fputs ("help' ;;\n", out);
  for (size_t i = 0; i < n; i++)
    {
      if (top[i]->fn || top[i]->parent)
        continue;
      size_t m = 0;
      cleanup_free const struct cli_command **subs = cli_docs_children (top[i]->name, &m);
      fprintf (out, "    '%s')\n      echo '", top[i]->name);
      for (size_t k = 0; k < m; k++)
        fprintf (out, "%s%s", k ? " " : "", subs[k]->name);
      fputs ("' ;;\n", out);
    }
  fputs ("  esac\n}\n\n", out);
}

/* The part of the script that does not depend on the table.  */
static const char script_logic[]
    = "__berth_in () {\n"
      "  local x=$1 y\n"
      "  shift\n"
      "  for y; do [ \"$x\" = \"$y\" ] && return 0; done\n"
      "  return 1\n"
      "}\n"
      "\n"
      "# __berth_names KIND: the names to offer, from the daemon the command line\n"
      "# talks to (its -H/--host and --config are passed on).\n"
      "__berth_names () {\n"
      "  local -a cmd=(\"${COMP_WORDS[0]}\" \"${__berth_global_args[@]}\")\n"
      "  case \"$1\" in\n"
      "    c)\n"
      "      case \"$__berth_cstate\" in\n"
      "        running) \"${cmd[@]}\" ps --format '{{.Names}}' ;;\n"
      "        stopped) \"${cmd[@]}\" ps -a --filter status=created --filter status=exited "
      "--format '{{.Names}}' ;;\n"
      "        paused) \"${cmd[@]}\" ps -a --filter status=paused --format '{{.Names}}' ;;\n"
      "        *) \"${cmd[@]}\" ps -a --format '{{.Names}}' ;;\n"
      "      esac ;;\n"
      "    i) \"${cmd[@]}\" images --format '{{.Repository}}:{{.Tag}}' | grep -v '<none>' ;;\n"
      "    a) __berth_names c; __berth_names i ;;\n"
      "  esac 2>/dev/null\n"
      "}\n"
      "\n"
      "_berth () {\n"
      "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
      "  local key= w i=1 pos=0 stop=0 skip=0 kind\n"
      "  __berth_global_args=()\n"
      "  COMPREPLY=()\n"
      "  # Walk the words before the cursor: global options, the command (and\n"
      "  # subcommand), then its flags and positionals.\n"
      "  while [ \"$i\" -lt \"$COMP_CWORD\" ]; do\n"
      "    w=${COMP_WORDS[i]}\n"
      "    if [ \"$skip\" = 1 ]; then\n"
      "      skip=0\n"
      "      [ -z \"$key\" ] && __berth_global_args+=(\"$w\")\n"
      "    elif [ \"$stop\" = 0 ] && [ \"$w\" = -- ] && [ -n \"$key\" ]; then\n"
      "      stop=1\n"
      "    elif [ \"$stop\" = 0 ] && [[ $w == -?* ]]; then\n"
      "      __berth_info \"$key\"\n"
      "      if [[ $w != *=* ]] && __berth_in \"$w\" $__berth_vflags; then\n"
      "        skip=1\n"
      "      fi\n"
      "      if [ -z \"$key\" ] && [[ $w == -H* || $w == --host* || $w == --config* ]]; then\n"
      "        __berth_global_args+=(\"$w\")\n"
      "      fi\n"
      "    elif [ -z \"$key\" ]; then\n"
      "      __berth_key \"$w\"\n"
      "      key=$__berth_k\n"
      "      [ -n \"$key\" ] || return 0\n"
      "    elif [[ $key == */ ]]; then\n"
      "      __berth_key \"${key%/}\" \"$w\"\n"
      "      key=$__berth_k\n"
      "      [ -n \"$key\" ] || return 0\n"
      "    else\n"
      "      pos=$((pos + 1))\n"
      "      __berth_info \"$key\"\n"
      "      [ \"$__berth_stop\" = 1 ] && stop=1\n"
      "    fi\n"
      "    i=$((i + 1))\n"
      "  done\n"
      "  __berth_info \"$key\"\n"
      "  if [ \"$skip\" = 1 ]; then\n"
      "    # The value of a flag: a path for path flags, nothing to offer else.\n"
      "    __berth_in \"$prev\" $__berth_fflags && COMPREPLY=($(compgen -f -- \"$cur\"))\n"
      "    return 0\n"
      "  fi\n"
      "  if [ \"$stop\" = 0 ] && [[ $cur == -* ]]; then\n"
      "    [[ $cur == *=* ]] || COMPREPLY=($(compgen -W \"$__berth_flags\" -- \"$cur\"))\n"
      "    return 0\n"
      "  fi\n"
      "  case \"$key\" in\n"
      "    '') COMPREPLY=($(compgen -W \"$(__berth_words '')\" -- \"$cur\")); return 0 ;;\n"
      "    */) COMPREPLY=($(compgen -W \"$(__berth_words \"${key%/}\")\" -- \"$cur\")); return 0 "
      ";;\n"
      "    help) [ \"$pos\" = 0 ] && COMPREPLY=($(compgen -W \"$(__berth_words '')\" -- "
      "\"$cur\")); return 0 ;;\n"
      "  esac\n"
      "  kind=${__berth_args:pos:1}\n"
      "  if [ -z \"$kind\" ] || [ \"$kind\" = '*' ]; then\n"
      "    case \"$__berth_args\" in\n"
      "      *'*') kind=${__berth_args: -2:1} ;;\n"
      "      *) kind=- ;;\n"
      "    esac\n"
      "  fi\n"
      "  case \"$kind\" in\n"
      "    c | i | a) COMPREPLY=($(compgen -W \"$(__berth_names \"$kind\")\" -- \"$cur\")) ;;\n"
      "    f) COMPREPLY=($(compgen -f -- \"$cur\")) ;;\n"
      "  esac\n"
      "  return 0\n"
      "}\n"
      "\n"
      "complete -F _berth berth\n";

void
cli_docs_bash (FILE *out, const struct cli_flag *globals)
{
  size_t n = 0;
  const struct cli_command *const *all = cli_commands (&n);
  fputs ("# bash completion for berth(1): generated by `berth __docs bash` from the\n"
         "# command table (src/cli/docs-bash.c); do not edit.\n\n",
         out);
  put_keys (out, all, n);
  put_words (out);
  fputs ("# __berth_info KEY: the flags and arguments of a command (\"\": the global\n"
         "# options).\n__berth_info () {\n  case \"$1\" in\n",
         out);
  put_info (out, "", NULL, globals);
  for (size_t i = 0; i < n; i++)
    if (!all[i]->hidden && all[i]->fn)
      {
        cleanup_free char *key = key_of (all[i]);
        put_info (out, key, all[i], all[i]->flags);
      }
  fputs ("    *)\n      __berth_flags= __berth_vflags= __berth_fflags= __berth_args= "
         "__berth_stop=0 __berth_cstate=all ;;\n  esac\n}\n\n",
         out);
  fputs (script_logic, out);
}
