/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The real kernel behind struct memctl_kernel_ops. Memory blocks and
 * auto_online_blocks are written through the sysfs seam; dax driver changes
 * and sub-devices go through libdaxctl, which knows the dax bus's quirks
 * across kernel versions (new_id/remove_id, module loading). libdaxctl reads
 * /sys directly and caches what it enumerates, so every call takes a fresh
 * context, and the ops refuse driver changes when memctl reads a fixture root.
 */
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <daxctl/libdaxctl.h>

#include "dax-state.h"
#include "kernel.h"
#include "kmsg.h"
#include "log.h"
#include "parse.h"
#include "sysfs.h"
#include "util-mem.h"

#define MEMORY_DIR "sys/devices/system/memory"

/* The engine scans after every change: it needs the kernel's state, not the udev rules on disk. */
static int real_scan(void *ctx, struct memctl_inventory **ret)
{
	return memctl_inventory_scan_flags(ctx, MEMCTL_SCAN_NO_UDEV_RULES, ret);
}

static int real_get_auto_online(void *ctx, char **ret)
{
	return memctl_sysfs_read(ctx, MEMORY_DIR "/auto_online_blocks", ret);
}

static int real_set_auto_online(void *ctx, const char *value)
{
	return memctl_sysfs_write(ctx, MEMORY_DIR "/auto_online_blocks", value);
}

static int real_set_block_state(void *ctx, unsigned long index, const char *state)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), MEMORY_DIR "/memory%lu/state", index);
	return memctl_sysfs_write(ctx, path, state);
}

static int real_get_block(void *ctx, unsigned long index, enum memctl_block_state *ret_state,
			  enum memctl_zone *ret_zone)
{
	_autofree_ char *state = NULL, *zones = NULL;
	int r;

	r = memctl_sysfs_readf(ctx, &state, MEMORY_DIR "/memory%lu/state", index);
	if (r < 0)
		return r;
	r = memctl_sysfs_readf(ctx, &zones, MEMORY_DIR "/memory%lu/valid_zones", index);
	*ret_state = memctl_parse_block_state(state);
	*ret_zone = r < 0 ? MEMCTL_ZONE_NONE : memctl_parse_first_zone(zones);
	return 0;
}

static int real_get_driver(void *ctx, const char *device, enum memctl_dax_driver *ret)
{
	_autofree_ char *name = NULL;
	char path[PATH_MAX];
	int r;

	snprintf(path, sizeof(path), "sys/bus/dax/devices/%s/driver", device);
	r = memctl_sysfs_link_name(ctx, path, &name);
	if (r == -ENOENT) {
		*ret = MEMCTL_DRIVER_NONE;
		return 0;
	}
	if (r < 0)
		return r;
	*ret = memctl_driver_from_name(name);
	return 0;
}

/*
 * Drivers libdaxctl (v76-v81) does not know, fsdev_dax (famfs): the driver
 * core's own bind and unbind files on the dax bus, through the sysfs seam.
 */
static int sysfs_driver_write(void *ctx, const char *device, enum memctl_dax_driver driver, const char *file)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "sys/bus/dax/drivers/%s/%s", memctl_driver_name(driver), file);
	if (!memctl_sysfs_exists(ctx, path))
		return memctl_log_errno(-ENODEV, "%s: no driver %s on the dax bus (%s absent)", device,
					memctl_driver_name(driver), path);
	return memctl_sysfs_write(ctx, path, device);
}

/* ---- libdaxctl ---------------------------------------------------------- */

__attribute__((format(printf, 6, 0))) static void daxctl_log(struct daxctl_ctx *ctx, int priority, const char *file, int line, const char *fn,
		       const char *format, va_list args)
{
	char msg[512];
	size_t n;

	vsnprintf(msg, sizeof(msg), format, args);
	n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
	memctl_log_debug("libdaxctl: %s", msg);
}

