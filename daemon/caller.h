/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Who is on the other end of a Varlink connection: uid, gid and pid from
 * SO_PEERCRED, the supplementary groups from SO_PEERGROUPS, the process's
 * name (proc/PID/comm, through lib/kernel/sysfs.c). Read once, at accept.
 * What the caller may do is policy/access.c's.
 */
#pragma once

#include <sys/types.h>

#include "access.h"

struct daemon_caller {
	struct memctl_caller c;		/* c.groups points into groups, c.comm into comm */
	gid_t *groups;
	char comm[32];
};

/* 0, or -errno when the socket gives no credentials (the connection is refused then). */
int caller_from_socket(int fd, struct daemon_caller *ret);
void caller_clear(struct daemon_caller *c);
/*
 * The policy's operator group by name (getgrnam_r; a number is taken as a gid
 * when there is no such name). ret->resolved false when the group does not exist.
 * name stays borrowed.
 */
void caller_resolve_group(const char *name, struct memctl_operator_group *ret);
