/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * render.c - the presentation helpers every renderer and the view share
 * (render.h).
 */
#include "config.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <stdio.h>
#include <time.h>

#include "render.h"
#include "text.h"

const char *td_out_code_name(enum td_tls_registry reg, uint16_t v, char *buf, size_t len)
{
	if (td_tls_is_grease(v))
		return "GREASE";
	return td_tls_name(reg, v, buf, len);
}

int64_t td_out_rel_us(const struct td_conn *c, uint64_t ts)
{
	if (ts >= c->start_us) {
		uint64_t d = ts - c->start_us;
		return d > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)d;
	}
	uint64_t d = c->start_us - ts;
	return d > (uint64_t)INT64_MAX ? -INT64_MAX : -(int64_t)d;
}

bool td_out_cert_time(char *buf, size_t len, int64_t secs, bool date_only)
{
	return td_text_utc(buf, len, secs, date_only);
}

bool td_out_cert_key(char *buf, size_t len, const struct td_cert *cert)
{
	if (len > 0)
		buf[0] = '\0';
	if (!cert->key_type || len == 0)
		return false;
	char bits[24] = "";
	if (cert->key_bits)
		snprintf(bits, sizeof bits, " %u", cert->key_bits);
	snprintf(buf, len, "%s%s%s%s", cert->key_type, bits, cert->key_curve ? " " : "",
		 cert->key_curve ? cert->key_curve : "");
	return true;
}

bool td_out_ip(char *buf, size_t len, const struct td_addr *a)
{
	if (len == 0)
		return false;
	buf[0] = '\0';
	if (a->family != 4 && a->family != 6)
		return false;
	/* len is a few dozen bytes: it fits a socklen_t. */
	if (!inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->b, buf,
		       (socklen_t)(len > 64 ? 64 : len))) {
		buf[0] = '\0';
		return false;
	}
	return true;
}

uint64_t td_out_list_dropped(const struct td_conn *c)
{
	const struct td_u16list *u[] = {
		&c->ch.versions, &c->ch.suites, &c->ch.extensions, &c->ch.groups,
		&c->ch.key_share_groups, &c->ch.sig_algs, &c->ch.compression, &c->ch.cert_compression,
		&c->sh.extensions, &c->cr.cert_types, &c->cr.sig_algs,
	};
	uint64_t n = c->ch.alpn.dropped + c->cr.ca_names.dropped;
	for (size_t i = 0; i < sizeof u / sizeof u[0]; i++)
		n += u[i]->dropped;
	for (size_t k = 0; k < 2; k++) {
		const struct td_chain *ch = k ? &c->client_chain : &c->server_chain;
		for (size_t i = 0; i < ch->n; i++)
			n += ch->certs[i]->san.dropped + ch->certs[i]->key_usage.dropped +
			     ch->certs[i]->ext_key_usage.dropped;
	}
	return n;
}

void td_code_counts_add(struct td_code_counts *cc, const struct td_conn *c)
{
	for (size_t i = 0; i < c->n_diags; i++) {
		const char *code = c->diags[i].code;
		size_t k = 0;
		while (k < cc->used && strcmp(cc->code[k], code) != 0)
			k++;
		if (k == cc->used) {
			if (cc->used == TD_TEXT_CODES)
				continue;
			cc->code[k] = code;
			cc->sev[k] = c->diags[i].severity;
			cc->used++;
		}
		cc->n[k]++;
	}
}

void td_out_tcp_port(char *buf, size_t len, const struct td_tcp_port *p)
{
	const struct { uint64_t n; const char *what; } k[] = {
		{ p->refused, "refused" }, { p->unanswered, "unanswered" },
		{ p->plaintext, "plaintext" }, { p->closed, "closed without data" },
	};
	char when[40];
	td_text_time(when, sizeof when, p->first_us);
	if (len == 0)
		return;
	int n = snprintf(buf, len, "port %u:", (unsigned)p->port);
	const char *sep = " ";
	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
		if (!k[i].n)
			continue;
		if (n >= 0 && (size_t)n < len)
			n += snprintf(buf + n, len - (size_t)n, "%s%" PRIu64 " %s", sep, k[i].n,
				      k[i].what);
		sep = ", ";
	}
	if (n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, ", first %s", when);
}

/* Appends to buf (NUL-terminated, cut to fit). */
static void cat(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void cat(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	if (used + 1 >= len)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

bool td_out_resumption(char *buf, size_t len, const struct td_conn *c)
{
	const struct td_client_hello *ch = &c->ch;
	const struct td_server_hello *sh = &c->sh;
	if (len == 0)
		return false;
	buf[0] = '\0';
	if (!ch->present || (!ch->psk && c->early_data == TD_EARLY_NONE))
		return false;
	if (ch->psk) {
		unsigned ids = ch->psk_identities;
		const char *s = ids == 1 ? "y" : "ies";
		if (!sh->present)
			cat(buf, len, "PSK offered (%u identit%s), no ServerHello seen", ids, s);
		else if (sh->psk)
			cat(buf, len, "resumed (PSK accepted: identity %u of %u)",
			    (unsigned)sh->psk_identity, ids);
		else
			cat(buf, len, "PSK offered (%u identit%s) but a full handshake was done "
			    "(resumption refused)", ids, s);
	}
	if (c->early_data == TD_EARLY_NONE)
		return true;
	cat(buf, len, "%s0-RTT early data ", buf[0] ? "; " : "");
	switch (c->early_data) {
	case TD_EARLY_ACCEPTED:
		cat(buf, len, "accepted%s", c->early_inferred
		    ? " (inferred: the client sent EndOfEarlyData, by its size)" : "");
		break;
	case TD_EARLY_REJECTED:
		cat(buf, len, "rejected (the server skipped it%s)", c->early_inferred
		    ? "; inferred: the client's Finished came without EndOfEarlyData" : "");
		break;
	default:
		cat(buf, len, "offered%s", sh->present && sh->psk
		    ? " (whether the server took it is encrypted: a key log would show)" : "");
		break;
	}
	if (c->early_records)
		cat(buf, len, ", %u record%s sent%s", (unsigned)c->early_records,
		    c->early_records == 1 ? "" : "s",
		    c->early_decrypted == c->early_records ? ", decrypted"
		    : c->early_decrypted ? ", some decrypted" : "");
	return true;
}
