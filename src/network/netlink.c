/* berth — rtnetlink sockets and links through libmnl: see netlink.h.  */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include "base/base.h"
#include "network/netlink-internal.h"

static struct net_nl *
wrap_socket (struct mnl_socket *sock, berth_error_t *err)
{
  struct net_nl *nl;
  int one = 1;

  if (mnl_socket_bind (sock, 0, MNL_SOCKET_AUTOPID) < 0)
    {
      berth_make_error (err, errno, "bind netlink socket");
      mnl_socket_close (sock);
      return NULL;
    }
  /* Short error acks, with the kernel's reason text when it has one.  */
  (void) mnl_socket_setsockopt (sock, NETLINK_CAP_ACK, &one, sizeof (one));
  (void) mnl_socket_setsockopt (sock, NETLINK_EXT_ACK, &one, sizeof (one));
  nl = xmalloc0 (sizeof (*nl));
  nl->sock = sock;
  nl->portid = mnl_socket_get_portid (sock);
  nl->buf = xmalloc (NL_BUF_SIZE);
  return nl;
}

struct net_nl *
net_nl_open (berth_error_t *err)
{
  struct mnl_socket *sock = mnl_socket_open2 (NETLINK_ROUTE, SOCK_CLOEXEC);
  if (sock == NULL)
    {
      berth_make_error (err, errno, "open netlink socket");
      return NULL;
    }
  return wrap_socket (sock, err);
}

struct ns_open
{
  int netns_fd;
  struct mnl_socket *sock;
  int error;
};

/* Runs in its own thread: setns() changes only this thread's namespace, and
   the socket stays bound to the namespace it was created in.  */
static void *
ns_open_thread (void *arg)
{
  struct ns_open *o = arg;
  if (setns (o->netns_fd, CLONE_NEWNET) < 0)
    {
      o->error = errno;
      return NULL;
    }
  o->sock = mnl_socket_open2 (NETLINK_ROUTE, SOCK_CLOEXEC);
  if (o->sock == NULL)
    o->error = errno;
  return NULL;
}

struct net_nl *
net_nl_open_netns (int netns_fd, berth_error_t *err)
{
  struct ns_open o = { netns_fd, NULL, 0 };
  pthread_t t;
  int r = pthread_create (&t, NULL, ns_open_thread, &o);
  if (r != 0)
    {
      berth_make_error (err, r, "start thread to enter network namespace");
      return NULL;
    }
  pthread_join (t, NULL);
  if (o.sock == NULL)
    {
      berth_make_error (err, o.error, "open netlink socket in network namespace");
      return NULL;
    }
  return wrap_socket (o.sock, err);
}

void
net_nl_close (struct net_nl *nl)
{
  if (nl == NULL)
    return;
  mnl_socket_close (nl->sock);
  free (nl->buf);
  free (nl);
}

struct nlmsghdr *
nl_msg_start (struct net_nl *nl, uint16_t type, uint16_t flags)
{
  struct nlmsghdr *nlh = mnl_nlmsg_put_header (nl->buf);
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = NLM_F_REQUEST | flags;
  nlh->nlmsg_seq = ++nl->seq;
  return nlh;
}

/* Copy the NLMSGERR_ATTR_MSG of an error in BUF into nl->ext.  */
static void
save_ext_ack (struct net_nl *nl, const char *buf, size_t len)
{
  const struct nlmsghdr *h = (const struct nlmsghdr *) buf;
  int left = (int) len;

  for (; mnl_nlmsg_ok (h, left); h = mnl_nlmsg_next (h, &left))
    {
      if (h->nlmsg_type != NLMSG_ERROR || !(h->nlmsg_flags & NLM_F_ACK_TLVS))
        continue;
      const struct nlmsgerr *e = mnl_nlmsg_get_payload (h);
      size_t off = sizeof (*e);
      if (!(h->nlmsg_flags & NLM_F_CAPPED))
        off += e->msg.nlmsg_len - sizeof (struct nlmsghdr);
      if (h->nlmsg_len < MNL_NLMSG_HDRLEN + off)
        return;
      const char *p = (const char *) e + off;
      int alen = (int) (h->nlmsg_len - MNL_NLMSG_HDRLEN - off);
      for (const struct nlattr *a = (const void *) p; mnl_attr_ok (a, alen); a = mnl_attr_next (a))
        {
          alen -= (int) MNL_ALIGN (a->nla_len);
          if (mnl_attr_get_type (a) == NLMSGERR_ATTR_MSG
              && mnl_attr_validate (a, MNL_TYPE_NUL_STRING) == 0)
            snprintf (nl->ext, sizeof (nl->ext), " (%s)", mnl_attr_get_str (a));
        }
    }
}

int
nl_talk (struct net_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
  unsigned seq = nlh->nlmsg_seq;
  nl->ext[0] = '\0';
  if (mnl_socket_sendto (nl->sock, nlh, nlh->nlmsg_len) < 0)
    return -errno;
  for (;;)
    {
      ssize_t n = mnl_socket_recvfrom (nl->sock, nl->buf, NL_BUF_SIZE);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return -errno;
        }
      int r = mnl_cb_run (nl->buf, (size_t) n, seq, nl->portid, cb, data);
      if (r < 0)
        {
          int e = errno;
          save_ext_ack (nl, nl->buf, (size_t) n);
          return -e;
        }
      if (r == MNL_CB_STOP)
        return 0;
    }
}

static int
index_cb (const struct nlmsghdr *nlh, void *data)
{
  const struct ifinfomsg *ifm = mnl_nlmsg_get_payload (nlh);
  if (nlh->nlmsg_type == RTM_NEWLINK)
    *(int *) data = ifm->ifi_index;
  return MNL_CB_OK;
}

int
net_link_index (struct net_nl *nl, const char *name, berth_error_t *err)
{
  struct nlmsghdr *nlh = nl_msg_start (nl, RTM_GETLINK, NLM_F_ACK);
  struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header (nlh, sizeof (*ifm));
  int index = 0, r;

  ifm->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz (nlh, IFLA_IFNAME, name);
  mnl_attr_put_u32 (nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
  r = nl_talk (nl, nlh, index_cb, &index);
  if (r == -ENODEV || (r == 0 && index == 0))
    return berth_make_error_msg (err, ENODEV, "link `%s` not found", name);
  if (r < 0)
    return berth_make_error (err, -r, "look up link `%s`%s", name, nl->ext);
  return index;
}
