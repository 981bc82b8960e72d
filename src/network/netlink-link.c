/* berth — link creation and changes through rtnetlink: see netlink.h.  */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <string.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include "base/base.h"
#include "network/netlink-internal.h"

/* Start an RTM_NEWLINK that creates NAME, up when UP.  */
static struct nlmsghdr *
newlink_start (struct net_nl *nl, const char *name, unsigned mtu, int up)
{
  struct nlmsghdr *nlh = nl_msg_start (nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
  struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header (nlh, sizeof (*ifm));
  ifm->ifi_family = AF_UNSPEC;
  if (up)
    {
      /* Up at creation: one message less on the hot path.  */
      ifm->ifi_flags = IFF_UP;
      ifm->ifi_change = IFF_UP;
    }
  mnl_attr_put_strz (nlh, IFLA_IFNAME, name);
  if (mtu)
    mnl_attr_put_u32 (nlh, IFLA_MTU, mtu);
  return nlh;
}

static int
check_name (const char *name, berth_error_t *err)
{
  if (name == NULL || *name == '\0' || strlen (name) >= IFNAMSIZ || strchr (name, '/'))
    return berth_make_error_msg (err, EINVAL, "invalid interface name `%s`", name ? name : "");
  return 0;
}

static int
create_simple (struct net_nl *nl, const char *kind, const char *name, unsigned mtu,
               berth_error_t *err)
{
  struct nlmsghdr *nlh;
  struct nlattr *info;
  int r;

  if (check_name (name, err) < 0)
    return -1;
  nlh = newlink_start (nl, name, mtu, 0);
  info = mnl_attr_nest_start (nlh, IFLA_LINKINFO);
  mnl_attr_put_strz (nlh, IFLA_INFO_KIND, kind);
  mnl_attr_nest_end (nlh, info);
  r = nl_talk (nl, nlh, NULL, NULL);
  if (r < 0)
    return berth_make_error (err, -r, "create %s `%s`%s", kind, name, nl->ext);
  return 0;
}

int
net_link_bridge_create (struct net_nl *nl, const char *name, unsigned mtu, berth_error_t *err)
{
  return create_simple (nl, "bridge", name, mtu, err);
}

int
net_link_dummy_create (struct net_nl *nl, const char *name, berth_error_t *err)
{
  return create_simple (nl, "dummy", name, 0, err);
}

int
net_link_veth_create (struct net_nl *nl, const char *host_name, const char *bridge, unsigned mtu,
                      const char *peer_name, int netns_fd, berth_error_t *err)
{
  struct nlmsghdr *nlh;
  struct nlattr *info, *data, *peer;
  struct ifinfomsg *pifm;
  int master = 0, r;

  if (check_name (host_name, err) < 0 || check_name (peer_name, err) < 0)
    return -1;
  if (bridge && (master = net_link_index (nl, bridge, err)) < 0)
    return berth_error_wrap (err, "create veth `%s`", host_name);
  nlh = newlink_start (nl, host_name, mtu, 1);
  if (master)
    mnl_attr_put_u32 (nlh, IFLA_MASTER, (uint32_t) master);
  info = mnl_attr_nest_start (nlh, IFLA_LINKINFO);
  mnl_attr_put_strz (nlh, IFLA_INFO_KIND, "veth");
  data = mnl_attr_nest_start (nlh, IFLA_INFO_DATA);
  peer = mnl_attr_nest_start (nlh, VETH_INFO_PEER);
  /* The peer's own ifinfomsg, then its attributes: the kernel creates it
     in IFLA_NET_NS_FD's namespace, so it never appears on the host.  */
  pifm = mnl_nlmsg_put_extra_header (nlh, sizeof (*pifm));
  pifm->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz (nlh, IFLA_IFNAME, peer_name);
  if (mtu)
    mnl_attr_put_u32 (nlh, IFLA_MTU, mtu);
  if (netns_fd >= 0)
    mnl_attr_put_u32 (nlh, IFLA_NET_NS_FD, (uint32_t) netns_fd);
  mnl_attr_nest_end (nlh, peer);
  mnl_attr_nest_end (nlh, data);
  mnl_attr_nest_end (nlh, info);
  r = nl_talk (nl, nlh, NULL, NULL);
  if (r < 0)
    return berth_make_error (err, -r, "create veth `%s` (peer `%s`)%s", host_name, peer_name,
                             nl->ext);
  return 0;
}

int
net_link_macvlan_create (struct net_nl *nl, const char *parent, const char *name, int netns_fd,
                         unsigned mtu, berth_error_t *err)
{
  struct nlmsghdr *nlh;
  struct nlattr *info, *data;
  int link, r;

  if (check_name (name, err) < 0)
    return -1;
  link = net_link_index (nl, parent, err);
  if (link < 0)
    return berth_error_wrap (err, "create macvlan `%s`", name);
  nlh = newlink_start (nl, name, mtu, 1);
  mnl_attr_put_u32 (nlh, IFLA_LINK, (uint32_t) link);
  if (netns_fd >= 0)
    mnl_attr_put_u32 (nlh, IFLA_NET_NS_FD, (uint32_t) netns_fd);
  info = mnl_attr_nest_start (nlh, IFLA_LINKINFO);
  mnl_attr_put_strz (nlh, IFLA_INFO_KIND, "macvlan");
  data = mnl_attr_nest_start (nlh, IFLA_INFO_DATA);
  mnl_attr_put_u32 (nlh, IFLA_MACVLAN_MODE, MACVLAN_MODE_BRIDGE);
  mnl_attr_nest_end (nlh, data);
  mnl_attr_nest_end (nlh, info);
  r = nl_talk (nl, nlh, NULL, NULL);
  if (r < 0)
    return berth_make_error (err, -r, "create macvlan `%s` on `%s`%s", name, parent, nl->ext);
  return 0;
}

/* An RTM_NEWLINK on an existing link NAME: its index filled in.  */
static struct nlmsghdr *
setlink_start (struct net_nl *nl, int index, struct ifinfomsg **ifm)
{
  struct nlmsghdr *nlh = nl_msg_start (nl, RTM_NEWLINK, NLM_F_ACK);
  *ifm = mnl_nlmsg_put_extra_header (nlh, sizeof (**ifm));
  (*ifm)->ifi_family = AF_UNSPEC;
  (*ifm)->ifi_index = index;
  return nlh;
}

int
net_link_set_up (struct net_nl *nl, const char *name, int up, berth_error_t *err)
{
  struct ifinfomsg *ifm;
  int index = net_link_index (nl, name, err), r;
  if (index < 0)
    return -1;
  struct nlmsghdr *nlh = setlink_start (nl, index, &ifm);
  ifm->ifi_change = IFF_UP;
  ifm->ifi_flags = up ? IFF_UP : 0;
  r = nl_talk (nl, nlh, NULL, NULL);
  if (r < 0)
    return berth_make_error (err, -r, "set link `%s` %s%s", name, up ? "up" : "down", nl->ext);
  return 0;
}

int
net_link_set_master (struct net_nl *nl, const char *name, const char *master, berth_error_t *err)
{
  struct ifinfomsg *ifm;
  int index = net_link_index (nl, name, err), m, r;
  if (index < 0 || (m = net_link_index (nl, master, err)) < 0)
    return -1;
  struct nlmsghdr *nlh = setlink_start (nl, index, &ifm);
  mnl_attr_put_u32 (nlh, IFLA_MASTER, (uint32_t) m);
  r = nl_talk (nl, nlh, NULL, NULL);
  if (r < 0)
    return berth_make_error (err, -r, "attach link `%s` to `%s`%s", name, master, nl->ext);
  return 0;
}

int
net_link_delete (struct net_nl *nl, const char *name, int missing_ok, berth_error_t *err)
{
  struct nlmsghdr *nlh = nl_msg_start (nl, RTM_DELLINK, NLM_F_ACK);
  struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header (nlh, sizeof (*ifm));
  int r;

  if (check_name (name, err) < 0)
    return -1;
  ifm->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz (nlh, IFLA_IFNAME, name);
  r = nl_talk (nl, nlh, NULL, NULL);
  if (r == -ENODEV && missing_ok)
    return 0;
  if (r < 0)
    return berth_make_error (err, -r, "delete link `%s`%s", name, nl->ext);
  return 0;
}
