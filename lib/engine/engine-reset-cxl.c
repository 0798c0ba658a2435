/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * CXL regions around a reset (see engine-reset-cxl.h). A bus reset clears
 * the device's HDM decoders: committed, they would leave the kernel decoding
 * an HPA range nothing answers ("SBR happened without memory regions
 * removal", taint). So reset-prepare decommits every region on the device
 * once its memory is gone, and reset-done commits them again (the kernel
 * kept their HPA range and targets) or re-creates one that is gone.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine-reset-cxl.h"
#include "util-mem.h"
#include "util-time.h"

void engine_cxl_plan_clear(struct engine_cxl_plan *t)
{
	free(t->regions);
	free(t->pci);
	*t = (struct engine_cxl_plan){ 0 };
}

/* Who holds a dax device of the regions open or mapped: its CXL region would go away under them. */
static int check_users(struct memctl_engine *e, const struct memctl_inventory *inv, const char *target,
		       const struct engine_cxl_plan *t, char **ret_message)
{
	if (!e->ops->device_users)
		return 0;
	for (size_t i = 0; i < inv->n_devices; i++) {
		const struct memctl_dax_device *d = &inv->devices[i];
		const struct memctl_dax_region *dr = d->region >= 0 ? &inv->regions[d->region] : NULL;
		_autofree_ char *users = NULL;
		bool mine = false;

		for (size_t k = 0; dr && dr->cxl_region && k < t->n; k++)
			mine = mine || streq(inv->cxl_regions[t->regions[k]].name, dr->cxl_region);
		if (!mine || e->ops->device_users(e->ctx, d->name, &users) < 0 || !users)
			continue;
		if (ret_message)
			(void)asprintf_ret(ret_message, "%s: /dev/%s is in use by %s: the reset takes CXL region %s "
					   "away under it; stop them first", target, d->name, users, dr->cxl_region);
		return -EBUSY;
	}
	return 0;
}

int engine_cxl_plan(struct memctl_engine *e, const struct memctl_inventory *inv, const char *target,
		    struct engine_cxl_plan *t, char **ret_message)
{
	_autofree_ char *offered = NULL, *why = NULL;
	char first[32] = "";
	int n, r;

	*t = (struct engine_cxl_plan){ 0 };
	if (!e->ops->cxl_region_teardown || !e->ops->cxl_region_restore)
		return 0;
	n = memctl_cxl_reset_regions(inv, target, &t->regions, &t->pci);
	if (n < 0)
		return n;
	t->n = (size_t)n;
	if (t->n == 0)
		return 0;
	sscanf(t->pci, "%31s", first);
	if (e->ops->get_reset_methods && e->ops->get_reset_methods(e->ctx, first, &offered) >= 0)
		snprintf(t->methods, sizeof(t->methods), "%s", offered);
	if (memctl_reset_method_choose(offered, true, &t->choice) < 0)
		t->choice = (struct memctl_reset_choice){
			.wipes_decoders = true,
			.why = "the function shows no reset methods: whatever resets it is taken to clear the HDM decoders",
		};
	if (!t->choice.wipes_decoders) {
		t->n = 0;	/* an FLR leaves the regions decoding: nothing to take down */
		return 0;
	}
	r = memctl_cxl_teardown_refusal(inv, target, t->regions, t->n, &why);
	if (r < 0)
		return r;
	if (r > 0) {
		if (ret_message)
			*ret_message = steal(&why);
		return -EPERM;
	}
	return check_users(e, inv, target, t, ret_message);
}

static struct engine_cxl_saved *saved_slot(struct memctl_engine *e, const char *region)
{
	size_t cap = sizeof(e->cxl_saved) / sizeof(e->cxl_saved[0]);

	for (size_t i = 0; i < e->n_cxl_saved; i++)
		if (streq(e->cxl_saved[i].config.name, region))
			return &e->cxl_saved[i];
	return e->n_cxl_saved < cap ? &e->cxl_saved[e->n_cxl_saved++] : NULL;
}

static void drop_saved(struct memctl_engine *e, size_t i)
{
	memmove(&e->cxl_saved[i], &e->cxl_saved[i + 1], (e->n_cxl_saved - i - 1) * sizeof(e->cxl_saved[0]));
	e->n_cxl_saved--;
}

static void msg_add(char *msg, size_t len, const char *text)
{
	size_t off = strnlen(msg, len);

	snprintf(msg + off, len - off, "%s%s", off ? "; " : "", text);
}

int engine_cxl_teardown(struct memctl_engine *e, const struct memctl_inventory *inv, const char *target,
			const struct engine_cxl_plan *t, char *msg, size_t len)
{
	for (size_t i = 0; i < t->n; i++) {
		const char *name = inv->cxl_regions[t->regions[i]].name;
		struct memctl_cxl_region_config c;
		struct engine_cxl_saved *slot;
		char line[512], desc[256];
		int r;

		r = e->ops->cxl_region_get(e->ctx, name, &c);
		if (r < 0) {
			snprintf(line, sizeof(line), "CXL %s: cannot read it: %s", name, strerror(-r));
			msg_add(msg, len, line);
			return r;
		}
		slot = saved_slot(e, name);
		if (!slot)
			return -ENOSPC;
		if (slot->target[0] == '\0' || c.committed || c.enabled) {
			/* a second prepare of a region already down keeps what the first one recorded */
			snprintf(slot->target, sizeof(slot->target), "%s", target);
			slot->config = c;
		}
		r = e->ops->cxl_region_teardown(e->ctx, name);
		memctl_cxl_region_describe(&slot->config, desc, sizeof(desc));
		if (r < 0) {
			snprintf(line, sizeof(line), "CXL %s: cannot take it down: %s", desc, strerror(-r));
			msg_add(msg, len, line);
			return r;
		}
		snprintf(line, sizeof(line), "CXL %s disabled and decommitted for a %s reset (%s)", desc,
			 t->choice.method[0] ? t->choice.method : "PCI", t->choice.why);
		msg_add(msg, len, line);
	}
	return 0;
}

/* Whether a dax device of the inventory lies in region. */
static bool has_dax(const struct memctl_inventory *inv, const char *region)
{
	for (size_t i = 0; i < inv->n_devices; i++) {
		const struct memctl_dax_device *d = &inv->devices[i];
		const struct memctl_dax_region *r = d->region >= 0 ? &inv->regions[d->region] : NULL;
		if (r && r->cxl_region && streq(r->cxl_region, region))
			return true;
	}
	return false;
}

/* After a daemon restart nothing is recorded: target's regions the kernel shows decommitted or disabled. */
static void find_down(struct memctl_engine *e, const char *target)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL;
	_autofree_ size_t *idx = NULL;
	int n;

	if (e->ops->scan(e->ctx, &inv) < 0)
		return;
	n = memctl_cxl_reset_regions(inv, target, &idx, NULL);
	for (int i = 0; i < n; i++) {
		struct memctl_cxl_region_config c;
		struct engine_cxl_saved *slot;

		if (e->ops->cxl_region_get(e->ctx, inv->cxl_regions[idx[i]].name, &c) < 0 ||
		    (c.committed && c.enabled) || c.locked == 1)
			continue;
		slot = saved_slot(e, c.name);
		if (slot && slot->target[0] == '\0') {
			snprintf(slot->target, sizeof(slot->target), "%s", target);
			slot->config = c;
		}
	}
}

