#ifdef __linux__
#include "crs_netlink.h"
#include "mnl_socket_ns.h"

#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef AF_BRIDGE
#define AF_BRIDGE 7
#endif

struct crs_nl {
    struct mnl_socket *sock;
    unsigned int portid;
    unsigned int seq;
};

enum { CRS_NL_BUF = 32768 };

/* Sends one request and reads until its ack, error or end of dump, handing each data
 * message to cb. Requests carry NLM_F_ACK so a plain GET also ends with an ack. */
static int nl_talk(crs_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data) {
    char *buf = malloc(CRS_NL_BUF);
    if (buf == NULL) return -1;
    nlh->nlmsg_seq = ++nl->seq;
    nlh->nlmsg_flags |= NLM_F_ACK;
    if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0) {
        int e = errno;
        free(buf);
        errno = e;
        return -1;
    }
    int result = 0;
    for (;;) {
        ssize_t n = mnl_socket_recvfrom(nl->sock, buf, CRS_NL_BUF);
        if (n < 0) {
            if (errno == EINTR) continue;
            result = -1;
            break;
        }
        int r = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, nl->portid, cb, data);
        if (r == MNL_CB_ERROR) {
            result = -1;
            break;
        }
        if (r == MNL_CB_STOP) break;
    }
    int e = errno;
    free(buf);
    errno = e;
    return result;
}

static struct mnl_socket *open_bound(int protocol) {
    struct mnl_socket *sock = mnl_socket_open(protocol);
    if (sock == NULL) return NULL;
    if (mnl_socket_bind(sock, 0, MNL_SOCKET_AUTOPID) < 0) {
        int e = errno;
        mnl_socket_close(sock);
        errno = e;
        return NULL;
    }
    return sock;
}

struct open_in_ns {
    int protocol;
    int fd;
    struct mnl_socket *sock;
    int err;
};

/* Runs on its own thread: joins the namespace (only this thread moves), opens the socket
 * there, and exits; the socket stays bound to that namespace. */
static void *open_in_ns_thread(void *p) {
    struct open_in_ns *a = p;
    if (setns(a->fd, CLONE_NEWNET) < 0 || (a->sock = open_bound(a->protocol)) == NULL) a->err = errno;
    return NULL;
}

struct mnl_socket *crs_mnl_socket_open(int protocol, int netns_fd) {
    if (netns_fd < 0) return open_bound(protocol);
    struct open_in_ns arg = {.protocol = protocol, .fd = netns_fd, .sock = NULL, .err = 0};
    pthread_t thread;
    int rc = pthread_create(&thread, NULL, open_in_ns_thread, &arg);
    if (rc != 0) {
        errno = rc;
        return NULL;
    }
    pthread_join(thread, NULL);
    if (arg.err != 0) {
        errno = arg.err;
        return NULL;
    }
    return arg.sock;
}

crs_nl *crs_nl_open(int netns_fd) {
    crs_nl *nl = calloc(1, sizeof(*nl));
    if (nl == NULL) return NULL;
    nl->seq = (unsigned int)time(NULL);
    nl->sock = crs_mnl_socket_open(NETLINK_ROUTE, netns_fd);
    if (nl->sock == NULL) {
        int e = errno;
        free(nl);
        errno = e;
        return NULL;
    }
    nl->portid = mnl_socket_get_portid(nl->sock);
    return nl;
}

void crs_nl_close(crs_nl *nl) {
    if (nl == NULL) return;
    if (nl->sock) mnl_socket_close(nl->sock);
    free(nl);
}

/* Starts a request of `type` in buf: the netlink header (NLM_F_REQUEST | flags), then the
 * request's family header of `size` bytes (ifinfomsg, ifaddrmsg or rtmsg), zeroed, which
 * mnl_nlmsg_get_payload(nlh) returns. */
static struct nlmsghdr *put_request(char *buf, uint16_t type, uint16_t flags, size_t size) {
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = NLM_F_REQUEST | flags;
    mnl_nlmsg_put_extra_header(nlh, size);
    return nlh;
}

static struct nlmsghdr *put_link_header(char *buf, int type, int flags, int family,
                                        int index, struct ifinfomsg **out) {
    struct nlmsghdr *nlh = put_request(buf, type, flags, sizeof(struct ifinfomsg));
    struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
    ifi->ifi_family = family;
    ifi->ifi_index = index;
    if (out) *out = ifi;
    return nlh;
}

/* Where attr_table_cb files the attributes it parses: tb[type] for each type up to max. */
struct attr_table {
    const struct nlattr **tb;
    uint16_t max;
};

