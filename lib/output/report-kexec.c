/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What kexec and kdump make of hot-added memory, for the status document. */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "dax-state.h"
#include "parse.h"
#include "report.h"
#include "report-internal.h"
#include "report-cxl.h"
#include "report-json.h"
#include "util-mem.h"

/* ---- kexec and kdump ------------------------------------------------------ */

/*
 * kmem adds its memory "driver managed": a "System RAM (kmem)" entry under
 * the dax device in /proc/iomem and no /sys/firmware/memmap entry, so a kexec
 * kernel is not handed it (it is still dumped by kdump). A range that the
 * firmware memmap does call System RAM would be given to the next kernel as
 * ordinary RAM. Without /sys/firmware/memmap (CONFIG_FIRMWARE_MEMMAP=n)
 * "in_firmware_memmap" is null and driver_managed rests on /proc/iomem alone.
 */
static const char *kmem_range_device(const struct memctl_inventory *inv, const struct memctl_iomem_entry *e)
{
	if (e->parent < 0 || !streq(e->name, "System RAM (kmem)"))
		return NULL;
	return inv->iomem[e->parent].name;
}

static bool kmem_range_in_fw_memmap(const struct memctl_inventory *inv, const struct memctl_iomem_entry *e)
{
	return inv->memmap_available && memctl_inventory_range_in_fw_memmap(inv, e->start, e->end);
}

static void add_kexec_flags(struct json_object *o, const struct memctl_inventory *inv, bool kmem, bool in_fw)
{
	report_add(o, "driver_managed", json_object_new_boolean(kmem && !in_fw));
	report_add(o, "in_firmware_memmap", inv->memmap_available ? json_object_new_boolean(in_fw) : NULL);
}

/* A device's kmem ranges together: driver managed when it has some and none is in the firmware memmap. */
void report_device_kexec_json(const struct memctl_inventory *inv, const struct memctl_dax_device *d,
			      struct json_object *o)
{
	bool kmem = false, in_fw = false;

	for (size_t i = 0; i < inv->n_iomem; i++) {
		const char *dev = kmem_range_device(inv, &inv->iomem[i]);
		if (!dev || !streq(dev, d->name))
			continue;
		kmem = true;
		in_fw |= kmem_range_in_fw_memmap(inv, &inv->iomem[i]);
	}
	add_kexec_flags(o, inv, kmem, in_fw);
}

static size_t dax_blocks(const struct memctl_inventory *inv)
{
	size_t n = 0;

	for (size_t i = 0; i < inv->n_devices; i++)
		n += inv->devices[i].n_blocks;
	return n;
}

/* kdump tools reload the crash kernel once per memory block event (see struct memctl_kexec). */
static bool kdump_reloads_per_block(const struct memctl_inventory *inv)
{
	return inv->hotplug.crash_hotplug <= 0 && inv->kexec.crash_loaded == 1 && inv->kexec.n_kdump_rules > 0;
}

struct json_object *report_kexec_json(const struct memctl_inventory *inv)
{
	struct json_object *o = json_object_new_object(), *ranges = NULL, *rules = json_object_new_array();

	report_add(o, "crash_kernel_loaded", inv->kexec.crash_loaded < 0 ? NULL :
		   json_object_new_boolean(inv->kexec.crash_loaded == 1));
	for (size_t i = 0; i < inv->kexec.n_kdump_rules; i++) {
		struct json_object *r = json_object_new_object();
		char file[PATH_MAX];

		snprintf(file, sizeof(file), "/%s", inv->kexec.kdump_rules[i].file);
		report_add(r, "file", json_object_new_string(file));
		report_add(r, "line", json_object_new_int(inv->kexec.kdump_rules[i].line));
		json_object_array_add(rules, r);
	}
	report_add(o, "kdump_udev_rules", rules);
	report_add(o, "kdump_reload_per_block", json_object_new_boolean(kdump_reloads_per_block(inv)));
	/* null, not empty, when /proc/iomem's addresses are hidden: unknown */
	if (inv->iomem_available)
		ranges = json_object_new_array();
	for (size_t i = 0; ranges && i < inv->n_iomem; i++) {
		const struct memctl_iomem_entry *e = &inv->iomem[i];
		const char *dev = kmem_range_device(inv, e);
		struct json_object *r;

		if (!dev)
			continue;
		r = json_object_new_object();
		report_add(r, "range", memctl_json_range(e->start, e->end));
		report_add(r, "chardev", json_object_new_string(dev));
		add_kexec_flags(r, inv, true, kmem_range_in_fw_memmap(inv, e));
		json_object_array_add(ranges, r);
	}
	report_add(o, "kmem_ranges", ranges);
	return o;
}

void report_kexec_warnings(const struct memctl_inventory *inv, struct json_object *w)
{
	char buf[640];

	for (size_t i = 0; inv->iomem_available && i < inv->n_iomem; i++) {
		const struct memctl_iomem_entry *e = &inv->iomem[i];
		const char *dev = kmem_range_device(inv, e);

		if (!dev || !kmem_range_in_fw_memmap(inv, e))
			continue;
		snprintf(buf, sizeof(buf),
			 "%s: its kmem range 0x%" PRIx64 "-0x%" PRIx64 " is also System RAM in the firmware memmap: "
			 "a kexec kernel would be handed it as ordinary RAM", dev, e->start, e->end);
		json_object_array_add(w, json_object_new_string(buf));
	}
	if (kdump_reloads_per_block(inv)) {
		size_t n = dax_blocks(inv);
		snprintf(buf, sizeof(buf),
			 "a crash kernel is loaded, crash_hotplug is %s and /%s:%d reloads kdump on every memory "
			 "block event: onlining (or offlining) the %zu memory blocks of dax devices triggers %zu "
			 "kdump reloads (see memctld(8), KEXEC AND KDUMP)",
			 inv->hotplug.crash_hotplug < 0 ? "absent" : "0", inv->kexec.kdump_rules[0].file,
			 inv->kexec.kdump_rules[0].line, n, n);
		json_object_array_add(w, json_object_new_string(buf));
	}
}
