/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * filter.h - a sink in front of another sink: --only-failed and
 * --redact for every output format at once.
 *
 *   engine -> filter sink -> text | json | markdown sink
 *
 * conn_done: a connection whose fate (conn.h) is not failed is skipped
 * when only_failed; otherwise, with a redactor, a copy of it is
 * made (td_conn_clone()), redacted (redact.h), handed to the inner sink
 * and freed; without one, it is handed over as it is.
 * conn_update (live views): every update is forwarded, redacted the same
 * way, whatever only_failed says (a connection in progress has no
 * outcome yet); the filter has no conn_update when the inner sink has
 * none, so the engine does not call it for nothing.
 * finish: forwarded with the statistics unchanged (they count the whole
 * capture; the inner sink counts what it was given).
 *
 * A connection the redactor could not redact (out of memory) is not
 * forwarded at all, so nothing unredacted can reach the output; it is
 * counted in td_filter_sink_dropped().
 *
 * Ownership: the filter owns nothing but itself.  inner and the
 * redactor are borrowed and must outlive it; free the filter (its free
 * does not free inner), then inner, then the redactor.
 */
#ifndef TD_FILTER_H
#define TD_FILTER_H

#include <stdbool.h>
#include <stdint.h>
#include "conn.h"
#include "redact.h"
#include "sink.h"

/* A filter in front of inner (borrowed).  r: the redactor (borrowed),
 * NULL for none.  NULL when memory runs out. */
struct td_sink *td_filter_sink_new(struct td_sink *inner, struct td_redactor *r,
				   bool only_failed);

/* -c: forward at most limit finished connections (0: no limit); when the
 * last of them has been forwarded, reached(ctx) is called once (to stop
 * the capture); later ones are not forwarded.  s must come from
 * td_filter_sink_new(). */
void td_filter_sink_set_limit(struct td_sink *s, uint64_t limit, void (*reached)(void *ctx),
			      void *ctx);

/* Finished connections forwarded that have an error diagnosis (the exit
 * status of a run cut by -c is about what it reported). */
uint64_t td_filter_sink_errors(const struct td_sink *s);

/* Connections not forwarded because redacting them ran out of memory.
 * s must come from td_filter_sink_new(). */
uint64_t td_filter_sink_dropped(const struct td_sink *s);

#endif
