/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Who may call what of memctld (pure: the daemon reads the caller's
 * credentials from the socket, daemon/caller.c, and asks here).
 *
 * Three levels: reading (anyone; physical addresses only for root, as the
 * kernel shows them), operating memory (online, offline, the resets: root, or
 * a member of the policy's defaults.operator_group) and administering
 * (reload, and so the policy: root only).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum memctl_access_level {
	MEMCTL_ACCESS_READ,	/* anyone */
	MEMCTL_ACCESS_OPERATE,	/* root or the operator group */
	MEMCTL_ACCESS_ADMIN,	/* root */
};

enum memctl_access_verdict {
	MEMCTL_ACCESS_DENIED,
	MEMCTL_ACCESS_ALLOWED,		/* anyone may */
	MEMCTL_ACCESS_ALLOWED_ROOT,	/* uid 0 */
	MEMCTL_ACCESS_ALLOWED_GROUP,	/* a member of the operator group */
};

/* A caller as the socket names it (SO_PEERCRED, SO_PEERGROUPS). */
struct memctl_caller {
	uid_t uid;
	gid_t gid;
	pid_t pid;
	const gid_t *groups;	/* supplementary groups */
	size_t n_groups;
	const char *comm;	/* the process's name, NULL: unknown */
};

/* The operator group of the policy, resolved by the daemon. */
struct memctl_operator_group {
	const char *name;	/* defaults.operator_group, NULL or "": none */
	bool resolved;		/* the group exists: gid is its id */
	gid_t gid;
};

enum memctl_access_verdict memctl_access_decide(const struct memctl_caller *c, enum memctl_access_level need,
						 const struct memctl_operator_group *g);
/* Whether the caller may see physical addresses (root only, as /proc/iomem and dax resource). */
bool memctl_access_sees_addresses(const struct memctl_caller *c);
/*
 * The sentence for a refusal, into buf: what the method needs and, when the
 * policy names an operator group, that it is membership of that group
 * ("io.memctl.Offline requires root or membership of group memops (policy
 * /etc/memctl/memctl.conf defaults.operator_group)").
 */
void memctl_access_denied_reason(const char *method, enum memctl_access_level need,
				 const struct memctl_operator_group *g, const char *policy_file, char *buf,
				 size_t len);
