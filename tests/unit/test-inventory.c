/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The scanner on a small hand-built tree with one hmem device (kmem, half
 * online) and one CXL device (device_dax), laid out as v6.12 does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dax-state.h"
#include "inventory.h"
#include "log.h"
#include "policy-text.h"
#include "report.h"
#include "sysfs.h"
#include "tree.h"
#include "unit-util.h"
#include "util-mem.h"

#define MEM "sys/devices/system/memory"
#define HMEM "sys/devices/platform/hmem.0"
#define CXLROOT "sys/devices/platform/ACPI0017:00/root0"
#define REGION CXLROOT "/decoder0.0/region0"

/* tree_block(), and the removable file and node link a 6.x kernel has too. */
static void block(const char *root, int idx, const char *state, const char *zones, int node)
{
	char rel[128], target[64];

	tree_block(root, idx, state, zones, node);
	snprintf(rel, sizeof(rel), MEM "/memory%d/removable", idx);
	tree_file(root, rel, "1\n");
	snprintf(rel, sizeof(rel), MEM "/memory%d/node%d", idx, node);
	snprintf(target, sizeof(target), "../../node/node%d", node);
	tree_link(root, rel, target);
}

static int setup(void **state)
{
	char *root = tree_new();

	tree_file(root, MEM "/block_size_bytes", "8000000\n");
	tree_file(root, MEM "/auto_online_blocks", "online\n");
	block(root, 0, "online", "none", 0);
	for (int i = 1; i < 4; i++)
		block(root, i, "online", "Normal", 0);
	block(root, 48, "online", "Movable", 1);
	block(root, 49, "offline", "Movable Normal", 1);
	tree_file(root, "sys/devices/system/node/online", "0-1\n");
	tree_file(root, "sys/devices/system/node/node0/cpulist", "0-1\n");
	tree_file(root, "sys/devices/system/node/node1/cpulist", "\n");
	tree_file(root, "sys/devices/virtual/memory_tiering/memory_tier4/nodelist", "0\n");
	tree_file(root, "sys/devices/virtual/memory_tiering/memory_tier22/nodelist", "1\n");

	/* hmem: platform device hmem.0 owns region 0 and dax0.0 on kmem */
	tree_file(root, HMEM "/dax_region/id", "0\n");
	tree_file(root, HMEM "/dax_region/size", "268435456\n");
	tree_file(root, HMEM "/dax_region/align", "2097152\n");
	tree_file(root, HMEM "/dax_region/available_size", "0\n");
	tree_file(root, HMEM "/dax_region/seed", "dax0.1\n");
	tree_link(root, HMEM "/subsystem", "../../../bus/platform");
	tree_file(root, HMEM "/dax0.0/size", "268435456\n");
	tree_file(root, HMEM "/dax0.0/resource", "0x180000000\n");
	tree_file(root, HMEM "/dax0.0/target_node", "1\n");
	tree_file(root, HMEM "/dax0.0/numa_node", "0\n");
	tree_file(root, HMEM "/dax0.0/align", "2097152\n");
	tree_file(root, HMEM "/dax0.0/mapping0/start", "0x180000000\n");
	tree_file(root, HMEM "/dax0.0/mapping0/end", "0x18fffffff\n");
	tree_file(root, HMEM "/dax0.0/mapping0/page_offset", "0x0\n");
	tree_link(root, HMEM "/dax0.0/driver", "../../../../bus/dax/drivers/kmem");
	tree_link(root, "sys/bus/dax/devices/dax0.0", "../../../devices/platform/hmem.0/dax0.0");

	/* CXL: region0 -> dax_region0 -> dax1.0 on device_dax, one memdev */
	tree_link(root, REGION "/dax_region0/subsystem", "../../../../../../../bus/cxl");
	tree_file(root, REGION "/dax_region0/dax_region/id", "1\n");
	tree_file(root, REGION "/dax_region0/dax_region/size", "536870912\n");
	tree_file(root, REGION "/dax_region0/dax1.0/size", "536870912\n");
	tree_file(root, REGION "/dax_region0/dax1.0/resource", "0x290000000\n");
	tree_file(root, REGION "/dax_region0/dax1.0/target_node", "2\n");
	tree_link(root, REGION "/dax_region0/dax1.0/driver", "../../../../../../../../../bus/dax/drivers/device_dax");
	tree_link(root, "sys/bus/dax/devices/dax1.0",
		  "../../../devices/platform/ACPI0017:00/root0/decoder0.0/region0/dax_region0/dax1.0");
	tree_file(root, REGION "/interleave_ways", "1\n");
	tree_file(root, REGION "/target0", "decoder2.0\n");
	tree_link(root, "sys/bus/cxl/devices/region0", "../../../devices/platform/ACPI0017:00/root0/decoder0.0/region0");
	tree_file(root, CXLROOT "/port1/endpoint2/decoder2.0/mode", "ram\n");
	tree_link(root, "sys/bus/cxl/devices/decoder2.0",
		  "../../../devices/platform/ACPI0017:00/root0/port1/endpoint2/decoder2.0");
	tree_link(root, CXLROOT "/port1/endpoint2/uport", "../../../../../pci0000:0c/0000:0c:00.0/0000:0d:00.0/mem0");
	tree_file(root, "sys/devices/pci0000:0c/0000:0c:00.0/0000:0d:00.0/mem0/serial", "0x1234\n");

	tree_file(root, "proc/iomem",
		  "00000000-1fffffff : System RAM\n"
		  "180000000-18fffffff : Soft Reserved\n"
		  "  180000000-18fffffff : dax0.0\n"
		  "    180000000-18fffffff : System RAM (kmem)\n"
		  "290000000-2afffffff : CXL Window 0\n"
		  "  290000000-2afffffff : region0\n");
	tree_file(root, "sys/firmware/memmap/0/start", "0x0\n");
	tree_file(root, "sys/firmware/memmap/0/end", "0x1fffffff\n");
	tree_file(root, "sys/firmware/memmap/0/type", "System RAM\n");
	*state = root;
	return 0;
}

