/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * binary.c - the binary protocols of the STARTTLS recogniser
 * (starttls.h): PostgreSQL, MySQL and LDAP, one call per message.
 *
 * PostgreSQL (protocol docs 55.2.10 "SSL Session Encryption", 55.7):
 *
 *   C: SSLRequest      Int32 8 | Int32 80877103 (0x04d2162f)
 *      GSSENCRequest   Int32 8 | Int32 80877104 (0x04d21630)
 *   S: one byte 'S' (go ahead with TLS) | 'N' (no) | 'G' (GSSAPI
 *      encryption) | an ErrorResponse 'E' Int32 len ... (old servers)
 *   C: after 'N': StartupMessage Int32 len | Int32 196608 | ... : the
 *      client goes on in plaintext
 *
 * MySQL / MariaDB (Protocol::Handshake, Protocol::SSLRequest):
 *
 *   packet: int<3> payload length (little-endian) | int<1> sequence | payload
 *   S: Handshake v10: 0x0a | server version NUL | int<4> thread id |
 *      8 bytes auth data | 0x00 | int<2> capability flags (low 16 bits) ...
 *      CLIENT_SSL = 0x0800 offers TLS
 *   C: SSLRequest, 32 bytes: int<4> capabilities with CLIENT_SSL |
 *      int<4> max packet | int<1> charset | 23 zero bytes; TLS follows
 *      at once, in both directions (no answer)
 *      a HandshakeResponse41 without CLIENT_SSL logs in in plaintext
 *
 * LDAP (RFC 4511 4.14, 4.12; BER, X.690 8.1):
 *
 *   LDAPMessage ::= SEQUENCE (0x30) { messageID INTEGER (0x02),
 *       protocolOp CHOICE { ..., extendedReq [APPLICATION 23] (0x77)
 *       { requestName [0] (0x80) "1.3.6.1.4.1.1466.20037" },
 *       extendedResp [APPLICATION 24] (0x78) { resultCode ENUMERATED
 *       (0x0a), matchedDN OCTET STRING (0x04), diagnosticMessage OCTET
 *       STRING (0x04), ... } } }
 *
 * The LDAP envelope is read here, tag and length bytes through the
 * bounded reader (reader.h), with definite lengths of at most 4 bytes
 * and no nesting past the operation's first fields.  This is not the
 * hand-parsed ASN.1 the project forbids for X.509: certificates go to
 * wolfSSL, whose ASN.1 API lives in the x509 and crypto rooms and
 * parses certificates, not LDAP messages; no Debian BER library
 * (libber is part of OpenLDAP's liblber, which would bring a whole LDAP
 * client in for a dozen bytes) fits better than these few checked reads.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reader.h"
#include "starttls_int.h"
#include "text.h"

/* PostgreSQL */
#define PG_SSL_REQUEST     80877103u
#define PG_GSSENC_REQUEST  80877104u
#define PG_CANCEL_REQUEST  80877102u
#define PG_PROTOCOL_3      196608u
/* A startup-phase message longer than this is none (the server's own
 * limit is 10000 bytes, src/backend/tcop/backend_startup.c). */
#define PG_STARTUP_MAX     10000u

/* MySQL */
#define MYSQL_PROTOCOL_10  10u
#define MYSQL_ERR          0xffu
#define MYSQL_CLIENT_SSL   0x0800u
#define MYSQL_SSL_REQUEST_LEN 32u
#define MYSQL_GREETING_MIN 20u
#define MYSQL_GREETING_MAX 1024u

/* LDAP (BER tags) */
#define BER_SEQUENCE       0x30u
#define BER_INTEGER        0x02u
#define BER_ENUMERATED     0x0au
#define BER_OCTET_STRING   0x04u
#define LDAP_EXTENDED_REQ  0x77u
#define LDAP_EXTENDED_RESP 0x78u
#define LDAP_REQUEST_NAME  0x80u
#define LDAP_STARTTLS_OID  "1.3.6.1.4.1.1466.20037"
/* The longest BER length we read: 4 bytes after 0x84. */
#define BER_LEN_BYTES_MAX  4u

/* ---- BER, the envelope only ---- */

