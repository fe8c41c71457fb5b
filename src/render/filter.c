/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * filter.c - the sink in front of the writers: --only-failed and
 * --redact (see filter.h).  Every writer gets the same connections,
 * redacted the same way, so no format can forget either option.
 */
#include "config.h"

#include <stdlib.h>

#include "conn.h"
#include "filter.h"
#include "redact.h"
#include "sink.h"

struct filter_sink {
	struct td_sink base;      /* first: the engine holds a pointer to it */
	struct td_sink *inner;    /* borrowed */
	struct td_redactor *r;    /* borrowed; NULL: no redaction */
	bool only_failed;
	uint64_t dropped;         /* finished connections not forwarded: out of memory */
	uint64_t limit;           /* -c: forward at most this many; 0: no limit */
	uint64_t forwarded;       /* finished connections handed to inner */
	uint64_t forwarded_errors; /* ...of which with an error diagnosis */
	void (*reached)(void *ctx); /* called once when forwarded reaches limit */
	void *reached_ctx;
};

/* A redacted copy of c, or NULL when memory ran out (nothing may then be
 * written: a half-redacted copy is freed, never forwarded). */
static struct td_conn *redacted_copy(struct td_redactor *r, const struct td_conn *c)
{
	struct td_conn *copy = td_conn_clone(c);
	if (copy && td_redact_conn(r, copy) != TD_OK) {
		td_conn_free(copy);
		copy = NULL;
	}
	return copy;
}

static void filter_conn_update(struct td_sink *s, const struct td_conn *c)
{
	struct filter_sink *fs = (struct filter_sink *)s;
	if (!fs->r) {
		fs->inner->conn_update(fs->inner, c);
		return;
	}
	/* A lost update is superseded by the next one, or by conn_done. */
	struct td_conn *copy = redacted_copy(fs->r, c);
	if (copy)
		fs->inner->conn_update(fs->inner, copy);
	td_conn_free(copy);
}

/* c to the inner sink's conn_done, or its conn_end (end), redacted when
 * asked; false when memory ran out for the copy. */
static bool forward(struct filter_sink *fs, const struct td_conn *c, bool end)
{
	void (*to)(struct td_sink *, const struct td_conn *) =
		end ? fs->inner->conn_end : fs->inner->conn_done;
	if (!fs->r) {
		to(fs->inner, c);
		return true;
	}
	struct td_conn *copy = redacted_copy(fs->r, c);
	if (!copy) {
		fs->dropped++;
		return false;
	}
	to(fs->inner, copy);
	td_conn_free(copy);
	return true;
}

/* Streaming (sink.h): the end of a connection reported early.  With
 * --only-failed, one whose early report was not shown and which failed
 * after all (a refusal after the handshake) is shown now, whole. */
static void filter_conn_end(struct td_sink *s, const struct td_conn *c)
{
	struct filter_sink *fs = (struct filter_sink *)s;
	bool shown = !fs->only_failed || c->early.outcome == TD_OUTCOME_FAILED;
	if (shown)
		(void)forward(fs, c, true);
	else if (c->fate.outcome == TD_OUTCOME_FAILED)
		s->conn_done(s, c);
}

static void filter_conn_done(struct td_sink *s, const struct td_conn *c)
{
	struct filter_sink *fs = (struct filter_sink *)s;
	if (fs->only_failed && c->fate.outcome != TD_OUTCOME_FAILED)
		return;
	if (fs->limit && fs->forwarded >= fs->limit)
		return;  /* -c: the rest, reported while the capture stops, is not wanted */
	if (!forward(fs, c, false))
		return;
	fs->forwarded++;
	if (td_conn_has_error(c))
		fs->forwarded_errors++;
	if (fs->limit && fs->forwarded == fs->limit && fs->reached)
		fs->reached(fs->reached_ctx);
}

static void filter_stats(struct td_sink *s, const struct td_stats *st)
{
	struct filter_sink *fs = (struct filter_sink *)s;
	fs->inner->stats(fs->inner, st);
}

static void filter_finish(struct td_sink *s, const struct td_stats *st)
{
	struct filter_sink *fs = (struct filter_sink *)s;
	if (fs->inner->finish)
		fs->inner->finish(fs->inner, st);
}

static void filter_flush(struct td_sink *s)
{
	td_sink_flush(((struct filter_sink *)s)->inner);
}

static void filter_free(struct td_sink *s)
{
	free(s);  /* inner and the redactor are the caller's */
}

struct td_sink *td_filter_sink_new(struct td_sink *inner, struct td_redactor *r, bool only_failed)
{
	struct filter_sink *fs = calloc(1, sizeof *fs);
	if (!fs)
		return NULL;
	fs->inner = inner;
	fs->r = r;
	fs->only_failed = only_failed;
	fs->base.conn_update = inner->conn_update ? filter_conn_update : NULL;
	fs->base.conn_done = filter_conn_done;
	fs->base.conn_end = inner->conn_end ? filter_conn_end : NULL;
	fs->base.stats = inner->stats ? filter_stats : NULL;
	fs->base.finish = filter_finish;
	fs->base.flush = inner->flush ? filter_flush : NULL;
	fs->base.free = filter_free;
	return &fs->base;
}

void td_filter_sink_set_limit(struct td_sink *s, uint64_t limit, void (*reached)(void *ctx),
			      void *ctx)
{
	struct filter_sink *fs = (struct filter_sink *)s;
	fs->limit = limit;
	fs->reached = reached;
	fs->reached_ctx = ctx;
}

uint64_t td_filter_sink_errors(const struct td_sink *s)
{
	return ((const struct filter_sink *)s)->forwarded_errors;
}

uint64_t td_filter_sink_dropped(const struct td_sink *s)
{
	return s ? ((const struct filter_sink *)s)->dropped : 0;
}
