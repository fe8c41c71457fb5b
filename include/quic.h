/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * quic.h - the QUIC packet layer (src/quic/): RFC 9000 packets and
 * frames, RFC 9001 Initial protection, RFC 9369 (QUIC version 2).
 *
 * Pure functions over borrowed bytes, read only through the bounded
 * reader; the engine (src/engine/quic_in.c) keeps the per-connection
 * state and hands the CRYPTO bytes to the TLS handshake layer.
 *
 *   td_quic_parse()       one packet at the start of a datagram's rest:
 *                         its header, and how many bytes it takes
 *                         (coalesced packets follow it, RFC 9000 12.2)
 *   td_quic_initial_keys() both sides' Initial keys from the client's
 *                         first Destination Connection ID (RFC 9001 5.2)
 *   td_quic_unprotect()   header and packet protection removed
 *   td_quic_frames()      the frames of a decrypted payload
 *   td_quic_stream_*      one CRYPTO stream reassembled by offset
 *
 * Files: packet.c (headers, packet numbers, protection), keys.c
 * (Initial keys, Retry integrity), frames.c, stream.c.
 */
#ifndef TD_QUIC_H
#define TD_QUIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "budget.h"
#include "conn.h"
#include "result.h"
#include "tls_crypto.h"

#define TD_QUIC_V1 0x00000001u   /* RFC 9000 */
#define TD_QUIC_V2 0x6b3343cfu   /* RFC 9369 */
/* The AEAD tag of every QUIC packet protection (RFC 9001 5.3) and of Retry. */
#define TD_QUIC_TAG_LEN 16u

/* A parsed packet header.  Pointers borrow from the datagram. */
struct td_quic_hdr {
	enum td_quic_ptype type;
	uint32_t version;            /* 0 for Version Negotiation and short headers */
	struct td_quic_cid dcid, scid; /* long headers only (a short header's
					  DCID length is not on the wire) */
	const uint8_t *token;        /* Initial and Retry: the token (may be empty) */
	size_t token_len;
	const uint8_t *versions;     /* Version Negotiation: 4-byte versions */
	size_t n_versions;
	size_t pn_offset;            /* Initial, 0-RTT, Handshake: where the packet
					number starts, from the packet's first byte */
	size_t size;                 /* bytes of this packet in the datagram */
};

/* Versions whose Initial packets tlsdiag can open (v1, v2). */
bool td_quic_version_known(uint32_t version);
/* "QUICv1", "QUICv2", "draft-29", ... or NULL when unknown. */
const char *td_quic_version_name(uint32_t version);
/* "initial", "0rtt", "handshake", "retry", "version_negotiation", "1rtt", "other". */
const char *td_quic_ptype_name(enum td_quic_ptype t);
/* For people: "Initial", "0-RTT", "Handshake", "Retry", "Version Negotiation",
 * "1-RTT", "long header". */
const char *td_quic_ptype_label(enum td_quic_ptype t);

/*
 * A datagram that starts with a QUIC long-header Initial packet of a
 * known version, with room for a client's Destination Connection ID:
 * the content test for QUIC on any UDP port.
 */
bool td_quic_looks_initial(const uint8_t *d, size_t n);

/*
 * Parse the packet at the start of d (n bytes: the rest of the datagram).
 * TD_OK with *h filled; h->size bytes belong to it (the whole rest for a
 * Retry, a Version Negotiation, a short header or an unknown version).
 * TD_ERR_MALFORMED / TD_ERR_TRUNCATED when the header does not fit;
 * TD_SKIP for a zero first byte (padding after coalesced packets).
 */
enum td_result td_quic_parse(const uint8_t *d, size_t n, struct td_quic_hdr *h) TD_MUST_CHECK;

/* One side's packet protection keys (RFC 9001 5.1). */
struct td_quic_keys {
	enum td_aead aead;
	size_t key_len;              /* 16 (AES-128-GCM) or 32 */
	uint8_t key[TD_TLS13_KEY_MAX];
	uint8_t iv[TD_TLS13_IV_LEN];
	uint8_t hp[TD_TLS13_KEY_MAX];
	bool set;
	/* From a traffic secret (td_quic_keys_from_secret) only: what a key
	 * update derives the next keys from (RFC 9001 6). */
	uint32_t version;
	enum td_hash hash;
	uint8_t secret[TD_TLS13_SECRET_MAX];
	size_t secret_len;           /* 0 for Initial keys */
};

