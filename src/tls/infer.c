/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * infer.c - label encrypted records by size and position (see infer.h).
 *
 * A TLS 1.3 full handshake, one message per record (RFC 8446 2, 4.4):
 *
 *   Client                                   Server
 *   ClientHello            -------->
 *                                            ServerHello        (clear)
 *                                          [ChangeCipherSpec]   (clear)
 *                                          {EncryptedExtensions}
 *                                          {CertificateRequest}  optional
 *                                          {Certificate}         not with PSK
 *                                          {CertificateVerify}   not with PSK
 *                          <--------       {Finished}
 *   [ChangeCipherSpec]
 *   {Certificate}          (when requested; empty when the client has none)
 *   {CertificateVerify}    (when the Certificate is not empty)
 *   {Finished}             -------->
 *                          <--------       [NewSessionTicket] / data
 *
 * Each protected record is the message plus one byte of inner content
 * type plus the AEAD tag (16 bytes, 8 for CCM_8), padding aside.  Sizes
 * that pin a message down: Finished = 4 + hash length; an alert = 2; an
 * empty client Certificate = 4 + 1 (empty context) + 3 (empty list).
 */
#include "config.h"

#include <limits.h>
#include <string.h>

#include "infer.h"
#include "tls_crypto.h"
#include "tls_names.h"

const char td_inf_encrypted_extensions[] = "EncryptedExtensions";
const char td_inf_cert_request[] = "CertificateRequest";
const char td_inf_certificate[] = "Certificate";
const char td_inf_empty_certificate[] = "empty Certificate (no client certificate)";
const char td_inf_cert_verify[] = "CertificateVerify";
const char td_inf_finished[] = "Finished";
const char td_inf_server_flight[] = "EncryptedExtensions to CertificateVerify in one record";
const char td_inf_server_flight_no_cert[] = "server flight too small to hold a certificate";
const char td_inf_alert[] = "alert";
const char td_inf_handshake[] = "handshake message";
const char td_inf_ticket_or_data[] = "NewSessionTicket or application data";
const char td_inf_app_data[] = "application data";
const char td_inf_renegotiation[] = "renegotiation handshake message";

/* The smallest certificate a server flight could carry: a bare Ed25519
 * certificate is about 250 bytes of DER. */
#define MIN_CERT_RECORD 200u
/* At most this many records per flight are considered. */
#define FLIGHT_MAX 16u

struct flight {
	size_t idx[FLIGHT_MAX];
	size_t n;
};

static bool is_record(const struct td_event *ev, enum td_dir dir)
{
	return ev->kind == TD_EV_ENCRYPTED && ev->dir == dir && !ev->decrypted;
}

static void flight_add(struct flight *fl, size_t i)
{
	if (fl->n < FLIGHT_MAX)
		fl->idx[fl->n++] = i;
}

/* The server flight between EncryptedExtensions and Finished, without
 * the Finished (rest[] of n records). */
static void label_server_middle(struct td_conn *c, const size_t *rest, size_t n, bool psk)
{
	struct td_event *ev = c->events;
	if (n == 0)
		return;
	if (n == 1) {
		/* EncryptedExtensions alone (resumption), or the whole flight
		 * coalesced into one record. */
		if (psk || ev[rest[0]].length < MIN_CERT_RECORD)
			ev[rest[0]].inferred = psk ? td_inf_encrypted_extensions
						   : td_inf_server_flight_no_cert;
		else
			ev[rest[0]].inferred = td_inf_server_flight;
		return;
	}
	ev[rest[0]].inferred = td_inf_encrypted_extensions;
	const size_t *m = rest + 1;
	switch (n - 1) {
	case 1:
		ev[m[0]].inferred = ev[m[0]].length >= MIN_CERT_RECORD ? td_inf_certificate
								     : td_inf_handshake;
		break;
	case 2:
		ev[m[0]].inferred = td_inf_certificate;
		ev[m[1]].inferred = td_inf_cert_verify;
		break;
	case 3:
		ev[m[0]].inferred = td_inf_cert_request;
		ev[m[1]].inferred = td_inf_certificate;
		ev[m[2]].inferred = td_inf_cert_verify;
		break;
	default:
		for (size_t i = 0; i < n - 1; i++)
			ev[m[i]].inferred = td_inf_handshake;
		break;
	}
}

