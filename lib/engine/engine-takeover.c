/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The auto_online_blocks takeover, moved out of memctld's manager: which value
 * to save, when to give it back. The file format and its first-saver-wins
 * rule belong to lib/early.c, which memctl-early shares.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "early.h"
#include "engine-takeover.h"
#include "kernel-online.h"
#include "util-mem.h"

static void result_init(struct memctl_takeover_result *res, const char *runtime_dir)
{
	*res = (struct memctl_takeover_result){ .done = MEMCTL_TAKEOVER_NOTHING };
	snprintf(res->path, sizeof(res->path), "%s/%s", runtime_dir, MEMCTL_AOB_SAVED_FILE);
}

static int save(const struct memctl_kernel_ops *ops, void *ctx, const char *runtime_dir,
		struct memctl_takeover_result *res)
{
	_autofree_ char *cur = NULL;
	int r;

	/* memctl-early may have saved the kernel's value before kmem loaded: that one stays. */
	if (access(res->path, F_OK) == 0 || ops->get_auto_online(ctx, &cur) < 0)
		return 0;
	snprintf(res->value, sizeof(res->value), "%s", cur);
	r = memctl_aob_saved_write(runtime_dir, cur, MEMCTL_SAVED_BY_DAEMON, "root");
	if (r == -EEXIST)
		return 0;
	if (r < 0)
		return r;
	res->done = MEMCTL_TAKEOVER_SAVED;
	return 0;
}

static int restore(const struct memctl_kernel_ops *ops, void *ctx, const char *runtime_dir,
		   struct memctl_takeover_result *res)
{
	struct memctl_aob_saved sv;
	int r;

	/* Read as memctl-early wrote it: no symlink, root's, a value the kernel knows. */
	r = memctl_aob_saved_read(runtime_dir, &sv);
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		/* Not restored from a file memctl cannot trust or read: the kernel keeps "offline". */
		res->restoring = true;
		res->untrusted = true;
		return r;
	}
	/*
	 * "offline" was never the kernel's own choice worth restoring: memctld's or a
	 * stale file's. Still the safe value: under kernel_auto_online = "movable"
	 * memctld left "online_movable" there, which must not outlive it.
	 */
	if (streq(sv.value, "offline")) {
		_autofree_ char *cur = NULL;
		unlink(res->path);
		if (ops->get_auto_online(ctx, &cur) < 0 || streq(cur, "offline"))
			return 0;
	}
	snprintf(res->value, sizeof(res->value), "%s", sv.value);
	res->restoring = true;
	r = ops->set_auto_online(ctx, sv.value);
	unlink(res->path);
	if (r < 0)
		return r;
	res->done = MEMCTL_TAKEOVER_RESTORED;
	return 0;
}

int memctl_takeover_sync(const struct memctl_kernel_ops *ops, void *ctx, const char *runtime_dir,
			 const struct memctl_policy *p, struct memctl_takeover_result *ret)
{
	result_init(ret, runtime_dir);
	if (memctl_kao_holds(p))
		return save(ops, ctx, runtime_dir, ret);
	return restore(ops, ctx, runtime_dir, ret);
}

int memctl_takeover_restore(const struct memctl_kernel_ops *ops, void *ctx, const char *runtime_dir,
			    struct memctl_takeover_result *ret)
{
	result_init(ret, runtime_dir);
	return restore(ops, ctx, runtime_dir, ret);
}