/*
 * Initial keys of both sides from the client's first Destination
 * Connection ID (or, after a Retry, the Retry's Source Connection ID):
 * RFC 9001 5.2 with v1's salt and labels, RFC 9369 3.3 with v2's.
 * TD_ERR_UNSUPPORTED for another version or a wolfSSL failure.
 */
enum td_result td_quic_initial_keys(uint32_t version, const struct td_quic_cid *dcid,
				    struct td_quic_keys *client,
				    struct td_quic_keys *server) TD_MUST_CHECK;
/* Wipe keys. */
void td_quic_keys_cleanup(struct td_quic_keys *k);

/*
 * Handshake or 1-RTT keys of one side from its TLS 1.3 traffic secret
 * (the key log's *_HANDSHAKE_TRAFFIC_SECRET, *_TRAFFIC_SECRET_0) for the
 * negotiated suite: RFC 9001 5.1, HKDF-Expand-Label "quic key",
 * "quic iv", "quic hp" (v2: "quicv2 key", "quicv2 iv", "quicv2 hp",
 * RFC 9369 3.3.2) with the suite's hash.  TD_ERR_UNSUPPORTED for a suite
 * that is not TLS 1.3's or QUIC's (CCM_8, RFC 9001 5.3) or a wolfSSL
 * failure, TD_ERR_USAGE for a secret of another length than the hash's.
 */
enum td_result td_quic_keys_from_secret(uint32_t version, uint16_t suite, const uint8_t *secret,
					size_t len, struct td_quic_keys *k) TD_MUST_CHECK;

/*
 * The keys after a key update (RFC 9001 6.1): the next secret is
 * HKDF-Expand-Label(secret, "quic ku", "", Hash.length) (v2: "quicv2 ku"),
 * its key and IV derived as above; the header protection key stays.
 * TD_ERR_USAGE when cur was not made from a secret.
 */
enum td_result td_quic_keys_next(const struct td_quic_keys *cur,
				 struct td_quic_keys *next) TD_MUST_CHECK;

/*
 * Reconstruct a full packet number from its truncated form of nbits bits
 * and the largest one received so far in its space (RFC 9000 A.3); pass
 * largest = UINT64_MAX when none was.
 */
uint64_t td_quic_pn_decode(uint64_t largest, uint64_t truncated, unsigned nbits);

/*
 * Remove header and packet protection from one long-header packet
 * (Initial, 0-RTT, Handshake) whose header h describes pkt (h->size
 * bytes, borrowed).  out must hold h->size bytes; on TD_OK it holds the
 * payload (*out_len bytes: the frames) and *pn the full packet number.
 * TD_ERR_MALFORMED when the packet is too short for its sample or does
 * not authenticate (wrong keys), TD_ERR_USAGE for a packet type without
 * these keys.
 */
enum td_result td_quic_unprotect(const struct td_quic_keys *k, const uint8_t *pkt,
				 const struct td_quic_hdr *h, uint64_t largest, uint8_t *out,
				 size_t *out_len, uint64_t *pn) TD_MUST_CHECK;

/*
 * Remove header and packet protection from a 1-RTT (short header) packet,
 * the len bytes of pkt (it runs to the end of its datagram), whose
 * Destination Connection ID is dcid_len bytes long (not on the wire: the
 * receiver's chosen one).  by_phase[b] are the keys for key phase bit b
 * (RFC 9001 6: the current keys and the next or previous ones); the
 * header protection key is by_phase[0]'s.  *phase gets the packet's key
 * phase bit, also on TD_ERR_MALFORMED (does not authenticate with that
 * phase's keys, or too short).  out must hold len bytes.
 */
enum td_result td_quic_unprotect_short(const struct td_quic_keys *const by_phase[2],
				       const uint8_t *pkt, size_t len, size_t dcid_len,
				       uint64_t largest, uint8_t *out, size_t *out_len,
				       uint64_t *pn, unsigned *phase) TD_MUST_CHECK;

/*
 * Whether a Retry packet (pkt, len bytes, its tag last) carries the
 * integrity tag RFC 9001 5.8 (v1) / RFC 9369 3.3.3 (v2) computes over
 * the client's original Destination Connection ID.
 */
bool td_quic_retry_valid(uint32_t version, const struct td_quic_cid *odcid, const uint8_t *pkt,
			 size_t len);

/* ---- frames (frames.c) ---------------------------------------------- */