static int teardown(void **state)
{
	tree_remove(*state);
	return 0;
}

static void test_blocks_and_nodes(void **state)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = inventory_from_tree(*state);
	struct memctl_node *n0, *n1;
	ssize_t b48;

	assert_int_equal(inv->hotplug.block_size, 128 << 20);
	assert_string_equal(inv->hotplug.auto_online_blocks, "online");
	assert_int_equal(inv->hotplug.crash_hotplug, -1);
	assert_int_equal(inv->n_blocks, 6);
	b48 = memctl_inventory_block_by_index(inv, 48);
	assert_true(b48 >= 0);
	assert_int_equal(inv->blocks[b48].start, 0x180000000ULL);
	assert_int_equal(inv->blocks[b48].zone, MEMCTL_ZONE_MOVABLE);
	assert_int_equal(inv->blocks[b48].node, 1);
	assert_int_equal(inv->blocks[b48 + 1].state, MEMCTL_BLOCK_OFFLINE);
	assert_string_equal(inv->blocks[b48 + 1].valid_zones, "Movable Normal");
	assert_int_equal(memctl_inventory_block_by_index(inv, 47), -1);

	n0 = memctl_inventory_node(inv, 0);
	n1 = memctl_inventory_node(inv, 1);
	assert_non_null(n0);
	assert_non_null(n1);
	assert_true(n0->has_cpu);
	assert_false(n1->has_cpu);
	assert_int_equal(n0->tier, 4);
	assert_int_equal(n1->tier, 22);
	assert_int_equal(n0->online_bytes[MEMCTL_ZONE_NORMAL], 3 * (128 << 20));
	assert_int_equal(n0->online_bytes[MEMCTL_ZONE_NONE], 128 << 20);
	assert_int_equal(n1->online_bytes[MEMCTL_ZONE_MOVABLE], 128 << 20);
	assert_int_equal(n1->blocks, 2);
	assert_int_equal(n1->blocks_online, 1);
}

static void test_hmem_device(void **state)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = inventory_from_tree(*state);
	struct memctl_dax_device *d = memctl_inventory_device(inv, "dax0.0");
	struct memctl_dax_region *r;

	assert_non_null(d);
	assert_int_equal(d->driver, MEMCTL_DRIVER_KMEM);
	assert_int_equal(d->mode, MEMCTL_MODE_SYSTEM_RAM);
	assert_int_equal(d->target_node, 1);
	assert_int_equal(d->n_mappings, 1);
	assert_int_equal(d->n_blocks, 2);
	assert_int_equal(d->blocks_online, 1);
	assert_int_equal(d->online_in_zone[MEMCTL_ZONE_MOVABLE], 1);
	assert_int_equal(d->memmap_on_memory, -1);
	r = &inv->regions[d->region];
	assert_int_equal(r->origin, MEMCTL_ORIGIN_HMEM);
	assert_int_equal(r->id, 0);
	assert_string_equal(r->hmem_device, "hmem.0");
	assert_true(r->dynamic);
	assert_true(inv->iomem_available);
	assert_false(memctl_inventory_range_in_fw_memmap(inv, 0x180000000ULL, 0x18fffffffULL));
	assert_true(memctl_inventory_range_in_fw_memmap(inv, 0x1000, 0x2000));
}

