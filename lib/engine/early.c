/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The I/O half of the early step: the saved auto_online_blocks file memctld and
 * memctl-early share, running the step, and what status says about it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "early.h"
#include "kernel-online.h"
#include "kernel.h"
#include "policy-load.h"
#include "trusted-file.h"
#include "util-mem.h"

/* Copy, truncating to the field (the values are short kernel words). */
static void copy_str(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

int memctl_aob_saved_read(const char *runtime_dir, struct memctl_aob_saved *ret)
{
	static const char *const values[] = { "offline", "online", "online_kernel", "online_movable" };
	struct memctl_aob_saved s = { 0 };
	char path[PATH_MAX], why[512];
	_autofree_ char *text = NULL;
	struct stat st;
	bool known = false;
	int r;

	snprintf(path, sizeof(path), "%s/%s", runtime_dir, MEMCTL_AOB_SAVED_FILE);
	/* Not through a link, not from a file others could write (trusted-file.h). */
	r = memctl_trusted_read(path, 4096, 0, &text, &st, why, sizeof(why));
	if (r < 0)
		return r;
	s.since_usec = (uint64_t)st.st_mtim.tv_sec * 1000000 + (uint64_t)st.st_mtim.tv_nsec / 1000;
	if (!*text)
		return -ENODATA;
	for (char *line = text, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (line == text)
			copy_str(s.value, sizeof(s.value), line);
		else if (!strncmp(line, "saved_by=", 9))
			copy_str(s.saved_by, sizeof(s.saved_by), line + 9);
		else if (!strncmp(line, "stage=", 6))
			copy_str(s.stage, sizeof(s.stage), line + 6);
	}
	/* A cut or garbled value is never written back to the kernel. */
	for (size_t i = 0; i < ELEMENTSOF(values); i++)
		known = known || streq(s.value, values[i]);
	if (!known)
		return -EBADMSG;
	*ret = s;
	return 0;
}

int memctl_aob_saved_write(const char *runtime_dir, const char *value, const char *saved_by, const char *stage)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	_autofclose_ FILE *f = NULL;
	int fd, r = 0;

	if (mkdir(runtime_dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), "%s/%s", runtime_dir, MEMCTL_AOB_SAVED_FILE);
	snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", runtime_dir, MEMCTL_AOB_SAVED_FILE);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		r = -errno;
		close(fd);
		unlink(tmp);
		return r;
	}
	/* Readable by all: memctl status shows it without root. */
	if (fchmod(fd, 0644) < 0)
		r = -errno;
	fprintf(f, "%s\nsaved_by=%s\n", value, saved_by);
	if (stage && *stage)
		fprintf(f, "stage=%s\n", stage);
	if (fflush(f) != 0 && r == 0)
		r = -errno;
	/* link() never replaces: whoever saved first keeps the kernel's real original. */
	if (r == 0 && link(tmp, path) < 0)
		r = -errno;
	unlink(tmp);
	return r;
}

static void policy_error(const struct memctl_diags *d, char *buf, size_t len)
{
	copy_str(buf, len, "unknown error");
	for (size_t i = 0; i < d->n; i++) {
		if (d->v[i].severity == MEMCTL_ERROR) {
			memctl_diag_format(&d->v[i], buf, len);
			return;
		}
	}
}

/* want: "offline", or "online_movable" under kernel_auto_online = "movable" (kernel-online.h). */
static int write_offline(const struct memctl_kernel_ops *ops, void *ctx, const char *want, const char *aob, char *msg,
			 size_t len)
{
	int r;

	if (streq(aob, want))
		return 0;
	r = ops->set_auto_online(ctx, want);
	if (r < 0)
		snprintf(msg, len, "cannot write \"%s\" to auto_online_blocks: %s; the kernel onlines kmem's "
			 "memory as \"%s\"", want, strerror(-r), aob);
	return r;
}

