/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The "can anyone but root change this?" rule shared by policy-load.c and hooks.c. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "writers.h"

int memctl_writable_by_others(const struct stat *st, char *reason, size_t len)
{
	/*
	 * The owner counts whatever the mode says: chmod is theirs. A world-
	 * writable directory is refused even with the sticky bit, which only
	 * stops others from replacing files: they could still add one.
	 */
	if (st->st_uid != 0 && st->st_uid != geteuid())
		snprintf(reason, len, "owned by uid %u", (unsigned)st->st_uid);
	else if ((st->st_mode & S_IWGRP) && st->st_gid != 0)
		snprintf(reason, len, "group-writable (gid %u)", (unsigned)st->st_gid);
	else if (st->st_mode & S_IWOTH)
		snprintf(reason, len, "world-writable");
	else
		return 0;
	return -EPERM;
}
