/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * quic_tp.c - QUIC transport parameters (RFC 9000 18; quic_tp.h).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quic_tp.h"
#include "reader.h"

struct tp_def {
	uint64_t id;
	const char *name;
	enum td_quic_tp_kind kind;
};

/* RFC 9000 18.2, RFC 9368 (0x11), RFC 9221 (0x20), RFC 9287 (0x2ab2). */
static const struct tp_def defs[] = {
	{ 0x00, "original_destination_connection_id", TD_QTP_CID },
	{ 0x01, "max_idle_timeout", TD_QTP_INT },
	{ 0x02, "stateless_reset_token", TD_QTP_TOKEN },
	{ 0x03, "max_udp_payload_size", TD_QTP_INT },
	{ 0x04, "initial_max_data", TD_QTP_INT },
	{ 0x05, "initial_max_stream_data_bidi_local", TD_QTP_INT },
	{ 0x06, "initial_max_stream_data_bidi_remote", TD_QTP_INT },
	{ 0x07, "initial_max_stream_data_uni", TD_QTP_INT },
	{ 0x08, "initial_max_streams_bidi", TD_QTP_INT },
	{ 0x09, "initial_max_streams_uni", TD_QTP_INT },
	{ 0x0a, "ack_delay_exponent", TD_QTP_INT },
	{ 0x0b, "max_ack_delay", TD_QTP_INT },
	{ 0x0c, "disable_active_migration", TD_QTP_FLAG },
	{ 0x0d, "preferred_address", TD_QTP_ADDR },
	{ 0x0e, "active_connection_id_limit", TD_QTP_INT },
	{ 0x0f, "initial_source_connection_id", TD_QTP_CID },
	{ 0x10, "retry_source_connection_id", TD_QTP_CID },
	{ 0x11, "version_information", TD_QTP_VERSIONS },
	{ 0x20, "max_datagram_frame_size", TD_QTP_INT },
	{ 0x2ab2, "grease_quic_bit", TD_QTP_FLAG },
};

static const struct tp_def *def_of(uint64_t id)
{
	for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
		if (defs[i].id == id)
			return &defs[i];
	return NULL;
}

const char *td_quic_tp_name(uint64_t id)
{
	const struct tp_def *d = def_of(id);
	return d ? d->name : NULL;
}

/* Does the value fit its kind?  Sizes from RFC 9000 18.2 and RFC 9368 3. */
static bool fits(enum td_quic_tp_kind k, struct td_reader v, uint64_t *num)
{
	size_t n = td_rd_left(&v);
	switch (k) {
	case TD_QTP_INT:
		*num = td_rd_varint(&v);
		return n > 0 && td_rd_done(&v);
	case TD_QTP_FLAG:
		return n == 0;
	case TD_QTP_CID:
		return n <= TD_QUIC_CID_MAX;
	case TD_QTP_TOKEN:
		return n == 16;
	case TD_QTP_ADDR:
		/* 4 + 2 + 16 + 2 + 1 + CID (1..20) + 16 */
		return n >= 42 && n <= 61;
	case TD_QTP_VERSIONS:
		return n >= 4 && n % 4 == 0;
	case TD_QTP_RESERVED:
	case TD_QTP_UNKNOWN:
	case TD_QTP_BAD:
		break;
	}
	return true;
}

