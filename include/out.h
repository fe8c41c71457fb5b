/*
 * out.h - the writers: sinks that print connections.
 *
 * src/out/text.c: the readable report (one block per connection).
 * src/out/json.c: JSON Lines, one object per connection (schema in
 * tlsdiag(1)).  Both write to a FILE they do not own.
 */
#ifndef TD_OUT_H
#define TD_OUT_H

#include <stdbool.h>
#include <stdio.h>
#include "sink.h"

struct td_text_opts {
	bool color;       /* ANSI colours */
	bool verbose;     /* every field (all extensions, all suites) */
};

struct td_sink *td_text_sink_new(FILE *out, const struct td_text_opts *opts);
struct td_sink *td_json_sink_new(FILE *out);

#endif
