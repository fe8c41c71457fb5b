/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * budget.h - one memory budget shared by every buffer the input can
 * fill (the --max-memory cap): out-of-order TCP segments (reasm.h),
 * partial TLS records and handshake messages (dynbuf.h), records held
 * for a live key log.  A buffer that would go over it refuses the bytes
 * and counts them in dropped; the report shows the count.
 */
#ifndef TD_BUDGET_H
#define TD_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct td_budget {
	size_t used;      /* bytes held across all flows */
	size_t cap;
	uint64_t dropped; /* bytes refused because the budget was full */
};

/* Charge n bytes if they fit (a NULL budget always fits). */
static inline bool td_budget_take(struct td_budget *b, size_t n)
{
	if (!b)
		return true;
	if (n > b->cap || b->used > b->cap - n)
		return false;
	b->used += n;
	return true;
}

/* Give n bytes back. */
static inline void td_budget_give(struct td_budget *b, size_t n)
{
	if (b)
		b->used -= n <= b->used ? n : b->used;
}

#endif
