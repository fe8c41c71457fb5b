/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * out.h - the writers: sinks that print connections.
 *
 * src/render/text/text.c: the readable report (one block per connection).
 * src/render/json/json.c: JSON Lines, one object per connection (schema in
 * tlsdiag(1)).  src/render/ecs/ecs.c: the same connections in Elastic
 * Common Schema form.  All write to a FILE they do not own.
 */
#ifndef TD_OUT_H
#define TD_OUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "result.h"
#include "sink.h"

/* Text report widths, in columns: --width takes MIN to MAX; a terminal
 * or COLUMNS outside them is brought inside; DEFAULT when nothing says
 * (stdout not a terminal and COLUMNS unset). */
enum {
	TD_TEXT_WIDTH_MIN = 40,      /* narrower, the label columns leave no room */
	TD_TEXT_WIDTH_DEFAULT = 80,
	TD_TEXT_WIDTH_MAX = 1000
};

struct td_text_opts {
	bool color;       /* ANSI colours */
	bool verbose;     /* every field (all extensions, all suites) */
	unsigned width;   /* columns per line, never exceeded; 0: TD_TEXT_WIDTH_DEFAULT,
			     else brought within TD_TEXT_WIDTH_MIN..MAX */
};

struct td_sink *td_text_sink_new(FILE *out, const struct td_text_opts *opts);
struct td_sink *td_json_sink_new(FILE *out);

/* The JSON Lines schema's version, the "schema" of every line (json.c's
 * header and tlsdiag(1) say what each holds).  1 was the unversioned
 * schema before "type" and "schema"; bump it only when a key changes
 * meaning or goes (adding keys is no reason). */
#define TD_JSON_SCHEMA 2
/* Every line's "type", first on the line: what the line is. */
#define TD_JSON_TYPE_TLS "tls"          /* a connection */
#define TD_JSON_TYPE_TLS_END "tls_end"  /* a follow-up of a connection already
					   written (its close, later alerts) */
#define TD_JSON_TYPE_SUMMARY "summary"  /* the run's summary, the last line */
#define TD_JSON_TYPE_STATS "stats"      /* periodic statistics of a live run */

/* What the ECS records say of the sensor (observer.*); strings borrowed
 * for the sink's life, NULL when unknown or not to be said. */
struct td_ecs_opts {
	const char *version;    /* tlsdiag's version: observer.version */
	const char *hostname;   /* this machine: observer.hostname (NULL with --redact) */
	const char *interface;  /* the capture interface (live): observer.ingress.interface.name */
};

/* src/render/ecs/ecs.c (-o ecs): one JSON object per connection, one line
 * each, in Elastic Common Schema form; what ECS has no field for under
 * "tlsdiag".  No summary line.  NULL when memory runs out. */
struct td_sink *td_ecs_sink_new(FILE *out, const struct td_ecs_opts *opts);

/* What the Markdown report's header says about the run (all borrowed;
 * NULL or 0 when unknown or not applicable). */
struct td_md_opts {
	bool all;                   /* details for every connection, not only failures */
	const char *version;        /* tlsdiag version */
	const char *capture_name;   /* capture file name as given, "-" for stdin, or the interface */
	bool live;                  /* capture_name is an interface */
	uint64_t capture_size;      /* bytes */
	const char *capture_sha256; /* lowercase hex, NULL when not computed */
	const char *filter;         /* BPF expression */
	const char *keylog;         /* key log file name(s), NULL: none */
	const char *trust_store;    /* "system bundle", a file or directory, or "none" */
	const char *client_trust_store; /* --client-ca-file, NULL: none */
};

/* src/render/markdown/markdown.c: the bug report (-o markdown): header, summary
 * table, then each failed connection (every one with opts->all) with
 * its diagnoses, a Mermaid sequence diagram, its chains and acceptable
 * CAs.  Written at finish; memory stays bounded (details are spooled to
 * a temporary file as connections arrive). */
struct td_sink *td_markdown_sink_new(FILE *out, const struct td_md_opts *opts);

/* One connection as a complete, standalone Markdown report (the TUI's
 * s key).  TD_ERR_IO when writing fails. */
enum td_result td_markdown_write_conn(FILE *out, const struct td_conn *c,
				      const struct td_md_opts *opts) TD_MUST_CHECK;

#endif