enum memctl_early_action memctl_early_run(const struct memctl_kernel_ops *ops, void *ctx, const char *policy_file,
					  const char *runtime_dir, const char *stage, char *msg, size_t len)
{
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = NULL;
	struct memctl_diags d = { 0 };
	struct memctl_aob_saved saved;
	_autofree_ char *aob = NULL;
	enum memctl_early_action a;
	char why[512];
	bool have_saved;
	int r;

	r = memctl_policy_load(policy_file, true, &p, &d);
	if (r < 0) {
		policy_error(&d, why, sizeof(why));
		memctl_diags_clear(&d);
		snprintf(msg, len, "policy %s not usable (%s): auto_online_blocks stays as the kernel set it", policy_file,
			 why);
		return MEMCTL_EARLY_NO_POLICY;
	}
	memctl_diags_clear(&d);
	if (ops->get_auto_online(ctx, &aob) < 0)
		aob = NULL;
	have_saved = memctl_aob_saved_read(runtime_dir, &saved) == 0;
	a = memctl_early_decide(p, aob, have_saved);
	switch (a) {
	case MEMCTL_EARLY_NO_POLICY:
	case MEMCTL_EARLY_FAILED:
		break;
	case MEMCTL_EARLY_LEAVE:
		snprintf(msg, len, "kernel_auto_online = \"leave\": auto_online_blocks stays \"%s\"", aob ?: "(absent)");
		break;
	case MEMCTL_EARLY_NO_HOTPLUG:
		snprintf(msg, len, "no auto_online_blocks (no memory hotplug): nothing to take over");
		break;
	case MEMCTL_EARLY_SAVE_AND_OFFLINE:
		r = memctl_aob_saved_write(runtime_dir, aob, MEMCTL_SAVED_BY_EARLY, stage);
		if (r == -EEXIST) {	/* memctld saved meanwhile */
			if (write_offline(ops, ctx, memctl_kao_value(p), aob, msg, len) < 0)
				return MEMCTL_EARLY_FAILED;
			snprintf(msg, len, "auto_online_blocks set to \"%s\" before kmem loads (saved meanwhile)",
				 memctl_kao_value(p));
			return MEMCTL_EARLY_OFFLINE_ONLY;
		}
		/*
		 * Without the saved file memctld cannot give the kernel's value back
		 * when it stops; memory the kernel onlines in its own zone may never
		 * come back. The second is worse: go on.
		 */
		if (r < 0)
			snprintf(why, sizeof(why), "; cannot save it in %s: %s", runtime_dir, strerror(-r));
		else
			snprintf(why, sizeof(why), ", saved in %s/%s", runtime_dir, MEMCTL_AOB_SAVED_FILE);
		if (write_offline(ops, ctx, memctl_kao_value(p), aob, msg, len) < 0) {
			if (r == 0) {
				char path[PATH_MAX];
				snprintf(path, sizeof(path), "%s/%s", runtime_dir, MEMCTL_AOB_SAVED_FILE);
				unlink(path);
			}
			return MEMCTL_EARLY_FAILED;
		}
		snprintf(msg, len, "auto_online_blocks set to \"%s\" before kmem loads (kernel default \"%s\"%s)",
			 memctl_kao_value(p), aob, why);
		return r < 0 ? MEMCTL_EARLY_FAILED : a;
	case MEMCTL_EARLY_OFFLINE_ONLY:
		if (write_offline(ops, ctx, memctl_kao_value(p), aob, msg, len) < 0)
			return MEMCTL_EARLY_FAILED;
		snprintf(msg, len, "auto_online_blocks set to \"%s\" before kmem loads (kernel default \"%s\" "
			 "saved before by %s)", memctl_kao_value(p), saved.value, saved.saved_by[0] ? saved.saved_by : "memctld");
		break;
	}
	return a;
}

bool memctl_early_disabled(struct memctl_sysfs *s)
{
	_autofree_ char *cmdline = NULL;

	return memctl_sysfs_read(s, "proc/cmdline", &cmdline) == 0 && memctl_cmdline_disables(cmdline);
}

int memctl_early_status(struct memctl_sysfs *s, const char *runtime_dir, const char *modprobe_conf,
			struct memctl_early_status *ret)
{
	struct memctl_early_status st = { 0 };
	bool driver = memctl_sysfs_exists(s, "sys/bus/dax/drivers/kmem");
	bool module = memctl_sysfs_exists(s, "sys/module/kmem/initstate");
	_autofree_ char *aob = NULL;

	if (memctl_sysfs_read(s, "sys/devices/system/memory/auto_online_blocks", &aob) == 0)
		copy_str(st.auto_online_blocks, sizeof(st.auto_online_blocks), aob);
	st.kmem_loaded = driver || module;
	st.have_saved = memctl_aob_saved_read(runtime_dir, &st.saved) == 0;
	if (access(modprobe_conf, F_OK) < 0)
		st.state = MEMCTL_EARLY_NOT_INSTALLED;
	else if (memctl_early_disabled(s))
		st.state = MEMCTL_EARLY_DISABLED;
	else if (driver && !module)
		st.state = MEMCTL_EARLY_KMEM_BUILTIN;	/* a module has initstate; built-in code has no load to hook */
	else if (st.have_saved && streq(st.saved.saved_by, MEMCTL_SAVED_BY_EARLY))
		st.state = MEMCTL_EARLY_ACTIVE;
	else if (st.have_saved)
		st.state = MEMCTL_EARLY_DAEMON_FIRST;
	else if (!st.kmem_loaded)
		st.state = MEMCTL_EARLY_WAITING;
	else
		st.state = MEMCTL_EARLY_IDLE;
	*ret = st;
	return 0;
}

/* The early hook's state as memctl status shows it. */
const struct memctl_strtab memctl_early_state_table = {
	.v = (const struct memctl_strtab_entry[]){
		{ MEMCTL_EARLY_NOT_INSTALLED, "not-installed" },
		{ MEMCTL_EARLY_KMEM_BUILTIN, "kmem-builtin" },
		{ MEMCTL_EARLY_DISABLED, "disabled" },
		{ MEMCTL_EARLY_ACTIVE, "active" },
		{ MEMCTL_EARLY_DAEMON_FIRST, "daemon-first" },
		{ MEMCTL_EARLY_WAITING, "waiting" },
		{ MEMCTL_EARLY_IDLE, "idle" },
		{},
	},
	.fallback = "?",
};

const char *memctl_early_state_name(enum memctl_early_state st)
{
	return memctl_strtab_name(&memctl_early_state_table, st);
}

void memctl_format_realtime(uint64_t usec, char *buf, size_t len)
{
	time_t t = (time_t)(usec / 1000000);
	struct tm tm;

	if (!localtime_r(&t, &tm) || strftime(buf, len, "%Y-%m-%d %H:%M:%S %Z", &tm) == 0)
		snprintf(buf, len, "@%llu", (unsigned long long)(usec / 1000000));
}
