/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Varlink server. Calls are served one at a time, in order, per
 * connection: a call a method keeps for later (varlink_call_keep(), a long
 * operation) holds back the connection's next calls until it is finished, so
 * that replies keep their order. A call lives on the heap; a connection that
 * closes first leaves it detached, and its replies go nowhere.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "caller.h"
#include "util-mem.h"
#include "varlink-params.h"
#include "varlink-server.h"
#include "varlink.h"

struct conn {
	struct varlink_server *server;
	int fd;
	struct daemon_caller caller;	/* SO_PEERCRED, SO_PEERGROUPS (caller.c) */
	sd_event_source *source;
	struct memctl_varlink_buffer in;
	struct memctl_varlink_buffer out;	/* replies not yet taken by the socket */
	bool closing;	/* reads no more; closes once out is flushed */
	struct varlink_call *kept;	/* a call answered later; its successors wait */
	struct conn *next;
};

struct varlink_call {
	struct conn *conn;	/* NULL: the connection closed before the reply */
	uid_t uid;
	pid_t pid;
	bool oneway, more, replied, kept;
};

struct varlink_server {
	sd_event *event;
	int fd;
	sd_event_source *accept_source;
	const struct varlink_method *methods;
	const char *description;
	void *userdata;
	varlink_authorize_fn authorize;
	struct conn *conns;
};

static void conn_free(struct conn *c)
{
	struct conn **pp;

	for (pp = &c->server->conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	if (c->kept)
		c->kept->conn = NULL;	/* its owner finishes it; the replies go nowhere */
	sd_event_source_disable_unref(c->source);
	close(c->fd);
	caller_clear(&c->caller);
	memctl_varlink_buffer_free(&c->in);
	memctl_varlink_buffer_free(&c->out);
	free(c);
}

static int conn_flush(struct conn *c)
{
	while (c->out.len > 0) {
		ssize_t n = send(c->fd, c->out.data, c->out.len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN)
				break;
			if (errno == EINTR)
				continue;
			return -errno;
		}
		memmove(c->out.data, c->out.data + n, c->out.len - n);
		c->out.len -= n;
	}
	return sd_event_source_set_io_events(c->source, (c->closing ? 0 : EPOLLIN) | (c->out.len ? EPOLLOUT : 0));
}

static int conn_send(struct conn *c, struct json_object *msg)
{
	const char *text = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN);
	size_t len = strlen(text) + 1;
	/* Grows by doubling, so a client pipelining thousands of calls costs linear
	 * time; bounded like input, so one that never reads cannot make the daemon
	 * queue without end: past the bound it gets what is queued, then a hang-up. */
	int r = memctl_varlink_buffer_append(&c->out, text, len);

	if (r < 0) {
		c->closing = true;
		return r;
	}
	return conn_flush(c);
}

uid_t varlink_call_uid(const struct varlink_call *call)
{
	return call->uid;
}

pid_t varlink_call_pid(const struct varlink_call *call)
{
	return call->pid;
}

bool varlink_call_more(const struct varlink_call *call)
{
	return call->more && !call->oneway;
}

const struct memctl_caller *varlink_call_caller(const struct varlink_call *call)
{
	/* the connection's: valid while the method runs (a kept call may outlive it) */
	assert(call->conn);
	return &call->conn->caller.c;
}

void varlink_server_set_authorize(struct varlink_server *s, varlink_authorize_fn fn)
{
	s->authorize = fn;
}

static int send_reply(struct varlink_call *call, const char *error, struct json_object *params)
{
	struct json_object *msg;
	int r;

	if (call->replied || call->oneway || !call->conn) {
		json_object_put(params);
		call->replied = true;
		return 0;
	}
	call->replied = true;
	msg = json_object_new_object();
	if (!msg) {
		json_object_put(params);
		return -ENOMEM;
	}
	if (error)
		json_object_object_add(msg, "error", json_object_new_string(error));
	json_object_object_add(msg, "parameters", params ? params : json_object_new_object());
	r = conn_send(call->conn, msg);
	json_object_put(msg);
	return r;
}

int varlink_notify(struct varlink_call *call, struct json_object *params)
{
	struct json_object *msg;
	int r;

	if (!call->more || call->replied || call->oneway || !call->conn) {
		json_object_put(params);
		return 0;
	}
	msg = json_object_new_object();
	if (!msg) {
		json_object_put(params);
		return -ENOMEM;
	}
	json_object_object_add(msg, "parameters", params ? params : json_object_new_object());
	json_object_object_add(msg, "continues", json_object_new_boolean(true));
	r = conn_send(call->conn, msg);
	json_object_put(msg);
	return r;
}

