/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memctld's long operations off its event loop (daemon/manager-op.c), on the
 * kernel model with offlines that take real time: GetStatus is answered with
 * the progress while a reset-prepare runs, a second change gets io.memctl.Busy,
 * progress is streamed to a "more" caller, and SIGTERM mid-offline stops at a
 * block boundary with the device held; a new manager keeps the hold and a
 * reset-prepare again converges.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "manager.h"
#include "model.h"
#include "sim-util.h"
#include "util-mem.h"
#include "varlink.h"

#define BLOCKS 16	/* sim_add_hmem's dax0.0 */

static int setup(void **state)
{
	struct sim_daemon *f;
	int dev;

	if (getuid() != 0)
		skip();	/* the changing methods are root's (SO_PEERCRED) */
	f = calloc(1, sizeof(*f));
	sim_daemon_init(f);
	sim_daemon_write_policy(f, "defaults: { settle = \"50ms\"; };\n"
				   "rules = ( { name = \"all\"; match = {}; mode = \"system-ram\"; zone = \"movable\"; } );\n");
	dev = sim_add_hmem(&f->m, MEMCTL_DRIVER_KMEM);
	sim_daemon_new_manager(f);
	assert_int_equal(manager_start(f->mgr), 0);
	sim_run_until_idle(f->mgr);
	assert_int_equal(model_blocks(&f->m, dev, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), BLOCKS);
	f->m.offline_sleep_ms = 150;	/* 2.4 s for the device: a long reset-prepare */
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct sim_daemon *f = *state;

	sim_daemon_cleanup(f);
	free(f);
	return 0;
}

struct client {
	int fd;
	struct memctl_varlink_buffer in;
};

static void client_open(struct sim_daemon *f, struct client *c)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/io.memctl", f->dir);
	*c = (struct client){ .fd = -1 };
	assert_int_equal(memctl_varlink_connect(path, &c->fd), 0);
}

static void client_close(struct client *c)
{
	close(c->fd);
	memctl_varlink_buffer_free(&c->in);
}

static void send_call(struct client *c, const char *method, const char *target, bool more)
{
	char msg[256];
	int n;

	if (target)
		n = snprintf(msg, sizeof(msg), "{\"method\":\"%s\",\"parameters\":{\"%s\":\"%s\"}%s}", method,
			     strstr(method, "Reset") ? "target" : "device", target, more ? ",\"more\":true" : "");
	else
		n = snprintf(msg, sizeof(msg), "{\"method\":\"%s\"}", method);
	assert_int_equal(send(c->fd, msg, n + 1, MSG_NOSIGNAL), n + 1);
}

/* The next message on c, running the manager's loop (when run) meanwhile; at most 10 s. */
static struct json_object *recv_msg(struct sim_daemon *f, struct client *c, bool run)
{
	for (int i = 0; i < 1000; i++) {
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		struct json_object *msg = NULL;
		char buf[65536];

		if (memctl_varlink_buffer_take(&c->in, &msg) > 0)
			return msg;
		if (poll(&p, 1, 0) == 1) {
			ssize_t n = recv(c->fd, buf, sizeof(buf), 0);
			assert_true(n > 0);
			assert_int_equal(memctl_varlink_buffer_append(&c->in, buf, n), 0);
			continue;
		}
		if (run)
			assert_true(sd_event_run(manager_event(f->mgr), 10 * 1000) >= 0);
		else
			usleep(10 * 1000);
	}
	fail_msg("no reply in 10 s");
	return NULL;
}

static struct json_object *get(struct json_object *o, const char *path)
{
	char key[64];

	while (o && *path) {
		size_t n = strcspn(path, ".");
		snprintf(key, sizeof(key), "%.*s", (int)n, path);
		if (!json_object_object_get_ex(o, key, &o))
			return NULL;
		path += n + (path[n] == '.');
	}
	return o;
}

static bool continues(struct json_object *msg)
{
	return get(msg, "continues") && json_object_get_boolean(get(msg, "continues"));
}

static const char *error_of(struct json_object *msg)
{
	return get(msg, "error") ? json_object_get_string(get(msg, "error")) : NULL;
}

/* dax0.0 held, as GetStatus says */
static bool held_status(struct sim_daemon *f)
{
	struct client c;
	struct json_object *st, *devs;
	bool held = false;

	client_open(f, &c);
	send_call(&c, "io.memctl.GetStatus", NULL, false);
	st = recv_msg(f, &c, true);
	devs = get(st, "parameters.devices");
	for (size_t i = 0; devs && i < json_object_array_length(devs); i++) {
		struct json_object *d = json_object_array_get_idx(devs, i);
		if (streq(json_object_get_string(get(d, "chardev")), "dax0.0"))
			held = json_object_get_boolean(get(d, "held"));
	}
	json_object_put(st);
	client_close(&c);
	return held;
}