static void test_cxl_device(void **state)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = inventory_from_tree(*state);
	struct memctl_dax_device *d = memctl_inventory_device(inv, "dax1.0");
	struct memctl_dax_region *r;

	assert_non_null(d);
	assert_int_equal(d->mode, MEMCTL_MODE_DEVDAX);
	assert_int_equal(d->n_blocks, 0);
	r = &inv->regions[d->region];
	assert_int_equal(r->origin, MEMCTL_ORIGIN_CXL);
	assert_string_equal(r->cxl_region, "region0");
	assert_int_equal(r->n_memdevs, 1);
	assert_string_equal(r->memdevs[0].name, "mem0");
	assert_string_equal(r->memdevs[0].serial, "0x1234");
	assert_string_equal(r->memdevs[0].host, "0000:0d:00.0");
	assert_string_equal(r->memdevs[0].decoder, "decoder2.0");
}

static void test_status_json(void **state)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = inventory_from_tree(*state);
	struct json_object *o = memctl_status_json(inv), *devs, *dev, *warnings, *v;
	const char *w0, *w1;

	assert_true(json_object_object_get_ex(o, "devices", &devs));
	assert_int_equal(json_object_array_length(devs), 2);
	dev = json_object_array_get_idx(devs, 0);
	assert_true(json_object_object_get_ex(dev, "driver_managed", &v));
	assert_true(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(dev, "memory_blocks", &v));
	assert_string_equal(json_object_get_string(v), "memory48-49");
	assert_true(json_object_object_get_ex(o, "warnings", &warnings));
	assert_int_equal(json_object_array_length(warnings), 2);
	w0 = json_object_get_string(json_object_array_get_idx(warnings, 0));
	w1 = json_object_get_string(json_object_array_get_idx(warnings, 1));
	assert_non_null(strstr(w0, "auto_online_blocks is \"online\""));
	assert_non_null(strstr(w1, "dax0.0: only 1 of its 2 memory blocks are online"));
	json_object_put(o);
}

/* auto_online_blocks is no warning when the policy chose it (kernel_auto_online = "movable"). */
static void test_auto_online_warning_by_policy(void **state)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = inventory_from_tree(*state);
	_cleanup_(memctl_policy_freep) struct memctl_policy *p =
		policy_from_text("defaults: { kernel_auto_online = \"movable\"; };\n");
	_cleanup_(memctl_policy_freep) struct memctl_policy *t = policy_from_text("rules = ();\n");
	static const struct {
		const char *value;
		bool movable_policy, warned;
	} cases[] = {
		{ "online_movable", true, false }, { "online", true, true },	/* not the zone it holds */
		{ "online_movable", false, true }, { "offline", false, false },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct json_object *o, *w;
		bool warned = false;

		free(inv->hotplug.auto_online_blocks);
		inv->hotplug.auto_online_blocks = strdup(cases[i].value);
		o = memctl_status_json_with_policy(inv, cases[i].movable_policy ? p : t, "t.conf");
		assert_true(json_object_object_get_ex(o, "warnings", &w));
		for (size_t j = 0; j < json_object_array_length(w); j++)
			warned |= strstr(json_object_get_string(json_object_array_get_idx(w, j)),
					 "auto_online_blocks is") != NULL;
		if (warned != cases[i].warned)
			fail_msg("case %zu (%s): warned %d", i, cases[i].value, warned);
		json_object_put(o);
	}
}

static const char *json_str(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	assert_true(json_object_object_get_ex(o, key, &v));
	return v ? json_object_get_string(v) : NULL;
}

