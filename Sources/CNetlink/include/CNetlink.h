// The one public header of CNetlink: the netlink the CNI plugin and the proxy speak,
// through libmnl and libnftnl. Apart from CRuntimeShim so the OCI runtime, which needs
// neither, links neither.
#ifndef CNETLINK_H
#define CNETLINK_H

#include "crs_netlink.h"
#include "crs_nftables.h"

#endif
