/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The credentials of a Varlink peer (caller.h). */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "caller.h"
#include "sysfs.h"
#include "util-mem.h"

/* SO_PEERGROUPS: asks with a guess, then with the size the kernel names (ERANGE). */
static int peer_groups(int fd, gid_t **ret, size_t *ret_n)
{
	socklen_t len = 32 * sizeof(gid_t);

	for (int tries = 0; tries < 4; tries++) {
		_autofree_ gid_t *g = malloc(len ? len : sizeof(gid_t));
		socklen_t got = len;

		if (!g)
			return -ENOMEM;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &got) == 0) {
			*ret_n = got / sizeof(gid_t);
			*ret = steal(&g);
			return 0;
		}
		if (errno != ERANGE)
			return -errno;
		len = got > len ? got : len * 2;
	}
	return -ERANGE;
}

static void peer_comm(pid_t pid, char *buf, size_t len)
{
	_cleanup_(memctl_sysfs_freep) struct memctl_sysfs *proc = NULL;
	_autofree_ char *comm = NULL;

	buf[0] = '\0';
	/* the host's procfs, whatever root the daemon scans (a fixture in tests) */
	if (pid <= 0 || memctl_sysfs_new("/", &proc) < 0 || memctl_sysfs_readf(proc, &comm, "proc/%d/comm", (int)pid) < 0)
		return;
	comm[strcspn(comm, "\n")] = '\0';
	snprintf(buf, len, "%s", comm);
}

int caller_from_socket(int fd, struct daemon_caller *ret)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	gid_t *groups = NULL;
	size_t n = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	/* Without its groups a caller is judged by uid and primary gid alone. */
	(void)peer_groups(fd, &groups, &n);
	*ret = (struct daemon_caller){ .groups = groups };
	ret->c = (struct memctl_caller){ .uid = cred.uid, .gid = cred.gid, .pid = cred.pid, .groups = groups,
					 .n_groups = n };
	peer_comm(cred.pid, ret->comm, sizeof(ret->comm));
	ret->c.comm = ret->comm[0] ? ret->comm : NULL;
	return 0;
}

void caller_clear(struct daemon_caller *c)
{
	free(c->groups);
	*c = (struct daemon_caller){ 0 };
}

void caller_resolve_group(const char *name, struct memctl_operator_group *ret)
{
	struct group gr, *found = NULL;
	char buf[4096];
	char *end;
	unsigned long v;

	*ret = (struct memctl_operator_group){ .name = name };
	if (!name || !*name)
		return;
	if (getgrnam_r(name, &gr, buf, sizeof(buf), &found) == 0 && found) {
		ret->resolved = true;
		ret->gid = found->gr_gid;
		return;
	}
	errno = 0;
	v = strtoul(name, &end, 10);
	if (*end == '\0' && errno == 0 && v < (gid_t)-1) {
		ret->resolved = true;
		ret->gid = (gid_t)v;
	}
}