/* The libdaxctl functions memctl calls, resolved from the library when first needed. */
static struct {
	bool tried;
	void *lib;
	__typeof__(&daxctl_new) new_ctx;
	__typeof__(&daxctl_unref) unref;
	__typeof__(&daxctl_set_log_fn) set_log_fn;
	__typeof__(&daxctl_set_log_priority) set_log_priority;
	__typeof__(&daxctl_region_get_first) region_first;
	__typeof__(&daxctl_region_get_next) region_next;
	__typeof__(&daxctl_dev_get_first) dev_first;
	__typeof__(&daxctl_dev_get_next) dev_next;
	__typeof__(&daxctl_dev_get_devname) dev_name;
	__typeof__(&daxctl_dev_get_region) dev_region;
	__typeof__(&daxctl_region_get_dev_seed) region_seed;
	__typeof__(&daxctl_region_create_dev) region_create_dev;
	__typeof__(&daxctl_dev_is_enabled) dev_is_enabled;
	__typeof__(&daxctl_dev_disable) dev_disable;
	__typeof__(&daxctl_dev_enable_ram) dev_enable_ram;
	__typeof__(&daxctl_dev_enable_devdax) dev_enable_devdax;
	__typeof__(&daxctl_dev_set_size) dev_set_size;
	__typeof__(&daxctl_region_destroy_dev) region_destroy_dev;
} dax;

#define DAXCTL_SONAME "libdaxctl.so.1"

static int daxctl_load(void)
{
	static const struct {
		const char *name;
		size_t offset;
	} syms[] = {
#define SYM(field, name) { #name, offsetof(__typeof__(dax), field) }
		SYM(new_ctx, daxctl_new), SYM(unref, daxctl_unref), SYM(set_log_fn, daxctl_set_log_fn),
		SYM(set_log_priority, daxctl_set_log_priority), SYM(region_first, daxctl_region_get_first),
		SYM(region_next, daxctl_region_get_next), SYM(dev_first, daxctl_dev_get_first),
		SYM(dev_next, daxctl_dev_get_next), SYM(dev_name, daxctl_dev_get_devname),
		SYM(dev_region, daxctl_dev_get_region), SYM(region_seed, daxctl_region_get_dev_seed),
		SYM(region_create_dev, daxctl_region_create_dev), SYM(dev_is_enabled, daxctl_dev_is_enabled),
		SYM(dev_disable, daxctl_dev_disable), SYM(dev_enable_ram, daxctl_dev_enable_ram),
		SYM(dev_enable_devdax, daxctl_dev_enable_devdax), SYM(dev_set_size, daxctl_dev_set_size),
		SYM(region_destroy_dev, daxctl_region_destroy_dev),
#undef SYM
	};

	if (dax.lib)
		return 0;
	if (dax.tried)
		return -ELIBACC;
	dax.tried = true;
	dax.lib = dlopen(DAXCTL_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!dax.lib)
		return memctl_log_errno(-ELIBACC, "cannot load %s (%s)", DAXCTL_SONAME, dlerror());
	for (size_t i = 0; i < ELEMENTSOF(syms); i++) {
		void *f = dlsym(dax.lib, syms[i].name);
		if (!f) {
			dlclose(dax.lib);
			dax.lib = NULL;
			return memctl_log_errno(-ELIBACC, "%s has no %s", DAXCTL_SONAME, syms[i].name);
		}
		memcpy((char *)&dax + syms[i].offset, &f, sizeof(f));
	}
	return 0;
}

struct daxctl_handle {
	struct daxctl_ctx *ctx;
	struct daxctl_dev *dev;
};

static void daxctl_handle_done(struct daxctl_handle *h)
{
	if (h->ctx)
		dax.unref(h->ctx);
}

/* A fresh libdaxctl context (its enumeration is cached) and the named device. */
static int daxctl_find(void *sysfs, const char *device, struct daxctl_handle *h)
{
	struct daxctl_region *region;
	int r;

	*h = (struct daxctl_handle){ 0 };
	if (!memctl_sysfs_is_live(sysfs))
		return memctl_log_errno(-EOPNOTSUPP, "%s: libdaxctl works on /sys only, not on %s", device,
					memctl_sysfs_root(sysfs));
	r = daxctl_load();
	if (r < 0)
		return r;
	r = dax.new_ctx(&h->ctx);
	if (r < 0)
		return r;
	dax.set_log_fn(h->ctx, daxctl_log);
	dax.set_log_priority(h->ctx, LOG_DEBUG);
	for (region = dax.region_first(h->ctx); region; region = dax.region_next(region)) {
		struct daxctl_dev *dev;
		for (dev = dax.dev_first(region); dev; dev = dax.dev_next(dev))
			if (streq(dax.dev_name(dev), device)) {
				h->dev = dev;
				return 0;
			}
	}
	daxctl_handle_done(h);
	return memctl_log_errno(-ENODEV, "%s: libdaxctl does not see it", device);
}