static int attr_table_cb(const struct nlattr *attr, void *data) {
    const struct attr_table *t = data;
    if (mnl_attr_type_valid(attr, t->max) > 0) t->tb[mnl_attr_get_type(attr)] = attr;
    return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *data) {
    crs_nl_link *out = data;
    struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
    const struct nlattr *tb[IFLA_MAX + 1] = {0};
    mnl_attr_parse(nlh, sizeof(*ifi), attr_table_cb, &(struct attr_table){tb, IFLA_MAX});
    memset(out, 0, sizeof(*out));
    out->index = ifi->ifi_index;
    out->flags = ifi->ifi_flags;
    if (tb[IFLA_IFNAME])
        strncpy(out->name, mnl_attr_get_str(tb[IFLA_IFNAME]), sizeof(out->name) - 1);
    if (tb[IFLA_MTU]) out->mtu = (int)mnl_attr_get_u32(tb[IFLA_MTU]);
    if (tb[IFLA_MASTER]) out->master = (int)mnl_attr_get_u32(tb[IFLA_MASTER]);
    if (tb[IFLA_ADDRESS] && mnl_attr_get_payload_len(tb[IFLA_ADDRESS]) == 6) {
        memcpy(out->mac, mnl_attr_get_payload(tb[IFLA_ADDRESS]), 6);
        out->has_mac = 1;
    }
    if (tb[IFLA_LINKINFO]) {
        const struct nlattr *info[IFLA_INFO_MAX + 1] = {0};
        mnl_attr_parse_nested(tb[IFLA_LINKINFO], attr_table_cb,
                              &(struct attr_table){info, IFLA_INFO_MAX});
        if (info[IFLA_INFO_KIND])
            strncpy(out->kind, mnl_attr_get_str(info[IFLA_INFO_KIND]), sizeof(out->kind) - 1);
    }
    return MNL_CB_OK;
}

int crs_nl_link_get(crs_nl *nl, const char *name, int index, crs_nl_link *out) {
    char buf[MNL_SOCKET_BUFFER_SIZE];
    struct nlmsghdr *nlh = put_link_header(buf, RTM_GETLINK, 0, AF_UNSPEC, index, NULL);
    if (index == 0) {
        if (name == NULL || strlen(name) >= IFNAMSIZ) {
            errno = EINVAL;
            return -1;
        }
        mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
    }
    memset(out, 0, sizeof(*out));
    if (nl_talk(nl, nlh, link_cb, out) < 0) return -1;
    if (out->index == 0) {
        errno = ENODEV;
        return -1;
    }
    return 0;
}

int crs_nl_link_delete(crs_nl *nl, int index) {
    char buf[MNL_SOCKET_BUFFER_SIZE];
    struct nlmsghdr *nlh = put_link_header(buf, RTM_DELLINK, 0, AF_UNSPEC, index, NULL);
    return nl_talk(nl, nlh, NULL, NULL);
}

int crs_nl_link_delete_detached(int netns_fd, int index) {
    /* Built before forking: after fork only async-signal-safe calls. */
    char buf[128];
    struct nlmsghdr *nlh = put_link_header(buf, RTM_DELLINK, 0, AF_UNSPEC, index, NULL);
    nlh->nlmsg_seq = 1;
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        if (fork() != 0) _exit(0); /* the grandchild is orphaned: nobody waits for it */
        setsid();
        if (netns_fd >= 0 && setns(netns_fd, CLONE_NEWNET) < 0) _exit(1);
        int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        if (s < 0) _exit(1);
        /* Hold none of the plugin's fds (its stdout pipe above all). */
        if (s > 0) close_range(0, (unsigned int)s - 1, 0);
        close_range((unsigned int)s + 1, ~0U, 0);
        struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
        sendto(s, buf, nlh->nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel));
        _exit(0);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return 0;
}

/* Starts an RTM_NEWLINK creating link `name` of `kind`, up (mtu 0: default; master 0: none).
 * IFLA_LINKINFO is left open after its IFLA_INFO_KIND for the kind's own data: the caller
 * ends the nest *linkinfo. */
static struct nlmsghdr *put_new_link(char *buf, const char *name, const char *kind, int mtu,
                                     int master, struct nlattr **linkinfo) {
    struct ifinfomsg *ifi;
    struct nlmsghdr *nlh = put_link_header(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
                                           AF_UNSPEC, 0, &ifi);
    ifi->ifi_flags = IFF_UP;
    ifi->ifi_change = IFF_UP;
    mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
    if (mtu > 0) mnl_attr_put_u32(nlh, IFLA_MTU, (uint32_t)mtu);
    if (master > 0) mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
    *linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
    mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
    return nlh;
}

