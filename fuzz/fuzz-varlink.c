/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer harness for the Varlink side of memctld: the framing and JSON
 * parsing of lib/varlink/varlink.c and daemon/varlink-server.c's handling of each
 * call up to method dispatch. The input is the byte stream a client sends.
 * The real server runs on a real Unix socket (its only entry point), with
 * stand-in methods instead of the manager's, so no engine or kernel is
 * involved; each input gets a fresh connection.
 *
 * A stream that ends with a complete message is followed by the client's
 * half-close (shutdown(SHUT_WR)), one that does not is left open.
 *
 * Invariants, checked against an independent reading of the same stream:
 * every call (a JSON object with a string "method", not "oneway") gets
 * exactly one final reply, in order, up to the first message that is not
 * Varlink or the half-close, after which the server hangs up (and only then); every reply is one JSON object
 * with "parameters" an object and "error", when present, a string; a call
 * the method does not know gets MethodNotFound; a method that fails without
 * replying yields InternalError.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>
#include <systemd/sd-event.h>

#include "fuzz.h"
#include "util-mem.h"
#include "varlink-server.h"
#include "varlink.h"

/* Inputs beyond this are cut: the framing is the same for 64 KiB as for 16 MiB. */
#define VARLINK_FUZZ_MAX_INPUT (64u << 10)

static int m_echo(struct varlink_call *call, struct json_object *params, void *userdata)
{
	return varlink_reply(call, params ? json_object_get(params) : NULL);
}

/* Like the daemon's progress calls: notifications first, then the reply. */
static int m_progress(struct varlink_call *call, struct json_object *params, void *userdata)
{
	for (int i = 0; i < 2; i++) {
		struct json_object *p = json_object_new_object();
		json_object_object_add(p, "step", json_object_new_int(i));
		varlink_notify(call, p);
	}
	return varlink_reply(call, NULL);
}

/* A method that fails without replying: the server must answer for it. */
static int m_fail(struct varlink_call *call, struct json_object *params, void *userdata)
{
	return -EIO;
}

/* A method that answers twice: only the first may reach the wire. */
static int m_twice(struct varlink_call *call, struct json_object *params, void *userdata)
{
	varlink_error(call, "io.memctl.OperationFailed", NULL);
	return varlink_reply(call, NULL);
}

static const struct varlink_method methods[] = {
	{ "io.memctl.GetStatus", m_echo, MEMCTL_ACCESS_READ },
	{ "io.memctl.Online", m_echo, MEMCTL_ACCESS_OPERATE },
	{ "io.memctl.ResetPrepare", m_progress, MEMCTL_ACCESS_OPERATE },
	{ "io.memctl.Reload", m_fail, MEMCTL_ACCESS_ADMIN },
	{ "io.memctl.Offline", m_twice, MEMCTL_ACCESS_OPERATE },
	{},
};

static sd_event *event;
static struct varlink_server *server;
static char socket_dir[64], socket_path[108];

static void remove_socket(void)
{
	unlink(socket_path);
	rmdir(socket_dir);
}

static void setup(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	snprintf(socket_dir, sizeof(socket_dir), "/tmp/memctl-fuzz-varlink-XXXXXX");
	FUZZ_CHECK(mkdtemp(socket_dir), "mkdtemp: %m");
	snprintf(socket_path, sizeof(socket_path), "%s/io.memctl", socket_dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", socket_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	FUZZ_CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(fd, 16) == 0,
		   "listening on %s: %m", socket_path);
	atexit(remove_socket);
	FUZZ_CHECK(sd_event_new(&event) >= 0, "sd_event_new");
	FUZZ_CHECK(varlink_server_new(event, fd, methods, "interface io.memctl\n", NULL, &server) >= 0,
		   "varlink_server_new");
}

/* The answer a call must get: no error, this error, or (ANY) either. */
static const char ANY[] = "*";

struct expect {
	int calls;		/* final replies owed */
	bool hangup;		/* a message that is not Varlink: the server hangs up after the replies */
	const char *answer[64];	/* per call: NULL (success), an error name, or ANY */
};

