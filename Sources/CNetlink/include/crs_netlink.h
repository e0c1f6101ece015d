// rtnetlink through libmnl: veth pairs, bridges, addresses, routes.
// Every call works on a socket opened in one network namespace (crs_nl_open), so the
// multithreaded Swift process never changes its own namespace.
#ifndef CRS_NETLINK_H
#define CRS_NETLINK_H

#include <sys/types.h>

/// An rtnetlink socket bound to the network namespace it was opened in.
typedef struct crs_nl crs_nl;

/// What crs_nl_link_get reports about one link.
typedef struct crs_nl_link {
    int index;
    int mtu;
    unsigned int flags;      /* IFF_* */
    int master;              /* ifindex of the bridge, 0 if none */
    int has_mac;
    unsigned char mac[6];
    char name[16];
    char kind[16];           /* "veth", "bridge", ... or "" */
} crs_nl_link;

/// One address of a link (family AF_INET or AF_INET6).
typedef struct crs_nl_addr {
    int family;
    int prefix_len;
    unsigned char addr[16];
} crs_nl_addr;

/// Opens an rtnetlink socket. netns_fd < 0: the caller's namespace. Otherwise the socket
/// is created by a short-lived thread that joined that namespace (setns CLONE_NEWNET is
/// per thread), so it operates there. NULL with errno on failure.
crs_nl *crs_nl_open(int netns_fd);
void crs_nl_close(crs_nl *nl);

/// Looks a link up by name (index 0) or by index. -1 with errno ENODEV when absent.
int crs_nl_link_get(crs_nl *nl, const char *name, int index, crs_nl_link *out);
/// Deletes a link (a veth takes its peer with it).
int crs_nl_link_delete(crs_nl *nl, int index);
/// Starts deleting link `index` of the namespace `netns_fd` (< 0: the caller's) in a
/// detached grandchild and returns at once. The kernel unlists the link within a few ms but
/// the deleting caller then blocks ~10-20 ms more in netdev_run_todo (an RCU barrier); the
/// grandchild (its own session, every other fd closed) absorbs that wait, so a CNI DEL can
/// return as soon as crs_nl_link_get reports ENODEV. The children only make
/// async-signal-safe calls. -1 with errno if the first fork fails.
int crs_nl_link_delete_detached(int netns_fd, int index);
/// Creates a bridge (mtu 0: default), up, with the 6-byte MAC `mac` (NULL: the kernel's).
/// A bridge given its address keeps it (addr_assign_type "set"): it no longer takes the
/// lowest MAC among its ports each time one joins or leaves. EEXIST when it exists.
int crs_nl_bridge_add(crs_nl *nl, const char *name, int mtu, const unsigned char *mac);
/// Creates a veth pair: `name` here, up, enslaved to `master` (0: none); `peer` (down) in
/// the namespace of `peer_netns_fd` (< 0: here). mtu 0 leaves the default.
int crs_nl_veth_add(crs_nl *nl, const char *name, const char *peer, int mtu, int master,
                    int peer_netns_fd);
/// Changes a link: up (1/0, -1 unchanged), promisc (1/0, -1), mtu (0 unchanged),
/// master (ifindex, -1 unchanged).
int crs_nl_link_set(crs_nl *nl, int index, int up, int promisc, int mtu, int master);
/// Sets the bridge port hairpin mode of an enslaved link.
int crs_nl_link_set_hairpin(crs_nl *nl, int index, int on);
/// Adds an address (EEXIST when present).
int crs_nl_addr_add(crs_nl *nl, int index, int family, const void *addr, int prefix_len);
/// Lists the addresses of a link of one family into out[0..max); returns the count.
int crs_nl_addr_list(crs_nl *nl, int index, int family, crs_nl_addr *out, int max);
/// Adds a route to dst/dst_len (dst_len 0: default) via gw (NULL: on-link) out of link
/// `index` (0: any). EEXIST when present.
int crs_nl_route_add(crs_nl *nl, int family, const void *dst, int dst_len, const void *gw,
                     int index);
/// Tells whether a route to exactly dst/dst_len exists in the main table through link
/// `index` (0: any link): 1 yes, 0 no, -1 error.
int crs_nl_route_exists(crs_nl *nl, int family, const void *dst, int dst_len, int index);

#endif