int engine_cxl_restore(struct memctl_engine *e, const char *target, uint64_t wait_ms, char *msg, size_t len)
{
	char names[8][32];
	size_t n_names = 0;
	int failed = 0;

	if (!e->ops->cxl_region_restore)
		return 0;
	find_down(e, target);
	for (size_t i = 0; i < e->n_cxl_saved;) {
		struct engine_cxl_saved *s = &e->cxl_saved[i];
		struct memctl_cxl_region_config now;
		_autofree_ char *name = NULL;
		char line[640], desc[256], why[160];
		int r;

		if (!streq(s->target, target)) {
			i++;
			continue;
		}
		r = e->ops->cxl_region_restore(e->ctx, &s->config, &name);
		if (r >= 0)
			r = e->ops->cxl_region_get(e->ctx, name, &now);
		memctl_cxl_region_describe(&s->config, desc, sizeof(desc));
		if (r < 0) {
			snprintf(line, sizeof(line), "CXL %s not brought back: %s", desc, strerror(-r));
			failed = failed ? failed : r;
			msg_add(msg, len, line);
			i++;	/* kept: a later reset-done tries again */
			continue;
		}
		if (!memctl_cxl_region_same(&s->config, &now, why, sizeof(why))) {
			snprintf(line, sizeof(line), "CXL %s came back as %s with %s", desc, now.name, why);
			failed = failed ? failed : -EADDRNOTAVAIL;
		} else
			snprintf(line, sizeof(line), "CXL %s committed and enabled again%s%s", desc,
				 streq(now.name, s->config.name) ? "" : " as ", streq(now.name, s->config.name) ? "" : now.name);
		msg_add(msg, len, line);
		if (n_names < 8)
			snprintf(names[n_names++], sizeof(names[0]), "%s", now.name);
		drop_saved(e, i);
	}
	/* dax_cxl registers a region's dax devices from a workqueue (7.x): wait for them */
	for (uint64_t start = mono_ms(); n_names > 0;) {
		_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = NULL;
		bool all = e->ops->scan(e->ctx, &inv) >= 0;

		for (size_t k = 0; all && k < n_names; k++)
			all = has_dax(inv, names[k]);
		if (all)
			break;
		if (mono_ms() - start >= wait_ms) {
			msg_add(msg, len, "its dax devices did not appear in time");
			return failed ? failed : -ETIMEDOUT;
		}
		sleep_ms(100);
	}
	return failed;
}
