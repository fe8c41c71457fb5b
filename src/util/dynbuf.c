/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dynbuf.c - growable byte buffer with a cap (see dynbuf.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dynbuf.h"

void td_dynbuf_init(struct td_dynbuf *b, size_t cap)
{
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap;
	b->budget = NULL;
}

void td_dynbuf_set_budget(struct td_dynbuf *b, struct td_budget *budget)
{
	td_budget_give(b->budget, b->alloc);
	b->budget = budget;
	if (!td_budget_take(budget, b->alloc))
		budget->used += b->alloc;  /* already allocated: count it anyway */
}

void td_dynbuf_cleanup(struct td_dynbuf *b)
{
	td_budget_give(b->budget, b->alloc);
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
}

enum td_result td_dynbuf_add(struct td_dynbuf *b, const void *p, size_t n)
{
	if (n == 0)
		return TD_OK;
	if (n > b->cap - b->len)
		return TD_ERR_CAP;
	size_t need = b->len + n;
	if (need > b->alloc) {
		size_t a = b->alloc ? b->alloc : 256;
		while (a < need)
			a = a > b->cap / 2 ? b->cap : a * 2;
		if (!td_budget_take(b->budget, a - b->alloc)) {
			b->budget->dropped += n;
			return TD_ERR_CAP;
		}
		uint8_t *d = realloc(b->data, a);
		if (!d) {
			td_budget_give(b->budget, a - b->alloc);
			return TD_ERR_NOMEM;
		}
		b->data = d;
		b->alloc = a;
	}
	memcpy(b->data + b->len, p, n);
	b->len = need;
	return TD_OK;
}

void td_dynbuf_consume(struct td_dynbuf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
}

void td_dynbuf_reset(struct td_dynbuf *b)
{
	td_dynbuf_cleanup(b);
}