int crs_nl_bridge_add(crs_nl *nl, const char *name, int mtu, const unsigned char *mac) {
    char buf[MNL_SOCKET_BUFFER_SIZE];
    struct nlattr *linkinfo;
    struct nlmsghdr *nlh = put_new_link(buf, name, "bridge", mtu, 0, &linkinfo);
    mnl_attr_nest_end(nlh, linkinfo);
    if (mac != NULL) mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
    return nl_talk(nl, nlh, NULL, NULL);
}

int crs_nl_veth_add(crs_nl *nl, const char *name, const char *peer, int mtu, int master,
                    int peer_netns_fd) {
    char buf[MNL_SOCKET_BUFFER_SIZE];
    struct nlattr *linkinfo;
    struct nlmsghdr *nlh = put_new_link(buf, name, "veth", mtu, master, &linkinfo);
    struct nlattr *infodata = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
    struct nlattr *peerinfo = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
    struct ifinfomsg *pifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*pifi));
    pifi->ifi_family = AF_UNSPEC; /* flags on the peer are refused (ENOTCONN): up it later */
    mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
    if (mtu > 0) mnl_attr_put_u32(nlh, IFLA_MTU, (uint32_t)mtu);
    if (peer_netns_fd >= 0) mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)peer_netns_fd);
    mnl_attr_nest_end(nlh, peerinfo);
    mnl_attr_nest_end(nlh, infodata);
    mnl_attr_nest_end(nlh, linkinfo);
    return nl_talk(nl, nlh, NULL, NULL);
}

int crs_nl_link_set(crs_nl *nl, int index, int up, int promisc, int mtu, int master) {
    char buf[MNL_SOCKET_BUFFER_SIZE];
    struct ifinfomsg *ifi;
    struct nlmsghdr *nlh = put_link_header(buf, RTM_NEWLINK, 0, AF_UNSPEC, index, &ifi);
    if (up >= 0) {
        ifi->ifi_change |= IFF_UP;
        if (up) ifi->ifi_flags |= IFF_UP;
    }
    if (promisc >= 0) {
        ifi->ifi_change |= IFF_PROMISC;
        if (promisc) ifi->ifi_flags |= IFF_PROMISC;
    }
    if (mtu > 0) mnl_attr_put_u32(nlh, IFLA_MTU, (uint32_t)mtu);
    if (master >= 0) mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
    return nl_talk(nl, nlh, NULL, NULL);
}

int crs_nl_link_set_hairpin(crs_nl *nl, int index, int on) {
    char buf[MNL_SOCKET_BUFFER_SIZE];
    struct nlmsghdr *nlh = put_link_header(buf, RTM_SETLINK, 0, AF_BRIDGE, index, NULL);
    struct nlattr *protinfo = mnl_attr_nest_start(nlh, IFLA_PROTINFO | NLA_F_NESTED);
    mnl_attr_put_u8(nlh, IFLA_BRPORT_MODE, on ? 1 : 0);
    mnl_attr_nest_end(nlh, protinfo);
    return nl_talk(nl, nlh, NULL, NULL);
}

static int addr_len(int family) {
    if (family == AF_INET) return 4;
    if (family == AF_INET6) return 16;
    return -1;
}

/* The address length of `family` when a prefix of prefix_len bits fits it; -1 with EINVAL
 * otherwise. */
static int prefix_addr_len(int family, int prefix_len) {
    int len = addr_len(family);
    if (len < 0 || prefix_len < 0 || prefix_len > len * 8) {
        errno = EINVAL;
        return -1;
    }
    return len;
}

int crs_nl_addr_add(crs_nl *nl, int index, int family, const void *addr, int prefix_len) {
    int len = prefix_addr_len(family, prefix_len);
    if (len < 0) return -1;
    char buf[MNL_SOCKET_BUFFER_SIZE];
    struct nlmsghdr *nlh = put_request(buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL,
                                       sizeof(struct ifaddrmsg));
    struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
    ifa->ifa_family = family;
    ifa->ifa_prefixlen = prefix_len;
    ifa->ifa_scope = RT_SCOPE_UNIVERSE;
    ifa->ifa_index = index;
    mnl_attr_put(nlh, IFA_LOCAL, len, addr);
    mnl_attr_put(nlh, IFA_ADDRESS, len, addr);
    if (family == AF_INET && prefix_len < 31) {
        uint32_t a;
        memcpy(&a, addr, 4);
        uint32_t mask = prefix_len == 0 ? 0 : htonl(~0u << (32 - prefix_len));
        uint32_t brd = a | ~mask;
        mnl_attr_put(nlh, IFA_BROADCAST, 4, &brd);
    }
    return nl_talk(nl, nlh, NULL, NULL);
}

