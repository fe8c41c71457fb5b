/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * text_cert.c - the certificates in a connection's block of the text
 * report: each chain (subject, issuer, validity against the capture
 * time, key, SAN, EKU, digest; serial, usage and DER length with
 * --verbose), why a chain is not shown, and the CertificateRequest with
 * the client CAs it names.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "caps.h"
#include "render.h"
#include "textconn.h"
#include "tls_names.h"

/* "          label   " for a certificate field. */
static void cert_label(struct td_tw *t, const char *label)
{
	td_tw_spaces(t, IND_CERT);
	td_tw_pad(t, label, IND_VALUE - IND_CERT);
	td_tw_mark(t);
}

/* The certificate's SHA-256 after its label, or on the next line when
 * the 64 digits do not fit after it (80 columns): whole on one line, to
 * be copied or searched for, wherever the width allows. */
static void cert_hash(struct td_tw *t, const char *sha256)
{
	cert_label(t, "sha256");
	td_tw_text(t, sha256, TD_TW_RESET, true, IND_CERT + 2);
	td_tw_end(t);
}

/* A labelled list of a certificate: wrapped when verbose, else fitted to
 * the line; shown when not empty, or always when verbose; verbose_only
 * lists (key usage) only with verbose. */
static void cert_list(struct td_tw *t, const char *label, const struct td_strlist *l,
		      bool verbose, bool verbose_only)
{
	if (!verbose && (verbose_only || l->n == 0))
		return;
	struct td_tw_items it = td_tw_items_str(l);
	cert_label(t, label);
	if (verbose)
		td_tw_list_wrap(t, &it, IND_VALUE);
	else
		td_tw_list_fit(t, &it, SIZE_MAX, t->width, IND_VALUE);
	td_tw_end(t);
}

static void print_cert(struct td_tw *t, const struct td_conn *c, const struct td_cert *cert,
		       size_t idx, bool verbose)
{
	char buf[256];
	td_tw_spaces(t, IND_SUB);
	td_tw_put(t, "[");
	td_tw_uint(t, idx);
	td_tw_put(t, "] ");
	if (!cert->parsed) {
		snprintf(buf, sizeof buf, "unparsable certificate, %zu bytes: %s", cert->der_len,
			 cert->error ? cert->error : "unknown error");
		td_tw_text(t, buf, TD_TW_YELLOW, true, IND_CERT);
		td_tw_end(t);
		cert_hash(t, cert->sha256);
		return;
	}
	char tags[64] = "";
	if (cert->self_signed || cert->is_ca) {
		char pl[32] = "";
		if (cert->is_ca && cert->path_len >= 0)
			snprintf(pl, sizeof pl, ", path length %d", cert->path_len);
		snprintf(tags, sizeof tags, "(%s%s%s%s)", cert->self_signed ? "self-signed" : "",
			 cert->self_signed && cert->is_ca ? ", " : "", cert->is_ca ? "CA" : "", pl);
	}
	const char *subject = cert->subject ? cert->subject : "(no subject)";
	td_tw_mark(t);
	/* Names are evidence (an issuer is matched against a CA list): they
	 * wrap, never cut. */
	td_tw_text(t, subject, TD_TW_RESET, true, IND_CERT);
	if (tags[0])
		td_tw_item(t, "  ", tags, IND_CERT, TD_TW_RESET);
	td_tw_end(t);

	cert_label(t, "issuer");
	td_tw_text(t, cert->issuer ? cert->issuer : "(none)", TD_TW_RESET, true, IND_VALUE);
	td_tw_end(t);

	char nb[40], na[40];
	cert_label(t, "valid");
	if (!td_out_cert_time(nb, sizeof nb, cert->not_before, !verbose))
		snprintf(nb, sizeof nb, "?");
	if (!td_out_cert_time(na, sizeof na, cert->not_after, !verbose))
		snprintf(na, sizeof na, "?");
	td_tw_put(t, nb);
	td_tw_item(t, " .. ", na, IND_VALUE, TD_TW_RESET);
	int64_t now = (int64_t)(c->start_us / 1000000u);
	if (now > cert->not_after)
		td_tw_item(t, "  ", "(expired at capture time)", IND_VALUE, TD_TW_YELLOW);
	else if (now < cert->not_before)
		td_tw_item(t, "  ", "(not yet valid at capture time)", IND_VALUE, TD_TW_YELLOW);
	td_tw_end(t);

	if (cert->key_type || cert->sig_alg) {
		cert_label(t, "key");
		if (td_out_cert_key(buf, sizeof buf, cert))
			td_tw_item(t, ", ", buf, IND_VALUE, TD_TW_RESET);
		if (cert->sig_alg) {
			td_tw_cat(td_tw_cat(buf, buf + sizeof buf, "signature "), buf + sizeof buf,
				  cert->sig_alg);
			td_tw_item(t, ", ", buf, IND_VALUE, TD_TW_RESET);
		}
		td_tw_end(t);
	}

	cert_list(t, "SAN", &cert->san, verbose, false);
	cert_list(t, "usage", &cert->key_usage, verbose, true);
	cert_list(t, "EKU", &cert->ext_key_usage, verbose, false);
	if (verbose) {
		cert_label(t, "serial");
		td_tw_text(t, cert->serial ? cert->serial : "?", TD_TW_RESET, true, IND_VALUE);
		td_tw_end(t);
		cert_label(t, "DER");
		td_tw_printf(t, "%zu bytes", cert->der_len);
		td_tw_end(t);
	}
	cert_hash(t, cert->sha256);
}

