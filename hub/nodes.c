/*
 * nodes: open-addressing hash of the enrolled node ids (see nodes.h).  The
 * table has at least twice as many slots as nodes, a power of two, so a
 * probe ends quickly at an empty slot.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hub/nodes.h"

struct nodeidx {
	const struct hub_config *c;
	int *slot;                         /* position + 1; 0 = empty */
	size_t mask;
};

static uint32_t
hash(const char *s)
{
	uint32_t h = 2166136261u;          /* FNV-1a */

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

struct nodeidx *
nodeidx_new(const struct hub_config *c, struct cx_err *e)
{
	struct nodeidx *x = calloc(1, sizeof(*x));
	size_t n = 16, i;
	int k;

	if (x == NULL)
		goto nomem;
	while (n < (size_t)c->nnodes * 2)
		n *= 2;
	x->c = c;
	x->mask = n - 1;
	x->slot = calloc(n, sizeof(*x->slot));
	if (x->slot == NULL)
		goto nomem;
	for (k = 0; k < c->nnodes; k++) {
		for (i = hash(c->nodes[k].id) & x->mask; x->slot[i]; i = (i + 1) & x->mask)
			;
		x->slot[i] = k + 1;
	}
	return x;
nomem:
	nodeidx_free(x);
	cx_errf(e, "out of memory");
	return NULL;
}

void
nodeidx_free(struct nodeidx *x)
{
	if (x == NULL)
		return;
	free(x->slot);
	free(x);
}

int
nodeidx_find(const struct nodeidx *x, const char *id)
{
	size_t i;

	for (i = hash(id) & x->mask; x->slot[i]; i = (i + 1) & x->mask)
		if (strcmp(x->c->nodes[x->slot[i] - 1].id, id) == 0)
			return x->slot[i] - 1;
	return -1;
}

const struct hub_node *
nodeidx_node(const struct nodeidx *x, const char *id)
{
	int k = nodeidx_find(x, id);

	return k < 0 ? NULL : &x->c->nodes[k];
}
