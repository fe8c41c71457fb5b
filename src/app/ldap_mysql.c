/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ldap_mysql.c - the binary protocols read after a STARTTLS upgrade
 * (app.h): LDAP and MySQL/MariaDB.
 *
 * LDAP (RFC 4511 4.1.1, 4.1.9, 4.2, 4.2.2; BER, X.690 8.1):
 *
 *   LDAPMessage ::= SEQUENCE (0x30) { messageID INTEGER (0x02),
 *       protocolOp CHOICE { bindRequest [APPLICATION 0] (0x60)
 *           { version INTEGER, name OCTET STRING,
 *             authentication CHOICE { simple [0] (0x80),
 *                 sasl [3] (0xa3) { mechanism OCTET STRING, ... } } },
 *         bindResponse [APPLICATION 1] (0x61), searchResDone (0x65),
 *         modify/add/del/modDN/compare responses (0x67 ... 0x6f),
 *         extendedResp [APPLICATION 24] (0x78): each starts with
 *           LDAPResult { resultCode ENUMERATED (0x0a),
 *             matchedDN OCTET STRING, diagnosticMessage OCTET STRING } } }
 *
 * The envelope is read by the STARTTLS room's BER reader (starttls.h:
 * td_stls_ber_*), the one BER reader of the project.
 *
 * MySQL (client/server protocol, "Protocol::Packet", "ERR_Packet",
 * "Protocol::HandshakeResponse41"):
 *
 *   packet:      int<3> payload length (LE) | int<1> sequence | payload
 *   ERR_Packet:  0xff | int<2> error_code | '#' | string[5] sql_state
 *                (CLIENT_PROTOCOL_41) | string<EOF> error_message
 *   HandshakeResponse41 (client, the first packet inside TLS):
 *                int<4> capabilities (CLIENT_PROTOCOL_41 0x200) |
 *                int<4> max packet | int<1> charset | 23 filler bytes,
 *                zero (MariaDB: 19, then int<4> extended capabilities) |
 *                string<NUL> username | ...
 *
 * Kept: the client's operation (LDAP) or login (MySQL, with its user),
 * the server's error replies (an LDAPResult whose resultCode is not
 * success, compareFalse/True or saslBindInProgress; an ERR_Packet).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "app_int.h"
#include "starttls.h"

#define BER_SEQUENCE      0x30u
#define BER_INTEGER       0x02u
#define BER_ENUMERATED    0x0au
#define BER_OCTET_STRING  0x04u
#define LDAP_BIND_REQ     0x60u
#define LDAP_AUTH_SIMPLE  0x80u
#define LDAP_AUTH_SASL    0xa3u
#define LDAP_COMPARE_RESP 0x6fu
#define LDAP_COMPARE_FALSE 5u
#define LDAP_COMPARE_TRUE 6u
#define LDAP_SASL_BIND_IN_PROGRESS 14u
/* An LDAP message kept whole to be read; a longer one (a search entry)
 * is passed over unread (an error result is a few hundred bytes). */
#define LDAP_READ_MAX     4096u

#define MYSQL_HEADER      4u
#define MYSQL_ERR         0xffu
#define MYSQL_PROTOCOL_41 0x0200u
#define MYSQL_FILLER      23u
/* Of the filler, the bytes that are zero: MariaDB puts its extended
 * capabilities in the last 4 (MariaDB's HandshakeResponse). */
#define MYSQL_FILLER_ZERO 19u
#define MYSQL_SQLSTATE_LEN 5u
/* A packet kept whole to be read (an ERR_Packet, a login). */
#define MYSQL_READ_MAX    4096u

/* LDAPResult operations: the responses that carry one. */
static bool ldap_result_op(uint8_t op)
{
	return op == 0x61 || op == 0x65 || op == 0x67 || op == 0x69 || op == 0x6b ||
	       op == 0x6d || op == 0x6f || op == 0x78;
}

static enum td_app_status ldap_server(uint8_t op, struct td_reader body, struct td_app_msg *m)
{
	if (!ldap_result_op(op))
		return TD_APP_SKIP;
	uint8_t tag;
	struct td_reader v, dn, diag;
	if (!td_stls_ber_tlv(&body, &tag, &v) || tag != BER_ENUMERATED)
		return TD_APP_NO;
	uint32_t rc = td_stls_ber_uint(&v);
	if (!td_rd_ok(&v))
		return TD_APP_NO;
	if (rc == 0 || rc == LDAP_SASL_BIND_IN_PROGRESS ||
	    (op == LDAP_COMPARE_RESP && (rc == LDAP_COMPARE_FALSE || rc == LDAP_COMPARE_TRUE)))
		return TD_APP_SKIP;
	m->proto = TD_APP_LDAP;
	m->kind = TD_APP_REPLY;
	m->code = rc;
	m->command = strdup(td_stls_ldap_op_name(op));
	m->reason = strdup(td_stls_ldap_result_name(rc));
	if (td_stls_ber_tlv(&body, &tag, &dn) && tag == BER_OCTET_STRING &&
	    td_stls_ber_tlv(&body, &tag, &diag) && tag == BER_OCTET_STRING)
		m->message = td_app_text(diag);
	return TD_APP_FOUND;
}