/*
 * fsdev_dax never matches a device by its type: Linux 7.x keeps it out of
 * automatic binding, so the driver core's bind alone fails with ENODEV. As
 * libdaxctl does for kmem, name the device in the driver's id list first
 * (new_id on the dax bus attaches at once), and bind only if that did not.
 * The unbind takes the id out again, or the device would go back to fsdev_dax
 * by itself the next time it is probed.
 */
static int fsdev_bind(void *ctx, const char *device)
{
	enum memctl_dax_driver now;
	int r;

	r = sysfs_driver_write(ctx, device, MEMCTL_DRIVER_FSDEV_DAX, "new_id");
	if (r < 0 && r != -EEXIST)
		return r;
	if (real_get_driver(ctx, device, &now) >= 0 && now == MEMCTL_DRIVER_FSDEV_DAX)
		return 0;
	return sysfs_driver_write(ctx, device, MEMCTL_DRIVER_FSDEV_DAX, "bind");
}

static int fsdev_unbind(void *ctx, const char *device)
{
	int r;

	r = sysfs_driver_write(ctx, device, MEMCTL_DRIVER_FSDEV_DAX, "unbind");
	if (r < 0)
		return r;
	r = sysfs_driver_write(ctx, device, MEMCTL_DRIVER_FSDEV_DAX, "remove_id");
	if (r < 0)
		memctl_log_debug("%s: fsdev_dax remove_id: %s (the device stays in its id list)", device, strerror(-r));
	return 0;
}

static int real_unbind(void *ctx, const char *device, enum memctl_dax_driver driver)
{
	struct daxctl_handle h;
	int r;

	if (driver == MEMCTL_DRIVER_FSDEV_DAX)
		return fsdev_unbind(ctx, device);
	r = daxctl_find(ctx, device, &h);
	if (r < 0)
		return r;
	r = dax.dev_disable(h.dev);
	daxctl_handle_done(&h);
	return r;
}

static int real_bind(void *ctx, const char *device, enum memctl_dax_driver driver)
{
	enum memctl_dax_driver now;
	struct daxctl_handle h;
	int r;

	/*
	 * kmem for a device the engine unbound, which the dax bus gave to device_dax again
	 * behind its back (7.3: a probe when a sub-device was created): take it back first,
	 * unless someone opened it meanwhile.
	 */
	if (driver == MEMCTL_DRIVER_KMEM && real_get_driver(ctx, device, &now) >= 0 && now == MEMCTL_DRIVER_DEVICE_DAX) {
		_autofree_ char *users = NULL;
		if (memctl_real_device_users(ctx, device, &users) >= 0 && !users)
			(void)real_unbind(ctx, device, MEMCTL_DRIVER_DEVICE_DAX);
	}

	if (driver == MEMCTL_DRIVER_FSDEV_DAX)
		return fsdev_bind(ctx, device);
	if (driver != MEMCTL_DRIVER_KMEM && driver != MEMCTL_DRIVER_DEVICE_DAX)
		return -EINVAL;
	r = daxctl_find(ctx, device, &h);
	if (r < 0)
		return r;
	r = driver == MEMCTL_DRIVER_KMEM ? dax.dev_enable_ram(h.dev) : dax.dev_enable_devdax(h.dev);
	daxctl_handle_done(&h);
	return r;
}

static int real_resize(void *ctx, const char *device, uint64_t size)
{
	struct daxctl_handle h;
	int r = daxctl_find(ctx, device, &h);

	if (r < 0)
		return r;
	r = dax.dev_set_size(h.dev, size);
	daxctl_handle_done(&h);
	return r;
}

/* The region's seed device takes the size and becomes the new sub-device. */
static int real_create_subdevice(void *ctx, const char *device, uint64_t size, char **ret_name)
{
	struct daxctl_handle h;
	struct daxctl_dev *seed;
	char *name;
	int r = daxctl_find(ctx, device, &h);

	if (r < 0)
		return r;
	seed = dax.region_seed(dax.dev_region(h.dev));
	/* A CXL dax region comes with one device over all of it and no seed (seen on 6.12 and 7.3): ask
	 * for one, then look again with a fresh context (libdaxctl does not see devices made after its scan). */
	if (!seed) {
		bool was_enabled = dax.dev_is_enabled(h.dev);

		r = dax.region_create_dev(dax.dev_region(h.dev));
		daxctl_handle_done(&h);
		if (r < 0)
			return memctl_log_errno(r, "%s: its region has no seed device and cannot make one", device);
		r = daxctl_find(ctx, device, &h);
		if (r < 0)
			return r;
		/* the dax bus probes unbound devices again on create (7.3: device_dax took the resized device) */
		if (!was_enabled && dax.dev_is_enabled(h.dev))
			(void)dax.dev_disable(h.dev);
		seed = dax.region_seed(dax.dev_region(h.dev));
	}
	if (!seed) {
		daxctl_handle_done(&h);
		return memctl_log_errno(-EOPNOTSUPP, "%s: its region has no seed device", device);
	}
	r = dax.dev_set_size(seed, size);
	if (r >= 0)
		r = dax.dev_enable_devdax(seed);
	name = r >= 0 ? strdup(dax.dev_name(seed)) : NULL;
	daxctl_handle_done(&h);
	if (r < 0)
		return r;
	if (!name)
		return -ENOMEM;
	*ret_name = name;
	return 0;
}

