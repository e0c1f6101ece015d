#ifdef __linux__
#include "crs_nftables.h"
#include "mnl_socket_ns.h"
#include "nft_batch.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static int reserve(crs_nft_batch *b, size_t more) {
    if (b->len + more <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 1 << 20;
    while (cap < b->len + more) cap *= 2;
    char *p = realloc(b->buf, cap);
    if (p == NULL) return -1;
    b->buf = p;
    b->cap = cap;
    return 0;
}

static int append(crs_nft_batch *b, const struct nlmsghdr *nlh) {
    size_t n = NLMSG_ALIGN(nlh->nlmsg_len);
    if (reserve(b, n) < 0) return -1;
    memcpy(b->buf + b->len, nlh, nlh->nlmsg_len);
    memset(b->buf + b->len + nlh->nlmsg_len, 0, n - nlh->nlmsg_len);
    b->len += n;
    return 0;
}

static struct nlmsghdr *header(crs_nft_batch *b, uint16_t type, uint16_t flags) {
    return nftnl_nlmsg_build_hdr(b->scratch, type, (uint16_t)b->family, flags, ++b->seq);
}

static int flush_elems(crs_nft_batch *b) {
    if (b->elems == NULL) return 0;
    struct nlmsghdr *nlh = header(b, b->elems_add ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM,
                                  b->elems_add ? NLM_F_CREATE : 0);
    nftnl_set_elems_nlmsg_build_payload(nlh, b->elems);
    nftnl_set_free(b->elems);
    b->elems = NULL;
    b->elems_count = 0;
    b->messages++;
    return append(b, nlh);
}

crs_nft_batch *crs_nft_batch_new(int family, const char *table) {
    crs_nft_batch *b = calloc(1, sizeof(*b));
    if (b == NULL) return NULL;
    b->family = family;
    b->table = strdup(table);
    b->scratch = malloc(SCRATCH);
    if (b->table == NULL || b->scratch == NULL) {
        crs_nft_batch_free(b);
        errno = ENOMEM;
        return NULL;
    }
    b->seq = 1;
    b->first_seq = 1;
    if (append(b, nftnl_batch_begin(b->scratch, b->seq)) < 0) {
        crs_nft_batch_free(b);
        errno = ENOMEM;
        return NULL;
    }
    return b;
}

void crs_nft_batch_free(crs_nft_batch *b) {
    if (b == NULL) return;
    if (b->rule) nftnl_rule_free(b->rule);
    if (b->elems) nftnl_set_free(b->elems);
    free(b->table);
    free(b->buf);
    free(b->scratch);
    free(b);
}

size_t crs_nft_batch_messages(const crs_nft_batch *b) { return b->messages; }

/* Every object call first closes a pending element message, so messages stay in call order. */
static int object_start(crs_nft_batch *b) {
    if (b->rule != NULL) {
        errno = EINPROGRESS;
        return -1;
    }
    return flush_elems(b);
}

int crs_nft_batch_use_table(crs_nft_batch *b, const char *table) {
    if (object_start(b) < 0) return -1;
    char *name = strdup(table);
    if (name == NULL) return -1;
    free(b->table);
    b->table = name;
    return 0;
}

static int table_msg(crs_nft_batch *b, uint16_t type, uint16_t flags) {
    if (object_start(b) < 0) return -1;
    struct nftnl_table *t = nftnl_table_alloc();
    if (t == NULL) return -1;
    nftnl_table_set_str(t, NFTNL_TABLE_NAME, b->table);
    struct nlmsghdr *nlh = header(b, type, flags);
    nftnl_table_nlmsg_build_payload(nlh, t);
    nftnl_table_free(t);
    b->messages++;
    return append(b, nlh);
}

int crs_nft_table_add(crs_nft_batch *b) { return table_msg(b, NFT_MSG_NEWTABLE, NLM_F_CREATE); }
int crs_nft_table_delete(crs_nft_batch *b) { return table_msg(b, NFT_MSG_DELTABLE, 0); }

static int chain_msg(crs_nft_batch *b, uint16_t type, uint16_t flags, const char *name, int hook,
                     int priority, const char *ctype) {
    if (object_start(b) < 0) return -1;
    struct nftnl_chain *c = nftnl_chain_alloc();
    if (c == NULL) return -1;
    nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, b->table);
    nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
    if (hook >= 0) {
        nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, (uint32_t)hook);
        nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, priority);
        nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, ctype);
        nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
    }
    struct nlmsghdr *nlh = header(b, type, flags);
    nftnl_chain_nlmsg_build_payload(nlh, c);
    nftnl_chain_free(c);
    b->messages++;
    return append(b, nlh);
}