/* Linux 7.3's daxX.Y/state: read when there, "not available" (null) when not, never guessed. */
static void test_hotplug_state(void **state)
{
	struct json_object *o, *dev, *warnings;
	const char *last;

	{
		_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = inventory_from_tree(*state);
		const struct memctl_dax_device *d = memctl_inventory_device(inv, "dax0.0");

		assert_int_equal(d->hotplug_state, MEMCTL_HOTPLUG_STATE_ABSENT);
		assert_null(memctl_dax_state_report(inv, d));
		o = memctl_status_json(inv);
		dev = json_object_array_get_idx(json_object_object_get(o, "devices"), 0);
		assert_null(json_str(dev, "hotplug_state"));
		assert_null(json_str(dev, "hotplug_state_kernel"));
		json_object_put(o);
	}

	/* memory48 online movable, memory49 offline: "online_movable" is not what the blocks say */
	tree_file(*state, HMEM "/dax0.0/state", "online_movable\n");
	{
		_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = inventory_from_tree(*state);
		const struct memctl_dax_device *d = memctl_inventory_device(inv, "dax0.0");

		assert_int_equal(d->hotplug_state, MEMCTL_HOTPLUG_STATE_ONLINE_MOVABLE);
		assert_false(memctl_dax_state_agrees(inv, d));
		o = memctl_status_json(inv);
		dev = json_object_array_get_idx(json_object_object_get(o, "devices"), 0);
		assert_string_equal(json_str(dev, "hotplug_state"), "inconsistent");
		assert_string_equal(json_str(dev, "hotplug_state_kernel"), "online_movable");
		assert_true(json_object_object_get_ex(o, "warnings", &warnings));
		last = NULL;
		for (size_t i = 0; i < json_object_array_length(warnings); i++) {
			const char *w = json_object_get_string(json_object_array_get_idx(warnings, i));
			if (strstr(w, "dax0.0/state"))
				last = w;
		}
		assert_non_null(last);
		assert_non_null(strstr(last, "dax0.0: dax0.0/state reads online_movable, but 1 of 2 memory blocks are offline"));
		json_object_put(o);
	}

	/* both blocks online movable: they agree */
	tree_file(*state, "sys/devices/system/memory/memory49/state", "online\n");
	tree_file(*state, "sys/devices/system/memory/memory49/valid_zones", "Movable\n");
	{
		_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = inventory_from_tree(*state);
		const struct memctl_dax_device *d = memctl_inventory_device(inv, "dax0.0");

		assert_true(memctl_dax_state_agrees(inv, d));
		assert_string_equal(memctl_dax_state_report(inv, d), "online_movable");
	}

	/* a word this memctl does not know is shown as unknown, not mapped to a guess */
	tree_file(*state, HMEM "/dax0.0/state", "online_device\n");
	{
		_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = inventory_from_tree(*state);
		const struct memctl_dax_device *d = memctl_inventory_device(inv, "dax0.0");

		assert_int_equal(d->hotplug_state, MEMCTL_HOTPLUG_STATE_UNKNOWN);
		assert_false(memctl_dax_state_can_unplug(d));
	}
}

static void test_hotplug_state_names(void **state)
{
	(void)state;
	for (int s = MEMCTL_HOTPLUG_STATE_UNPLUGGED; s <= MEMCTL_HOTPLUG_STATE_ONLINE_MOVABLE; s++)
		assert_int_equal(memctl_hotplug_state_from_name(memctl_hotplug_state_name(s)), s);
	assert_int_equal(memctl_hotplug_state_from_name("offline\n"), MEMCTL_HOTPLUG_STATE_OFFLINE);
	assert_int_equal(memctl_hotplug_state_from_name("absent"), MEMCTL_HOTPLUG_STATE_UNKNOWN);
	assert_int_equal(memctl_hotplug_state_from_name("online_"), MEMCTL_HOTPLUG_STATE_UNKNOWN);
	assert_int_equal(memctl_hotplug_state_for_zone(MEMCTL_ZONE_NORMAL), MEMCTL_HOTPLUG_STATE_ONLINE_KERNEL);
	assert_int_equal(memctl_hotplug_state_for_zone(MEMCTL_ZONE_MOVABLE), MEMCTL_HOTPLUG_STATE_ONLINE_MOVABLE);
}

static void test_blocks_json_merges(void **state)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = inventory_from_tree(*state);
	struct json_object *o = memctl_blocks_json(inv), *ranges, *r, *v;

	assert_true(json_object_object_get_ex(o, "memory", &ranges));
	/* memory0 (none), 1-3 (Normal), 48 (online), 49 (offline) */
	assert_int_equal(json_object_array_length(ranges), 4);
	r = json_object_array_get_idx(ranges, 1);
	json_object_object_get_ex(r, "block", &v);
	assert_string_equal(json_object_get_string(v), "1-3");
	r = json_object_array_get_idx(ranges, 2);
	json_object_object_get_ex(r, "chardev", &v);
	assert_string_equal(json_object_get_string(v), "dax0.0");
	json_object_put(o);
}

