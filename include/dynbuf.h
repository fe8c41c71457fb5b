/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dynbuf.h - a growable byte buffer that carries its own size cap.
 *
 * Modelled on curl's dynbuf: appending past the cap fails with
 * TD_ERR_CAP and leaves the buffer as it was; a failed allocation
 * returns TD_ERR_NOMEM and leaves it as it was too (never
 * p = realloc(p, n)).  Embedded: td_dynbuf_init / td_dynbuf_cleanup.
 */
#ifndef TD_DYNBUF_H
#define TD_DYNBUF_H

#include <stddef.h>
#include <stdint.h>
#include "budget.h"
#include "result.h"

struct td_dynbuf {
	uint8_t *data;  /* NULL until the first append */
	size_t len;     /* bytes in use */
	size_t alloc;   /* bytes allocated */
	size_t cap;     /* len never exceeds this */
	struct td_budget *budget; /* charged with alloc; NULL: none */
};

/* Initialise with no budget. */
void td_dynbuf_init(struct td_dynbuf *b, size_t cap);
/* Charge the buffer's memory to a shared budget (budget.h) from now on;
 * an append that would go over it fails with TD_ERR_CAP and counts the
 * bytes in budget->dropped.  Call while the buffer is empty. */
void td_dynbuf_set_budget(struct td_dynbuf *b, struct td_budget *budget);
void td_dynbuf_cleanup(struct td_dynbuf *b);
/* Append n bytes; TD_ERR_CAP or TD_ERR_NOMEM leave b unchanged. */
enum td_result td_dynbuf_add(struct td_dynbuf *b, const void *p, size_t n) TD_MUST_CHECK;
/* Drop the first n bytes (n <= len), keeping the rest. */
void td_dynbuf_consume(struct td_dynbuf *b, size_t n);
/* Empty the buffer and give its memory back. */
void td_dynbuf_reset(struct td_dynbuf *b);

#endif