int crs_nft_chain_add(crs_nft_batch *b, const char *name, int hook, int priority, const char *type) {
    return chain_msg(b, NFT_MSG_NEWCHAIN, NLM_F_CREATE, name, hook, priority, type);
}

int crs_nft_chain_delete(crs_nft_batch *b, const char *name) {
    return chain_msg(b, NFT_MSG_DELCHAIN, 0, name, -1, 0, NULL);
}

/* A rule deletion naming only table and chain removes every rule of the chain (`nft flush chain`). */
int crs_nft_chain_flush(crs_nft_batch *b, const char *name) {
    if (object_start(b) < 0) return -1;
    struct nftnl_rule *r = nftnl_rule_alloc();
    if (r == NULL) return -1;
    nftnl_rule_set_str(r, NFTNL_RULE_TABLE, b->table);
    nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, name);
    struct nlmsghdr *nlh = header(b, NFT_MSG_DELRULE, 0);
    nftnl_rule_nlmsg_build_payload(nlh, r);
    nftnl_rule_free(r);
    b->messages++;
    return append(b, nlh);
}

/* A set object naming set `name` of the current table and family; NULL with errno. */
static struct nftnl_set *set_named(const crs_nft_batch *b, const char *name) {
    struct nftnl_set *s = nftnl_set_alloc();
    if (s == NULL) return NULL;
    nftnl_set_set_str(s, NFTNL_SET_TABLE, b->table);
    nftnl_set_set_str(s, NFTNL_SET_NAME, name);
    nftnl_set_set_u32(s, NFTNL_SET_FAMILY, (uint32_t)b->family);
    return s;
}

int crs_nft_set_add(crs_nft_batch *b, const char *name, uint32_t flags, uint32_t key_type,
                    uint32_t key_len, uint32_t data_type, uint32_t data_len, uint64_t timeout_ms) {
    if (object_start(b) < 0) return -1;
    struct nftnl_set *s = set_named(b, name);
    if (s == NULL) return -1;
    nftnl_set_set_u32(s, NFTNL_SET_ID, b->seq + 1);
    nftnl_set_set_u32(s, NFTNL_SET_FLAGS, flags);
    nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, key_type);
    nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, key_len);
    if (data_type != 0) {
        nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE, data_type);
        nftnl_set_set_u32(s, NFTNL_SET_DATA_LEN, data_len);
    }
    if (timeout_ms != 0) nftnl_set_set_u64(s, NFTNL_SET_TIMEOUT, timeout_ms);
    struct nlmsghdr *nlh = header(b, NFT_MSG_NEWSET, NLM_F_CREATE);
    nftnl_set_nlmsg_build_payload(nlh, s);
    nftnl_set_free(s);
    b->messages++;
    return append(b, nlh);
}

int crs_nft_set_delete(crs_nft_batch *b, const char *name) {
    if (object_start(b) < 0) return -1;
    struct nftnl_set *s = set_named(b, name);
    if (s == NULL) return -1;
    struct nlmsghdr *nlh = header(b, NFT_MSG_DELSET, 0);
    nftnl_set_nlmsg_build_payload(nlh, s);
    nftnl_set_free(s);
    b->messages++;
    return append(b, nlh);
}

int crs_nft_set_elem(crs_nft_batch *b, const char *set, int add, const void *key, uint32_t key_len,
                     int verdict, const char *chain) {
    if (b->rule != NULL) {
        errno = EINPROGRESS;
        return -1;
    }
    if (b->elems != NULL &&
        (b->elems_add != add || b->elems_count >= ELEMS_PER_MSG ||
         strcmp(nftnl_set_get_str(b->elems, NFTNL_SET_NAME), set) != 0)) {
        if (flush_elems(b) < 0) return -1;
    }
    if (b->elems == NULL) {
        b->elems = set_named(b, set);
        if (b->elems == NULL) return -1;
        b->elems_add = add;
    }
    struct nftnl_set_elem *e = nftnl_set_elem_alloc();
    if (e == NULL) return -1;
    nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, key_len);
    if (add) {
        nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_VERDICT, (uint32_t)verdict);
        if (chain != NULL) nftnl_set_elem_set_str(e, NFTNL_SET_ELEM_CHAIN, chain);
    }
    nftnl_set_elem_add(b->elems, e);
    b->elems_count++;
    return 0;
}

