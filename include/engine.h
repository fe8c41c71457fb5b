/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine.h - packets in, finished TLS connections out.
 *
 * The engine ties the layers together: frame -> TCP segment
 * (packet.h) -> flow (flowtab.h) -> in-order bytes (reasm.h) -> TLS
 * records (tls_record.h) -> handshake messages (tls_handshake.h) ->
 * the connection model (conn.h, certificates through x509.h).  It
 * reports each TLS connection to the sink (sink.h) once, when it is
 * over: both sides closed, a reset, the idle timeout, the end of the
 * capture, or (to keep memory flat) a second after the handshake
 * succeeded and application data flowed both ways; when streaming
 * (td_config.stream), first as soon as the handshake's outcome is known,
 * then again when it ends.  It never prints.
 *
 * Memory is bounded: the flow table holds at most max_flows flows
 * (least recently used evicted), out-of-order bytes are capped per
 * direction and globally, and application data after the handshake is
 * skipped without buffering.
 */
#ifndef TD_ENGINE_H
#define TD_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "diagnose.h"
#include "keylog.h"
#include "packet.h"
#include "sink.h"

struct td_config {
	size_t flow_buffer;      /* out-of-order bytes buffered per direction */
	size_t max_memory;       /* out-of-order bytes buffered in all flows */
	size_t max_flows;        /* flows tracked at once */
	unsigned idle_timeout_s; /* a flow silent this long is reported and dropped */
	bool ordered;            /* report connections in order of their first TLS record
				    (holds finished ones back; off for live captures) */
	struct td_diagnoser *diagnoser; /* borrowed; NULL: no diagnoses */
	const struct td_keylog *keylog; /* borrowed; NULL: no decryption */
	/* Live captures: the key log may still be growing (clients append as
	 * they go).  When a secret is missing the engine calls
	 * keylog_refresh(keylog_refresh_ctx) (at most every 10 ms of capture
	 * time) to read what was appended, and holds that side's protected
	 * records (TD_CAP_HELD_RECORDS) until the secret arrives or the flow
	 * ends.  NULL: a missing secret is missing for good. */
	void (*keylog_refresh)(void *ctx);
	void *keylog_refresh_ctx;
	/* Streaming (live captures, a pipe): a TLS connection is reported
	 * (the sink's conn_done, on a copy) as soon as its handshake's
	 * outcome is known: report_grace_us after it succeeded (room for a
	 * refusal just after it), or at once at a fatal alert; what follows
	 * (its close, later alerts, an application's refusal) comes with the
	 * sink's conn_end when it ends.  Off (or a sink without conn_end):
	 * one report per connection, when it ends.  ordered is ignored. */
	bool stream;
	uint64_t report_grace_us;
	/* Streaming: a statistics record this often on the capture's clock
	 * (--stats-interval; td_engine_stats_due()); 0: none. */
	uint64_t stats_every_us;
	uint16_t tls_ports[16];  /* --port: more ports where failed TCP attempts are TLS attempts */
	size_t n_tls_ports;
};

void td_config_defaults(struct td_config *cfg);

struct td_engine;

/* A new engine reporting to sink (borrowed: it must outlive the engine).
 * NULL when memory runs out. */
struct td_engine *td_engine_new(const struct td_config *cfg, struct td_sink *sink);

/* Keys found during the run (a pcapng Decryption Secrets Block read
 * after the engine was made): td_config's keylog, keylog_refresh and
 * keylog_refresh_ctx from now on.  Connections whose keys were looked up
 * already keep what they found. */
void td_engine_set_keylog(struct td_engine *e, const struct td_keylog *keylog,
			  void (*refresh)(void *ctx), void *refresh_ctx);

/* One captured frame (see capture.h); data NULL means a clock tick at
 * ts_us with no packet (live captures), used for idle timeouts. */
void td_engine_frame(struct td_engine *e, enum td_link link, uint64_t ts_us,
		     const uint8_t *data, size_t caplen, size_t wirelen);

/* End of input: report every connection still open, then call the
 * sink's finish with the statistics. */
void td_engine_finish(struct td_engine *e);

/* The capture file was cut short or damaged (td_capture_cut_short()):
 * the statistics handed to the sink's finish say so, with reason
 * (borrowed: it must live until td_engine_finish() returns).  Call it
 * before td_engine_finish(). */
void td_engine_note_truncated(struct td_engine *e, const char *reason);

const struct td_stats *td_engine_stats(const struct td_engine *e);

/* The kernel's counts of a live capture (td_capture_stats()), for the
 * next statistics handed to the sink. */
void td_engine_note_kernel(struct td_engine *e, uint64_t received, uint64_t dropped);

/* Hand the sink the statistics so far (its stats callback, if any): a
 * live run's periodic record (--stats-interval). */
void td_engine_emit_stats(struct td_engine *e);

/* Is a periodic statistics record due (stats_every_us of the capture's
 * clock since the last, the first one stats_every_us after the first
 * frame)?  True once each time; the caller notes the kernel's counts
 * and calls td_engine_emit_stats(). */
bool td_engine_stats_due(struct td_engine *e);

/* Another engine of the same run (--workers) saw TLS: at the end, the
 * refused or unanswered connections this one kept as TLS attempts
 * because the capture seemed to hold no TLS at all are not reported (as
 * one engine over the whole capture would not).  Call it before
 * td_engine_finish(). */
void td_engine_note_tls_elsewhere(struct td_engine *e);

/* Connection ids given so far (ids run 1..n, in the order they were
 * given: the order connections are reported in when cfg.ordered).  With
 * --workers, the frame during which an id was given orders one worker's
 * connections among the others' (src/workers.c). */
uint64_t td_engine_ids_given(const struct td_engine *e);

/* Free the engine.  Call td_engine_finish first: connections still open
 * are otherwise reported without the final statistics.  NULL is fine. */
void td_engine_free(struct td_engine *e);

#endif
