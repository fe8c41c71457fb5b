/* SPDX-License-Identifier: GPL-2.0-or-later */
/* list.c - capped lists of code points and strings (see list.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "list.h"
#include "reader.h"

/* Make room for one more item of size `item` in *v; NOMEM leaves it as is. */
static enum td_result grow(void **v, size_t *alloc, size_t n, size_t item)
{
	if (n < *alloc)
		return TD_OK;
	size_t a = *alloc ? *alloc * 2 : 8;
	if (a > TD_CAP_LIST)
		a = TD_CAP_LIST;
	void *p = realloc(*v, a * item);
	if (!p)
		return TD_ERR_NOMEM;
	*v = p;
	*alloc = a;
	return TD_OK;
}

enum td_result td_u16list_add(struct td_u16list *l, uint16_t x)
{
	if (l->n >= TD_CAP_LIST) {
		l->dropped++;
		return TD_OK;
	}
	void *v = l->v;
	enum td_result r = grow(&v, &l->alloc, l->n, sizeof *l->v);
	l->v = v;
	if (r != TD_OK)
		return r;
	l->v[l->n++] = x;
	return TD_OK;
}

enum td_result td_u16list_reserve(struct td_u16list *l, size_t more)
{
	size_t want = more > TD_CAP_LIST - l->n ? TD_CAP_LIST : l->n + more;
	if (l->n >= TD_CAP_LIST || want <= l->alloc)
		return TD_OK;
	void *p = realloc(l->v, want * sizeof *l->v);
	if (!p)
		return TD_ERR_NOMEM;
	l->v = p;
	l->alloc = want;
	return TD_OK;
}

enum td_result td_u16list_add_wire(struct td_u16list *l, struct td_reader *r)
{
	size_t count = td_rd_left(r) / 2;
	size_t room = l->n < TD_CAP_LIST ? TD_CAP_LIST - l->n : 0;
	size_t take = count < room ? count : room;
	if (take > 0 && td_u16list_reserve(l, take) != TD_OK)
		return TD_ERR_NOMEM;
	for (size_t i = 0; i < take; i++)
		l->v[l->n++] = td_rd_u16(r);
	td_rd_skip(r, 2 * (count - take));
	l->dropped += count - take;
	return TD_OK;
}

void td_u16list_cleanup(struct td_u16list *l)
{
	free(l->v);
	memset(l, 0, sizeof *l);
}

int td_u16list_has(const struct td_u16list *l, uint16_t x)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i] == x)
			return 1;
	return 0;
}

enum td_result td_strlist_take(struct td_strlist *l, char *s)
{
	if (!s)
		return TD_ERR_NOMEM;
	if (l->n >= TD_CAP_LIST) {
		l->dropped++;
		free(s);
		return TD_OK;
	}
	void *v = l->v;
	enum td_result r = grow(&v, &l->alloc, l->n, sizeof *l->v);
	l->v = v;
	if (r != TD_OK) {
		free(s);
		return r;
	}
	l->v[l->n++] = s;
	return TD_OK;
}

enum td_result td_strlist_add(struct td_strlist *l, const char *s)
{
	return td_strlist_take(l, strdup(s));
}

void td_strlist_cleanup(struct td_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}
