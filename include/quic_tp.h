/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * quic_tp.h - QUIC transport parameters (RFC 9000 18), the value of the
 * quic_transport_parameters TLS extension (0x39, RFC 9001 8.2).  The
 * model is struct td_quic_tps (conn.h); src/tls/quic_tp.c.
 */
#ifndef TD_QUIC_TP_H
#define TD_QUIC_TP_H

#include <stddef.h>
#include <stdint.h>

#include "conn.h"
#include "result.h"

/*
 * Decode an extension's value (p, len: untrusted, read through the
 * bounded reader) into *out, a new allocation of exactly the kept
 * entries (the caller frees it; NULL only with TD_ERR_NOMEM).  Every
 * parameter is
 * a (varint id, varint length, value); the first TD_CAP_QUIC_TP are kept,
 * later ones counted in tps->more, repeated ids counted in
 * tps->duplicates.  TD_ERR_MALFORMED when the block ends inside a
 * parameter (tps->truncated; what came before is kept), TD_OK otherwise
 * (a duplicate id or a value that does not fit its kind is shown, not
 * refused).
 */
enum td_result td_quic_tp_decode(const uint8_t *p, size_t len, struct td_quic_tps **out)
	TD_MUST_CHECK;

/* The RFC name of a parameter id ("max_idle_timeout"), NULL if none. */
const char *td_quic_tp_name(uint64_t id);

/*
 * How a parameter is shown: its key (the RFC name, "reserved_0x<id>" for
 * a GREASE id, "0x<id>" for an unknown one) and its value as text (a
 * number, "true" for a flag, lowercase hex for bytes, the versions of
 * version_information as "chosen 0x00000001, available 0x..."; a value
 * that does not fit its kind as "invalid: <hex>"; a reserved or unknown
 * one as "<N> bytes: <hex>").  Both NUL-terminated, cut to len.
 */
void td_quic_tp_key(const struct td_quic_tp *t, char *buf, size_t len);
void td_quic_tp_value(const struct td_quic_tp *t, char *buf, size_t len);

/* A GREASE id: 31 * N + 27 (RFC 9000 18.1). */
static inline int td_quic_tp_reserved(uint64_t id)
{
	return id >= 27 && (id - 27) % 31 == 0;
}

#endif