static void test_udev_rules_that_online_memory(void **state)
{
	struct memctl_inventory *inv;

	tree_file(*state, "usr/lib/udev/rules.d/40-redhat.rules",
		  "# Memory hotadd request\n"
		  "SUBSYSTEM!=\"memory\", GOTO=\"memory_hotplug_end\"\n"
		  "SUBSYSTEM==\"memory\", ACTION==\"add\", ATTR{state}==\"offline\", ATTR{state}=\"online\"\n"
		  "LABEL=\"memory_hotplug_end\"\n");
	tree_file(*state, "etc/udev/rules.d/99-other.rules", "SUBSYSTEM==\"block\", ACTION==\"add\", RUN+=\"online\"\n");
	tree_file(*state, "etc/udev/rules.d/50-off.rules.bak",
		  "SUBSYSTEM==\"memory\", ACTION==\"add\", ATTR{state}=\"online\"\n");
	inv = inventory_from_tree(*state);
	assert_int_equal(inv->n_online_rules, 1);
	assert_string_equal(inv->online_rules[0].file, "usr/lib/udev/rules.d/40-redhat.rules");
	assert_int_equal(inv->online_rules[0].line, 3);
	memctl_inventory_free(inv);
}

/* HMAT and SLIT as v6.12 shows them; node0 has no HMAT files at all. */
static void numa_files(const char *root)
{
	tree_file(root, "sys/devices/system/node/node0/distance", "10 28\n");
	tree_file(root, "sys/devices/system/node/node1/distance", "28 10\n");
	tree_file(root, "sys/devices/system/node/node1/access0/initiators/read_latency", "240\n");
	tree_file(root, "sys/devices/system/node/node1/access0/initiators/read_bandwidth", "8192\n");
	tree_link(root, "sys/devices/system/node/node1/access0/initiators/node0", "../../../node0");
}

static struct json_object *node_obj(struct json_object *status, int i)
{
	struct json_object *nodes;

	assert_true(json_object_object_get_ex(status, "nodes", &nodes));
	return json_object_array_get_idx(nodes, i);
}

static const char *json_at(struct json_object *o, const char *a, const char *b, const char *c)
{
	struct json_object *v = o;

	for (const char *k[] = { a, b, c }, **p = k; p < k + 3 && *p; p++)
		if (!v || !json_object_object_get_ex(v, *p, &v))
			return "(absent)";
	return v ? json_object_get_string(v) : "(null)";
}

static void test_node_distances_and_hmat(void **state)
{
	struct memctl_inventory *inv;
	struct json_object *o, *n0, *n1;
	const struct memctl_node *node;

	numa_files(*state);
	inv = inventory_from_tree(*state);
	node = memctl_inventory_node(inv, 1);
	assert_int_equal(node->n_distances, 2);
	assert_int_equal(node->distances[0].node, 0);
	assert_int_equal(node->distances[0].distance, 28);
	assert_int_equal(node->distances[1].distance, 10);
	assert_true(node->access[0].present);
	assert_false(node->access[1].present);
	assert_int_equal(node->access[0].read_latency, 240);
	assert_int_equal(node->access[0].write_latency, -1);
	assert_int_equal(node->access[0].n_initiators, 1);
	assert_int_equal(node->access[0].initiators[0], 0);
	assert_false(memctl_inventory_node(inv, 0)->access[0].present);

	o = memctl_status_json(inv);
	n0 = node_obj(o, 0);
	n1 = node_obj(o, 1);
	assert_string_equal(json_at(n0, "distances", "1", NULL), "28");
	assert_string_equal(json_at(n1, "distances", "0", NULL), "28");
	/* absent stays absent: no HMAT for node0, no write values and no access1 for node1 */
	assert_string_equal(json_at(n0, "hmat", NULL, NULL), "(null)");
	assert_string_equal(json_at(n1, "hmat", "access0", "read_latency_ns"), "240");
	assert_string_equal(json_at(n1, "hmat", "access0", "read_bandwidth_mbps"), "8192");
	assert_string_equal(json_at(n1, "hmat", "access0", "write_latency_ns"), "(null)");
	assert_string_equal(json_at(n1, "hmat", "access1", NULL), "(absent)");
	assert_string_equal(json_at(n1, "hmat", "access0", "initiators"), "[ 0 ]");
	/* tiers 4 (CPUs) and 22: node1 is slower */
	assert_string_equal(json_at(n0, "slower_tier", NULL, NULL), "false");
	assert_string_equal(json_at(n1, "slower_tier", NULL, NULL), "true");
	json_object_put(o);
	memctl_inventory_free(inv);
}

