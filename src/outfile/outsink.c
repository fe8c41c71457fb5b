/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * outsink.c - a sink that marks record boundaries for the report file
 * (see outfile.h): it hands every call to the writer it wraps, then tells
 * the file that a record ended, so a text or Markdown report is cut
 * between two connections, never inside one.
 */
#include "config.h"

#include <stdlib.h>

#include "outfile.h"
#include "sink.h"

struct out_sink {
	struct td_sink sink;     /* first: the engine sees this */
	struct td_sink *inner;   /* borrowed */
	struct td_outfile *of;   /* borrowed */
};

static void mark(struct out_sink *os)
{
	char err[8];
	/* A failure stays on the file: main's clock tick says it once and
	 * stops the run (td_outfile_boundary() reports it again there). */
	enum td_result r = td_outfile_boundary(os->of, err, sizeof err);
	(void)r;
}

static void os_update(struct td_sink *s, const struct td_conn *c)
{
	struct out_sink *os = (struct out_sink *)s;
	if (os->inner->conn_update)
		os->inner->conn_update(os->inner, c);
}

static void os_done(struct td_sink *s, const struct td_conn *c)
{
	struct out_sink *os = (struct out_sink *)s;
	os->inner->conn_done(os->inner, c);
	mark(os);
}

static void os_end(struct td_sink *s, const struct td_conn *c)
{
	struct out_sink *os = (struct out_sink *)s;
	os->inner->conn_end(os->inner, c);
	mark(os);
}

static void os_stats(struct td_sink *s, const struct td_stats *st)
{
	struct out_sink *os = (struct out_sink *)s;
	os->inner->stats(os->inner, st);
	mark(os);
}

static void os_finish(struct td_sink *s, const struct td_stats *st)
{
	struct out_sink *os = (struct out_sink *)s;
	if (os->inner->finish)
		os->inner->finish(os->inner, st);
}

static void os_flush(struct td_sink *s)
{
	td_sink_flush(((struct out_sink *)s)->inner);
}

static void os_free(struct td_sink *s)
{
	free(s);
}

struct td_sink *td_outfile_sink_new(struct td_outfile *of, struct td_sink *inner)
{
	struct out_sink *os = calloc(1, sizeof *os);
	if (!os)
		return NULL;
	os->sink.conn_update = inner->conn_update ? os_update : NULL;
	os->sink.conn_done = os_done;
	/* Streaming's ends and statistics are records too (sink.h). */
	os->sink.conn_end = inner->conn_end ? os_end : NULL;
	os->sink.stats = inner->stats ? os_stats : NULL;
	os->sink.finish = os_finish;
	os->sink.flush = inner->flush ? os_flush : NULL;
	os->sink.free = os_free;
	os->inner = inner;
	os->of = of;
	return &os->sink;
}
