/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sim tests' shared scaffolding (see sim-util.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim-util.h"
#include "util-mem.h"

#define GIB (1ULL << 30)

void sim_count_event(const struct memctl_event *ev, void *userdata)
{
	struct sim_events *e = userdata;

	e->n[ev->kind]++;
	e->total++;
	if (ev->kind == MEMCTL_EVENT_STEP_FAILED)
		snprintf(e->last_failure, sizeof(e->last_failure), "%s", ev->message);
	if (ev->kind == MEMCTL_EVENT_ROLLBACK)
		snprintf(e->last_rollback, sizeof(e->last_rollback), "%s", ev->message);
	if (ev->kind == MEMCTL_EVENT_BLOCK_STUCK)
		snprintf(e->stuck, sizeof(e->stuck), "%s", ev->message);
}

const struct memctl_device_status *sim_find_status(struct memctl_engine *e, const char *dev)
{
	size_t n;
	const struct memctl_device_status *st = memctl_engine_status(e, &n);

	for (size_t i = 0; i < n; i++)
		if (streq(st[i].device, dev))
			return &st[i];
	return NULL;
}

const struct memctl_device_status *sim_status(struct memctl_engine *e, const char *dev)
{
	const struct memctl_device_status *st = sim_find_status(e, dev);

	if (!st)
		fail_msg("no status for %s", dev);
	return st;
}

int sim_add_hmem(struct model *m, enum memctl_dax_driver driver)
{
	return model_add_device(m, "dax0.0", 0, MEMCTL_ORIGIN_HMEM, 6 * GIB, 2 * GIB, 1, driver);
}

void sim_online_movable_by_state(struct model *m, int dev)
{
	model_set_device_state(m, dev, MEMCTL_HOTPLUG_STATE_UNPLUGGED);
	assert_int_equal(model_ops.set_device_state(m, m->devices[dev].name, "online_movable", 0), 0);
}

void sim_set_mem0(struct model *m, int dev)
{
	snprintf(m->devices[dev].memdev, sizeof(m->devices[dev].memdev), "mem0");
	snprintf(m->devices[dev].pci, sizeof(m->devices[dev].pci), "0000:0d:00.0");
}

int sim_cxl_online(struct model *m)
{
	int dev;

	model_init(m);
	dev = model_add_device(m, "dax3.0", 3, MEMCTL_ORIGIN_CXL, 8 * GIB, 2 * GIB, 2, MEMCTL_DRIVER_KMEM);
	sim_set_mem0(m, dev);
	model_set_device_blocks(m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE);
	return dev;
}

static void forward_uevent(void *userdata, const char *subsystem, const char *action)
{
	struct sim_daemon *d = userdata;

	/* memctld gets uevents in its loop (netlink); a change made by its worker
	 * thread (a long operation) is not forwarded from there: the manager
	 * applies the policy again when the operation ends, as after the uevents
	 * it deferred meanwhile. */
	if (d->mgr && pthread_equal(pthread_self(), d->loop))
		manager_uevent(d->mgr, subsystem, action);
}

void sim_daemon_init(struct sim_daemon *d)
{
	snprintf(d->dir, sizeof(d->dir), "/tmp/memctl-sim-XXXXXX");
	assert_non_null(mkdtemp(d->dir));
	snprintf(d->policy, sizeof(d->policy), "%s/memctl.conf", d->dir);
	/* memctld's exports default to the host's node_exporter and NFD directories: never from a test. */
	setenv("MEMCTL_METRICS_DIR", "/nonexistent/memctl-sim", 1);
	setenv("MEMCTL_NFD_DIR", "/nonexistent/memctl-sim", 1);
	model_init(&d->m);
	d->m.on_uevent = forward_uevent;
	d->m.uevent_userdata = d;
}

void sim_daemon_write_policy(struct sim_daemon *d, const char *fmt, ...)
{
	FILE *f = fopen(d->policy, "w");
	va_list ap;

	assert_non_null(f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

void sim_daemon_new_manager(struct sim_daemon *d)
{
	struct manager_config cfg = { .uevent_source = "none", .ops = &model_ops, .ops_ctx = &d->m,
				      .policy_path = d->policy, .runtime_dir = d->dir };

	assert_int_equal(manager_new(&cfg, &d->mgr), 0);
	d->loop = pthread_self();
}

void sim_daemon_cleanup(struct sim_daemon *d)
{
	char cmd[128];

	d->mgr = manager_free(d->mgr);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", d->dir);
	assert_int_equal(system(cmd), 0);
}

void sim_run_until_idle(struct manager *m)
{
	for (int i = 0; i < 200; i++) {
		int r = sd_event_run(manager_event(m), 100 * 1000);
		assert_true(r >= 0);
		if (r == 0)
			return;
	}
	fail_msg("event loop never went idle");
}