static void test_status_and_busy_during_reset_prepare(void **state)
{
	struct sim_daemon *f = *state;
	struct client a, b;
	struct json_object *msg, *op;
	int64_t done;
	unsigned progress = 1;

	client_open(f, &a);
	client_open(f, &b);
	send_call(&a, "io.memctl.ResetPrepare", "dax0.0", true);
	msg = recv_msg(f, &a, true);
	assert_true(continues(msg));	/* the first block is offline; 15 to go, 2 s */
	json_object_put(msg);

	/* GetStatus answered meanwhile, with the operation's progress */
	send_call(&b, "io.memctl.GetStatus", NULL, false);
	msg = recv_msg(f, &b, true);
	if (error_of(msg))
		fail_msg("%s", json_object_to_json_string(msg));
	op = get(msg, "parameters.daemon.operation");
	assert_non_null(op);
	assert_string_equal(json_object_get_string(get(op, "verb")), "reset-prepare");
	assert_string_equal(json_object_get_string(get(op, "target")), "dax0.0");
	assert_int_equal(json_object_get_int64(get(op, "blocks_total")), BLOCKS);
	done = json_object_get_int64(get(op, "blocks_done"));
	assert_true(done >= 1 && done < BLOCKS);
	assert_int_equal(json_object_get_int64(get(op, "caller_uid")), (int64_t)getuid());
	assert_int_equal(json_object_get_int64(get(op, "caller_pid")), (int64_t)getpid());
	json_object_put(msg);

	/* a second change: busy, with a sentence */
	send_call(&b, "io.memctl.ResetPrepare", "dax0.0", false);
	msg = recv_msg(f, &b, true);
	assert_string_equal(error_of(msg), "io.memctl.Busy");
	assert_non_null(strstr(json_object_get_string(get(msg, "parameters.reason")), "reset-prepare dax0.0 is running"));
	json_object_put(msg);
	send_call(&b, "io.memctl.Online", "dax0.0", false);
	msg = recv_msg(f, &b, true);
	assert_string_equal(error_of(msg), "io.memctl.Busy");
	json_object_put(msg);

	/* every block's progress, then the answer */
	while (continues(msg = recv_msg(f, &a, true))) {
		progress++;
		json_object_put(msg);
	}
	if (error_of(msg))
		fail_msg("%s", json_object_to_json_string(msg));
	assert_non_null(strstr(json_object_get_string(get(msg, "parameters.message")), "prepared for reset"));
	json_object_put(msg);
	assert_int_equal(progress, BLOCKS);
	assert_int_equal(model_device_blocks(&f->m, 0), 0);

	/* idle again: no operation, the device held */
	send_call(&b, "io.memctl.GetStatus", NULL, false);
	msg = recv_msg(f, &b, true);
	assert_non_null(get(msg, "parameters.daemon"));
	assert_null(get(msg, "parameters.daemon.operation"));
	json_object_put(msg);
	assert_true(held_status(f));
	client_close(&a);
	client_close(&b);
}

/* The caller hangs up mid-operation: the operation finishes, nothing crashes. */
static void test_caller_gone_mid_operation(void **state)
{
	struct sim_daemon *f = *state;
	struct client a;
	struct json_object *msg;

	client_open(f, &a);
	send_call(&a, "io.memctl.ResetPrepare", "dax0.0", true);
	msg = recv_msg(f, &a, true);
	assert_true(continues(msg));
	json_object_put(msg);
	client_close(&a);
	for (int i = 0; i < 500 && model_device_blocks(&f->m, 0) > 0; i++)
		assert_true(sd_event_run(manager_event(f->mgr), 10 * 1000) >= 0);
	assert_int_equal(model_device_blocks(&f->m, 0), 0);
	sim_run_until_idle(f->mgr);
	assert_true(held_status(f));
}

static void test_sigterm_mid_offline_then_converges(void **state)
{
	struct sim_daemon *f = *state;
	_autofree_ char *message = NULL;
	struct client a;
	struct json_object *msg;
	int64_t done = 0;
	size_t online;

	client_open(f, &a);
	send_call(&a, "io.memctl.ResetPrepare", "dax0.0", true);
	while (done < 3) {
		msg = recv_msg(f, &a, true);
		assert_true(continues(msg));
		done = json_object_get_int64(get(msg, "parameters.blocks_done"));
		json_object_put(msg);
	}
	/* systemctl stop: the loop takes SIGTERM, the operation stops at a block boundary, then the exit */
	assert_int_equal(kill(getpid(), SIGTERM), 0);
	assert_int_equal(manager_run(f->mgr), 0);
	while (continues(msg = recv_msg(f, &a, false)))
		json_object_put(msg);
	assert_string_equal(error_of(msg), "io.memctl.Stopped");
	assert_non_null(strstr(json_object_get_string(get(msg, "parameters.reason")), "stopped half-way"));
	json_object_put(msg);
	client_close(&a);
	online = model_blocks(&f->m, 0, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE);
	assert_true(online > 0 && online <= BLOCKS - 3);	/* half-done: nothing was put back */

	/* restart: still held, the reconcile leaves it alone */
	f->mgr = manager_free(f->mgr);
	f->m.offline_sleep_ms = 0;
	sim_daemon_new_manager(f);
	assert_int_equal(manager_start(f->mgr), 0);
	sim_run_until_idle(f->mgr);
	assert_int_equal(model_blocks(&f->m, 0, MEMCTL_BLOCK_ONLINE, MEMCTL_ZONE_MOVABLE), online);
	assert_true(held_status(f));
	/* reset-prepare again finishes it */
	assert_int_equal(manager_reset_prepare(f->mgr, "dax0.0", true, &message), 0);
	assert_int_equal(model_device_blocks(&f->m, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_status_and_busy_during_reset_prepare, setup, teardown),
		cmocka_unit_test_setup_teardown(test_caller_gone_mid_operation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sigterm_mid_offline_then_converges, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
