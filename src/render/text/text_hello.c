/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * text_hello.c - what the client offered, in a connection's block of
 * the text report: one summary line of the ClientHello by default
 * (versions, suite count, groups, key shares, ALPN, flags) and the JA4
 * fingerprint by default, both hellos with every list, the ECH offer and
 * the raw JA4 under --verbose.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "caps.h"
#include "render.h"
#include "textconn.h"
#include "tls_names.h"

/* One part of the offer summary: label and a list shortened to fit
 * part_cols columns, as a string in buf. */
static void offer_part(char *buf, size_t len, const char *label,
		       const struct td_tw_items *it, size_t part_cols, size_t width)
{
	struct td_tw m;
	td_tw_init(&m, NULL, false, width);
	td_tw_put(&m, label);
	td_tw_list_fit(&m, it, SIZE_MAX, part_cols, SIZE_MAX);  /* one line: m holds one */
	/* m.buf holds the first width columns: more than a line can show. */
	size_t n = m.len < len - 1 ? m.len : len - 1;  /* no NUL in m.buf: put made it '?' */
	memcpy(buf, m.buf, n);
	buf[n] = '\0';
}

/* "resumption: ..." (render.h) and, when the server sent ECH
 * retry_configs, that ECH was rejected: one line each, under the hello
 * lines. */
static void resumption_lines(struct td_tw *t, const struct td_conn *c)
{
	char buf[320];
	if (td_out_resumption(buf, sizeof buf, c)) {
		td_tw_spaces(t, IND_BLOCK);
		td_tw_put(t, "resumption: ");
		td_tw_text(t, buf, TD_TW_RESET, true, IND_SUB);
		td_tw_end(t);
	}
	if (c->sh.present && c->sh.ech_retry) {
		td_tw_spaces(t, IND_BLOCK);
		snprintf(buf, sizeof buf, TD_OUT_ECH_REJECTED ", %u bytes",
			 (unsigned)c->sh.ech_retry_len);
		td_tw_text(t, buf, TD_TW_YELLOW, true, IND_SUB);
		td_tw_end(t);
	}
}

/* "client offered: TLS 1.3, TLS 1.2; 31 suites; groups ...; ALPN ...",
 * its parts wrapped under the first one. */
/* The ClientHello's PSK, early data and ECH flags as list items. */
static void hello_flags(struct td_tw *t, const struct td_client_hello *ch, const char *sep,
			size_t indent)
{
	if (ch->psk)
		td_tw_item(t, sep, "PSK", indent, TD_TW_RESET);
	if (ch->early_data)
		td_tw_item(t, sep, "early data", indent, TD_TW_RESET);
	if (ch->ech)
		td_tw_item(t, sep, "ECH", indent, TD_TW_RESET);
}