/* A tag and its definite length; the value's reader in *val.  False on
 * a short or malformed header (indefinite length, more than 4 length
 * bytes) or a value longer than what is left. */
bool td_stls_ber_tlv(struct td_reader *r, uint8_t *tag, struct td_reader *val)
{
	*tag = td_rd_u8(r);
	uint8_t l0 = td_rd_u8(r);
	size_t len = l0;
	if (l0 & 0x80u) {
		size_t k = l0 & 0x7fu;
		if (k == 0 || k > BER_LEN_BYTES_MAX)
			return false;
		len = 0;
		for (size_t i = 0; i < k; i++)
			len = (len << 8) | td_rd_u8(r);
	}
	if (!td_rd_ok(r) || len > td_rd_left(r))
		return false;
	*val = td_rd_sub(r, len);
	return td_rd_ok(r);
}

/* The whole length of a BER element whose first n bytes are at p; 0:
 * more bytes needed; SIZE_MAX: not a definite-length SEQUENCE. */
size_t td_stls_ber_frame_len(const uint8_t *p, size_t n)
{
	struct td_reader r = td_rd_make(p, n);
	if (td_rd_left(&r) < 2)
		return td_rd_left(&r) == 1 && td_rd_peek(&r, 0) != BER_SEQUENCE ? SIZE_MAX : 0;
	if (td_rd_u8(&r) != BER_SEQUENCE)
		return SIZE_MAX;
	uint8_t l0 = td_rd_u8(&r);
	if (!(l0 & 0x80u))
		return 2u + l0;
	size_t k = l0 & 0x7fu;
	if (k == 0 || k > BER_LEN_BYTES_MAX)
		return SIZE_MAX;
	if (td_rd_left(&r) < k)
		return 0;
	size_t len = 0;
	for (size_t i = 0; i < k; i++)
		len = (len << 8) | td_rd_u8(&r);
	return 2u + k + len;
}

