/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * quic_int.h - helpers shared by the files of src/quic/ (private).
 */
#ifndef TD_QUIC_INT_H
#define TD_QUIC_INT_H

#include <stdint.h>

#include "reader.h"

/*
 * A variable-length integer (RFC 9000 16): the two high bits of the
 * first byte give its length (1, 2, 4 or 8 bytes), the rest is the value
 * in network order.  Through the reader: 0 and the sticky error on
 * overrun.
 */
static inline uint64_t td_quic_rd_varint(struct td_reader *r)
{
	uint8_t first = td_rd_u8(r);
	size_t extra = ((size_t)1 << (first >> 6)) - 1;
	uint64_t v = first & 0x3fu;
	for (size_t i = 0; i < extra; i++)
		v = v << 8 | td_rd_u8(r);
	return td_rd_ok(r) ? v : 0;
}

#endif