int varlink_reply(struct varlink_call *call, struct json_object *params)
{
	return send_reply(call, NULL, params);
}

int varlink_error(struct varlink_call *call, const char *error, struct json_object *params)
{
	return send_reply(call, error, params);
}

static int error_with(struct varlink_call *call, const char *error, const char *key, const char *value)
{
	struct json_object *p = json_object_new_object();

	if (p)
		json_object_object_add(p, key, json_object_new_string(value));
	return varlink_error(call, error, p);
}

int varlink_dispatch_params(struct varlink_call *call, struct json_object *params,
			    const struct varlink_param *table, void *target)
{
	const char *name = NULL;

	if (varlink_params_parse(params, table, target, &name) == VARLINK_PARAM_OK)
		return 0;
	error_with(call, "org.varlink.service.InvalidParameter", "parameter", name ? name : "parameters");
	return 1;
}

struct describe_args {
	const char *interface;
};

static const struct varlink_param no_params[] = { {} };
static const struct varlink_param describe_params[] = {
	{ "interface", VARLINK_PARAM_STRING, true, offsetof(struct describe_args, interface) },
	{},
};

static int builtin(struct varlink_server *s, struct varlink_call *call, const char *method, struct json_object *params)
{
	if (streq(method, "org.varlink.service.GetInfo")) {
		struct json_object *p, *ifaces;

		if (varlink_dispatch_params(call, params, no_params, NULL))
			return 0;
		p = json_object_new_object();
		ifaces = json_object_new_array();
		if (!p || !ifaces) {
			json_object_put(p);
			json_object_put(ifaces);
			return -ENOMEM;
		}
		json_object_object_add(p, "vendor", json_object_new_string("memctl"));
		json_object_object_add(p, "product", json_object_new_string("memctld"));
		json_object_object_add(p, "version", json_object_new_string(MEMCTL_VERSION));
		json_object_object_add(p, "url", json_object_new_string("https://memctl.invalid/"));
		json_object_array_add(ifaces, json_object_new_string("org.varlink.service"));
		json_object_array_add(ifaces, json_object_new_string(MEMCTL_VARLINK_INTERFACE));
		json_object_object_add(p, "interfaces", ifaces);
		return varlink_reply(call, p);
	}
	if (streq(method, "org.varlink.service.GetInterfaceDescription")) {
		struct describe_args a = { 0 };
		struct json_object *p;

		if (varlink_dispatch_params(call, params, describe_params, &a))
			return 0;
		/* every interface GetInfo lists: varlinkctl introspect asks for each */
		if (!streq(a.interface, MEMCTL_VARLINK_INTERFACE) && !streq(a.interface, "org.varlink.service"))
			return error_with(call, "org.varlink.service.InterfaceNotFound", "interface", a.interface);
		p = json_object_new_object();
		if (!p)
			return -ENOMEM;
		json_object_object_add(p, "description", json_object_new_string(
			streq(a.interface, "org.varlink.service") ? varlink_service_description : s->description));
		return varlink_reply(call, p);
	}
	return error_with(call, "org.varlink.service.MethodNotFound", "method", method);
}

static void dispatch_call(struct conn *c, struct varlink_call *call, struct json_object *msg)
{
	struct varlink_server *s = c->server;
	struct json_object *m = NULL, *params = NULL, *oneway = NULL;
	const char *method;
	int r = 0;

	if (!json_object_object_get_ex(msg, "method", &m) || !json_object_is_type(m, json_type_string)) {
		c->closing = true;	/* not Varlink: say nothing, hang up */
		return;
	}
	method = json_object_get_string(m);
	json_object_object_get_ex(msg, "parameters", &params);
	if (json_object_object_get_ex(msg, "oneway", &oneway))
		call->oneway = json_object_get_boolean(oneway);
	if (json_object_object_get_ex(msg, "more", &oneway))
		call->more = json_object_get_boolean(oneway);
	if (params && !json_object_is_type(params, json_type_object)) {
		error_with(call, "org.varlink.service.InvalidParameter", "parameter", "parameters");
		return;
	}
	if (strncmp(method, "org.varlink.service.", 20) == 0) {
		r = builtin(s, call, method, params);
		if (r < 0 && !call->replied)
			error_with(call, MEMCTL_VARLINK_INTERFACE ".InternalError", "reason", strerror(-r));
		return;
	}
	for (const struct varlink_method *vm = s->methods; vm->name; vm++) {
		if (!streq(vm->name, method))
			continue;
		if (vm->access != MEMCTL_ACCESS_READ && s->authorize) {
			if (s->authorize(call, vm, s->userdata))
				return;
		} else if (vm->access != MEMCTL_ACCESS_READ && c->caller.c.uid != 0) {
			struct json_object *p = json_object_new_object();
			if (p) {
				json_object_object_add(p, "method", json_object_new_string(method));
				json_object_object_add(p, "reason", json_object_new_string("only root may change memory"));
			}
			varlink_error(call, MEMCTL_VARLINK_INTERFACE ".PermissionDenied", p);
			return;
		}
		r = vm->fn(call, params, s->userdata);
		/* A method that keeps the call answers it later, also its failures. */
		assert(!call->kept || r >= 0);
		if (r < 0 && !call->replied)
			error_with(call, MEMCTL_VARLINK_INTERFACE ".InternalError", "reason", strerror(-r));
		return;
	}
	error_with(call, "org.varlink.service.MethodNotFound", "method", method);
}