int crs_nft_rule_begin(crs_nft_batch *b, const char *chain) {
    if (object_start(b) < 0) return -1;
    b->rule = nftnl_rule_alloc();
    if (b->rule == NULL) return -1;
    nftnl_rule_set_str(b->rule, NFTNL_RULE_TABLE, b->table);
    nftnl_rule_set_str(b->rule, NFTNL_RULE_CHAIN, chain);
    nftnl_rule_set_u32(b->rule, NFTNL_RULE_FAMILY, (uint32_t)b->family);
    return 0;
}

int crs_nft_rule_end(crs_nft_batch *b) {
    if (b->rule == NULL) {
        errno = EINVAL;
        return -1;
    }
    struct nlmsghdr *nlh = header(b, NFT_MSG_NEWRULE, NLM_F_APPEND | NLM_F_CREATE);
    nftnl_rule_nlmsg_build_payload(nlh, b->rule);
    nftnl_rule_free(b->rule);
    b->rule = NULL;
    b->messages++;
    return append(b, nlh);
}

static const char *msg_name(uint16_t type) {
    switch (type & 0xff) {
    case NFT_MSG_NEWTABLE: return "add table";
    case NFT_MSG_DELTABLE: return "delete table";
    case NFT_MSG_NEWCHAIN: return "add chain";
    case NFT_MSG_DELCHAIN: return "delete chain";
    case NFT_MSG_NEWRULE: return "add rule";
    case NFT_MSG_DELRULE: return "flush chain";
    case NFT_MSG_NEWSET: return "add set";
    case NFT_MSG_DELSET: return "delete set";
    case NFT_MSG_NEWSETELEM: return "add element";
    case NFT_MSG_DELSETELEM: return "delete element";
    default: return "message";
    }
}

/* Names the batch message with sequence number `seq`: its operation and object. */
static void describe(const crs_nft_batch *b, uint32_t seq, char *out, size_t outlen) {
    for (size_t off = 0; off + sizeof(struct nlmsghdr) <= b->len;) {
        const struct nlmsghdr *nlh = (const struct nlmsghdr *)(b->buf + off);
        if (nlh->nlmsg_seq == seq) {
            const char *object = "", *table = b->table;
            struct nftnl_table *t = NULL;
            struct nftnl_chain *c = NULL;
            struct nftnl_rule *r = NULL;
            struct nftnl_set *s = NULL;
            switch (nlh->nlmsg_type & 0xff) {
            case NFT_MSG_NEWCHAIN:
            case NFT_MSG_DELCHAIN:
                if ((c = nftnl_chain_alloc()) && nftnl_chain_nlmsg_parse(nlh, c) == 0) {
                    object = nftnl_chain_get_str(c, NFTNL_CHAIN_NAME);
                    table = nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE);
                }
                break;
            case NFT_MSG_NEWRULE:
            case NFT_MSG_DELRULE:
                if ((r = nftnl_rule_alloc()) && nftnl_rule_nlmsg_parse(nlh, r) == 0) {
                    object = nftnl_rule_get_str(r, NFTNL_RULE_CHAIN);
                    table = nftnl_rule_get_str(r, NFTNL_RULE_TABLE);
                }
                break;
            case NFT_MSG_NEWSET:
            case NFT_MSG_DELSET:
            case NFT_MSG_NEWSETELEM:
            case NFT_MSG_DELSETELEM:
                if ((s = nftnl_set_alloc()) &&
                    ((nlh->nlmsg_type & 0xff) == NFT_MSG_NEWSET || (nlh->nlmsg_type & 0xff) == NFT_MSG_DELSET ? nftnl_set_nlmsg_parse(nlh, s)
                                                                : nftnl_set_elems_nlmsg_parse(nlh, s)) == 0) {
                    object = nftnl_set_get_str(s, NFTNL_SET_NAME);
                    table = nftnl_set_get_str(s, NFTNL_SET_TABLE);
                }
                break;
            case NFT_MSG_NEWTABLE:
            case NFT_MSG_DELTABLE:
                if ((t = nftnl_table_alloc()) && nftnl_table_nlmsg_parse(nlh, t) == 0)
                    table = nftnl_table_get_str(t, NFTNL_TABLE_NAME);
                break;
            }
            if (object && object[0])
                snprintf(out, outlen, "table ip %s: %s %s", table ? table : "", msg_name(nlh->nlmsg_type), object);
            else
                snprintf(out, outlen, "%s ip %s", msg_name(nlh->nlmsg_type), table ? table : "");
            if (t) nftnl_table_free(t);
            if (c) nftnl_chain_free(c);
            if (r) nftnl_rule_free(r);
            if (s) nftnl_set_free(s);
            return;
        }
        off += NLMSG_ALIGN(nlh->nlmsg_len);
    }
    snprintf(out, outlen, "message %u", seq);
}