struct addr_list {
    int index;
    int family;
    crs_nl_addr *out;
    int max;
    int count;
};

static int addr_cb(const struct nlmsghdr *nlh, void *data) {
    struct addr_list *list = data;
    struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
    if ((int)ifa->ifa_index != list->index || ifa->ifa_family != list->family) return MNL_CB_OK;
    const struct nlattr *tb[IFA_MAX + 1] = {0};
    mnl_attr_parse(nlh, sizeof(*ifa), attr_table_cb, &(struct attr_table){tb, IFA_MAX});
    const struct nlattr *a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
    int len = addr_len(ifa->ifa_family);
    if (a == NULL || (int)mnl_attr_get_payload_len(a) != len) return MNL_CB_OK;
    if (list->count < list->max) {
        crs_nl_addr *o = &list->out[list->count];
        memset(o, 0, sizeof(*o));
        o->family = ifa->ifa_family;
        o->prefix_len = ifa->ifa_prefixlen;
        memcpy(o->addr, mnl_attr_get_payload(a), len);
    }
    list->count++;
    return MNL_CB_OK;
}

int crs_nl_addr_list(crs_nl *nl, int index, int family, crs_nl_addr *out, int max) {
    char buf[MNL_SOCKET_BUFFER_SIZE];
    struct nlmsghdr *nlh = put_request(buf, RTM_GETADDR, NLM_F_DUMP, sizeof(struct ifaddrmsg));
    ((struct ifaddrmsg *)mnl_nlmsg_get_payload(nlh))->ifa_family = family;
    struct addr_list list = {.index = index, .family = family, .out = out, .max = max};
    if (nl_talk(nl, nlh, addr_cb, &list) < 0) return -1;
    return list.count < max ? list.count : max;
}

int crs_nl_route_add(crs_nl *nl, int family, const void *dst, int dst_len, const void *gw,
                     int index) {
    int len = prefix_addr_len(family, dst_len);
    if (len < 0) return -1;
    char buf[MNL_SOCKET_BUFFER_SIZE];
    struct nlmsghdr *nlh = put_request(buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL,
                                       sizeof(struct rtmsg));
    struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
    rtm->rtm_family = family;
    rtm->rtm_dst_len = dst_len;
    rtm->rtm_table = RT_TABLE_MAIN;
    rtm->rtm_protocol = RTPROT_BOOT;
    rtm->rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
    rtm->rtm_type = RTN_UNICAST;
    if (dst_len > 0) mnl_attr_put(nlh, RTA_DST, len, dst);
    if (gw) mnl_attr_put(nlh, RTA_GATEWAY, len, gw);
    if (index > 0) mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)index);
    return nl_talk(nl, nlh, NULL, NULL);
}

struct route_find {
    int family;
    const void *dst;
    int dst_len;
    int index;
    int found;
};

static int route_cb(const struct nlmsghdr *nlh, void *data) {
    struct route_find *f = data;
    struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
    if (rtm->rtm_family != f->family || rtm->rtm_dst_len != f->dst_len) return MNL_CB_OK;
    const struct nlattr *tb[RTA_MAX + 1] = {0};
    mnl_attr_parse(nlh, sizeof(*rtm), attr_table_cb, &(struct attr_table){tb, RTA_MAX});
    uint32_t table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
    if (table != RT_TABLE_MAIN) return MNL_CB_OK;
    int len = addr_len(f->family);
    if (f->dst_len > 0) {
        if (!tb[RTA_DST] || memcmp(mnl_attr_get_payload(tb[RTA_DST]), f->dst, len) != 0)
            return MNL_CB_OK;
    }
    if (f->index > 0 && (!tb[RTA_OIF] || (int)mnl_attr_get_u32(tb[RTA_OIF]) != f->index))
        return MNL_CB_OK;
    f->found = 1;
    return MNL_CB_OK;
}

int crs_nl_route_exists(crs_nl *nl, int family, const void *dst, int dst_len, int index) {
    char buf[MNL_SOCKET_BUFFER_SIZE];
    struct nlmsghdr *nlh = put_request(buf, RTM_GETROUTE, NLM_F_DUMP, sizeof(struct rtmsg));
    ((struct rtmsg *)mnl_nlmsg_get_payload(nlh))->rtm_family = family;
    struct route_find f = {.family = family, .dst = dst, .dst_len = dst_len, .index = index};
    if (nl_talk(nl, nlh, route_cb, &f) < 0) return -1;
    return f.found;
}

#endif
