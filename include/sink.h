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

#include <stddef.h>
#include <stdint.h>
#include "conn.h"

/* TCP connections to one server port that carried no TLS and were not
 * reported as connections (the engine drops them: to a port where no TLS
 * was seen, a refused SYN is not a TLS attempt), kept so that the
 * summary still says they happened.  A connection counts once: as
 * plaintext when it carried data, else as what became of its SYN. */
struct td_tcp_port {
	uint16_t port;           /* the server's (the SYN's destination, else the lower port) */
	uint64_t refused;        /* the client's SYN answered by the server's RST */
	uint64_t unanswered;     /* the client's SYN, no answer in the capture */
	uint64_t plaintext;      /* data went by (either way), none of it TLS; counted
				    here whatever the SYN's fate */
	uint64_t closed;         /* no data: opened and closed, or still open at the end */
	uint64_t first_us;       /* the first packet of the earliest of them */
};

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
	uint64_t stls_bytes_dropped; /* STARTTLS plaintext past TD_CAP_STLS_PREAMBLE or a
					line's cap (reported connections or not) */
	uint64_t stls_steps_dropped; /* STARTTLS steps past TD_CAP_STLS_STEPS */
	uint64_t dup_bytes;          /* retransmitted or overlapping bytes (the first copy is kept) */
	uint64_t gap_bytes;          /* stream bytes never captured */
	uint64_t first_us, last_us;  /* capture time span */
	/* TCP without TLS (above), by server port: n_tcp_without_tls entries
	 * (at most TD_CAP_TCP_PORTS), earliest first, port breaking ties;
	 * borrowed from the engine, valid until it is freed.  NULL when
	 * none. */
	const struct td_tcp_port *tcp_without_tls;
	size_t n_tcp_without_tls;
	uint64_t tcp_without_tls_dropped; /* such connections to ports past the cap,
					     counted but not itemised */
	const char *note;            /* what could not be checked (no trust store...), or NULL */
	bool truncated;              /* the capture file was cut short or damaged: the rest
					was never read; frames says how far it got */
	const char *truncated_reason; /* libpcap's words for it, or NULL; borrowed */
	/* Now (periodic stats records, --stats-interval; and at the end): */
	uint64_t now_us;             /* when this was counted (the capture's clock) */
	uint64_t flows_active;       /* flows tracked now, of max_flows */
	uint64_t max_flows;
	uint64_t memory_used;        /* bytes buffered now, of memory_cap (--max-memory) */
	uint64_t memory_cap;
	uint64_t reported[3];        /* connections reported, by enum td_outcome (streaming:
					as their last report says) */
	bool kernel;                 /* a live capture: the kernel's counts are known */
	uint64_t kernel_received;    /* pcap_stats(3PCAP): packets the filter passed */
	uint64_t kernel_dropped;     /* ...dropped for want of room (ps_drop + ps_ifdrop) */
};

struct td_sink {
	/* Optional (NULL): the connection changed; for live views. */
	void (*conn_update)(struct td_sink *s, const struct td_conn *c);
	/* The connection is finished; it is freed after this returns.  When
	 * the engine streams (engine.h: td_config.stream), this is a copy made
	 * when the handshake's outcome became known (c->early.reported), and
	 * conn_end follows when the connection ends. */
	void (*conn_done)(struct td_sink *s, const struct td_conn *c);
	/* Optional (NULL: the engine does not stream to this sink): a
	 * connection already reported early has ended; c is its final
	 * state, its timeline whole (c->early says what the first report
	 * held).  Freed after this returns. */
	void (*conn_end)(struct td_sink *s, const struct td_conn *c);
	/* Optional: when set, the engine calls this instead of conn_done and
	 * conn_end (end: conn_end's report) and hands c over: the sink owns
	 * it and frees it (td_conn_free) when done, from any thread.  For a
	 * sink that keeps connections past the call (--workers hands them to
	 * its output thread), it saves a copy of each. */
	void (*conn_take)(struct td_sink *s, struct td_conn *c, bool end);
	/* End of the run. Optional. */
	void (*finish)(struct td_sink *s, const struct td_stats *st);
	/* Optional: the run's statistics so far (a live run's periodic
	 * record, td_engine_emit_stats()); the run goes on. */
	void (*stats)(struct td_sink *s, const struct td_stats *st);
	/* Optional: hand what was written so far to the output now.  A live
	 * run's records wait in buffers (one write a record was a fifth of a
	 * busy capture's time) until the capture is idle, 200 ms passed, or
	 * a buffer fills. */
	void (*flush)(struct td_sink *s);
	/* Free the sink. */
	void (*free)(struct td_sink *s);
};

static inline void td_sink_free(struct td_sink *s)
{
	if (s)
		s->free(s);
}

static inline void td_sink_flush(struct td_sink *s)
{
	if (s && s->flush)
		s->flush(s);
}

#endif
