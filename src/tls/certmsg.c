/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * certmsg.c - Certificate, CertificateRequest, ServerKeyExchange and
 * CertificateVerify (RFC 8446 4.3.2, 4.4.2, 4.4.3; RFC 5246 7.4.2,
 * 7.4.3, 7.4.4, 7.4.8; RFC 4346 7.4.4; RFC 8422 5.4).
 *
 *   Certificate, TLS <= 1.2          Certificate, TLS 1.3
 *   +----------------------------+   +----------------------------------+
 *   | certificate_list  u24 len  |   | certificate_request_context <u8> |
 *   |   { cert  u24 len, DER }*  |   | certificate_list  u24 len        |
 *   +----------------------------+   |   { cert_data u24 len, DER,      |
 *                                    |     extensions u16 len }*        |
 *                                    +----------------------------------+
 *
 *   CertificateRequest, TLS 1.0/1.1 / 1.2        CertificateRequest, TLS 1.3
 *   +------------------------------------------+ +-------------------------+
 *   | certificate_types           <u8>         | | context          <u8>   |
 *   | supported_signature_algorithms <u16> 1.2 | | extensions       <u16>  |
 *   | certificate_authorities     <u16>        | |  13 signature_algorithms|
 *   |   { DistinguishedName <u16> }*           | |  47 certificate_        |
 *   +------------------------------------------+ |     authorities         |
 *                                                +-------------------------+
 *
 *   ServerKeyExchange, ECDHE (RFC 8422 5.4)   CertificateVerify (1.2, 1.3)
 *   +-------------------------------------+   +----------------------------+
 *   | curve_type 1 (3 = named_curve)      |   | algorithm  2 (scheme)      |
 *   | namedcurve 2                        |   | signature  <u16>           |
 *   | public     <u8>                     |   +----------------------------+
 *   | signature  ...                      |
 *   +-------------------------------------+
 *
 * Certificates and distinguished names stay DER: they are handed to
 * callbacks (the engine calls the x509 layer), never parsed here.
 */
#include "config.h"

#include <stdio.h>

#include "caps.h"
#include "reader.h"
#include "tls_handshake.h"

enum {
	EXT_SIGNATURE_ALGORITHMS = 13,
	EXT_CERTIFICATE_AUTHORITIES = 47,
	CURVE_TYPE_NAMED = 3
};

/* Keep the first error; out of memory overrides everything. */
static void note(enum td_result *res, enum td_result r)
{
	if (r == TD_ERR_NOMEM || (*res == TD_OK && r != TD_OK))
		*res = r;
}

enum td_result td_tls_decode_certificate(const uint8_t *body, size_t len, bool tls13,
					 td_der_fn on_cert, void *ctx, size_t *count)
{
	struct td_reader r = td_rd_make(body, len);
	enum td_result res = TD_OK;
	size_t n = 0;

	if (tls13)
		(void)td_rd_vec8(&r);  /* certificate_request_context */
	struct td_reader list = td_rd_vec24(&r);
	if (!td_rd_ok(&r)) {
		res = TD_ERR_TRUNCATED;
		goto out;
	}
	if (td_rd_left(&r) != 0)
		note(&res, TD_ERR_MALFORMED);
	while (td_rd_left(&list) > 0) {
		struct td_reader cert = td_rd_vec24(&list);
		if (tls13)
			(void)td_rd_vec16(&list);  /* per-certificate extensions */
		if (!td_rd_ok(&list)) {
			note(&res, TD_ERR_MALFORMED);
			break;
		}
		/* ASN.1Cert<1..2^24-1>: an empty one is still listed, so the
		 * chain keeps its positions, and reported. */
		size_t der_len = td_rd_left(&cert);
		if (der_len == 0)
			note(&res, TD_ERR_MALFORMED);
		n++;
		if (on_cert) {
			enum td_result e = on_cert(ctx, td_rd_bytes(&cert, der_len), der_len);
			if (e != TD_OK) {
				note(&res, e);
				if (e == TD_ERR_NOMEM)
					break;
			}
		}
	}
out:
	if (count)
		*count = n;
	return res;
}