/* Distances that do not line up with the online nodes, or do not parse, are left out (not guessed). */
static void test_node_distances_left_out(void **state)
{
	struct memctl_inventory *inv;

	tree_file(*state, "sys/devices/system/node/node0/distance", "10 20 30\n");
	tree_file(*state, "sys/devices/system/node/node1/distance", "20 ten\n");
	inv = inventory_from_tree(*state);
	assert_null(memctl_inventory_node(inv, 0)->distances);
	assert_null(memctl_inventory_node(inv, 1)->distances);
	memctl_inventory_free(inv);
}

/* MOVABLE:NORMAL per node; compared with max_movable_ratio only when a policy is given. */
static void test_node_ratio_against_policy(void **state)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = inventory_from_tree(*state);
	_cleanup_(memctl_policy_freep) struct memctl_policy *p = NULL;
	struct memctl_node *n0 = memctl_inventory_node(inv, 0);
	struct json_object *o;

	assert_int_equal(memctl_policy_new(&p), 0);
	n0->online_bytes[MEMCTL_ZONE_MOVABLE] = 4 * n0->online_bytes[MEMCTL_ZONE_NORMAL];

	o = memctl_status_json(inv);
	assert_string_equal(json_at(node_obj(o, 0), "movable_normal_ratio", NULL, NULL), "4.00");
	assert_string_equal(json_at(node_obj(o, 0), "max_movable_ratio", NULL, NULL), "(null)");
	assert_string_equal(json_at(node_obj(o, 0), "ratio_exceeded", NULL, NULL), "(null)");
	/* node1 has no NORMAL memory: no ratio */
	assert_string_equal(json_at(node_obj(o, 1), "movable_normal_ratio", NULL, NULL), "(null)");
	assert_string_equal(json_at(o, "policy", NULL, NULL), "(null)");
	json_object_put(o);

	o = memctl_status_json_with_policy(inv, p, "/etc/memctl/memctl.conf");
	assert_string_equal(json_at(node_obj(o, 0), "max_movable_ratio", NULL, NULL), "3.00");
	assert_string_equal(json_at(node_obj(o, 0), "ratio_exceeded", NULL, NULL), "true");
	assert_string_equal(json_at(node_obj(o, 1), "ratio_exceeded", NULL, NULL), "false");
	assert_string_equal(json_at(o, "policy", "file", NULL), "/etc/memctl/memctl.conf");
	assert_string_equal(json_at(o, "policy", "demotion", NULL), "leave");
	json_object_put(o);

	p->defaults.max_movable_ratio = 4.0;
	o = memctl_status_json_with_policy(inv, p, NULL);
	assert_string_equal(json_at(node_obj(o, 0), "ratio_exceeded", NULL, NULL), "false");
	json_object_put(o);
}

static bool has_warning(struct json_object *status, const char *text)
{
	struct json_object *w = json_path(status, "warnings", NULL);

	for (size_t i = 0; i < json_object_array_length(w); i++)
		if (strstr(json_object_get_string(json_object_array_get_idx(w, i)), text))
			return true;
	return false;
}

/* kmem ranges: driver managed unless the firmware memmap also calls them System RAM (then flagged). */
static void test_kexec_kmem_ranges(void **state)
{
	struct memctl_inventory *inv = inventory_from_tree(*state);
	struct json_object *o = memctl_status_json(inv), *ranges, *r;

	ranges = json_path(o, "kexec", "kmem_ranges");
	assert_int_equal(json_object_array_length(ranges), 1);
	r = json_object_array_get_idx(ranges, 0);
	assert_string_equal(json_object_get_string(json_path(r, "range", NULL)),
			    "0x0000000180000000-0x000000018fffffff");
	assert_string_equal(json_object_get_string(json_path(r, "chardev", NULL)), "dax0.0");
	assert_true(json_object_get_boolean(json_path(r, "driver_managed", NULL)));
	assert_false(json_object_get_boolean(json_path(r, "in_firmware_memmap", NULL)));
	assert_false(has_warning(o, "firmware memmap"));
	json_object_put(o);
	memctl_inventory_free(inv);

	/* the firmware memmap also lists it as System RAM (as with memmap=...%... in the lab) */
	tree_file(*state, "sys/firmware/memmap/1/start", "0x100000000\n");
	tree_file(*state, "sys/firmware/memmap/1/end", "0x1ffffffff\n");
	tree_file(*state, "sys/firmware/memmap/1/type", "System RAM\n");
	inv = inventory_from_tree(*state);
	o = memctl_status_json(inv);
	r = json_object_array_get_idx(json_path(o, "kexec", "kmem_ranges"), 0);
	assert_false(json_object_get_boolean(json_path(r, "driver_managed", NULL)));
	assert_true(json_object_get_boolean(json_path(r, "in_firmware_memmap", NULL)));
	r = json_object_array_get_idx(json_path(o, "devices", NULL), 0);
	assert_false(json_object_get_boolean(json_path(r, "driver_managed", NULL)));
	assert_true(has_warning(o, "dax0.0: its kmem range 0x180000000-0x18fffffff is also System RAM in the firmware "
				   "memmap: a kexec kernel would be handed it as ordinary RAM"));
	json_object_put(o);
	memctl_inventory_free(inv);

	/* without /proc/iomem addresses (not root) the ranges are unknown, not none */
	tree_file(*state, "proc/iomem", "00000000-00000000 : System RAM\n");
	inv = inventory_from_tree(*state);
	o = memctl_status_json(inv);
	assert_true(json_object_is_type(json_path(o, "kexec", NULL), json_type_object));
	assert_false(json_object_object_get_ex(json_path(o, "kexec", NULL), "kmem_ranges", &r) && r);
	json_object_put(o);
	memctl_inventory_free(inv);
}