static void dispatch(struct conn *c, struct json_object *msg)
{
	struct varlink_call *call = calloc(1, sizeof(*call));

	if (!call) {
		c->closing = true;	/* cannot even answer: hang up */
		return;
	}
	*call = (struct varlink_call){ .conn = c, .uid = c->caller.c.uid, .pid = c->caller.c.pid };
	dispatch_call(c, call, msg);
	if (call->kept)
		c->kept = call;
	else
		free(call);
}

struct varlink_call *varlink_call_keep(struct varlink_call *call)
{
	assert(!call->kept && !call->replied);
	call->kept = true;
	return call;
}

/* The calls waiting in c's input, until one is kept or c closes; -errno: hang up. */
static int conn_process(struct conn *c)
{
	struct json_object *msg;
	int r = 0;

	while (!c->closing && !c->kept && (r = memctl_varlink_buffer_take(&c->in, &msg)) > 0) {
		dispatch(c, msg);
		json_object_put(msg);
	}
	if (r < 0)
		c->closing = true;
	return 0;
}

void varlink_call_finish(struct varlink_call *call)
{
	struct conn *c;

	if (!call)
		return;
	c = call->conn;
	assert(call->kept);
	free(call);
	if (!c)
		return;
	c->kept = NULL;
	conn_process(c);
	if (c->closing && (conn_flush(c) < 0 || (c->out.len == 0 && !c->kept)))
		conn_free(c);
}

static int on_conn_io(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
	struct conn *c = userdata;
	char buf[65536];

	if (revents & EPOLLOUT && conn_flush(c) < 0)
		goto close;
	if (!c->closing && revents & (EPOLLIN | EPOLLHUP)) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (n < 0)
			goto close;
		/* End of input (the peer's half-close), a message too large or malformed
		 * JSON (the peer is not speaking Varlink): no more calls, but the replies
		 * to the calls before it still go out, a kept one's too. */
		if (n == 0 || memctl_varlink_buffer_append(&c->in, buf, n) < 0)
			c->closing = true;
		conn_process(c);
	}
	if (c->closing) {
		/* Flushing also notices a peer that is gone (EPIPE), so EPOLLHUP cannot spin;
		 * a peer gone while a call is kept (EPOLLHUP) detaches that call. */
		if (conn_flush(c) < 0 || (c->out.len == 0 && (!c->kept || revents & (EPOLLHUP | EPOLLERR))))
			goto close;
	}
	return 0;
close:
	conn_free(c);
	return 0;
}

static int on_accept(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
	struct varlink_server *s = userdata;
	struct conn *c;
	int cfd, r;

	cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0)
		return 0;
	c = calloc(1, sizeof(*c));
	if (!c || caller_from_socket(cfd, &c->caller) < 0) {
		close(cfd);
		free(c);
		return 0;
	}
	c->server = s;
	c->fd = cfd;
	r = sd_event_add_io(s->event, &c->source, cfd, EPOLLIN, on_conn_io, c);
	if (r < 0) {
		close(cfd);
		caller_clear(&c->caller);
		free(c);
		return 0;
	}
	c->next = s->conns;
	s->conns = c;
	return 0;
}

int varlink_server_new(sd_event *event, int listen_fd, const struct varlink_method *methods,
		       const char *interface_description, void *userdata, struct varlink_server **ret)
{
	struct varlink_server *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return -ENOMEM;
	s->event = event;
	s->fd = listen_fd;
	s->methods = methods;
	s->description = interface_description;
	s->userdata = userdata;
	r = sd_event_add_io(event, &s->accept_source, listen_fd, EPOLLIN, on_accept, s);
	if (r < 0) {
		free(s);
		return r;
	}
	*ret = s;
	return 0;
}

struct varlink_server *varlink_server_free(struct varlink_server *s)
{
	if (!s)
		return NULL;
	while (s->conns)
		conn_free(s->conns);
	sd_event_source_disable_unref(s->accept_source);
	close(s->fd);
	free(s);
	return NULL;
}
