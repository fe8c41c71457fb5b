/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stream.c - one CRYPTO stream reassembled by offset (RFC 9000 19.6:
 * "the stream does not have an explicit end"; frames may come out of
 * order, again, or overlapping).
 *
 * In-order bytes with nothing held go straight to the callback.  Bytes
 * past a hole are copied into a window that starts at the next offset
 * to deliver (buf, with a byte map `have` of which are there), grown on
 * demand up to TD_CAP_QUIC_CRYPTO_AHEAD (and the budget, when the stream
 * has one); when the hole fills, the run from the window's start is
 * delivered and the window slides, or is freed once it holds nothing.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "quic.h"

void td_quic_stream_init(struct td_quic_stream *s)
{
	memset(s, 0, sizeof *s);
}

void td_quic_stream_set_budget(struct td_quic_stream *s, struct td_budget *budget)
{
	s->budget = budget;
}

/* What a window of n bytes costs: the bytes and their map. */
static size_t window_cost(size_t n)
{
	return 2 * n;
}

/* Free the window and give its cost back (the stream stays usable). */
static void free_window(struct td_quic_stream *s)
{
	td_budget_give(s->budget, window_cost(s->alloc));
	free(s->buf);
	free(s->have);
	s->buf = NULL;
	s->have = NULL;
	s->alloc = 0;
}

void td_quic_stream_cleanup(struct td_quic_stream *s)
{
	free_window(s);
	memset(s, 0, sizeof *s);
}

enum grow { GROW_OK, GROW_BUDGET, GROW_NOMEM };

/* Make the window at least need bytes long (need <= the cap), charging
 * the growth to the budget first. */
static enum grow grow(struct td_quic_stream *s, size_t need)
{
	if (need <= s->alloc)
		return GROW_OK;
	size_t n = s->alloc ? s->alloc : 4096;
	while (n < need)
		n *= 2;
	if (n > TD_CAP_QUIC_CRYPTO_AHEAD)
		n = TD_CAP_QUIC_CRYPTO_AHEAD;
	size_t more = window_cost(n) - window_cost(s->alloc);
	if (!td_budget_take(s->budget, more))
		return GROW_BUDGET;
	uint8_t *buf = malloc(n);
	uint8_t *have = calloc(n, 1);
	if (!buf || !have) {
		free(buf);
		free(have);
		td_budget_give(s->budget, more);
		return GROW_NOMEM;
	}
	if (s->alloc) {
		memcpy(buf, s->buf, s->alloc);
		memcpy(have, s->have, s->alloc);
	}
	free(s->buf);
	free(s->have);
	s->buf = buf;
	s->have = have;
	s->alloc = n;
	return GROW_OK;
}

/* Deliver the run at the window's start, then slide the window (or free
 * it when it holds nothing more: a stream past its holes costs nothing). */
static void drain(struct td_quic_stream *s, td_quic_deliver_fn cb, void *ctx)
{
	size_t run = 0;
	while (run < s->alloc && s->have[run])
		run++;
	if (run == 0)
		return;
	if (cb)
		cb(ctx, s->buf, run);
	s->next += run;
	s->delivered += run;
	s->held -= run;
	if (s->held == 0) {
		free_window(s);
		return;
	}
	memmove(s->buf, s->buf + run, s->alloc - run);
	memmove(s->have, s->have + run, s->alloc - run);
	memset(s->have + (s->alloc - run), 0, run);
}

enum td_result td_quic_stream_add(struct td_quic_stream *s, uint64_t offset, const uint8_t *data,
				  size_t len, td_quic_deliver_fn cb, void *ctx)
{
	if (len == 0)
		return TD_OK;
	/* What was delivered already is a duplicate. */
	if (offset < s->next) {
		uint64_t old = s->next - offset;
		if (old >= len) {
			s->dup_bytes += len;
			return TD_OK;
		}
		s->dup_bytes += old;
		data += old;
		len -= (size_t)old;
		offset = s->next;
	}
	if (offset == s->next && s->held == 0) {
		if (cb)
			cb(ctx, data, len);
		s->next += len;
		s->delivered += len;
		return TD_OK;
	}
	enum td_result r = TD_OK;
	uint64_t rel = offset - s->next;
	if (rel >= TD_CAP_QUIC_CRYPTO_AHEAD) {
		s->dropped += len;
		return TD_ERR_CAP;
	}
	if (len > TD_CAP_QUIC_CRYPTO_AHEAD - rel) {
		size_t keep = (size_t)(TD_CAP_QUIC_CRYPTO_AHEAD - rel);
		s->dropped += len - keep;
		len = keep;
		r = TD_ERR_CAP;
	}
	switch (grow(s, (size_t)rel + len)) {
	case GROW_OK:
		break;
	case GROW_BUDGET:
		s->budget_dropped += len;
		s->budget->dropped += len;
		return TD_ERR_CAP;
	case GROW_NOMEM:
		s->dropped += len;
		return TD_ERR_NOMEM;
	}
	for (size_t i = 0; i < len; i++) {
		size_t at = (size_t)rel + i;
		if (s->have[at]) {
			s->dup_bytes++;
			continue;
		}
		s->buf[at] = data[i];
		s->have[at] = 1;
		s->held++;
	}
	drain(s, cb, ctx);
	return r;
}
