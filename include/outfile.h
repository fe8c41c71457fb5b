/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * outfile.h - the report written to files (--output-file), rotated like
 * tcpdump's -w with -G and -C, each file published whole (src/outfile/).
 *
 * The sinks write to a FILE and know nothing of files or rotation: the
 * FILE handed out here (fopencookie(3)) writes into a hidden temporary
 * file beside the real name (".NAME.tmp" in the same directory) and, when
 * a file is finished, renames it to its name.  rename(2) within one
 * directory is atomic, so a shipper watching the directory (Filebeat,
 * Vector, Fluent Bit, rsyslog's imfile) only ever sees finished files,
 * never a half-written line.  A hidden temporary name left behind means
 * the process was killed.
 *
 * When files change (tcpdump(8) -G, -C, and SIGHUP):
 *   - a file is switched only at a record boundary: in TD_OUTFILE_LINES
 *     mode (JSON Lines) right after any '\n', even inside one write; in
 *     TD_OUTFILE_RECORDS mode (text, Markdown: a record spans lines) only
 *     at td_outfile_boundary(), which the caller calls between records;
 *   - size (-C): once the file is larger than rotate_bytes;
 *   - time (-G): rotate_secs after the file's period began;
 *   - td_outfile_rotate_request() (SIGHUP): at the next boundary.
 *
 * Names, as tcpdump's: with -G the name is a strftime(3) pattern expanded
 * with the local time the period began (without a % conversion every
 * period writes the same name, replacing the previous file, as tcpdump
 * does); the first file of a period has that name, and each file after
 * it in the same period (a size rotation or SIGHUP) gets a number after
 * it, 1, 2, ...: out.json, out.json1, out.json2.  A period with no
 * record writes no file.
 */
#ifndef TD_OUTFILE_H
#define TD_OUTFILE_H

#include <stdint.h>
#include <stdio.h>
#include "result.h"

struct td_outfile;

enum td_outfile_mode {
	TD_OUTFILE_LINES,    /* every line is a record: JSON Lines */
	TD_OUTFILE_RECORDS,  /* records end only at td_outfile_boundary() */
};

struct td_outfile_opts {
	const char *path;       /* the name (a strftime pattern when rotate_secs); borrowed
				   for td_outfile_open() only */
	uint64_t rotate_secs;   /* -G: a new file this many seconds after a period began; 0: never */
	uint64_t rotate_bytes;  /* -C: a new file once one is larger than this; 0: never */
	enum td_outfile_mode mode;
};

/* Create the first file (its temporary name), so that a directory that
 * cannot be written is said at once.  *out owns the files until
 * td_outfile_close().  TD_ERR_USAGE (a name too long, or a -G pattern
 * that expands to nothing) or TD_ERR_IO (cannot create the file), with
 * err naming the path and the reason. */
enum td_result td_outfile_open(struct td_outfile **out, const struct td_outfile_opts *o,
			       char *err, size_t errlen) TD_MUST_CHECK;

/* The FILE the sinks write to; borrowed, valid until td_outfile_close().
 * Its buffering is the caller's (setvbuf). */
FILE *td_outfile_stream(struct td_outfile *of);

/* Ask for a new file at the next record boundary (SIGHUP).  Safe from a
 * signal handler. */
void td_outfile_rotate_request(struct td_outfile *of);

/* A record ends here (or nothing is being written: a clock tick): when a
 * rotation is due, flush the FILE and switch files if the last byte
 * written ends a line.  Cheap when nothing is due.  TD_ERR_IO with err
 * once any write, flush, create or rename has failed, on this call or an
 * earlier one (the run should stop: the report is no longer whole; the
 * failed file keeps its temporary name). */
enum td_result td_outfile_boundary(struct td_outfile *of, char *err, size_t errlen) TD_MUST_CHECK;

/* Flush, publish the last file under its name, and free everything (of
 * may be NULL).  TD_ERR_IO with err when anything failed at any point. */
enum td_result td_outfile_close(struct td_outfile *of, char *err, size_t errlen) TD_MUST_CHECK;

/* Files published so far (for tests and messages). */
uint64_t td_outfile_published(const struct td_outfile *of);

/* A sink that hands every call to inner (borrowed, freed by its owner)
 * and calls td_outfile_boundary() after each connection, so that text
 * and Markdown reports are cut between connections.  NULL when out of
 * memory.  td_sink_free() frees only the wrapper. */
struct td_sink;
struct td_sink *td_outfile_sink_new(struct td_outfile *of, struct td_sink *inner);

#endif