static enum td_result decode(const uint8_t *p, size_t len, struct td_quic_tps *tps)
{
	struct td_reader r = td_rd_make(p, len);
	while (td_rd_left(&r) > 0) {
		uint64_t id = td_rd_varint(&r);
		uint64_t vlen = td_rd_varint(&r);
		/* A length past the end is refused before any sub-reader is
		 * made of bytes that are not there. */
		if (!td_rd_ok(&r) || vlen > td_rd_left(&r)) {
			tps->truncated = true;
			return TD_ERR_MALFORMED;
		}
		struct td_reader v = td_rd_sub(&r, (size_t)vlen);
		bool dup = false;
		for (size_t i = 0; i < tps->n && !dup; i++)
			dup = tps->v[i].id == id;
		if (dup) {
			tps->duplicates++;
			continue;
		}
		if (tps->n == TD_CAP_QUIC_TP) {
			tps->more++;
			continue;
		}
		struct td_quic_tp *t = &tps->v[tps->n++];
		const struct tp_def *d = def_of(id);
		t->id = id;
		t->len = vlen;
		t->kind = d ? d->kind : td_quic_tp_reserved(id) ? TD_QTP_RESERVED : TD_QTP_UNKNOWN;
		if (!fits(t->kind, v, &t->num))
			t->kind = TD_QTP_BAD;
		size_t keep = td_rd_left(&v) < TD_QUIC_TP_BYTES ? td_rd_left(&v) : TD_QUIC_TP_BYTES;
		const uint8_t *b = td_rd_bytes(&v, keep);
		if (b && keep)
			memcpy(t->b, b, keep);
		t->n = (uint8_t)keep;
	}
	return TD_OK;
}

enum td_result td_quic_tp_decode(const uint8_t *p, size_t len, struct td_quic_tps **out)
{
	/* Room for the cap while reading, then shrunk to what was kept. */
	struct td_quic_tps *tps =
		calloc(1, sizeof *tps + TD_CAP_QUIC_TP * sizeof tps->v[0]);
	*out = NULL;
	if (!tps)
		return TD_ERR_NOMEM;
	enum td_result res = decode(p, len, tps);
	struct td_quic_tps *fit = realloc(tps, sizeof *tps + tps->n * sizeof tps->v[0]);
	*out = fit ? fit : tps;
	return res;
}

void td_quic_tp_key(const struct td_quic_tp *t, char *buf, size_t len)
{
	const char *name = td_quic_tp_name(t->id);
	if (name && t->kind != TD_QTP_RESERVED)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%s0x%" PRIx64, t->kind == TD_QTP_RESERVED ? "reserved_" : "",
			 t->id);
}

/* buf += the kept bytes in hex (and "..." when the value was longer). */
static void hex_of(const struct td_quic_tp *t, char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t k = strlen(buf);
	for (size_t i = 0; i < t->n && k + 3 <= len; i++) {
		buf[k++] = hex[t->b[i] >> 4];
		buf[k++] = hex[t->b[i] & 15];
	}
	if (t->len > t->n && k + 4 <= len) {
		memcpy(buf + k, "...", 3);
		k += 3;
	}
	if (k < len)
		buf[k] = '\0';
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void td_quic_tp_value(const struct td_quic_tp *t, char *buf, size_t len)
{
	if (!len)
		return;
	buf[0] = '\0';
	switch (t->kind) {
	case TD_QTP_INT:
		snprintf(buf, len, "%" PRIu64, t->num);
		return;
	case TD_QTP_FLAG:
		snprintf(buf, len, "true");
		return;
	case TD_QTP_VERSIONS: {
		/* RFC 9368 3: Chosen Version, then Available Versions. */
		size_t k = 0;
		for (size_t i = 0; i + 4 <= t->n; i += 4) {
			int w = snprintf(buf + k, len - k, "%s0x%08" PRIx32,
					 i == 0 ? "chosen " : i == 4 ? ", available " : " ",
					 be32(t->b + i));
			if (w < 0 || (size_t)w >= len - k)
				return;
			k += (size_t)w;
		}
		if (t->len > t->n)
			snprintf(buf + k, len - k, " ...");
		return;
	}
	case TD_QTP_BAD:
		snprintf(buf, len, "invalid: ");
		break;
	case TD_QTP_RESERVED:
	case TD_QTP_UNKNOWN:
		snprintf(buf, len, "%" PRIu64 " bytes%s", t->len, t->len ? ": " : "");
		break;
	case TD_QTP_CID:
	case TD_QTP_TOKEN:
	case TD_QTP_ADDR:
		break;
	}
	hex_of(t, buf, len);
}