/* A BindRequest's authentication: "simple", or the SASL mechanism. */
static char *bind_mechanism(struct td_reader body)
{
	uint8_t tag;
	struct td_reader v;
	if (!td_stls_ber_tlv(&body, &tag, &v) || tag != BER_INTEGER ||
	    !td_stls_ber_tlv(&body, &tag, &v) || tag != BER_OCTET_STRING ||
	    !td_stls_ber_tlv(&body, &tag, &v))
		return NULL;
	if (tag == LDAP_AUTH_SIMPLE)
		return strdup("simple");
	struct td_reader mech;
	if (tag != LDAP_AUTH_SASL || !td_stls_ber_tlv(&v, &tag, &mech) || tag != BER_OCTET_STRING)
		return NULL;
	/* A mechanism name (RFC 4422 3.1): 1 to 20 of A-Z 0-9 - _. */
	size_t n = td_rd_left(&mech);
	if (n == 0 || n > 20)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = td_rd_peek(&mech, i);
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return NULL;
	}
	return td_app_text(mech);
}

enum td_app_status td_app_ldap(const uint8_t *p, size_t n, bool server, bool final,
			       struct td_app_msg *m, size_t *used)
{
	memset(m, 0, sizeof *m);
	size_t len = td_stls_ber_frame_len(p, n);
	if (len == SIZE_MAX)
		return TD_APP_NO;
	if (len == 0)
		return final ? TD_APP_NO : TD_APP_MORE;
	*used = len;
	if (len > n)
		return len > LDAP_READ_MAX || final ? TD_APP_SKIP : TD_APP_MORE;
	struct td_reader r = td_rd_make(p, len), msg, id, body;
	uint8_t tag, op;
	if (!td_stls_ber_tlv(&r, &tag, &msg) || tag != BER_SEQUENCE ||
	    !td_stls_ber_tlv(&msg, &tag, &id) || tag != BER_INTEGER ||
	    !td_stls_ber_tlv(&msg, &op, &body))
		return TD_APP_NO;
	if (server)
		return ldap_server(op, body, m);
	m->proto = TD_APP_LDAP;
	m->kind = TD_APP_COMMAND;
	m->command = strdup(td_stls_ldap_op_name(op));
	if (op == LDAP_BIND_REQ)
		m->mechanism = bind_mechanism(body);
	return TD_APP_FOUND;
}

/* An ERR_Packet's payload after its 0xff. */
static enum td_app_status mysql_err(struct td_reader pl, struct td_app_msg *m)
{
	uint16_t lo = td_rd_u8(&pl), hi = td_rd_u8(&pl);
	if (!td_rd_ok(&pl))
		return TD_APP_NO;
	m->proto = TD_APP_MYSQL;
	m->kind = TD_APP_REPLY;
	m->code = (uint32_t)lo | ((uint32_t)hi << 8);
	if (td_rd_left(&pl) > MYSQL_SQLSTATE_LEN && td_rd_peek(&pl, 0) == '#') {
		td_rd_skip(&pl, 1);
		const uint8_t *st = td_rd_bytes(&pl, MYSQL_SQLSTATE_LEN);
		bool ok = st != NULL;
		for (size_t i = 0; ok && i < MYSQL_SQLSTATE_LEN; i++)
			ok = (st[i] >= '0' && st[i] <= '9') || (st[i] >= 'A' && st[i] <= 'Z');
		if (ok)
			memcpy(m->sqlstate, st, MYSQL_SQLSTATE_LEN);
	}
	m->message = td_app_text(pl);
	return TD_APP_FOUND;
}

/* A HandshakeResponse41: its user. */
static enum td_app_status mysql_login(struct td_reader pl, struct td_app_msg *m)
{
	uint32_t caps = td_rd_u8(&pl);
	caps |= (uint32_t)td_rd_u8(&pl) << 8;
	td_rd_skip(&pl, 2 + 4 + 1);  /* capabilities' high half, max packet, charset */
	const uint8_t *filler = td_rd_bytes(&pl, MYSQL_FILLER);
	if (!filler || !(caps & MYSQL_PROTOCOL_41))
		return TD_APP_SKIP;
	for (size_t i = 0; i < MYSQL_FILLER_ZERO; i++)
		if (filler[i] != 0)
			return TD_APP_SKIP;
	m->proto = TD_APP_MYSQL;
	m->kind = TD_APP_COMMAND;
	m->command = strdup("HandshakeResponse");
	size_t k = 0, left = td_rd_left(&pl);
	while (k < left && td_rd_peek(&pl, k) != 0)
		k++;
	if (k < left)
		m->user = td_app_text(td_rd_sub(&pl, k));
	return TD_APP_FOUND;
}

enum td_app_status td_app_mysql(const uint8_t *p, size_t n, bool server, bool final,
				struct td_app_msg *m, size_t *used)
{
	memset(m, 0, sizeof *m);
	struct td_reader r = td_rd_make(p, n);
	if (n < MYSQL_HEADER)
		return final ? TD_APP_NO : TD_APP_MORE;
	size_t len = td_rd_u8(&r);
	len |= (size_t)td_rd_u8(&r) << 8;
	len |= (size_t)td_rd_u8(&r) << 16;
	td_rd_skip(&r, 1);  /* sequence */
	*used = MYSQL_HEADER + len;
	if (len == 0)
		return TD_APP_SKIP;
	if (len > td_rd_left(&r)) {
		if (len > MYSQL_READ_MAX || final)
			return TD_APP_SKIP;
		/* Its first byte tells already whether it is worth waiting for. */
		if (server && td_rd_left(&r) > 0 && td_rd_peek(&r, 0) != MYSQL_ERR)
			return TD_APP_SKIP;
		return TD_APP_MORE;
	}
	struct td_reader pl = td_rd_sub(&r, len);
	if (server) {
		if (td_rd_u8(&pl) != MYSQL_ERR)
			return TD_APP_SKIP;
		return mysql_err(pl, m);
	}
	return mysql_login(pl, m);
}
