/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pcapng.h - what tlsdiag itself reads and writes of pcapng
 * (draft-ietf-opsawg-pcapng), beside libpcap: the Decryption Secrets
 * Blocks that carry a TLS key log inside the capture.
 *
 * libpcap 1.10 reads pcapng but skips DSBs and gives no API for them,
 * and cannot write pcapng at all.  So the capture room (src/capture)
 * watches the bytes libpcap reads as they stream by (the walker, which
 * only looks at block headers and keeps only DSBs) and writes -w files
 * itself when they are to carry secrets (the writer).
 *
 * Every block (section 3.1), in the byte order of its section:
 *
 *    0                   1                   2                   3
 *   +---------------------------------------------------------------+
 *   |                          Block Type                           |
 *   +---------------------------------------------------------------+
 *   |                      Block Total Length                       |
 *   +---------------------------------------------------------------+
 *   /                          Block Body (padded to 32 bits)       /
 *   +---------------------------------------------------------------+
 *   |                      Block Total Length                       |
 *   +---------------------------------------------------------------+
 *
 * A Section Header Block (type 0x0A0D0D0A, a palindrome) follows with the
 * byte-order magic 0x1A2B3C4D, which says the section's byte order.  A
 * Decryption Secrets Block (type 0x0000000A, section 4.7) has a body of
 * Secrets Type (0x544c534b "TLSK": NSS key log text), Secrets Length,
 * the secrets, padding, options.
 *
 * Untrusted bytes: headers and DSBs are read through the bounded reader;
 * a DSB is kept only up to TD_CAP_DSB_BYTES (caps.h); what is dropped is
 * counted in struct td_pcapng_stats.
 */
#ifndef TD_PCAPNG_H
#define TD_PCAPNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "result.h"

#define TD_PCAPNG_SHB         0x0A0D0D0Au
#define TD_PCAPNG_IDB         0x00000001u
#define TD_PCAPNG_PB          0x00000002u  /* obsolete Packet Block */
#define TD_PCAPNG_SPB         0x00000003u
#define TD_PCAPNG_EPB         0x00000006u
#define TD_PCAPNG_DSB         0x0000000Au
#define TD_PCAPNG_BOM         0x1A2B3C4Du
#define TD_PCAPNG_SECRETS_TLS 0x544c534bu  /* "TLSK": NSS key log */

/* What the walker saw.  Counters only grow. */
struct td_pcapng_stats {
	bool pcapng;              /* the stream began with a Section Header Block */
	uint64_t blocks;          /* whole blocks walked */
	uint64_t tls_blocks;      /* TLS key log DSBs handed over */
	uint64_t tls_bytes;       /* ...their secrets bytes */
	uint64_t other_blocks;    /* DSBs of another secrets type: skipped */
	uint32_t other_type;      /* ...the last such type */
	uint64_t dropped_blocks;  /* DSBs larger than TD_CAP_DSB_BYTES: skipped */
	uint64_t malformed_blocks;/* DSBs whose secrets length overran the body */
	uint64_t cut_blocks;      /* a DSB cut short by the end of the input */
	const char *stopped;      /* why the walk stopped early (a static English
				     phrase: the stream is not well-formed pcapng
				     from there, libpcap stops there too), or NULL */
};

/*
 * The walker.  fn gets the secrets of each TLS key log DSB (borrowed for
 * the call) and whether a packet block (EPB, SPB, PB) came before it in
 * the stream.  Since libpcap can only hand over a packet once it has read
 * it, and the walker sees every byte before libpcap does, the secrets of
 * a DSB always reach fn before any packet that follows the DSB is handed
 * over (usually earlier: libpcap reads ahead).
 */
typedef void (*td_pcapng_secrets_fn)(void *ctx, const uint8_t *secrets, size_t len,
				     bool after_packets);
struct td_pcapng_walk;

/* A walker at the start of a stream; NULL when out of memory. */
struct td_pcapng_walk *td_pcapng_walk_new(td_pcapng_secrets_fn fn, void *ctx);
/* Walk the next n bytes of the stream (any split: a block may span calls).
 * A stream that does not begin with an SHB (classic pcap) is left alone. */
void td_pcapng_walk_feed(struct td_pcapng_walk *w, const uint8_t *p, size_t n);
/* The end of the stream: a DSB cut short is counted. */
void td_pcapng_walk_end(struct td_pcapng_walk *w);
void td_pcapng_walk_stats(const struct td_pcapng_walk *w, struct td_pcapng_stats *st);
/* Accepts NULL. */
void td_pcapng_walk_free(struct td_pcapng_walk *w);

/*
 * The writer (-w): blocks in host byte order, written with stdio to f
 * (borrowed); a failed write stays on the stream (ferror), which the
 * caller checks once when it closes.  Timestamps in microseconds (the
 * IDB's default resolution).  TD_ERR_CAP for a block over 2^32 bytes.
 */
/* SHB (with shb_userappl app) and one IDB of linktype and snaplen. */
enum td_result td_pcapng_write_header(FILE *f, uint32_t linktype, uint32_t snaplen,
				      const char *app) TD_MUST_CHECK;
/* An Enhanced Packet Block on interface 0. */
enum td_result td_pcapng_write_packet(FILE *f, uint64_t ts_us, const uint8_t *data,
				      size_t caplen, size_t wirelen) TD_MUST_CHECK;
/* A DSB holding key log text (TLSK). */
enum td_result td_pcapng_write_secrets(FILE *f, const uint8_t *text, size_t len) TD_MUST_CHECK;

#endif