void td_text_offer(struct td_tw *t, const struct td_conn *c)
{
	const struct td_client_hello *ch = &c->ch;
	const size_t indent = t->width < NARROW ? IND_SUB : IND_BLOCK + sizeof "client offered: " - 1;
	const size_t part_cols = t->width - indent;
	char buf[TD_TW_BUF + 1], nb[32];
	td_tw_spaces(t, IND_BLOCK);
	td_tw_put(t, "client offered: ");
	td_tw_mark(t);
	if (ch->sslv2)
		td_tw_item(t, "; ", "SSLv2-compatible hello", indent, TD_TW_RESET);
	struct td_tw_items it = td_tw_items_u16(&ch->versions, TD_REG_VERSION, true);
	if (td_tw_items_count(&it) > 0) {
		offer_part(buf, sizeof buf, "", &it, part_cols, t->width);
		td_tw_item(t, "; ", buf, indent, TD_TW_RESET);
	} else {
		td_tw_item(t, "; ",
			   td_out_code_name(TD_REG_VERSION, ch->legacy_version, nb, sizeof nb),
			   indent, TD_TW_RESET);
	}
	it = td_tw_items_u16(&ch->suites, TD_REG_CIPHER, true);
	/* Suites the list cap refused were offered too. */
	size_t ns = td_tw_items_count(&it) + ch->suites.dropped;
	td_tw_cat(td_tw_cat_u64(buf, buf + sizeof buf, ns), buf + sizeof buf,
		  ns == 1 ? " suite" : " suites");
	td_tw_item(t, "; ", buf, indent, TD_TW_RESET);
	it = td_tw_items_u16(&ch->groups, TD_REG_GROUP, true);
	if (td_tw_items_count(&it) > 0) {
		offer_part(buf, sizeof buf, "groups ", &it, part_cols, t->width);
		td_tw_item(t, "; ", buf, indent, TD_TW_RESET);
	}
	it = td_tw_items_u16(&ch->key_share_groups, TD_REG_GROUP, true);
	if (td_tw_items_count(&it) > 0) {
		offer_part(buf, sizeof buf, "key share ", &it, part_cols, t->width);
		td_tw_item(t, "; ", buf, indent, TD_TW_RESET);
	}
	it = td_tw_items_str(&ch->alpn);
	if (td_tw_items_count(&it) > 0) {
		offer_part(buf, sizeof buf, "ALPN ", &it, part_cols, t->width);
		td_tw_item(t, "; ", buf, indent, TD_TW_RESET);
	}
	hello_flags(t, ch, "; ", indent);
	td_tw_end(t);
	if (ch->ja4[0]) {
		td_tw_spaces(t, IND_BLOCK);
		td_tw_put(t, "JA4 ");
		td_tw_put(t, ch->ja4);
		td_tw_end(t);
	}
	resumption_lines(t, c);
}

/* A labelled row of free text, wrapped at commas under its value. */
static void text_row(struct td_tw *t, const char *label, const char *text)
{
	td_tw_spaces(t, IND_SUB);
	td_tw_pad(t, label, IND_VALUE - IND_SUB - 1);
	td_tw_put(t, " ");
	td_tw_text(t, text, TD_TW_RESET, true, IND_VALUE);
	td_tw_end(t);
}

/* The ECH offer: "outer, config id 42, HKDF-SHA256, AES-128-GCM, enc 32
 * bytes, payload 239 bytes; possibly GREASE ECH".  Without the server's
 * ECHConfig nothing tells a real offer from GREASE (random bytes of the
 * same shape, draft-ietf-tls-esni 6.2). */
static void ech_row(struct td_tw *t, const struct td_ech_ext *e)
{
	char buf[256], k[32], a[32];
	if (e->type != TD_ECH_OUTER) {
		snprintf(buf, sizeof buf, e->type == TD_ECH_INNER ? "inner" : "type %u",
			 (unsigned)e->type);
	} else {
		snprintf(buf, sizeof buf, "outer, config id %u, %s, %s, enc %u bytes, payload %u bytes; "
			 "possibly GREASE ECH (only the server's ECH config tells)",
			 (unsigned)e->config_id, td_tls_name(TD_REG_HPKE_KDF, e->kdf_id, k, sizeof k),
			 td_tls_name(TD_REG_HPKE_AEAD, e->aead_id, a, sizeof a),
			 (unsigned)e->enc_len, (unsigned)e->payload_len);
	}
	text_row(t, "ECH", buf);
}