static void kdump_expect(const char *root, bool warned)
{
	_cleanup_(memctl_inventory_freep) struct memctl_inventory *inv = inventory_from_tree(root);
	struct json_object *o = memctl_status_json(inv);

	assert_int_equal(json_object_get_boolean(json_path(o, "kexec", "kdump_reload_per_block")), warned);
	assert_int_equal(has_warning(o, "a crash kernel is loaded, crash_hotplug is 0 and "
				    "/usr/lib/udev/rules.d/98-kdump-tools.rules:5 reloads kdump on every memory block "
				    "event: onlining (or offlining) the 2 memory blocks of dax devices triggers 2 kdump "
				    "reloads"), warned);
	json_object_put(o);
}

/* kdump reload storms: crash_hotplug absent or 0, a crash kernel loaded, and a kdump udev rule. */
static void test_kdump_reload_per_block(void **state)
{
	struct memctl_inventory *inv;
	char path[PATH_MAX];

	tree_file(*state, "usr/lib/udev/rules.d/98-kdump-tools.rules",
		  "# kdump: reload the crash kernel on hotplug\n"
		  "SUBSYSTEM==\"memory\", ACTION==\"online\", GOTO=\"kdump_reload\"\n"
		  "GOTO=\"kdump_end\"\nLABEL=\"kdump_reload\"\n"
		  "RUN+=\"/usr/sbin/kdump-config try-reload\"\n"
		  "LABEL=\"kdump_end\"\n");
	/* not counted: kdump only in a comment; kdump but not the memory subsystem */
	tree_file(*state, "etc/udev/rules.d/10-note.rules", "# kdump SUBSYSTEM==\"memory\"\nSUBSYSTEM==\"memory\"\n");
	tree_file(*state, "etc/udev/rules.d/20-cpu.rules", "SUBSYSTEM==\"cpu\", RUN+=\"kdump-config reload\"\n");
	tree_file(*state, MEM "/crash_hotplug", "0\n");
	tree_file(*state, "sys/kernel/kexec_crash_loaded", "0\n");
	inv = inventory_from_tree(*state);
	assert_int_equal(inv->kexec.n_kdump_rules, 1);
	assert_string_equal(inv->kexec.kdump_rules[0].file, "usr/lib/udev/rules.d/98-kdump-tools.rules");
	assert_int_equal(inv->kexec.kdump_rules[0].line, 5);	/* the line that runs something */
	assert_int_equal(inv->kexec.crash_loaded, 0);
	memctl_inventory_free(inv);
	kdump_expect(*state, false);	/* no crash kernel loaded */

	tree_file(*state, "sys/kernel/kexec_crash_loaded", "1\n");
	kdump_expect(*state, true);
	tree_file(*state, MEM "/crash_hotplug", "1\n");
	kdump_expect(*state, false);	/* the kernel updates the crash kernel itself */
	tree_file(*state, MEM "/crash_hotplug", "0\n");
	snprintf(path, sizeof(path), "%s/usr/lib/udev/rules.d/98-kdump-tools.rules", (char *)*state);
	assert_int_equal(unlink(path), 0);
	kdump_expect(*state, false);	/* no kdump rule */
}

static char logged[1024];
static void keep_log(int prio, const char *msg, void *userdata)
{
	snprintf(logged, sizeof(logged), "%s", msg);
}