int crs_nft_batch_commit(crs_nft_batch *b, int netns_fd, char *err, size_t errlen) {
    if (err && errlen) err[0] = 0;
    if (b->rule != NULL || flush_elems(b) < 0) {
        if (b->rule != NULL) errno = EINPROGRESS;
        return -1;
    }
    if (b->messages == 0) return 0;
    /* Only the last object message asks for an ack: the kernel reports every failing message
     * anyway, so success is exactly "no error and the last message acknowledged". */
    uint32_t last_seq = b->seq;
    for (size_t off = 0; off < b->len;) {
        struct nlmsghdr *nlh = (struct nlmsghdr *)(b->buf + off);
        if (nlh->nlmsg_seq == last_seq) nlh->nlmsg_flags |= NLM_F_ACK;
        off += NLMSG_ALIGN(nlh->nlmsg_len);
    }
    size_t body = b->len;
    if (append(b, nftnl_batch_end(b->scratch, ++b->seq)) < 0) return -1;

    struct mnl_socket *sock = crs_mnl_socket_open(NETLINK_NETFILTER, netns_fd);
    if (sock == NULL) {
        int e = errno;
        if (err && errlen) snprintf(err, errlen, "opening an nf_tables netlink socket: %s", strerror(e));
        b->len = body;
        b->seq--;
        errno = e;
        return -1;
    }
    int result = -1, saved = 0, acked = 0, failed = 0;
    unsigned int portid = 0;
    int sndbuf = (int)(b->len + 65536), rcvbuf = 4 << 20;
    char rbuf[MNL_SOCKET_BUFFER_SIZE];
    portid = mnl_socket_get_portid(sock);
    /* The whole transaction goes in one sendmsg, so the socket must take it in one piece. */
    if (setsockopt(mnl_socket_get_fd(sock), SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)) < 0 &&
        setsockopt(mnl_socket_get_fd(sock), SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)) < 0)
        goto out;
    (void)setsockopt(mnl_socket_get_fd(sock), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
    if (mnl_socket_sendto(sock, b->buf, b->len) < 0) goto out;

    /* nfnetlink processes the batch synchronously inside sendmsg: every reply is queued by
     * now, so read without blocking until the queue is empty. */
    for (;;) {
        ssize_t n = recv(mnl_socket_get_fd(sock), rbuf, sizeof(rbuf), MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            if (errno == ENOBUFS && failed) break; /* more errors than fit; the first is kept */
            saved = errno;
            if (err && errlen) snprintf(err, errlen, "reading the nf_tables replies: %s", strerror(saved));
            goto out;
        }
        for (struct nlmsghdr *nlh = (struct nlmsghdr *)rbuf; mnl_nlmsg_ok(nlh, (int)n);
             nlh = mnl_nlmsg_next(nlh, (int *)&n)) {
            if (nlh->nlmsg_pid != portid || nlh->nlmsg_type != NLMSG_ERROR) continue;
            const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
            if (e->error == 0) {
                if (e->msg.nlmsg_seq == last_seq) acked = 1;
            } else if (!failed) {
                failed = 1;
                saved = -e->error;
                if (err && errlen) {
                    char what[300];
                    describe(b, e->msg.nlmsg_seq, what, sizeof(what));
                    snprintf(err, errlen, "%s: %s", what, strerror(saved));
                }
            }
        }
    }
    if (failed) goto out;
    if (!acked) {
        saved = EPROTO;
        if (err && errlen) snprintf(err, errlen, "nf_tables sent no acknowledgement for the batch");
        goto out;
    }
    result = 0;
out:
    if (result < 0 && saved == 0) {
        saved = errno;
        if (err && errlen && !err[0]) snprintf(err, errlen, "netlink: %s", strerror(saved));
    }
    mnl_socket_close(sock);
    b->len = body;
    b->seq--;
    errno = saved;
    return result;
}

#endif
