/* berth — netlink privates shared by netlink.c and netlink-addr.c.  */
#ifndef BERTH_NETWORK_NETLINK_INTERNAL_H
#define BERTH_NETWORK_NETLINK_INTERNAL_H

#include <libmnl/libmnl.h>

#include "network/netlink.h"

/* Big enough for a dump batch or a link message with all its stats
   (libmnl's own MNL_SOCKET_BUFFER_SIZE is a run-time value: a VLA).  */
#define NL_BUF_SIZE 32768

struct net_nl
{
  struct mnl_socket *sock;
  unsigned portid;
  unsigned seq;
  char *buf;     /* NL_BUF_SIZE, for requests and replies */
  char ext[256]; /* the kernel's extended-ack text of the last error, or "" */
};

/* Start a request of TYPE with FLAGS (NLM_F_REQUEST added) in nl->buf.  */
struct nlmsghdr *nl_msg_start (struct net_nl *nl, uint16_t type, uint16_t flags);

/* Send NLH and read replies until the ack (or NLMSG_DONE of a dump), CB
   called on each data message.  Returns 0 or -errno; nl->ext holds the
   kernel's text, formatted as " (text)" or "".  */
int nl_talk (struct net_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);

#endif