static void test_missing_block_size_names_the_file(void **state)
{
	_cleanup_(memctl_sysfs_freep) struct memctl_sysfs *s = NULL;
	struct memctl_inventory *inv = (void *)0x1;
	char *root = tree_new();

	tree_file(root, "proc/iomem", "");
	memctl_set_log_fn(keep_log, NULL);
	assert_int_equal(memctl_sysfs_new(root, &s), 0);
	assert_int_equal(memctl_inventory_scan(s, &inv), -ENOENT);
	assert_ptr_equal(inv, (void *)0x1);
	assert_non_null(strstr(logged, "sys/devices/system/memory/block_size_bytes"));
	memctl_set_log_fn(NULL, NULL);
	tree_remove(root);
}

/* udev's precedence: /etc masks the same name in /usr/lib, a link to /dev/null masks it too. */
static void test_udev_rules_masked(void **state)
{
	struct memctl_inventory *inv;

	tree_file(*state, "usr/lib/udev/rules.d/40-redhat.rules",
		  "SUBSYSTEM!=\"memory\", GOTO=\"memory_hotplug_end\"\n"
		  "ACTION!=\"add\", GOTO=\"memory_hotplug_end\"\n"
		  "ENV{.state}=\"online\"\n"
		  "CONST{virt}==\"none\", ENV{.state}=\"online_movable\"\n"
		  "ATTR{state}==\"offline\", ATTR{state}=\"$env{.state}\"\n"
		  "LABEL=\"memory_hotplug_end\"\n");
	tree_file(*state, "usr/lib/udev/rules.d/40-vm-hotadd.rules",
		  "SUBSYSTEM==\"memory\", ACTION==\"add\", ATTR{state}=\"online\"\n");
	inv = inventory_from_tree(*state);
	assert_int_equal(inv->n_online_rules, 2);
	assert_string_equal(inv->online_rules[0].file, "usr/lib/udev/rules.d/40-redhat.rules");
	assert_int_equal(inv->online_rules[0].line, 5);
	memctl_inventory_free(inv);

	/* the admin's copy without the memory section, and the Debian rule masked */
	tree_file(*state, "etc/udev/rules.d/40-redhat.rules", "# memory onlining left to memctld\n");
	tree_link(*state, "etc/udev/rules.d/40-vm-hotadd.rules", "/dev/null");
	inv = inventory_from_tree(*state);
	assert_int_equal(inv->n_online_rules, 0);
	memctl_inventory_free(inv);
}

/* A daxctl.conf entry naming the namespace of a device memctl sees is a status warning with file:line. */
static void test_daxctl_conf_warning(void **state)
{
	struct memctl_inventory *inv;
	struct json_object *o;

	tree_file(*state, "usr/lib/udev/rules.d/90-daxctl-device.rules",
		  "ACTION==\"add\", SUBSYSTEM==\"dax\", TAG+=\"systemd\", "
		  "ENV{SYSTEMD_WANTS}=\"daxdev-reconfigure@$env{DEVNAME}.service\"\n");
	tree_file(*state, "etc/daxctl.conf.d/site.conf",
		  "# pools\n\n[reconfigure-device pool-a]\nnvdimm.uuid = 48D8E42C-a2f0-4312-9e70-a837faafe862\n"
		  "mode = system-ram\n[reconfigure-device other]\nnvdimm.uuid = 00000000-a2f0-4312-9e70-a837faafe862\n");
	inv = inventory_from_tree(*state);
	assert_int_equal(inv->n_daxctl_rules, 1);
	assert_int_equal(inv->n_daxctl_entries, 2);
	/* the tree's device is hmem; give its region the namespace uuid a pmem one would have */
	inv->regions[0].pmem_uuid = strdup("48d8e42c-a2f0-4312-9e70-a837faafe862");
	o = memctl_status_json(inv);
	assert_true(has_warning(o, "daxctl config /etc/daxctl.conf.d/site.conf:3 [reconfigure-device pool-a] "
				   "names dax0.0"));
	assert_true(has_warning(o, "(udev rule /usr/lib/udev/rules.d/90-daxctl-device.rules:1 starts daxctl)"));
	assert_false(has_warning(o, "[reconfigure-device other]"));
	json_object_put(o);
	memctl_inventory_free(inv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_blocks_and_nodes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hmem_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cxl_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auto_online_warning_by_policy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blocks_json_merges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hotplug_state, setup, teardown),
		cmocka_unit_test(test_hotplug_state_names),
		cmocka_unit_test(test_missing_block_size_names_the_file),
		cmocka_unit_test_setup_teardown(test_udev_rules_that_online_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udev_rules_masked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_daxctl_conf_warning, setup, teardown),
		cmocka_unit_test_setup_teardown(test_node_distances_and_hmat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_node_distances_left_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_node_ratio_against_policy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kexec_kmem_ranges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kdump_reload_per_block, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