static void infer_tls13(struct td_conn *c, size_t sh_idx)
{
	const struct td_tls13_suite *suite = td_tls13_suite_find(c->cipher);
	if (!suite)
		return;
	size_t overhead = 1 + suite->tag_len;
	size_t fin_len = 4 + suite->hash_len + overhead;
	size_t alert_len = 2 + overhead;
	size_t empty_cert_len = 8 + overhead;
	struct td_event *ev = c->events;

	/* The server's flight: its records up to the client's first one. */
	struct flight sf = { .n = 0 };
	size_t i = sh_idx + 1;
	for (; i < c->n_events; i++) {
		if (is_record(&ev[i], TD_DIR_C2S))
			break;
		if (!is_record(&ev[i], TD_DIR_S2C))
			continue;
		if (ev[i].length == alert_len)
			ev[i].inferred = td_inf_alert;
		else
			flight_add(&sf, i);
	}
	bool server_fin = sf.n > 0 && ev[sf.idx[sf.n - 1]].length == fin_len;
	if (server_fin)
		ev[sf.idx[sf.n - 1]].inferred = td_inf_finished;
	label_server_middle(c, sf.idx, server_fin ? sf.n - 1 : sf.n, c->sh.psk);
	bool requested = c->cr.present;
	for (size_t k = 0; k < sf.n; k++)
		requested = requested || ev[sf.idx[k]].inferred == td_inf_cert_request;

	/* The client's flight, up to its Finished. */
	bool client_fin = false;
	size_t pos = 0;  /* handshake records of the client's flight so far */
	bool empty = false;
	for (; i < c->n_events && !client_fin; i++) {
		if (!is_record(&ev[i], TD_DIR_C2S)) {
			if (is_record(&ev[i], TD_DIR_S2C))
				ev[i].inferred = ev[i].length == alert_len ? td_inf_alert
									    : td_inf_handshake;
			continue;
		}
		size_t len = ev[i].length;
		if (len == alert_len) {
			ev[i].inferred = td_inf_alert;
		} else if (len == fin_len && (!requested || pos > 0)) {
			ev[i].inferred = td_inf_finished;
			client_fin = true;
		} else if (requested && pos == 0) {
			empty = len == empty_cert_len;
			ev[i].inferred = empty ? td_inf_empty_certificate : td_inf_certificate;
			pos++;
		} else if (requested && pos == 1 && !empty) {
			ev[i].inferred = td_inf_cert_verify;
			pos++;
		} else {
			ev[i].inferred = td_inf_handshake;
			pos++;
		}
	}

	/* After the client's Finished: alerts, tickets and data, and a
	 * post-handshake authentication the engine put in by its sizes
	 * (src/engine/later.c): the server's CertificateRequest, then the
	 * client's Certificate (empty when too small to hold one),
	 * [CertificateVerify,] Finished. */
	size_t pha = 0;
	for (; i < c->n_events; i++) {
		if (ev[i].kind != TD_EV_ENCRYPTED || ev[i].decrypted)
			continue;
		if (ev[i].phase == TD_PHASE_POST_HANDSHAKE_AUTH) {
			bool client = ev[i].dir == TD_DIR_C2S;
			ev[i].inferred = !client ? td_inf_cert_request
				: ev[i].length == fin_len && pha > 0 ? td_inf_finished
				: pha == 0 ? (ev[i].length < MIN_CERT_RECORD ? td_inf_empty_certificate
									     : td_inf_certificate)
				: td_inf_cert_verify;
			pha = client ? pha + 1 : 0;
			continue;
		}
		if (ev[i].length == alert_len)
			ev[i].inferred = td_inf_alert;
		else
			ev[i].inferred = ev[i].dir == TD_DIR_S2C ? td_inf_ticket_or_data
								 : td_inf_app_data;
	}
}

/* TLS <= 1.2: after a side's ChangeCipherSpec its first protected
 * handshake record is its Finished, any later one a renegotiation. */
static void infer_tls12(struct td_conn *c)
{
	bool ccs[2] = { false, false }, fin[2] = { false, false };
	for (size_t i = 0; i < c->n_events; i++) {
		struct td_event *ev = &c->events[i];
		int d = ev->dir == TD_DIR_C2S ? 0 : 1;
		if (ev->kind == TD_EV_CCS) {
			ccs[d] = true;
			fin[d] = false;
		} else if (is_record(ev, ev->dir) && ev->content_type == TD_CT_HANDSHAKE && ccs[d]) {
			ev->inferred = fin[d] ? td_inf_renegotiation : td_inf_finished;
			fin[d] = true;
		}
	}
}

void td_infer_records(struct td_conn *c)
{
	if (!c->sh.present || c->decrypted)
		return;
	if (!td_tls_version_is_13(c->version)) {
		infer_tls12(c);
		return;
	}
	/* The last ServerHello (a HelloRetryRequest comes before it). */
	bool found = false;
	size_t sh_idx = 0;
	for (size_t i = 0; i < c->n_events; i++) {
		const struct td_event *ev = &c->events[i];
		if (ev->kind == TD_EV_HANDSHAKE && ev->hs_type == TD_HS_SERVER_HELLO &&
		    ev->dir == TD_DIR_S2C) {
			sh_idx = i;
			found = true;
		}
	}
	if (found)
		infer_tls13(c, sh_idx);
}

long td_infer_find(const struct td_conn *c, const char *label, enum td_dir dir, size_t from)
{
	for (size_t i = from; i < c->n_events; i++)
		if (c->events[i].inferred == label && c->events[i].dir == dir)
			return i > (size_t)LONG_MAX ? -1 : (long)i;
	return -1;
}
