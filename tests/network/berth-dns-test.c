/* berth-dns-test — runs the embedded DNS server (src/network/dns.h) for
 * tests/system/96-network-dns.bats:
 *
 *   berth-dns-test serve [-u UPSTREAM]... [-i] [-n NAME=IP[,IP...]]...
 *                        [-r IP=NAME]... -a NETNS-PATH=ID...
 *
 * -u: upstream servers (none: no forwarding at all, never the host's);
 * -i: attach as on an --internal network; -n: names the resolve callback
 * knows (for every container); -r: addresses the reverse callback knows.
 * Prints "ready" once every namespace is attached, then waits: SIGUSR1
 * detaches every container (prints "detached"), SIGTERM/SIGINT end it.
 * Errors go to stderr, exit 1.  */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "network/dns.h"

#define MAX_ENTRIES 32

struct entry
{
  char *name;
  uint32_t addrs[8];
  size_t n;
};

struct table
{
  struct entry names[MAX_ENTRIES];
  size_t nnames;
  struct entry revs[MAX_ENTRIES];
  size_t nrevs;
};

static size_t
resolve (void *data, const char *cid, const char *name, uint32_t *out, size_t max)
{
  struct table *t = data;
  (void) cid;
  for (size_t i = 0; i < t->nnames; i++)
    if (strcasecmp (t->names[i].name, name) == 0)
      {
        size_t n = t->names[i].n < max ? t->names[i].n : max;
        memcpy (out, t->names[i].addrs, n * sizeof (*out));
        return n;
      }
  return 0;
}

static bool
reverse (void *data, const char *cid, uint32_t addr, char *out, size_t outlen)
{
  struct table *t = data;
  (void) cid;
  for (size_t i = 0; i < t->nrevs; i++)
    if (t->revs[i].addrs[0] == addr)
      return snprintf (out, outlen, "%s", t->revs[i].name) < (int) outlen;
  return false;
}

/* "NAME=IP[,IP...]" (or, REV, "IP=NAME") into E.  */
static int
parse_entry (char *arg, struct entry *e, bool rev)
{
  char *eq = strchr (arg, '='), *ips, *tok, *save = NULL;
  if (eq == NULL)
    return -1;
  *eq = '\0';
  e->name = rev ? eq + 1 : arg;
  ips = rev ? arg : eq + 1;
  for (tok = strtok_r (ips, ",", &save); tok && e->n < 8; tok = strtok_r (NULL, ",", &save))
    if (inet_pton (AF_INET, tok, &e->addrs[e->n++]) != 1)
      return -1;
  return e->n ? 0 : -1;
}

static int
wait_signals (struct net_dns *d, char **ids, size_t nids)
{
  sigset_t set;
  int sig;
  sigemptyset (&set);
  sigaddset (&set, SIGTERM);
  sigaddset (&set, SIGINT);
  sigaddset (&set, SIGUSR1);
  for (;;)
    {
      if (sigwait (&set, &sig) != 0)
        return 1;
      if (sig != SIGUSR1)
        return 0;
      for (size_t i = 0; i < nids; i++)
        net_dns_detach (d, ids[i]);
      printf ("detached\n");
      fflush (stdout);
    }
}

static int
serve (int argc, char **argv)
{
  static struct table t;
  char *ups[4] = { NULL };
  char *paths[64], *ids[64];
  size_t nups = 0, nns = 0;
  struct net_dns_attach_opts opts = { .upstreams = NULL, .no_forward = false };
  berth_error_t err = NULL;
  struct net_dns *d = NULL;
  sigset_t set;
  int opt, rc = 0;

  while ((opt = getopt (argc, argv, "u:in:r:a:")) != -1)
    {
      char *eq;
      if (opt == 'u' && nups < 3)
        ups[nups++] = optarg;
      else if (opt == 'i')
        opts.no_forward = true;
      else if (opt == 'n' && t.nnames < MAX_ENTRIES
               && parse_entry (optarg, &t.names[t.nnames], false) == 0)
        t.nnames++;
      else if (opt == 'r' && t.nrevs < MAX_ENTRIES
               && parse_entry (optarg, &t.revs[t.nrevs], true) == 0)
        t.nrevs++;
      else if (opt == 'a' && nns < 64 && (eq = strchr (optarg, '=')) != NULL)
        *eq = '\0', paths[nns] = optarg, ids[nns++] = eq + 1;
      else
        {
          fprintf (stderr, "berth-dns-test: bad usage (see the head of berth-dns-test.c)\n");
          return 2;
        }
    }
  /* Before the server's thread starts, so only sigwait sees them.  */
  sigemptyset (&set);
  sigaddset (&set, SIGTERM);
  sigaddset (&set, SIGINT);
  sigaddset (&set, SIGUSR1);
  pthread_sigmask (SIG_BLOCK, &set, NULL);

  d = net_dns_new (resolve, &t, ups, &err);
  if (d == NULL)
    goto fail;
  net_dns_set_reverse (d, reverse);
  for (size_t i = 0; i < nns; i++)
    {
      cleanup_close int fd = open (paths[i], O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        {
          berth_make_error (&err, errno, "open `%s`", paths[i]);
          goto fail;
        }
      if (net_dns_attach_opts (d, ids[i], fd, &opts, &err) < 0)
        goto fail;
    }
  printf ("ready\n");
  fflush (stdout);
  rc = wait_signals (d, ids, nns);
  net_dns_free (d);
  return rc;
fail:
  fprintf (stderr, "berth-dns-test: %s\n", err ? err->msg : "failed");
  berth_error_release (&err);
  net_dns_free (d);
  return 1;
}

int
main (int argc, char **argv)
{
  if (argc >= 2 && strcmp (argv[1], "serve") == 0)
    return serve (argc - 1, argv + 1);
  fprintf (stderr, "berth-dns-test: bad usage (see the head of berth-dns-test.c)\n");
  return 2;
}
