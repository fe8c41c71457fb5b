/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * reader.h - the bounded reader: the only way tlsdiag reads untrusted bytes.
 *
 * A reader is a cursor over borrowed bytes plus a sticky error flag.
 * Every getter checks the bytes left; on overrun it returns 0 (or an
 * empty child), sets the flag and stays failed, so a parser makes all
 * its reads and checks td_rd_ok() once at the end.  TLS vectors
 * (<0..2^16-1> and friends) are read as a child reader over exactly
 * their bytes with td_rd_vec8/16/24().
 *
 *   struct td_reader r = td_rd_make(buf, len);
 *   uint8_t type = td_rd_u8(&r);
 *   struct td_reader body = td_rd_vec24(&r);
 *   ...
 *   if (!td_rd_ok(&r)) -> malformed
 *
 * Bytes are borrowed: a pointer from td_rd_bytes() is valid only as long
 * as the buffer the reader was made over.
 */
#ifndef TD_READER_H
#define TD_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct td_reader {
	const uint8_t *p;  /* next byte; never dereferenced when left == 0 */
	size_t left;       /* bytes from p to the end */
	bool err;          /* sticky: set by the first overrun */
};

static inline struct td_reader td_rd_make(const uint8_t *p, size_t n)
{
	struct td_reader r = { p, p ? n : 0, false };
	return r;
}

static inline bool td_rd_ok(const struct td_reader *r) { return !r->err; }
static inline size_t td_rd_left(const struct td_reader *r) { return r->err ? 0 : r->left; }
/* True when the reader is healthy and has consumed everything. */
static inline bool td_rd_done(const struct td_reader *r) { return !r->err && r->left == 0; }

static inline void td_rd_fail(struct td_reader *r)
{
	r->err = true;
	r->left = 0;
}

/* Make sure n bytes remain; on failure set the sticky error. */
static inline bool td_rd_need(struct td_reader *r, size_t n)
{
	if (r->err || n > r->left) {
		td_rd_fail(r);
		return false;
	}
	return true;
}

static inline uint8_t td_rd_u8(struct td_reader *r)
{
	if (!td_rd_need(r, 1))
		return 0;
	uint8_t v = r->p[0];
	r->p += 1;
	r->left -= 1;
	return v;
}

static inline uint16_t td_rd_u16(struct td_reader *r)
{
	if (!td_rd_need(r, 2))
		return 0;
	uint16_t v = (uint16_t)((unsigned)r->p[0] << 8 | r->p[1]);
	r->p += 2;
	r->left -= 2;
	return v;
}

/* A little-endian 16-bit value (MySQL's packets): the two reads
 * sequenced, as the operands of one expression would not be. */
static inline uint16_t td_rd_u16le(struct td_reader *r)
{
	uint8_t lo = td_rd_u8(r);
	uint8_t hi = td_rd_u8(r);
	return (uint16_t)(lo | hi << 8);
}

static inline uint32_t td_rd_u24(struct td_reader *r)
{
	if (!td_rd_need(r, 3))
		return 0;
	uint32_t v = (uint32_t)r->p[0] << 16 | (uint32_t)r->p[1] << 8 | r->p[2];
	r->p += 3;
	r->left -= 3;
	return v;
}

static inline uint32_t td_rd_u32(struct td_reader *r)
{
	if (!td_rd_need(r, 4))
		return 0;
	uint32_t v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 |
		     (uint32_t)r->p[2] << 8 | r->p[3];
	r->p += 4;
	r->left -= 4;
	return v;
}

/* Borrow the next n bytes; NULL (and the error set) when fewer remain.
 * n == 0 returns a non-NULL pointer only when the reader is healthy. */
static inline const uint8_t *td_rd_bytes(struct td_reader *r, size_t n)
{
	if (!td_rd_need(r, n))
		return NULL;
	const uint8_t *p = r->p;
	r->p += n;
	r->left -= n;
	return p;
}

static inline void td_rd_skip(struct td_reader *r, size_t n) { (void)td_rd_bytes(r, n); }

/* Peek at byte i ahead without consuming; 0 and no error when absent. */
static inline uint8_t td_rd_peek(const struct td_reader *r, size_t i)
{
	return (!r->err && i < r->left) ? r->p[i] : 0;
}

/* A child reader over the next n bytes, which the parent skips. */
static inline struct td_reader td_rd_sub(struct td_reader *r, size_t n)
{
	const uint8_t *p = td_rd_bytes(r, n);
	struct td_reader c = { p, p ? n : 0, p == NULL };
	return c;
}

/* Child readers over a vector with a 1-, 2- or 3-byte length prefix. */
static inline struct td_reader td_rd_vec8(struct td_reader *r) { return td_rd_sub(r, td_rd_u8(r)); }
static inline struct td_reader td_rd_vec16(struct td_reader *r) { return td_rd_sub(r, td_rd_u16(r)); }
static inline struct td_reader td_rd_vec24(struct td_reader *r) { return td_rd_sub(r, td_rd_u24(r)); }

/* The rest of the reader as a child; the parent ends up empty. */
static inline struct td_reader td_rd_rest(struct td_reader *r) { return td_rd_sub(r, td_rd_left(r)); }

/*
 * A QUIC variable-length integer (RFC 9000 16): the two high bits of the
 * first byte give its length (1, 2, 4 or 8 bytes), the rest is the value
 * in network order.  0 and the sticky error on overrun.  (QUIC's packets
 * and frames, src/quic; its transport parameters, src/tls/quic_tp.c.)
 */
static inline uint64_t td_rd_varint(struct td_reader *r)
{
	uint8_t first = td_rd_u8(r);
	size_t extra = ((size_t)1 << (first >> 6)) - 1;
	uint64_t v = first & 0x3fu;
	for (size_t i = 0; i < extra; i++)
		v = v << 8 | td_rd_u8(r);
	return td_rd_ok(r) ? v : 0;
}

#endif
