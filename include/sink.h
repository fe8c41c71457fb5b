/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sink.h - the one interface between the engine and every output.
 *
 * The engine never prints.  It tells a sink when a connection changed
 * (live views) and when it is finished (its handshake is over, it
 * closed, timed out, or the capture ended); at the end it hands over
 * the run's statistics.  The text, JSON and Markdown writers and the TUI
 * are sinks.  The connection is borrowed for the call: a sink that
 * keeps anything copies it.
 */
#ifndef TD_SINK_H
#define TD_SINK_H

#include <stdint.h>
#include "conn.h"

/* What the run saw and what the caps dropped, for the final report. */
struct td_stats {
	uint64_t frames;             /* frames read */
	uint64_t bytes;              /* captured bytes */
	uint64_t tcp_segments;
	uint64_t skipped_frames;     /* not TCP over IP */
	uint64_t malformed_frames;   /* headers did not fit */
	uint64_t flows;              /* TCP flows tracked */
	uint64_t tls_connections;    /* flows where TLS was seen (reported) */
	uint64_t connections_with_errors; /* reported with an error diagnosis */
	uint64_t flows_evicted_full; /* flow table full: least recently used evicted */
	uint64_t flows_idle;         /* ended by the idle timeout */
	uint64_t reasm_cap_dropped;  /* bytes dropped by the per-flow buffer cap */
	uint64_t memory_cap_dropped; /* bytes dropped by the global memory cap */
	uint64_t hs_messages_dropped; /* handshake messages over TD_CAP_HS_MESSAGE, skipped */
	uint64_t dup_bytes;          /* retransmitted or overlapping bytes (the first copy is kept) */
	uint64_t gap_bytes;          /* stream bytes never captured */
	uint64_t first_us, last_us;  /* capture time span */
	const char *note;            /* what could not be checked (no trust store...), or NULL */
	bool truncated;              /* the capture file was cut short or damaged: the rest
					was never read; frames says how far it got */
	const char *truncated_reason; /* libpcap's words for it, or NULL; borrowed */
};

struct td_sink {
	/* Optional (NULL): the connection changed; for live views. */
	void (*conn_update)(struct td_sink *s, const struct td_conn *c);
	/* The connection is finished; it is freed after this returns. */
	void (*conn_done)(struct td_sink *s, const struct td_conn *c);
	/* End of the run. Optional. */
	void (*finish)(struct td_sink *s, const struct td_stats *st);
	/* Free the sink. */
	void (*free)(struct td_sink *s);
};

static inline void td_sink_free(struct td_sink *s)
{
	if (s)
		s->free(s);
}

#endif
