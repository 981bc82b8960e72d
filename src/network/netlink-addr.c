/* berth — addresses, routes, sysctls and a netns's interface set-up: see
   netlink.h.  */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "base/base.h"
#include "network/netlink-internal.h"

int
net_addr_add (struct net_nl *nl, const char *name, const struct net_cidr *addr, berth_error_t *err)
{
  char buf[NET_CIDR_STRLEN];
  int index = net_link_index (nl, name, err), r;
  if (index < 0)
    return -1;

  struct nlmsghdr *nlh = nl_msg_start (nl, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
  struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header (nlh, sizeof (*ifa));
  ifa->ifa_family = AF_INET;
  ifa->ifa_prefixlen = addr->prefix;
  ifa->ifa_scope = RT_SCOPE_UNIVERSE;
  ifa->ifa_index = (uint32_t) index;
  mnl_attr_put_u32 (nlh, IFA_LOCAL, htonl (addr->addr));
  mnl_attr_put_u32 (nlh, IFA_ADDRESS, htonl (addr->addr));
  /* The kernel does not derive the broadcast address; dockerd's netlink
     library sets it, and so do we (not for /31, /32: RFC 3021).  */
  if (addr->prefix < 31)
    mnl_attr_put_u32 (nlh, IFA_BROADCAST, htonl (net_cidr_last (addr)));
  r = nl_talk (nl, nlh, NULL, NULL);
  if (r < 0)
    return berth_make_error (err, -r, "add address %s to link `%s`%s", net_cidr_format (addr, buf),
                             name, nl->ext);
  return 0;
}

int
net_route_add (struct net_nl *nl, const struct net_cidr *dst, uint32_t gateway, const char *dev,
               berth_error_t *err)
{
  char buf[NET_CIDR_STRLEN];
  int index = net_link_index (nl, dev, err), r;
  if (index < 0)
    return -1;

  struct nlmsghdr *nlh = nl_msg_start (nl, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
  struct rtmsg *rtm = mnl_nlmsg_put_extra_header (nlh, sizeof (*rtm));
  rtm->rtm_family = AF_INET;
  rtm->rtm_dst_len = dst->prefix;
  rtm->rtm_table = RT_TABLE_MAIN;
  rtm->rtm_protocol = RTPROT_BOOT;
  rtm->rtm_scope = gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
  rtm->rtm_type = RTN_UNICAST;
  if (dst->prefix)
    mnl_attr_put_u32 (nlh, RTA_DST, htonl (net_cidr_network (dst).addr));
  if (gateway)
    mnl_attr_put_u32 (nlh, RTA_GATEWAY, htonl (gateway));
  mnl_attr_put_u32 (nlh, RTA_OIF, (uint32_t) index);
  r = nl_talk (nl, nlh, NULL, NULL);
  if (r < 0)
    return berth_make_error (err, -r, "add route to %s on link `%s`%s",
                             dst->prefix ? net_cidr_format (dst, buf) : "default", dev, nl->ext);
  return 0;
}

int
net_route_default_set (struct net_nl *nl, uint32_t gateway, const char *dev, berth_error_t *err)
{
  int index = 0, r;
  bool del = gateway == 0 || dev == NULL;

  if (!del && (index = net_link_index (nl, dev, err)) < 0)
    return -1;
  /* NLM_F_REPLACE moves the one default route in one step, so the
     namespace never is without one (dockerd's updateGateway).  */
  struct nlmsghdr *nlh = nl_msg_start (nl, del ? RTM_DELROUTE : RTM_NEWROUTE,
                                       del ? NLM_F_ACK : NLM_F_CREATE | NLM_F_REPLACE | NLM_F_ACK);
  struct rtmsg *rtm = mnl_nlmsg_put_extra_header (nlh, sizeof (*rtm));
  rtm->rtm_family = AF_INET;
  rtm->rtm_table = RT_TABLE_MAIN;
  rtm->rtm_protocol = del ? 0 : RTPROT_BOOT;
  rtm->rtm_scope = del ? RT_SCOPE_NOWHERE : RT_SCOPE_UNIVERSE;
  rtm->rtm_type = del ? 0 : RTN_UNICAST;
  if (!del)
    {
      mnl_attr_put_u32 (nlh, RTA_GATEWAY, htonl (gateway));
      mnl_attr_put_u32 (nlh, RTA_OIF, (uint32_t) index);
    }
  r = nl_talk (nl, nlh, NULL, NULL);
  if (del && r == -ESRCH)
    return 0; /* there was none */
  if (r < 0 && del)
    return berth_make_error (err, -r, "delete the default route%s", nl->ext);
  if (r < 0)
    return berth_make_error (err, -r, "set the default route on link `%s`%s", dev, nl->ext);
  return 0;
}

struct route_list
{
  struct net_cidr *v;
  size_t n, cap;
};

static int
route_attr_cb (const struct nlattr *a, void *data)
{
  const struct nlattr **tb = data;
  int type = mnl_attr_get_type (a);
  if (type <= RTA_MAX && mnl_attr_type_valid (a, RTA_MAX) >= 0)
    tb[type] = a;
  return MNL_CB_OK;
}

static int
route_cb (const struct nlmsghdr *nlh, void *data)
{
  struct route_list *l = data;
  const struct rtmsg *rtm = mnl_nlmsg_get_payload (nlh);
  const struct nlattr *tb[RTA_MAX + 1] = { NULL };
  uint32_t table;

  mnl_attr_parse (nlh, sizeof (*rtm), route_attr_cb, tb);
  table = tb[RTA_TABLE] ? mnl_attr_get_u32 (tb[RTA_TABLE]) : rtm->rtm_table;
  /* The main table only, as dockerd's netlink.RouteList.  */
  if (rtm->rtm_family != AF_INET || table != RT_TABLE_MAIN)
    return MNL_CB_OK;
  if (l->n == l->cap)
    {
      l->cap = l->cap ? l->cap * 2 : 16;
      l->v = xrealloc (l->v, l->cap * sizeof (*l->v));
    }
  l->v[l->n].addr = tb[RTA_DST] ? ntohl (mnl_attr_get_u32 (tb[RTA_DST])) : 0;
  l->v[l->n].prefix = rtm->rtm_dst_len;
  l->n++;
  return MNL_CB_OK;
}

int
net_route_list (struct net_nl *nl, struct net_cidr **out, size_t *n, berth_error_t *err)
{
  struct route_list l = { NULL, 0, 0 };
  /* A dump: no NLM_F_ACK, the reply ends with NLMSG_DONE.  */
  struct nlmsghdr *nlh = nl_msg_start (nl, RTM_GETROUTE, NLM_F_DUMP);
  struct rtmsg *rtm = mnl_nlmsg_put_extra_header (nlh, sizeof (*rtm));
  int r;

  rtm->rtm_family = AF_INET;
  r = nl_talk (nl, nlh, route_cb, &l);
  if (r < 0)
    {
      free (l.v);
      return berth_make_error (err, -r, "list routes%s", nl->ext);
    }
  *out = l.v;
  *n = l.n;
  return 0;
}

DEFINE_CLEANUP (struct net_nl *, net_nl_close)

int
net_netns_configure (int netns_fd, const char *ifname, const struct net_cidr *addr,
                     uint32_t gateway, berth_error_t *err)
{
  cleanup_type (net_nl_close) struct net_nl *nl = net_nl_open_netns (netns_fd, err);
  struct net_cidr any = { 0, 0 };

  if (nl == NULL)
    return -1;
  if (net_link_set_up (nl, "lo", 1, err) < 0 || net_addr_add (nl, ifname, addr, err) < 0
      || net_link_set_up (nl, ifname, 1, err) < 0)
    return -1;
  if (gateway && net_route_add (nl, &any, gateway, ifname, err) < 0)
    return -1;
  return 0;
}

int
net_sysctl_iface_set (const char *ifname, const char *key, const char *value, berth_error_t *err)
{
  cleanup_free char *path = NULL;
  cleanup_close int fd = -1;

  if (strchr (ifname, '/') || strstr (ifname, "..") || strchr (key, '/'))
    return berth_make_error_msg (err, EINVAL, "invalid interface name `%s`", ifname);
  path = xasprintf ("/proc/sys/net/ipv4/conf/%s/%s", ifname, key);
  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || fs_write_all (fd, value, strlen (value)) < 0)
    return berth_make_error (err, errno, "write `%s`", path);
  return 0;
}