/* What the server must answer, read from the stream with the same framing. */
static void expect_from(const uint8_t *data, size_t size, struct expect *x)
{
	struct memctl_varlink_buffer b = { 0 };
	struct json_object *msg;
	int r;

	*x = (struct expect){ 0 };
	if (memctl_varlink_buffer_append(&b, (const char *)data, size) < 0) {
		x->hangup = true;
		return;
	}
	while ((r = memctl_varlink_buffer_take(&b, &msg)) > 0) {
		struct json_object *m = NULL, *ow = NULL, *params = NULL;
		const char *method, *answer;

		if (!json_object_object_get_ex(msg, "method", &m) || !json_object_is_type(m, json_type_string)) {
			json_object_put(msg);
			x->hangup = true;
			break;
		}
		method = json_object_get_string(m);
		if (json_object_object_get_ex(msg, "oneway", &ow) && json_object_get_boolean(ow)) {
			json_object_put(msg);
			continue;
		}
		json_object_object_get_ex(msg, "parameters", &params);
		if (params && !json_object_is_type(params, json_type_object)) {
			answer = "org.varlink.service.InvalidParameter";
		} else if (strncmp(method, "org.varlink.service.", 20) == 0) {
			answer = ANY;	/* GetInfo, GetInterfaceDescription or MethodNotFound */
		} else {
			const struct varlink_method *vm = methods;
			while (vm->name && strcmp(vm->name, method) != 0)
				vm++;
			if (!vm->name)
				answer = "org.varlink.service.MethodNotFound";
			else if (vm->access != MEMCTL_ACCESS_READ && getuid() != 0)
				answer = "io.memctl.PermissionDenied";
			else if (vm->fn == m_fail)
				answer = "io.memctl.InternalError";
			else if (vm->fn == m_twice)
				answer = "io.memctl.OperationFailed";
			else
				answer = NULL;
		}
		if (x->calls < (int)ELEMENTSOF(x->answer))
			x->answer[x->calls] = answer;
		x->calls++;
		json_object_put(msg);
	}
	if (r < 0)
		x->hangup = true;
	memctl_varlink_buffer_free(&b);
}

/* Checks one message from the server; returns whether it was a final reply. */
static bool check_reply(struct json_object *reply, const struct expect *x, int n_final)
{
	struct json_object *params = NULL, *err = NULL, *cont = NULL;
	bool final = !(json_object_object_get_ex(reply, "continues", &cont) && json_object_get_boolean(cont));

	FUZZ_CHECK(json_object_object_get_ex(reply, "parameters", &params) &&
			   json_object_is_type(params, json_type_object),
		   "reply without parameters object: %s", json_object_to_json_string(reply));
	if (json_object_object_get_ex(reply, "error", &err))
		FUZZ_CHECK(json_object_is_type(err, json_type_string) && final, "bad error reply: %s",
			   json_object_to_json_string(reply));
	if (final && n_final < x->calls && n_final < (int)ELEMENTSOF(x->answer) && x->answer[n_final] != ANY) {
		const char *want = x->answer[n_final];
		if (!want)
			FUZZ_CHECK(!err, "reply %d should succeed: %s", n_final, json_object_to_json_string(reply));
		else
			FUZZ_CHECK(err && strcmp(json_object_get_string(err), want) == 0, "reply %d should be error %s: %s",
				   n_final, want, json_object_to_json_string(reply));
	}
	return final;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct memctl_varlink_buffer in = { 0 };
	struct expect x;
	size_t sent = 0;
	int fd, n_final = 0;
	bool eof = false, half_close, shut = false;

	if (!event)
		setup();
	if (size > VARLINK_FUZZ_MAX_INPUT)
		size = VARLINK_FUZZ_MAX_INPUT;
	expect_from(data, size, &x);
	half_close = size > 0 && data[size - 1] == '\0';

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", socket_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	FUZZ_CHECK(fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "connect: %m");

	/* Feed and read until a whole round makes no progress: the server has said all it will. */
	for (;;) {
		bool progress = false;
		char buf[65536];
		struct json_object *reply;
		ssize_t n;
		int r;

		if (sent < size) {
			n = send(fd, data + sent, size - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n > 0) {
				sent += n;
				progress = true;
			} else if (n < 0 && errno == EPIPE) {
				sent = size;	/* the server hung up */
			}
		}
		if (sent >= size && half_close && !shut) {
			shutdown(fd, SHUT_WR);
			shut = progress = true;
		}
		r = sd_event_run(event, 0);
		FUZZ_CHECK(r >= 0, "sd_event_run: %d", r);
		progress |= r > 0;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0) {
			FUZZ_CHECK(memctl_varlink_buffer_append(&in, buf, n) == 0, "reply stream too large");
			progress = true;
		} else if (n == 0 || (n < 0 && errno == ECONNRESET)) {
			eof = true;
		}
		while ((r = memctl_varlink_buffer_take(&in, &reply)) > 0) {
			n_final += check_reply(reply, &x, n_final);
			json_object_put(reply);
		}
		FUZZ_CHECK(r == 0, "the server sent a message that is not one JSON object");
		if (eof || (!progress && sent >= size))
			break;
	}
	FUZZ_CHECK(in.len == 0, "the server left %zu bytes of a message unterminated", in.len);
	FUZZ_CHECK(n_final == x.calls, "%d calls but %d final replies", x.calls, n_final);
	FUZZ_CHECK(eof == (x.hangup || half_close), "the server %s, but the stream %s Varlink and %s",
		   eof ? "hung up" : "did not hang up", x.hangup ? "is not" : "is",
		   half_close ? "was half-closed" : "stays open");
	close(fd);
	/* Let the server see the hang-up and free the connection. */
	while (sd_event_run(event, 0) > 0)
		;
	memctl_varlink_buffer_free(&in);
	return 0;
}
