/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pgsql.c - the first PostgreSQL messages after the TLS upgrade
 * (PostgreSQL documentation, "Frontend/Backend Protocol", 55.7 Message
 * Formats; protocol 3.0):
 *
 *   StartupMessage (client): Int32 length | Int32 196608 (3.0) |
 *                            (String name, String value)* | Byte 0
 *   backend message:         Byte1 type | Int32 length (itself included) | body
 *   ErrorResponse ('E'):     (Byte1 field type, String value)* | Byte 0
 *                            S severity (localized), V severity (not
 *                            localized, 9.6+), C SQLSTATE, M message, ...
 *
 * Strings end with a NUL.  A server that refuses a client certificate
 * after the handshake answers the StartupMessage with an ErrorResponse
 * FATAL 28000 ("connection requires a valid client certificate").
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "app_int.h"

#define PROTOCOL_3_0 196608u
/* A StartupMessage longer than this is not one (libpq's are < 1 KiB). */
#define STARTUP_MAX 10000u
/* A backend message length taken for one while detecting the protocol
 * (the largest a server sends first is a few hundred bytes; data rows
 * come later). */
#define BACKEND_MAX (1u << 24)
#define SQLSTATE_LEN 5u

/* A NUL-terminated string of r, the NUL skipped; false without one. */
static bool cstring(struct td_reader *r, struct td_reader *s)
{
	size_t left = td_rd_left(r);
	for (size_t i = 0; i < left; i++) {
		if (td_rd_peek(r, i) == 0) {
			*s = td_rd_sub(r, i);
			td_rd_skip(r, 1);
			return true;
		}
	}
	return false;
}

enum td_app_status td_app_pg_startup(const uint8_t *p, size_t n, struct td_app_msg *m,
				     size_t *used)
{
	memset(m, 0, sizeof *m);
	struct td_reader r = td_rd_make(p, n);
	if (n < 8)
		return TD_APP_MORE;
	uint32_t len = td_rd_u32(&r);
	uint32_t version = td_rd_u32(&r);
	if (version != PROTOCOL_3_0 || len < 9 || len > STARTUP_MAX)
		return TD_APP_NO;
	if (n < len)
		return TD_APP_MORE;
	struct td_reader params = td_rd_sub(&r, len - 8);
	m->proto = TD_APP_PGSQL;
	m->kind = TD_APP_PG_STARTUP;
	struct td_reader name, value;
	while (cstring(&params, &name) && td_rd_left(&name) > 0 && cstring(&params, &value)) {
		if (td_app_ieq(name, "user") && !m->user)
			m->user = td_app_text(value);
	}
	*used = len;
	return TD_APP_FOUND;
}

/* Message types a backend sends (55.7); anything else is not PostgreSQL. */
static bool backend_type(uint8_t t)
{
	return t != 0 && strchr("123ACDEGHIKNRSTVWZcdnstv", t) != NULL;
}

enum td_app_status td_app_pg_backend(const uint8_t *p, size_t n, struct td_app_msg *m,
				     size_t *used)
{
	memset(m, 0, sizeof *m);
	struct td_reader r = td_rd_make(p, n);
	if (n < 5)
		return n > 0 && !backend_type(td_rd_peek(&r, 0)) ? TD_APP_NO : TD_APP_MORE;
	uint8_t type = td_rd_u8(&r);
	uint32_t len = td_rd_u32(&r);
	if (!backend_type(type) || len < 4 || len > BACKEND_MAX)
		return TD_APP_NO;
	*used = 1 + (size_t)len;
	if (type != 'E')
		return TD_APP_SKIP;
	if (n < 1 + (size_t)len)
		return TD_APP_MORE;
	struct td_reader body = td_rd_sub(&r, len - 4);
	m->proto = TD_APP_PGSQL;
	m->kind = TD_APP_PG_ERROR;
	char *localized = NULL;
	struct td_reader v;
	for (;;) {
		uint8_t field = td_rd_u8(&body);
		if (field == 0 || !cstring(&body, &v))
			break;
		switch (field) {
		case 'S':
			if (!localized)
				localized = td_app_text(v);
			break;
		case 'V':
			if (!m->severity)
				m->severity = td_app_text(v);
			break;
		case 'C':
			if (td_rd_left(&v) == SQLSTATE_LEN) {
				const uint8_t *c = td_rd_bytes(&v, SQLSTATE_LEN);
				bool ok = c != NULL;
				for (size_t i = 0; ok && i < SQLSTATE_LEN; i++)
					ok = (c[i] >= '0' && c[i] <= '9') || (c[i] >= 'A' && c[i] <= 'Z');
				if (ok)
					memcpy(m->sqlstate, c, SQLSTATE_LEN);
			}
			break;
		case 'M':
			if (!m->message)
				m->message = td_app_text(v);
			break;
		default:
			break;
		}
	}
	/* The severity that is never translated, else the localized one. */
	if (m->severity)
		free(localized);
	else
		m->severity = localized;
	if (m->message && strcmp(m->message, "connection requires a valid client certificate") == 0)
		m->known = TD_APP_KNOWN_PG_CERT_REQUIRED;
	return TD_APP_FOUND;
}