/* " (compressed: brotli)" when the chain came as a CompressedCertificate
 * (RFC 8879), else nothing. */
static void compressed(struct td_tw *t, const struct td_chain *ch)
{
	if (!ch->compression)
		return;
	char name[16], buf[40];
	snprintf(buf, sizeof buf, "(compressed: %s)",
		 td_tls_name(TD_REG_CERT_COMPRESSION, ch->compression, name, sizeof name));
	td_tw_item(t, " ", buf, IND_SUB, TD_TW_RESET);
}

void td_text_chain(struct td_tw *t, const struct td_conn *c, const struct td_chain *ch,
		   const char *who, bool verbose)
{
	td_tw_spaces(t, IND_BLOCK);
	if (ch->n == 0 && ch->dropped == 0) {
		td_tw_put(t, who);
		td_tw_put(t, " certificates: ");
		/* An empty client Certificate after a request is the classic
		 * mTLS failure: the client had no certificate the server takes. */
		td_tw_text(t, "none sent (empty Certificate)",
			   c->cr.present ? TD_TW_YELLOW : TD_TW_RESET, true, IND_SUB);
		if (ch->encrypted)
			td_tw_item(t, " ", "(decrypted)", IND_SUB, TD_TW_RESET);
		compressed(t, ch);
		td_tw_end(t);
		return;
	}
	td_tw_put(t, who);
	td_tw_put(t, " certificates (");
	td_tw_uint(t, ch->n + ch->dropped);
	td_tw_put(t, ch->encrypted ? ") (decrypted)" : ")");
	compressed(t, ch);
	td_tw_end(t);
	for (size_t i = 0; i < ch->n; i++)
		print_cert(t, c, ch->certs[i], i, verbose);
	if (ch->dropped) {
		char buf[96];
		td_tw_spaces(t, IND_SUB);
		snprintf(buf, sizeof buf, "... %zu more certificates not kept (cap %u per chain)",
			 ch->dropped, TD_CAP_CHAIN);
		td_tw_text(t, buf, TD_TW_YELLOW, true, IND_SUB + 4);
		td_tw_end(t);
	}
}

/* A line saying why a chain is not shown; nothing when there is no
 * reason to expect one. */
void td_text_no_chain(struct td_tw *t, const struct td_conn *c, bool server)
{
	const char *who = server ? "server" : "client";
	const char *why = NULL;
	enum td_tw_color col = TD_TW_RESET;
	if (td_tls_version_is_13(c->version))
		why = "not visible (encrypted in TLS 1.3; a key log would show them)";
	else if (c->sh.present && (c->sh.psk || c->sh.session_id_echo))
		why = "none (resumed session)";
	else if (!server && c->cr.present) {
		why = "no Certificate message seen after the request";
		col = TD_TW_YELLOW;
	} else if (!server && c->sh.present)
		why = "not requested";
	else if (server && c->sh.present)
		why = "none seen";
	if (!why)
		return;
	td_tw_spaces(t, IND_BLOCK);
	td_tw_put(t, who);
	td_tw_put(t, " certificates: ");
	td_tw_text(t, why, col, true, IND_SUB);
	td_tw_end(t);
}

void td_text_cert_request(struct td_tw *t, const struct td_conn *c, bool verbose)
{
	const struct td_cert_request *cr = &c->cr;
	if (!cr->present)
		return;
	td_tw_spaces(t, IND_BLOCK);
	td_tw_text(t, cr->tls13 ? "certificate request (TLS 1.3)"
		   : "certificate request (TLS 1.2 or older)", TD_TW_RESET, true, IND_SUB);
	td_tw_end(t);
	struct td_tw_items it = td_tw_items_u16(&cr->sig_algs, TD_REG_SIGALG, false);
	list_row(t, verbose, "sig algs", &it);
	if (!cr->tls13 || cr->cert_types.n > 0) {
		it = td_tw_items_u16(&cr->cert_types, TD_REG_CERT_TYPE, false);
		list_row(t, verbose, "cert types", &it);
	}
	td_tw_spaces(t, IND_BLOCK);
	if (cr->ca_names.n == 0 && cr->ca_names.dropped == 0) {
		td_tw_text(t, "acceptable client CAs: none listed (any CA the server trusts)",
			   TD_TW_RESET, true, IND_SUB);
		td_tw_end(t);
		return;
	}
	td_tw_printf(t, "acceptable client CAs (%zu)", cr->ca_names.n + cr->ca_names.dropped);
	td_tw_end(t);
	size_t show = verbose ? cr->ca_names.n : LIST_SHORT;
	for (size_t i = 0; i < cr->ca_names.n && i < show; i++) {
		td_tw_spaces(t, IND_SUB);
		td_tw_text(t, cr->ca_names.v[i], TD_TW_RESET, true, IND_SUB + 2);
		td_tw_end(t);
	}
	if (cr->ca_names.n > show) {
		td_tw_spaces(t, IND_SUB);
		td_tw_printf(t, "... (%zu more)", cr->ca_names.n - show);
		td_tw_end(t);
	}
	if (cr->ca_names.dropped) {
		char buf[96];
		td_tw_spaces(t, IND_SUB);
		snprintf(buf, sizeof buf, "... %zu more names not kept (cap %u)",
			 cr->ca_names.dropped, TD_CAP_CA_NAMES);
		td_tw_text(t, buf, TD_TW_YELLOW, true, IND_SUB + 4);
		td_tw_end(t);
	}
}
