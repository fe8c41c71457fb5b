/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * workers.h - --workers N: the analysis spread over N threads, one
 * engine each, with one output (src/workers.c, src/workers_out.c).
 *
 * Live (Linux): N captures of the interface in one packet fanout group
 * (capture.h: td_capture_join_fanout), each read by its own worker
 * thread.  A file: one reader thread hands each frame to the worker its
 * flow hashes to (the same symmetric idea: both directions of a flow,
 * one worker), in batches through bounded queues (the reader waits when
 * a worker is behind: nothing is lost).  Each worker owns an engine
 * (with max_memory/N and max_flows/N), a diagnoser and, live, its own
 * key log and watcher.  Workers hand their finished connections over
 * (sink.h: conn_take) to the calling thread, the only one that calls the sink:
 * sinks stay single-threaded.  Reading a file, connections are written in
 * the order one engine would have reported them (the frame during which
 * each got its id); ids are given by the output as it writes.
 */
#ifndef TD_WORKERS_H
#define TD_WORKERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture.h"
#include "diagnose.h"
#include "engine.h"
#include "keylog.h"
#include "result.h"
#include "sink.h"

#define TD_WORKERS_MAX 16

struct td_workers_opts {
	unsigned n;                      /* 2..TD_WORKERS_MAX */
	struct td_config cfg;            /* each engine's; budgets are divided by n */
	const struct td_diag_opts *diag; /* a diagnoser for each worker past the first */
	/* Live: the key log files, for each worker past the first to load and
	 * watch on its own (cfg.keylog and its refresh are the first one's).
	 * A file: cfg.keylog is loaded already and shared, read-only. */
	const char *const *keylog_files;
	size_t n_keylog_files;
};

struct td_workers;

/* N workers, their diagnosers and (live) key logs: call it before
 * dropping privileges, which may close the trust stores and key logs to
 * the process.  cfg.diagnoser (and a live cfg.keylog with its watcher)
 * become the first worker's, borrowed.  TD_ERR_* with err. */
enum td_result td_workers_new(struct td_workers **out, const struct td_workers_opts *o,
			      char *err, size_t errlen) TD_MUST_CHECK;

/* Live: open the interface N times, join the captures into one fanout
 * group and set the filter (NULL: none) on each.  Before dropping
 * privileges.  TD_ERR_* with err (TD_ERR_UNSUPPORTED without fanout). */
enum td_result td_workers_open_live(struct td_workers *w, const char *iface, int snaplen,
				    bool promisc, const char *filter,
				    char *err, size_t errlen) TD_MUST_CHECK;

/* Run to the end and hand the sink everything, then its finish with the
 * merged statistics.  cfg: the engines' configuration now (it replaces
 * td_workers_opts.cfg: streaming is decided once the sink is known).  cap: the file to read (its own reader thread), or
 * NULL for the live captures of td_workers_open_live().  A file cut short
 * is TD_OK with err saying so, as td_capture_run().  TD_ERR_* with err. */
enum td_result td_workers_run(struct td_workers *w, const struct td_config *cfg,
			      struct td_capture *cap, struct td_sink *sink,
			      char *err, size_t errlen) TD_MUST_CHECK;

/* Stop reading (signal-safe, any thread): the workers finish what they
 * hold, as td_capture_stop(). */
void td_workers_stop(struct td_workers *w);

/* The merged statistics, valid after td_workers_run() until the free. */
const struct td_stats *td_workers_stats(const struct td_workers *w);

/* Connections not written because memory ran out copying them. */
uint64_t td_workers_dropped(const struct td_workers *w);

void td_workers_free(struct td_workers *w);

#endif