/* Off its driver, size 0, and deleted from its region (dax_region/delete). */
static int real_destroy_subdevice(void *ctx, const char *device)
{
	struct daxctl_handle h;
	int r = daxctl_find(ctx, device, &h);

	if (r < 0)
		return r;
	r = dax.dev_disable(h.dev);
	if (r >= 0)
		r = dax.dev_set_size(h.dev, 0);
	if (r >= 0)
		r = dax.region_destroy_dev(dax.dev_region(h.dev), h.dev);
	daxctl_handle_done(&h);
	return r;
}

static int real_set_memmap_on_memory(void *ctx, const char *device, bool on)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "sys/bus/dax/devices/%s/memmap_on_memory", device);
	return memctl_sysfs_write(ctx, path, on ? "1" : "0");
}

/* ---- deadlines, users, resets ------------------------------------------- */

static void on_alarm(int sig)
{
	(void)sig;	/* only there to interrupt the write */
}

/*
 * An offline migrates pages until it succeeds, fails, or a signal arrives:
 * any pending signal aborts it with EINTR. A one-shot SIGALRM at the deadline
 * (handler without SA_RESTART) is how the deadline is enforced. The timer
 * signals the calling thread only (SIGEV_THREAD_ID): memctld offlines in a
 * worker thread while its event loop thread, which blocks SIGALRM, keeps
 * serving; a process-wide alarm could land in the wrong thread.
 */
#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif
static int write_with_deadline(void *ctx, const char *path, const char *value, uint64_t timeout_ms)
{
	struct sigaction sa = { .sa_handler = on_alarm }, old_sa;
	struct sigevent sev = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGALRM };
	struct itimerspec t = { 0 };
	sigset_t alrm, old_mask;
	timer_t timer;
	int r;

	if (timeout_ms == 0)
		return memctl_sysfs_write(ctx, path, value);
	sev.sigev_notify_thread_id = gettid();
	if (timer_create(CLOCK_MONOTONIC, &sev, &timer) < 0)
		return -errno;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &old_sa);
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	pthread_sigmask(SIG_UNBLOCK, &alrm, &old_mask);
	t.it_value.tv_sec = (time_t)(timeout_ms / 1000);
	t.it_value.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
	timer_settime(timer, 0, &t, NULL);
	r = memctl_sysfs_write(ctx, path, value);
	timer_delete(timer);
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	sigaction(SIGALRM, &old_sa, NULL);
	return r;
}

static int real_offline_block(void *ctx, unsigned long index, uint64_t timeout_ms)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), MEMORY_DIR "/memory%lu/state", index);
	return write_with_deadline(ctx, path, "offline", timeout_ms);
}

/* ---- daxX.Y/state ------------------------------------------------------- */

/* An unplug offlines every block: as interruptible as one block's offline, so the same deadline. */
static int real_set_device_state(void *ctx, const char *device, const char *state, uint64_t timeout_ms)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "sys/bus/dax/devices/%s/state", device);
	if (!memctl_sysfs_exists(ctx, path))
		return -ENOENT;
	return write_with_deadline(ctx, path, state, timeout_ms);
}

static int real_get_device_state(void *ctx, const char *device, enum memctl_hotplug_state *ret)
{
	_autofree_ char *v = NULL;
	int r;

	r = memctl_sysfs_readf(ctx, &v, "sys/bus/dax/devices/%s/state", device);
	if (r < 0)
		return r;
	*ret = memctl_hotplug_state_from_name(v);
	return 0;
}