void td_text_hellos_verbose(struct td_tw *t, const struct td_conn *c)
{
	const struct td_client_hello *ch = &c->ch;
	const struct td_server_hello *sh = &c->sh;
	char a[32], b[32];
	char buf[64];
	td_tw_spaces(t, IND_BLOCK);
	/* Items from the block's indent on (mark 0), so the first one gets
	 * its "  " too. */
	td_tw_put(t, "client hello");
	snprintf(buf, sizeof buf, "record %s",
		 td_out_code_name(TD_REG_VERSION, ch->record_version, a, sizeof a));
	td_tw_item(t, "  ", buf, IND_VALUE, TD_TW_RESET);
	snprintf(buf, sizeof buf, "legacy_version %s",
		 td_out_code_name(TD_REG_VERSION, ch->legacy_version, b, sizeof b));
	td_tw_item(t, ", ", buf, IND_VALUE, TD_TW_RESET);
	snprintf(buf, sizeof buf, "session id %u bytes", (unsigned)ch->session_id_len);
	td_tw_item(t, ", ", buf, IND_VALUE, TD_TW_RESET);
	if (ch->sslv2)
		td_tw_item(t, ", ", "SSLv2-compatible", IND_VALUE, TD_TW_RESET);
	td_tw_end(t);
	struct td_tw_items it = td_tw_items_u16(&ch->versions, TD_REG_VERSION, false);
	list_row(t, true, "versions", &it);
	it = td_tw_items_u16(&ch->suites, TD_REG_CIPHER, false);
	list_row(t, true, "suites", &it);
	it = td_tw_items_u16(&ch->extensions, TD_REG_EXTENSION, false);
	list_row(t, true, "extensions", &it);
	it = td_tw_items_u16(&ch->groups, TD_REG_GROUP, false);
	list_row(t, true, "groups", &it);
	it = td_tw_items_u16(&ch->key_share_groups, TD_REG_GROUP, false);
	list_row(t, true, "key shares", &it);
	it = td_tw_items_u16(&ch->sig_algs, TD_REG_SIGALG, false);
	list_row(t, true, "sig algs", &it);
	it = td_tw_items_str(&ch->alpn);
	list_row(t, true, "ALPN", &it);
	if (ch->cert_compression.n) {
		it = td_tw_items_u16(&ch->cert_compression, TD_REG_CERT_COMPRESSION, false);
		list_row(t, true, "cert compr", &it);
	}
	if (ch->session_ticket || ch->psk || ch->early_data || ch->ech) {
		td_tw_spaces(t, IND_SUB);
		td_tw_printf(t, "%-*s", IND_VALUE - IND_SUB, "flags");
		td_tw_mark(t);
		if (ch->session_ticket)
			td_tw_item(t, ", ", ch->session_ticket_data ? "session ticket (resuming)"
				: "session ticket", IND_VALUE, TD_TW_RESET);
		hello_flags(t, ch, ", ", IND_VALUE);
		td_tw_end(t);
	}
	if (ch->ech && ch->ech_ext.parsed)
		ech_row(t, &ch->ech_ext);
	if (ch->ja4[0])
		text_row(t, "JA4", ch->ja4);
	if (ch->ja4_r)
		text_row(t, "JA4_r", ch->ja4_r);
	if (ch->quic_tp)
		td_text_quic_tp(t, ch->quic_tp);
	if (!sh->present) {
		resumption_lines(t, c);
		return;
	}
	td_tw_spaces(t, IND_BLOCK);
	td_tw_put(t, sh->hrr ? "server hello (HelloRetryRequest)" : "server hello");
	snprintf(buf, sizeof buf, "legacy_version %s",
		 td_out_code_name(TD_REG_VERSION, sh->legacy_version, a, sizeof a));
	td_tw_item(t, "  ", buf, IND_VALUE, TD_TW_RESET);
	if (sh->selected_version) {
		snprintf(buf, sizeof buf, "selected %s",
			 td_out_code_name(TD_REG_VERSION, sh->selected_version, a, sizeof a));
		td_tw_item(t, ", ", buf, IND_VALUE, TD_TW_RESET);
	}
	if (sh->key_share_group) {
		snprintf(buf, sizeof buf, "key share %s",
			 td_out_code_name(TD_REG_GROUP, sh->key_share_group, a, sizeof a));
		td_tw_item(t, ", ", buf, IND_VALUE, TD_TW_RESET);
	}
	if (sh->psk)
		td_tw_item(t, ", ", "PSK accepted", IND_VALUE, TD_TW_RESET);
	if (sh->session_id_echo)
		td_tw_item(t, ", ", "session id echoed (resumption)", IND_VALUE, TD_TW_RESET);
	td_tw_end(t);
	it = td_tw_items_u16(&sh->extensions, TD_REG_EXTENSION, false);
	list_row(t, true, "extensions", &it);
	if (sh->quic_tp)
		td_text_quic_tp(t, sh->quic_tp);
	resumption_lines(t, c);
}
