/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `memctl status`: how auto_online_blocks got where it is at boot, i.e. what
 * the early hook (memctl-early before kmem loads) did. Live system only: a
 * fixture tree has no modprobe.d and no /run/memctl of its own.
 */
#include <stdio.h>
#include <string.h>

#include "early.h"
#include "memctl.h"
#include "sysfs.h"
#include "util-mem.h"

#ifndef MEMCTL_MODPROBE_CONF
#define MEMCTL_MODPROBE_CONF "/lib/modprobe.d/memctl.conf"
#endif

struct json_object *cli_early_status_json(const struct memctl_cli *cli)
{
	_cleanup_(memctl_sysfs_freep) struct memctl_sysfs *s = NULL;
	struct memctl_early_status st;
	struct json_object *o, *saved = NULL;

	if (memctl_sysfs_new(cli->root, &s) < 0 ||
	    memctl_early_status(s, MEMCTL_RUNTIME_DIR_DEFAULT, MEMCTL_MODPROBE_CONF, &st) < 0)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "state", json_object_new_string(memctl_early_state_name(st.state)));
	json_object_object_add(o, "modprobe_conf", json_object_new_string(MEMCTL_MODPROBE_CONF));
	json_object_object_add(o, "kmem_loaded", json_object_new_boolean(st.kmem_loaded));
	/* what the hook (or memctld since) holds: offline for takeover, online_movable for movable */
	if (st.auto_online_blocks[0])
		json_object_object_add(o, "auto_online_blocks", json_object_new_string(st.auto_online_blocks));
	if (st.have_saved) {
		saved = json_object_new_object();
		json_object_object_add(saved, "kernel_default", json_object_new_string(st.saved.value));
		json_object_object_add(saved, "saved_by", st.saved.saved_by[0] ? json_object_new_string(st.saved.saved_by)
									      : NULL);
		json_object_object_add(saved, "stage", st.saved.stage[0] ? json_object_new_string(st.saved.stage) : NULL);
		json_object_object_add(saved, "since_usec", json_object_new_int64((int64_t)st.saved.since_usec));
	}
	json_object_object_add(o, "saved", saved);
	return o;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : NULL;
}

void cli_print_early(struct json_object *early)
{
	struct json_object *saved = NULL;
	const char *state = jstr(early, "state") ?: "?", *stage;
	char when[64] = "?";

	json_object_object_get_ex(early, "saved", &saved);
	if (saved)
		memctl_format_realtime((uint64_t)json_object_get_int64(json_object_object_get(saved, "since_usec")), when,
				       sizeof(when));
	printf("early hook:               ");
	if (streq(state, "not-installed")) {
		printf("not installed (no %s)\n", jstr(early, "modprobe_conf"));
	} else if (streq(state, "disabled")) {
		printf("off for this boot (memctl.disable on the kernel command line)\n");
	} else if (streq(state, "kmem-builtin")) {
		printf("cannot work: kmem is built into this kernel (boot with memhp_default_state=offline)\n");
	} else if (streq(state, "active")) {
		stage = jstr(saved, "stage");
		printf("active (auto_online_blocks %s since %s, kernel default \"%s\"%s)\n",
		       jstr(early, "auto_online_blocks") ?: "?", when, jstr(saved, "kernel_default"),
		       stage && streq(stage, "initramfs") ? ", set in the initramfs" : "");
	} else if (streq(state, "daemon-first")) {
		printf("installed; memctld took over first (auto_online_blocks saved at %s, kernel default \"%s\")\n",
		       when, jstr(saved, "kernel_default"));
	} else if (streq(state, "waiting")) {
		printf("installed; kmem not loaded yet\n");
	} else {
		printf("installed; nothing saved although kmem is loaded (kernel_auto_online \"leave\", memctld\n"
		       "                          stopped and gave the kernel its default back, or kmem loaded without\n"
		       "                          the hook: not in the initramfs? update-initramfs -u)\n");
	}
}