/* The kernel says why an offline failed only in its log: read it for the block's range. */
static int real_offline_reason(void *ctx, unsigned long index, char **ret_reason)
{
	uint64_t bs;
	int r;

	r = memctl_sysfs_read_u64(ctx, MEMORY_DIR "/block_size_bytes", 16, &bs);
	if (r < 0)
		return r;
	r = memctl_kmsg_offline_reason(ctx, (uint64_t)index * bs, (uint64_t)(index + 1) * bs - 1, ret_reason);
	if (r < 0 && r != -ENODATA)
		memctl_log_debug("memory%lu: cannot read the kernel log for the offline's reason: %s", index,
				 strerror(-r));
	return r;
}

/* Processes with /dev/<device> among their open files or mappings, from /proc. */
int memctl_real_device_users(void *ctx, const char *device, char **ret_users)
{
	_autostrv_ char **pids = NULL;
	char devpath[64], *out = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	snprintf(devpath, sizeof(devpath), "/dev/%s", device);
	r = memctl_sysfs_list(ctx, "proc", NULL, &pids);
	if (r < 0)
		return r;
	f = open_memstream(&out, &len);
	if (!f)
		return -ENOMEM;
	for (char **p = pids; *p; p++) {
		_autostrv_ char **fds = NULL;
		_autofree_ char *maps = NULL, *comm = NULL;
		char path[PATH_MAX];
		bool uses = false;

		if (!isdigit((unsigned char)**p))
			continue;
		snprintf(path, sizeof(path), "proc/%s/fd", *p);
		if (memctl_sysfs_list(ctx, path, NULL, &fds) >= 0)
			for (char **fd = fds; *fd && !uses; fd++) {
				_autofree_ char *target = NULL;
				snprintf(path, sizeof(path), "proc/%s/fd/%s", *p, *fd);
				uses = memctl_sysfs_readlink(ctx, path, &target) >= 0 && streq(target, devpath);
			}
		if (!uses) {
			snprintf(path, sizeof(path), "proc/%s/maps", *p);
			uses = memctl_sysfs_read(ctx, path, &maps) >= 0 && strstr(maps, devpath);
		}
		if (!uses)
			continue;
		snprintf(path, sizeof(path), "proc/%s/comm", *p);
		(void)memctl_sysfs_read(ctx, path, &comm);
		fprintf(f, "%s%s (%s)", ftell(f) ? ", " : "", *p, comm ? comm : "?");
	}
	fclose(f);
	if (len == 0) {
		free(out);
		out = NULL;
	}
	*ret_users = out;
	return 0;
}

static int real_pci_reset(void *ctx, const char *pci_address)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "sys/bus/pci/devices/%s/reset", pci_address);
	return memctl_sysfs_write(ctx, path, "1");
}

#define DEMOTION_ENABLED "sys/kernel/mm/numa/demotion_enabled"

/* The kernel takes kstrtobool input and prints "true"/"false". */
static int real_set_demotion(void *ctx, bool on)
{
	return memctl_sysfs_write(ctx, DEMOTION_ENABLED, on ? "1" : "0");
}

static int real_get_demotion(void *ctx, bool *ret)
{
	_autofree_ char *v = NULL;
	int r;

	r = memctl_sysfs_read(ctx, DEMOTION_ENABLED, &v);
	if (r < 0)
		return r;
	r = memctl_parse_bool(v);
	if (r < 0)
		return r;
	*ret = r;
	return 0;
}

const struct memctl_kernel_ops memctl_kernel_real_ops = {
	.scan = real_scan,
	.get_auto_online = real_get_auto_online,
	.set_auto_online = real_set_auto_online,
	.set_block_state = real_set_block_state,
	.get_block = real_get_block,
	.unbind = real_unbind,
	.bind = real_bind,
	.get_driver = real_get_driver,
	.resize = real_resize,
	.create_subdevice = real_create_subdevice,
	.set_memmap_on_memory = real_set_memmap_on_memory,
	.destroy_subdevice = real_destroy_subdevice,
	.offline_block = real_offline_block,
	.offline_reason = real_offline_reason,
	.device_users = memctl_real_device_users,
	.pci_reset = real_pci_reset,
	.set_demotion = real_set_demotion,
	.get_demotion = real_get_demotion,
	.set_device_state = real_set_device_state,
	.get_device_state = real_get_device_state,
	.get_reset_methods = memctl_real_get_reset_methods,
	.pci_reset_method = memctl_real_pci_reset_method,
	.cxl_region_get = memctl_real_cxl_region_get,
	.cxl_region_teardown = memctl_real_cxl_region_teardown,
	.cxl_region_restore = memctl_real_cxl_region_restore,
};