/* One DistinguishedName as a string; the x509 layer's NULL becomes a
 * placeholder that still says how long the name was. */
static enum td_result add_dn(struct td_cert_request *cr, struct td_reader *dn,
			     td_dn_fn name_to_string)
{
	if (cr->ca_names.n >= TD_CAP_CA_NAMES) {
		cr->ca_names.dropped++;
		return TD_OK;
	}
	size_t n = td_rd_left(dn);
	const uint8_t *der = td_rd_bytes(dn, n);
	char *s = n > 0 && name_to_string ? name_to_string(der, n) : NULL;
	if (!s) {
		char buf[64];
		snprintf(buf, sizeof buf, "(unparsable name, %zu bytes)", n);
		return td_strlist_add(&cr->ca_names, buf);
	}
	return td_strlist_take(&cr->ca_names, s);
}

/* certificate_authorities: DistinguishedName <0..2^16-1> each <1..2^16-1>. */
static enum td_result ca_list(struct td_reader *list, struct td_cert_request *cr,
			      td_dn_fn name_to_string)
{
	while (td_rd_left(list) > 0) {
		struct td_reader dn = td_rd_vec16(list);
		if (!td_rd_ok(list))
			return TD_ERR_MALFORMED;
		enum td_result e = add_dn(cr, &dn, name_to_string);
		if (e != TD_OK)
			return e;
	}
	return TD_OK;
}

/* True when v is exactly a u16 vector of u16 values then a u16 vector of
 * u16 vectors: the TLS 1.2 tail of a CertificateRequest. */
static bool looks_like_tls12_tail(struct td_reader v)
{
	struct td_reader algs = td_rd_vec16(&v);
	struct td_reader cas = td_rd_vec16(&v);
	if (!td_rd_done(&v) || td_rd_left(&algs) % 2 != 0)
		return false;
	while (td_rd_left(&cas) > 0)
		(void)td_rd_vec16(&cas);
	return td_rd_ok(&cas);
}

static enum td_result u16_items(struct td_reader *v, struct td_u16list *l)
{
	enum td_result e = td_u16list_add_wire(l, v);
	if (e != TD_OK)
		return e;
	return td_rd_done(v) ? TD_OK : TD_ERR_MALFORMED;
}

static enum td_result cert_request12(struct td_reader *r, td_dn_fn name_to_string,
				     struct td_cert_request *cr)
{
	enum td_result res = TD_OK;
	struct td_reader types = td_rd_vec8(r);
	if (!td_rd_ok(r))
		return TD_ERR_TRUNCATED;
	while (td_rd_left(&types) > 0) {
		enum td_result e = td_u16list_add(&cr->cert_types, td_rd_u8(&types));
		if (e != TD_OK)
			return e;
	}
	/*
	 * TLS 1.2 added supported_signature_algorithms between the types
	 * and the CA names, and the message does not say which version it
	 * is.  The rest is read the TLS 1.2 way when it parses exactly as
	 * both vectors, else as the CA names alone (TLS 1.0/1.1).
	 */
	if (looks_like_tls12_tail(*r)) {
		struct td_reader algs = td_rd_vec16(r);
		note(&res, u16_items(&algs, &cr->sig_algs));
	}
	struct td_reader cas = td_rd_vec16(r);
	if (!td_rd_ok(r))
		return res != TD_OK ? res : TD_ERR_TRUNCATED;
	if (td_rd_left(r) != 0)
		note(&res, TD_ERR_MALFORMED);
	note(&res, ca_list(&cas, cr, name_to_string));
	return res;
}

