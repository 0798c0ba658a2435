/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The waiting list of holds (see holds.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "holds.h"
#include "identity.h"
#include "util-mem.h"

int memctl_status_hold(struct memctl_device_status *st, const char *held_for)
{
	if (held_for) {
		char *t = strdup(held_for);
		if (!t)
			return -ENOMEM;
		free(st->held_for);
		st->held_for = t;
	} else {
		st->held_by_hand = true;
	}
	st->held = true;
	return 0;
}

bool memctl_status_release(struct memctl_device_status *st, bool reset)
{
	bool was = reset ? !!st->held_for : st->held_by_hand;

	if (reset) {
		free(st->held_for);
		st->held_for = NULL;
	} else {
		st->held_by_hand = false;
	}
	st->held = st->held_by_hand || st->held_for;
	return was;
}

static void pending_clear(struct memctl_pending_hold *p)
{
	free(p->device);
	free(p->held_for);
	free(p->identity);
}

void memctl_holds_clear(struct memctl_holds *h)
{
	for (size_t i = 0; i < h->n; i++)
		pending_clear(&h->v[i]);
	free(h->v);
	*h = (struct memctl_holds){ 0 };
}

int memctl_holds_add(struct memctl_holds *h, const char *device, const char *held_for, const char *identity)
{
	struct memctl_pending_hold *v, p;
	struct memctl_identity id;
	int r;

	r = memctl_identity_parse(identity, &id);
	if (r < 0)
		return r;
	memctl_identity_clear(&id);
	p = (struct memctl_pending_hold){ .device = strdup(device), .held_for = held_for ? strdup(held_for) : NULL,
					  .identity = strdup(identity) };
	v = realloc(h->v, (h->n + 1) * sizeof(*v));
	if (!v || !p.device || !p.identity || (held_for && !p.held_for)) {
		if (v)
			h->v = v;
		pending_clear(&p);
		return -ENOMEM;
	}
	h->v = v;
	h->v[h->n++] = p;
	return 0;
}

void memctl_holds_remove(struct memctl_holds *h, size_t i)
{
	pending_clear(&h->v[i]);
	memmove(&h->v[i], &h->v[i + 1], (h->n - i - 1) * sizeof(*h->v));
	h->n--;
}

size_t memctl_holds_release_for(struct memctl_holds *h, const char *target)
{
	size_t released = 0;

	for (size_t i = 0; i < h->n;) {
		if (h->v[i].held_for && streq(h->v[i].held_for, target)) {
			memctl_holds_remove(h, i);
			released++;
		} else {
			i++;
		}
	}
	return released;
}

int memctl_device_identity_text(const struct memctl_inventory *inv, const struct memctl_dax_device *d, char **ret)
{
	struct memctl_identity id;
	char *text = NULL;
	int r;

	r = memctl_identity_of(inv, d, &id);
	if (r < 0)
		return r;
	if (id.has_range || id.serials)
		r = memctl_identity_format(&id, &text);
	memctl_identity_clear(&id);
	if (r < 0)
		return r;
	*ret = text;
	return 0;
}

ssize_t memctl_holds_find(const struct memctl_inventory *inv, const char *identity, const char *name)
{
	struct memctl_identity id;
	ssize_t i;

	if (memctl_identity_parse(identity, &id) < 0)
		return -EINVAL;
	i = memctl_identity_find(&id, inv, name);
	memctl_identity_clear(&id);
	return i;
}