/* A CONNECTION_CLOSE frame (RFC 9000 19.19). */
struct td_quic_close {
	bool app;                    /* type 0x1d: an application error */
	uint64_t error;              /* error code; 0x0100 + alert is a TLS alert
					(RFC 9001 4.8) */
	uint64_t frame_type;         /* 0x1c only: the frame that caused it */
	const uint8_t *reason;       /* borrowed, reason_len bytes, not sanitized */
	size_t reason_len;
};

struct td_quic_frame_cb {
	/* A CRYPTO frame's bytes at offset (borrowed for the call). */
	void (*crypto)(void *ctx, uint64_t offset, const uint8_t *data, size_t len);
	/* A CONNECTION_CLOSE frame (borrowed for the call). */
	void (*close)(void *ctx, const struct td_quic_close *cl);
	void *ctx;
};

/* What td_quic_frames saw besides CRYPTO and CONNECTION_CLOSE. */
struct td_quic_frame_info {
	size_t frames;               /* frames read */
	bool handshake_done;         /* a HANDSHAKE_DONE frame (RFC 9000 19.20) */
	bool ack_eliciting;          /* anything but PADDING, ACK, CONNECTION_CLOSE */
	uint64_t unknown_type;       /* the frame type it stopped at */
};

/*
 * Walk the frames of a decrypted payload: PADDING, PING, ACK (0x02,
 * 0x03), CRYPTO, NEW_TOKEN, HANDSHAKE_DONE and CONNECTION_CLOSE (0x1c,
 * 0x1d) are read; the walk stops cleanly at any other type (TD_SKIP,
 * info->unknown_type says which: the frames before it were delivered)
 * and at a frame that does not fit (TD_ERR_MALFORMED).
 */
enum td_result td_quic_frames(const uint8_t *p, size_t n, const struct td_quic_frame_cb *cb,
			      struct td_quic_frame_info *info) TD_MUST_CHECK;

/* ---- CRYPTO stream reassembly (stream.c) ------------------------------ */

/* Delivers the stream's next in-order bytes (borrowed for the call). */
typedef void (*td_quic_deliver_fn)(void *ctx, const uint8_t *data, size_t len);

/*
 * One CRYPTO stream (a direction at one encryption level): bytes are
 * delivered in offset order exactly once; bytes ahead of a hole are held
 * (at most TD_CAP_QUIC_CRYPTO_AHEAD past the next offset: beyond, they
 * are dropped and counted).  td_quic_stream_init() zeroes it;
 * td_quic_stream_cleanup() frees what it holds.
 *
 * The window that holds bytes past a hole costs twice its length (the
 * bytes and their map) whatever few bytes it holds: one byte near the
 * cap takes 128 KiB.  With a budget (td_quic_stream_set_budget, the
 * engine's --max-memory) that cost is charged to it, and a window the
 * budget cannot pay for is not grown: the bytes are dropped and counted
 * in budget_dropped and in the budget's dropped.  The window is freed
 * (and its cost given back) whenever the hole fills and nothing is held.
 */
struct td_quic_stream {
	uint64_t next;               /* offset of the next byte to deliver */
	uint8_t *buf;                /* bytes at [next, next + alloc): owned */
	uint8_t *have;               /* 1 where buf holds a byte */
	size_t alloc;
	size_t held;                 /* bytes held in buf */
	uint64_t delivered;          /* bytes delivered */
	uint64_t dup_bytes;          /* bytes received again */
	uint64_t dropped;            /* bytes dropped by the cap or for want of memory */
	uint64_t budget_dropped;     /* bytes dropped because the budget was full */
	struct td_budget *budget;    /* borrowed; NULL: none */
};

void td_quic_stream_init(struct td_quic_stream *s);
/* Charge the stream's window to budget (borrowed, outliving the stream)
 * from now on; call before the first td_quic_stream_add. */
void td_quic_stream_set_budget(struct td_quic_stream *s, struct td_budget *budget);
void td_quic_stream_cleanup(struct td_quic_stream *s);
/*
 * Add the len bytes of a CRYPTO frame at offset; deliver what became
 * in order.  TD_ERR_CAP when bytes were dropped for the cap (counted in
 * s->dropped) or the budget (counted in s->budget_dropped),
 * TD_ERR_NOMEM when memory refused them (counted in s->dropped).
 */
enum td_result td_quic_stream_add(struct td_quic_stream *s, uint64_t offset, const uint8_t *data,
				  size_t len, td_quic_deliver_fn cb, void *ctx) TD_MUST_CHECK;

#endif