uint32_t td_stls_ber_uint(struct td_reader *v)
{
	uint32_t x = 0;
	size_t n = td_rd_left(v);
	if (n == 0 || n > 4) {
		td_rd_fail(v);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		x = (x << 8) | td_rd_u8(v);
	return x;
}

/* An LDAPMessage's operation: its tag and its body's reader. */
static bool ldap_op(const uint8_t *p, size_t n, uint8_t *op, struct td_reader *body)
{
	struct td_reader r = td_rd_make(p, n), msg, id;
	uint8_t tag;
	if (!td_stls_ber_tlv(&r, &tag, &msg) || tag != BER_SEQUENCE)
		return false;
	if (!td_stls_ber_tlv(&msg, &tag, &id) || tag != BER_INTEGER)
		return false;
	return td_stls_ber_tlv(&msg, op, body);
}

static bool ldap_is_starttls(const uint8_t *p, size_t n)
{
	uint8_t op, tag;
	struct td_reader body, name;
	if (!ldap_op(p, n, &op, &body) || op != LDAP_EXTENDED_REQ)
		return false;
	if (!td_stls_ber_tlv(&body, &tag, &name) || tag != LDAP_REQUEST_NAME)
		return false;
	size_t k = td_rd_left(&name);
	const uint8_t *oid = td_rd_bytes(&name, k);
	return oid && k == strlen(LDAP_STARTTLS_OID) && memcmp(oid, LDAP_STARTTLS_OID, k) == 0;
}

const char *td_stls_ldap_op_name(uint8_t op)
{
	switch (op) {
	case 0x60: return "BindRequest";
	case 0x61: return "BindResponse";
	case 0x42: return "UnbindRequest";
	case 0x63: return "SearchRequest";
	case 0x64: return "SearchResultEntry";
	case 0x65: return "SearchResultDone";
	case 0x66: return "ModifyRequest";
	case 0x67: return "ModifyResponse";
	case 0x68: return "AddRequest";
	case 0x69: return "AddResponse";
	case 0x4a: return "DelRequest";
	case 0x6b: return "DelResponse";
	case 0x6c: return "ModifyDNRequest";
	case 0x6d: return "ModifyDNResponse";
	case 0x6e: return "CompareRequest";
	case 0x6f: return "CompareResponse";
	case 0x50: return "AbandonRequest";
	case 0x73: return "SearchResultReference";
	case 0x77: return "ExtendedRequest";
	case 0x78: return "ExtendedResponse";
	case 0x79: return "IntermediateResponse";
	}
	return "LDAP message";
}

/* RFC 4511 4.1.9's names for the result codes (Appendix A): those a
 * StartTLS meets, and those a bind, a search or an update meets after it
 * (src/app reads them in the upgraded session). */
const char *td_stls_ldap_result_name(uint32_t rc)
{
	switch (rc) {
	case 0: return "success";
	case 1: return "operationsError";
	case 2: return "protocolError";
	case 3: return "timeLimitExceeded";
	case 4: return "sizeLimitExceeded";
	case 5: return "compareFalse";
	case 6: return "compareTrue";
	case 7: return "authMethodNotSupported";
	case 8: return "strongerAuthRequired";
	case 10: return "referral";
	case 11: return "adminLimitExceeded";
	case 12: return "unavailableCriticalExtension";
	case 13: return "confidentialityRequired";
	case 14: return "saslBindInProgress";
	case 16: return "noSuchAttribute";
	case 17: return "undefinedAttributeType";
	case 18: return "inappropriateMatching";
	case 19: return "constraintViolation";
	case 20: return "attributeOrValueExists";
	case 21: return "invalidAttributeSyntax";
	case 32: return "noSuchObject";
	case 33: return "aliasProblem";
	case 34: return "invalidDNSyntax";
	case 36: return "aliasDereferencingProblem";
	case 48: return "inappropriateAuthentication";
	case 49: return "invalidCredentials";
	case 50: return "insufficientAccessRights";
	case 51: return "busy";
	case 52: return "unavailable";
	case 53: return "unwillingToPerform";
	case 54: return "loopDetect";
	case 64: return "namingViolation";
	case 65: return "objectClassViolation";
	case 66: return "notAllowedOnNonLeaf";
	case 67: return "notAllowedOnRDN";
	case 68: return "entryAlreadyExists";
	case 69: return "objectClassModsProhibited";
	case 71: return "affectsMultipleDSAs";
	case 80: return "other";
	}
	return "unknown";
}

static void ldap(struct td_stls *s, const struct frame *fr)
{
	uint8_t op;
	struct td_reader body;
	char text[TD_STLS_TEXT_MAX];
	if (fr->cut || !ldap_op(fr->p, fr->len, &op, &body)) {
		stls_step_str(s, fr->dir, "LDAP message (not read)", fr->wire, TD_STLS_STEP);
		return;
	}
	if (fr->dir == TD_DIR_C2S) {
		if (ldap_is_starttls(fr->p, fr->len)) {
			stls_step_str(s, fr->dir, "ExtendedRequest StartTLS (" LDAP_STARTTLS_OID ")",
				      fr->wire, TD_STLS_ASK);
			stls_ask(s);
		} else if (op == 0x42) {
			stls_step_str(s, fr->dir, "UnbindRequest", fr->wire, TD_STLS_STEP);
		} else if (s->refused) {
			/* A bind carries the password: only the operation is named. */
			stls_after(s, td_stls_ldap_op_name(op));
		} else {
			stls_step_str(s, fr->dir, td_stls_ldap_op_name(op), fr->wire, TD_STLS_STEP);
		}
		return;
	}
	if (op != LDAP_EXTENDED_RESP) {
		stls_step_str(s, fr->dir, td_stls_ldap_op_name(op), fr->wire, TD_STLS_STEP);
		return;
	}
	uint8_t tag;
	struct td_reader v, dn, diag;
	uint32_t rc = 0;
	bool ok = td_stls_ber_tlv(&body, &tag, &v) && tag == BER_ENUMERATED;
	if (ok)
		rc = td_stls_ber_uint(&v);
	ok = ok && td_rd_ok(&v) && td_stls_ber_tlv(&body, &tag, &dn) && tag == BER_OCTET_STRING &&
	     td_stls_ber_tlv(&body, &tag, &diag) && tag == BER_OCTET_STRING;
	if (!ok) {
		stls_step_str(s, fr->dir, "ExtendedResponse (malformed)", fr->wire, TD_STLS_STEP);
		return;
	}
	size_t dl = td_rd_left(&diag);
	const uint8_t *dm = td_rd_bytes(&diag, dl);
	char *msg = dl ? td_text_sanitize(dm, dl < 96 ? dl : 96) : NULL;
	snprintf(text, sizeof text, "ExtendedResponse resultCode %u (%s)%s%s", (unsigned)rc,
		 td_stls_ldap_result_name(rc), msg ? ": " : "", msg ? msg : "");
	free(msg);
	td_text_cut_utf8(text);
	if (!s->asked || s->answered) {
		stls_step_str(s, fr->dir, text, fr->wire, TD_STLS_STEP);
		return;
	}
	stls_step_str(s, fr->dir, text, fr->wire, TD_STLS_ANSWER);
	if (rc == 0)
		stls_agree(s);
	else
		stls_refuse(s, (const uint8_t *)text, strlen(text));
}

/* ---- PostgreSQL ---- */

/* An ErrorResponse's 'M' field (the message), sanitized into out. */
static void pg_error_message(const uint8_t *p, size_t n, char *out, size_t len)
{
	struct td_reader r = td_rd_make(p, n);
	td_rd_skip(&r, 5);  /* 'E' and the length */
	out[0] = '\0';
	while (td_rd_left(&r) > 0) {
		uint8_t field = td_rd_u8(&r);
		if (field == 0)
			break;
		size_t k = 0;
		while (k < td_rd_left(&r) && td_rd_peek(&r, k) != 0)
			k++;
		const uint8_t *v = td_rd_bytes(&r, k);
		td_rd_skip(&r, 1);
		if (field == 'M' && v) {
			char *t = td_text_sanitize(v, k < 120 ? k : 120);
			snprintf(out, len, "%s", t ? t : "");
			free(t);
			td_text_cut_utf8(out);
			return;
		}
	}
}

static void postgres(struct td_stls *s, const struct frame *fr)
{
	struct td_reader r = td_rd_make(fr->p, fr->len);
	if (fr->dir == TD_DIR_C2S) {
		td_rd_skip(&r, 4);
		uint32_t code = td_rd_u32(&r);
		if (code == PG_SSL_REQUEST || code == PG_GSSENC_REQUEST) {
			s->gss_asked = code == PG_GSSENC_REQUEST;
			stls_step_str(s, fr->dir, s->gss_asked ? "GSSENCRequest" : "SSLRequest",
				      fr->wire, TD_STLS_ASK);
			stls_ask(s);
		} else if (code == PG_CANCEL_REQUEST) {
			stls_step_str(s, fr->dir, "CancelRequest", fr->wire, TD_STLS_STEP);
		} else if (code == PG_PROTOCOL_3 && s->refused) {
			s->pg_startup = true;
			stls_after(s, "StartupMessage (protocol 3.0)");
		} else {
			s->state = ST_DONE;
		}
		return;
	}
	uint8_t b = td_rd_u8(&r);
	bool answer = s->asked && !s->answered;
	if (b == 'S' && fr->wire == 1 && answer) {
		stls_step_str(s, fr->dir, "S (the server agrees to TLS)", 1, TD_STLS_ANSWER);
		stls_agree(s);
	} else if (b == 'N' && fr->wire == 1 && answer) {
		stls_step_str(s, fr->dir, s->gss_asked ? "N (no GSSAPI encryption)"
			      : "N (the server does not do TLS)", 1, TD_STLS_ANSWER);
		stls_refuse(s, (const uint8_t *)"N", 1);
	} else if (b == 'G' && fr->wire == 1 && answer) {
		/* GSSAPI encryption, not TLS: nothing more to read. */
		stls_step_str(s, fr->dir, "G (GSSAPI encryption accepted)", 1, TD_STLS_ANSWER);
		s->answered = true;
		s->state = ST_DONE;
	} else if (b == 'E') {
		char m[TD_STLS_TEXT_MAX - 24], text[TD_STLS_TEXT_MAX];
		pg_error_message(fr->p, fr->len, m, sizeof m);
		snprintf(text, sizeof text, "ErrorResponse: %s", m);
		stls_step_str(s, fr->dir, text, fr->wire, answer ? TD_STLS_ANSWER : TD_STLS_STEP);
		if (answer)
			stls_refuse(s, (const uint8_t *)text, strlen(text));
	} else {
		stls_step_str(s, fr->dir, "PostgreSQL message", fr->wire, TD_STLS_STEP);
	}
}

/* ---- MySQL ---- */

static void mysql(struct td_stls *s, const struct frame *fr)
{
	struct td_reader r = td_rd_make(fr->p, fr->len);
	td_rd_skip(&r, 4);  /* length and sequence */
	char text[TD_STLS_TEXT_MAX];
	if (fr->dir == TD_DIR_S2C) {
		uint8_t kind = td_rd_u8(&r);
		if (kind == MYSQL_ERR) {
			uint16_t code = td_rd_u16le(&r);
			size_t k = td_rd_left(&r);
			const uint8_t *m = td_rd_bytes(&r, k);
			char *t = m ? td_text_sanitize(m, k < 100 ? k : 100) : NULL;
			snprintf(text, sizeof text, "ERR %u: %s", code, t ? t : "");
			free(t);
			td_text_cut_utf8(text);
			stls_step_str(s, fr->dir, text, fr->wire, TD_STLS_STEP);
			return;
		}
		if (s->mysql_greeted || kind != MYSQL_PROTOCOL_10) {
			stls_step_str(s, fr->dir, "MySQL packet", fr->wire, TD_STLS_STEP);
			return;
		}
		s->mysql_greeted = true;
		size_t vl = 0;
		while (vl < td_rd_left(&r) && td_rd_peek(&r, vl) != 0)
			vl++;
		const uint8_t *ver = td_rd_bytes(&r, vl);
		td_rd_skip(&r, 1 + 4 + 8 + 1);  /* NUL, thread id, auth data, filler */
		uint16_t caps = td_rd_u16le(&r);
		bool read = td_rd_ok(&r);
		char *v = ver ? td_text_sanitize(ver, vl < 60 ? vl : 60) : NULL;
		if (read) {
			s->caps_seen = true;
			s->offered = caps & MYSQL_CLIENT_SSL;
		}
		snprintf(text, sizeof text, "greeting: server %s, %s", v ? v : "?",
			 !read ? "capabilities cut" : s->offered ? "CLIENT_SSL offered"
			 : "no CLIENT_SSL");
		free(v);
		td_text_cut_utf8(text);
		stls_step_str(s, fr->dir, text, fr->wire, TD_STLS_STEP);
		return;
	}
	uint32_t caps = td_rd_u8(&r);
	caps |= (uint32_t)td_rd_u8(&r) << 8;
	caps |= (uint32_t)td_rd_u8(&r) << 16;
	caps |= (uint32_t)td_rd_u8(&r) << 24;
	size_t payload = fr->wire >= 4 ? fr->wire - 4 : 0;
	if (td_rd_ok(&r) && (caps & MYSQL_CLIENT_SSL) && payload == MYSQL_SSL_REQUEST_LEN) {
		stls_step_str(s, fr->dir, "SSLRequest (CLIENT_SSL)", fr->wire, TD_STLS_ASK);
		stls_ask(s);
		/* No answer: TLS follows at once in both directions. */
		stls_agree(s);
		return;
	}
	if (stls_clear_matters(s))
		stls_after(s, "HandshakeResponse (a login without TLS)");
	else
		s->state = ST_DONE;
}

/* ---- framing and recognition ---- */

size_t stls_frame_len(const struct td_stls *s, enum td_dir dir, const uint8_t *p, size_t n)
{
	struct td_reader r = td_rd_make(p, n);
	switch (s->proto) {
	case TD_STLS_POSTGRES:
		if (dir == TD_DIR_S2C) {
			uint8_t b = td_rd_u8(&r);
			if (!td_rd_ok(&r))
				return 0;
			if (s->asked && !s->answered && b != 'E')
				return 1;
			uint32_t len = td_rd_u32(&r);
			if (!td_rd_ok(&r))
				return 0;
			return len < 4 || len > PG_STARTUP_MAX ? SIZE_MAX : (size_t)len + 1;
		} else {
			uint32_t len = td_rd_u32(&r);
			if (!td_rd_ok(&r))
				return 0;
			return len < 8 || len > PG_STARTUP_MAX ? SIZE_MAX : len;
		}
	case TD_STLS_MYSQL: {
		uint32_t len = td_rd_u8(&r);
		len |= (uint32_t)td_rd_u8(&r) << 8;
		len |= (uint32_t)td_rd_u8(&r) << 16;
		td_rd_skip(&r, 1);
		return td_rd_ok(&r) ? (size_t)len + 4 : 0;
	}
	case TD_STLS_LDAP:
		return td_stls_ber_frame_len(p, n);
	case TD_STLS_SMTP:
	case TD_STLS_IMAP:
	case TD_STLS_POP3:
	case TD_STLS_FTP:
	case TD_STLS_XMPP:
	case TD_STLS_NONE:
		break;
	}
	return SIZE_MAX;
}

void stls_binary(struct td_stls *s, const struct frame *fr)
{
	switch (s->proto) {
	case TD_STLS_POSTGRES:
		postgres(s, fr);
		return;
	case TD_STLS_MYSQL:
		mysql(s, fr);
		return;
	case TD_STLS_LDAP:
		ldap(s, fr);
		return;
	case TD_STLS_SMTP:
	case TD_STLS_IMAP:
	case TD_STLS_POP3:
	case TD_STLS_FTP:
	case TD_STLS_XMPP:
	case TD_STLS_NONE:
		break;
	}
}

enum td_starttls_proto stls_detect_binary(enum td_dir dir, const uint8_t *p, size_t n,
					  bool *more)
{
	struct td_reader r = td_rd_make(p, n);
	*more = false;
	if (dir == TD_DIR_S2C) {
		/* A MySQL Handshake v10 (or an ERR packet in its place). */
		uint32_t len = td_rd_u8(&r);
		len |= (uint32_t)td_rd_u8(&r) << 8;
		len |= (uint32_t)td_rd_u8(&r) << 16;
		uint8_t seq = td_rd_u8(&r);
		uint8_t kind = td_rd_u8(&r);
		if (!td_rd_ok(&r)) {
			/* Wait only while the bytes could still be one. */
			*more = n < 3 || (stls_at(p, n, 1) <= (MYSQL_GREETING_MAX >> 8) && stls_at(p, n, 2) == 0 &&
					  (n < 4 || stls_at(p, n, 3) == 0));
			return TD_STLS_NONE;
		}
		if (seq == 0 && len >= MYSQL_GREETING_MIN && len <= MYSQL_GREETING_MAX &&
		    (kind == MYSQL_PROTOCOL_10 || kind == MYSQL_ERR))
			return TD_STLS_MYSQL;
		return TD_STLS_NONE;
	}
	/* PostgreSQL: an 8-byte SSLRequest or GSSENCRequest. */
	if (n >= 1 && stls_at(p, n, 0) == 0) {
		uint32_t len = td_rd_u32(&r);
		uint32_t code = td_rd_u32(&r);
		if (!td_rd_ok(&r)) {
			*more = true;
			return TD_STLS_NONE;
		}
		return len == 8 && (code == PG_SSL_REQUEST || code == PG_GSSENC_REQUEST)
			? TD_STLS_POSTGRES : TD_STLS_NONE;
	}
	/* LDAP: a whole first message, the StartTLS extended request. */
	if (n >= 1 && stls_at(p, n, 0) == BER_SEQUENCE) {
		size_t need = td_stls_ber_frame_len(p, n);
		if (need == SIZE_MAX || need > TD_CAP_STLS_LINE)
			return TD_STLS_NONE;
		if (need == 0 || n < need) {
			*more = true;
			return TD_STLS_NONE;
		}
		return ldap_is_starttls(p, need) ? TD_STLS_LDAP : TD_STLS_NONE;
	}
	return TD_STLS_NONE;
}