static enum td_result cert_request13(struct td_reader *r, td_dn_fn name_to_string,
				     struct td_cert_request *cr)
{
	enum td_result res = TD_OK;
	struct td_reader context = td_rd_vec8(r);
	cr->context_len = td_rd_left(&context);
	struct td_reader exts = td_rd_vec16(r);
	if (!td_rd_ok(r))
		return TD_ERR_TRUNCATED;
	if (td_rd_left(r) != 0)
		note(&res, TD_ERR_MALFORMED);
	while (td_rd_left(&exts) > 0) {
		uint16_t type = td_rd_u16(&exts);
		struct td_reader data = td_rd_vec16(&exts);
		if (!td_rd_ok(&exts)) {
			note(&res, TD_ERR_MALFORMED);
			break;
		}
		struct td_reader v;
		enum td_result e = TD_OK;
		switch (type) {
		case EXT_SIGNATURE_ALGORITHMS:
			v = td_rd_vec16(&data);
			e = u16_items(&v, &cr->sig_algs);
			break;
		case EXT_CERTIFICATE_AUTHORITIES:
			v = td_rd_vec16(&data);
			e = td_rd_ok(&data) ? ca_list(&v, cr, name_to_string) : TD_ERR_MALFORMED;
			break;
		default:
			td_rd_skip(&data, td_rd_left(&data));
			break;
		}
		note(&res, e);
		if (e == TD_ERR_NOMEM)
			return e;
		if (!td_rd_done(&data))
			note(&res, TD_ERR_MALFORMED);
	}
	return res;
}

enum td_result td_tls_decode_cert_request(const uint8_t *body, size_t len, bool tls13,
					  td_dn_fn name_to_string,
					  struct td_cert_request *cr)
{
	struct td_reader r = td_rd_make(body, len);
	cr->present = true;
	cr->tls13 = tls13;
	return tls13 ? cert_request13(&r, name_to_string, cr)
		     : cert_request12(&r, name_to_string, cr);
}

enum td_result td_tls_decode_server_key_exchange(const uint8_t *body, size_t len,
						 uint16_t *group)
{
	struct td_reader r = td_rd_make(body, len);
	*group = 0;
	if (td_rd_left(&r) == 0)
		return TD_ERR_TRUNCATED;
	/*
	 * The suite says which layout follows, and the message does not.
	 * ECParameters with a named curve: curve_type 3, the group, then a
	 * non-empty point.  A DHE message starts with the length of p, whose
	 * first byte is 3 for a 768..1023-byte prime, so the point must fit
	 * before the group is believed.
	 */
	if (td_rd_peek(&r, 0) == CURVE_TYPE_NAMED) {
		struct td_reader ec = r;
		(void)td_rd_u8(&ec);
		uint16_t g = td_rd_u16(&ec);
		struct td_reader point = td_rd_vec8(&ec);
		if (td_rd_ok(&ec) && td_rd_left(&point) > 0) {
			*group = g;
			return TD_OK;
		}
	}
	/* ServerDHParams: p, g, Ys; anything else is RSA export or PSK. */
	struct td_reader dh = r;
	struct td_reader p = td_rd_vec16(&dh);
	struct td_reader g = td_rd_vec16(&dh);
	struct td_reader ys = td_rd_vec16(&dh);
	if (td_rd_ok(&dh) && td_rd_left(&p) && td_rd_left(&g) && td_rd_left(&ys))
		return TD_OK;
	return td_rd_peek(&r, 0) == CURVE_TYPE_NAMED ? TD_ERR_MALFORMED : TD_OK;
}

enum td_result td_tls_decode_cert_verify(const uint8_t *body, size_t len, uint16_t *scheme)
{
	/* DigitallySigned: SignatureScheme algorithm; opaque signature<0..2^16-1>. */
	struct td_reader r = td_rd_make(body, len);
	*scheme = td_rd_u16(&r);
	struct td_reader sig = td_rd_vec16(&r);
	(void)sig;
	if (!td_rd_ok(&r))
		return TD_ERR_TRUNCATED;
	return td_rd_left(&r) == 0 ? TD_OK : TD_ERR_MALFORMED;
}
