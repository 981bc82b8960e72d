/* berth — a tiny Engine API client for the cgroup v2 VM tests: busybox has
   no curl and its nc cannot reach a unix socket, and the docker CLI would
   add 40 MiB to the initramfs.  One request per call, HTTP/1.1 with
   Connection: close, chunked responses decoded.

     berth-vm-api [-s SOCKET] [-d BODY | -f FILE] [-t TYPE] METHOD PATH [KEY...]

   Without KEY the body goes to stdout.  Each KEY is a dotted path into the
   JSON body (State.Paused, memory_stats.stats.anon, Mounts.0.Source): its
   value is printed on its own line, a string without its quotes.  Exit
   status: 0 for a 2xx answer, 1 for any other (the status line and body on
   stderr), 2 when the request cannot be made, 3 when a KEY is missing.  */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

struct buf
{
  char *p;
  size_t n, cap;
};

static void
die (const char *what)
{
  fprintf (stderr, "berth-vm-api: %s: %s\n", what, strerror (errno));
  exit (2);
}

static void
append (struct buf *b, const char *p, size_t n)
{
  if (b->n + n + 1 > b->cap)
    {
      b->cap = (b->n + n + 1) * 2;
      if ((b->p = realloc (b->p, b->cap)) == NULL)
        die ("realloc");
    }
  memcpy (b->p + b->n, p, n);
  b->n += n;
  b->p[b->n] = '\0';
}

static void
read_fd (int fd, struct buf *b)
{
  char chunk[65536];
  ssize_t r;
  while ((r = read (fd, chunk, sizeof chunk)) != 0)
    {
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        die ("read");
      append (b, chunk, (size_t) r);
    }
}

static void
write_all (int fd, const char *p, size_t n)
{
  while (n > 0)
    {
      ssize_t w = write (fd, p, n);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        die ("write");
      p += w;
      n -= (size_t) w;
    }
}

/* Decodes a chunked body in place; returns its length.  */
static size_t
dechunk (char *body, size_t n)
{
  size_t in = 0, out = 0;
  while (in < n)
    {
      char *end;
      unsigned long size = strtoul (body + in, &end, 16);
      char *eol = strstr (end, "\r\n");
      if (eol == NULL || size == 0)
        break;
      in = (size_t) (eol + 2 - body);
      if (size > n - in)
        size = n - in;
      memmove (body + out, body + in, size);
      out += size;
      in += size + 2;
    }
  body[out] = '\0';
  return out;
}

/* KEY's value in O (NULL for a JSON null); false when KEY is missing.  */
static bool
lookup (json_object *o, const char *key, json_object **out)
{
  char *copy = strdup (key), *save = NULL;
  bool found = true;
  for (char *k = strtok_r (copy, ".", &save); k; k = strtok_r (NULL, ".", &save))
    {
      json_object *next = NULL;
      if (json_object_is_type (o, json_type_array))
        found = (next = json_object_array_get_idx (o, (size_t) strtoul (k, NULL, 10))) != NULL;
      else
        found
            = json_object_is_type (o, json_type_object) && json_object_object_get_ex (o, k, &next);
      if (!found)
        break;
      o = next;
    }
  free (copy);
  *out = o;
  return found;
}

static int
print_keys (const char *body, char **keys, int n)
{
  json_object *doc = json_tokener_parse (body);
  int status = 0;
  if (doc == NULL)
    {
      fprintf (stderr, "berth-vm-api: the body is not JSON: %s\n", body);
      return 3;
    }
  for (int i = 0; i < n; i++)
    {
      json_object *v;
      if (!lookup (doc, keys[i], &v))
        {
          fprintf (stderr, "berth-vm-api: no `%s` in %s\n", keys[i], body);
          status = 3;
          continue;
        }
      puts (json_object_is_type (v, json_type_string) ? json_object_get_string (v)
                                                      : json_object_to_json_string (v));
    }
  json_object_put (doc);
  return status;
}

static int
connect_to (const char *path)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    die ("socket");
  if (strlen (path) >= sizeof sa.sun_path)
    {
      errno = ENAMETOOLONG;
      die (path);
    }
  strcpy (sa.sun_path, path);
  if (connect (fd, (struct sockaddr *) &sa, sizeof sa) < 0)
    die (path);
  return fd;
}

int
main (int argc, char **argv)
{
  const char *sock = "/run/berth/berth.sock", *type = "application/json";
  struct buf body = { 0 }, resp = { 0 };
  int opt, fd, code = 0;
  char head[4096], *sep;

  while ((opt = getopt (argc, argv, "+s:d:f:t:")) != -1)
    switch (opt)
      {
      case 's':
        sock = optarg;
        break;
      case 'd':
        append (&body, optarg, strlen (optarg));
        break;
      case 't':
        type = optarg;
        break;
      case 'f':
        if ((fd = open (optarg, O_RDONLY | O_CLOEXEC)) < 0)
          die (optarg);
        read_fd (fd, &body);
        close (fd);
        break;
      default:
        fprintf (stderr, "usage: berth-vm-api [-s SOCKET] [-d BODY | -f FILE] [-t TYPE] "
                         "METHOD PATH [KEY...]\n");
        return 2;
      }
  if (argc - optind < 2)
    return fprintf (stderr, "berth-vm-api: METHOD and PATH are required\n"), 2;

  fd = connect_to (sock);
  snprintf (head, sizeof head,
            "%s %s HTTP/1.1\r\nHost: berth\r\nConnection: close\r\n"
            "Content-Type: %s\r\nContent-Length: %zu\r\n\r\n",
            argv[optind], argv[optind + 1], type, body.n);
  write_all (fd, head, strlen (head));
  write_all (fd, body.p ? body.p : "", body.n);
  read_fd (fd, &resp);
  close (fd);

  if (resp.p == NULL || sscanf (resp.p, "HTTP/1.%*d %d", &code) != 1
      || (sep = strstr (resp.p, "\r\n\r\n")) == NULL)
    return fprintf (stderr, "berth-vm-api: no HTTP answer\n"), 2;
  *sep = '\0';
  char *payload = sep + 4;
  size_t len = resp.n - (size_t) (payload - resp.p);
  if (strcasestr (resp.p, "\r\nTransfer-Encoding: chunked"))
    len = dechunk (payload, len);
  if (code < 200 || code > 299)
    {
      fprintf (stderr, "%s %s: %.*s\n%s\n", argv[optind], argv[optind + 1],
               (int) strcspn (resp.p, "\r"), resp.p, payload);
      return 1;
    }
  if (argc - optind > 2)
    code = print_keys (payload, argv + optind + 2, argc - optind - 2);
  else
    code = (fwrite (payload, 1, len, stdout), 0);
  free (body.p);
  free (resp.p);
  return code;
}
