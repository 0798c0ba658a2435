/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memctl-early: run by modprobe (an "install kmem" line in modprobe.d) right
 * before kmem loads, in the initramfs or later. Makes the policy's
 * kernel_auto_online the kernel's default before kmem adds any memory.
 * Always exits 0: it must never keep kmem from loading.
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "early.h"
#include "kernel.h"
#include "policy-load.h"
#include "sysfs.h"
#include "util-mem.h"

static const char usage[] =
	"Usage: memctl-early [--policy FILE] [--runtime-dir DIR] [--stderr]\n"
	"Run by modprobe before kmem loads (memctld(8), EARLY HOOK); always exits 0.\n"
	"  --policy FILE       policy (default " MEMCTL_POLICY_DEFAULT ", with its .d drop-ins)\n"
	"  --runtime-dir DIR   where the kernel's value is saved (default " MEMCTL_RUNTIME_DIR_DEFAULT ")\n"
	"  --stderr            log to stderr instead of the kernel log\n";

/* The kernel log works in the initramfs, under udev and under request_module alike. */
static void log_line(int prio, bool to_stderr, const char *msg)
{
	char line[1200];
	int fd = to_stderr ? -1 : open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY);
	int n;

	if (fd < 0) {
		fprintf(stderr, "memctl-early: %s\n", msg);
		return;
	}
	n = snprintf(line, sizeof(line), "<%d>memctl-early: %s\n", LOG_DAEMON | prio, msg);
	if (n > 0 && write(fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1) < 0)
		fprintf(stderr, "memctl-early: %s\n", msg);
	close(fd);
}

static const char *stage(void)
{
	/* systemd/dracut initrds have initrd-release; initramfs-tools images carry their conf/. */
	if (access("/etc/initrd-release", F_OK) == 0 || access("/conf/initramfs.conf", F_OK) == 0)
		return "initramfs";
	return "root";
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "runtime-dir", required_argument, NULL, 'r' },
		{ "stderr", no_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *policy = MEMCTL_POLICY_DEFAULT, *runtime_dir = MEMCTL_RUNTIME_DIR_DEFAULT;
	_cleanup_(memctl_sysfs_freep) struct memctl_sysfs *s = NULL;
	enum memctl_early_action a;
	bool to_stderr = false;
	char msg[1024] = "";
	int c, r;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			policy = optarg;
			break;
		case 'r':
			runtime_dir = optarg;
			break;
		case 'e':
			to_stderr = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return EXIT_SUCCESS;
		default:
			/* Even a bad command line must not stop kmem. */
			log_line(LOG_ERR, to_stderr, "bad arguments; nothing done");
			return EXIT_SUCCESS;
		}
	}
	r = memctl_sysfs_new(NULL, &s);
	if (r < 0) {
		snprintf(msg, sizeof(msg), "cannot open sysfs: %s; nothing done", strerror(-r));
		log_line(LOG_ERR, to_stderr, msg);
		return EXIT_SUCCESS;
	}
	/* The boot's kill switch: kmem loads and the kernel's default stays. */
	if (memctl_early_disabled(s)) {
		log_line(LOG_NOTICE, to_stderr, "memctl.disable on the kernel command line: auto_online_blocks stays as "
			 "the kernel set it");
		return EXIT_SUCCESS;
	}
	a = memctl_early_run(&memctl_kernel_real_ops, s, policy, runtime_dir, stage(), msg, sizeof(msg));
	log_line(a == MEMCTL_EARLY_FAILED ? LOG_ERR : a == MEMCTL_EARLY_NO_POLICY ? LOG_WARNING
			: a == MEMCTL_EARLY_LEAVE || a == MEMCTL_EARLY_NO_HOTPLUG ? LOG_INFO : LOG_NOTICE,
		 to_stderr, msg);
	return EXIT_SUCCESS;
}
