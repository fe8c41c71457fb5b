/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * list.h - small owned lists used by the connection model.
 *
 * td_u16list holds wire code points (cipher suites, groups, extension
 * types...); td_strlist holds owned, already-sanitized strings (see
 * text.h).  Both stop growing at TD_CAP_LIST items and count what they
 * dropped in `dropped`.  Zero-initialised lists are empty and valid.
 */
#ifndef TD_LIST_H
#define TD_LIST_H

#include <stddef.h>
#include <stdint.h>
#include "result.h"

struct td_u16list {
	uint16_t *v;
	size_t n;
	size_t alloc;
	size_t dropped;  /* items refused by TD_CAP_LIST */
};

struct td_strlist {
	char **v;        /* each owned, NUL-terminated, printable UTF-8 */
	size_t n;
	size_t alloc;
	size_t dropped;
};

/* Append; past the cap the item is counted in dropped and TD_OK returned. */
enum td_result td_u16list_add(struct td_u16list *l, uint16_t x) TD_MUST_CHECK;
/* Room for `more` items past n (up to the cap) in one allocation, for a
 * caller that knows how many come; TD_ERR_NOMEM leaves the list as is. */
enum td_result td_u16list_reserve(struct td_u16list *l, size_t more) TD_MUST_CHECK;
struct td_reader;
/* Every whole big-endian u16 left in r (a wire vector of code points),
 * in one allocation; items past the cap are counted in dropped, as
 * td_u16list_add would.  A last odd byte stays in r for the caller's
 * end-of-vector check.  TD_ERR_NOMEM adds none. */
enum td_result td_u16list_add_wire(struct td_u16list *l, struct td_reader *r) TD_MUST_CHECK;
void td_u16list_cleanup(struct td_u16list *l);
/* True when x is in the list. */
int td_u16list_has(const struct td_u16list *l, uint16_t x);

/* Append a copy of s (already printable). */
enum td_result td_strlist_add(struct td_strlist *l, const char *s) TD_MUST_CHECK;
/* Append s, taking ownership (s is freed on failure too). */
enum td_result td_strlist_take(struct td_strlist *l, char *s) TD_MUST_CHECK;
void td_strlist_cleanup(struct td_strlist *l);

#endif
