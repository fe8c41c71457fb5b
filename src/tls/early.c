/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * early.c - what became of TLS 1.3 0-RTT early data (see infer.h).
 *
 * RFC 8446 2.3, 4.2.10: resumption with 0-RTT, as an observer sees it.
 *
 *   Client                                        Server
 *   ClientHello + early_data + pre_shared_key
 *   (Application Data)*    -------->   0-RTT, early traffic keys
 *                                      ServerHello + pre_shared_key
 *                                      {EncryptedExtensions + early_data?}
 *                          <--------   {Finished}
 *   (EndOfEarlyData)       only when EncryptedExtensions took early data
 *   {Finished}             -------->
 *
 * The server accepts early data only by naming early_data in its
 * EncryptedExtensions, which requires the PSK of the first identity and
 * no HelloRetryRequest; every other answer means it skipped the 0-RTT
 * records (the client sends them again, or not, after the handshake).
 */
#include "config.h"

#include "infer.h"
#include "tls_crypto.h"
#include "tls_names.h"

const char td_inf_early_data[] = "0-RTT early data";
const char td_inf_end_of_early_data[] = "EndOfEarlyData";

static bool encrypted(const struct td_event *ev, enum td_dir dir)
{
	return ev->kind == TD_EV_ENCRYPTED && ev->dir == dir && !ev->decrypted;
}

/* Without EncryptedExtensions: the client's first record after the
 * server's first protected one (its flight), by size.  Over TLS records
 * only (QUIC's packets hide that). */
static void by_sizes(struct td_conn *c, size_t sh_idx)
{
	const struct td_tls13_suite *suite = td_tls13_suite_find(c->cipher);
	if (!suite || c->quic.present)
		return;
	size_t overhead = 1 + suite->tag_len;
	size_t eoed_len = 4 + overhead, fin_len = 4 + suite->hash_len + overhead;
	bool server_spoke = false;
	for (size_t i = sh_idx + 1; i < c->n_events; i++) {
		struct td_event *ev = &c->events[i];
		if (encrypted(ev, TD_DIR_S2C) ||
		    (ev->dir == TD_DIR_S2C && ev->kind == TD_EV_HANDSHAKE && ev->decrypted))
			server_spoke = true;
		if (!server_spoke || ev->dir != TD_DIR_C2S || ev->kind == TD_EV_CCS)
			continue;
		if (!encrypted(ev, TD_DIR_C2S))
			return;
		if (ev->length == eoed_len) {
			ev->inferred = td_inf_end_of_early_data;
			c->early_data = TD_EARLY_ACCEPTED;
			c->early_inferred = true;
		} else if (ev->length == fin_len) {
			c->early_data = TD_EARLY_REJECTED;
			c->early_inferred = true;
		}
		return;
	}
}

void td_early_judge(struct td_conn *c)
{
	c->early_inferred = false;
	if (!c->ch.present || !c->ch.early_data) {
		c->early_data = TD_EARLY_NONE;
		return;
	}
	c->early_data = TD_EARLY_OFFERED;
	/* The client's records before the ServerHello are its 0-RTT ones. */
	size_t sh_idx = c->n_events;
	for (size_t i = 0; i < c->n_events; i++) {
		struct td_event *ev = &c->events[i];
		if (ev->kind == TD_EV_HANDSHAKE && ev->hs_type == TD_HS_SERVER_HELLO &&
		    ev->dir == TD_DIR_S2C) {
			sh_idx = i;
			break;
		}
		if (encrypted(ev, TD_DIR_C2S) && ev->content_type == TD_CT_APPLICATION_DATA)
			ev->inferred = td_inf_early_data;
	}
	if (!c->sh.present)
		return;
	/* No PSK accepted, not the first identity's, or a HelloRetryRequest
	 * (RFC 8446 4.2.10), or no TLS 1.3 at all: skipped for sure. */
	if (!td_tls_version_is_13(c->version) || c->sh.hrr || !c->sh.psk || c->sh.psk_identity != 0) {
		c->early_data = TD_EARLY_REJECTED;
		return;
	}
	if (c->sh.ee_seen) {
		c->early_data = c->sh.ee_early_data ? TD_EARLY_ACCEPTED : TD_EARLY_REJECTED;
		return;
	}
	if (sh_idx < c->n_events)
		by_sizes(c, sh_idx);
}
