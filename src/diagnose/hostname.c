/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hostname.c - certificate name matching, RFC 6125 6.4 (see hostname.h). */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include "hostname.h"

bool td_hostname_is_ip(const char *text)
{
	unsigned char buf[16];
	return inet_pton(AF_INET, text, buf) == 1 || inet_pton(AF_INET6, text, buf) == 1;
}

/* Same address, whatever its spelling ("::1" and "0:0::1"). */
static bool same_ip(const char *a, const char *b)
{
	unsigned char x[16], y[16];
	if (inet_pton(AF_INET, a, x) == 1)
		return inet_pton(AF_INET, b, y) == 1 && memcmp(x, y, 4) == 0;
	if (inet_pton(AF_INET6, a, x) == 1)
		return inet_pton(AF_INET6, b, y) == 1 && memcmp(x, y, 16) == 0;
	return false;
}

/* RFC 6125 6.4.3: a wildcard only as the whole left-most label, and it
 * matches exactly one label. */
static bool dns_match(const char *pattern, const char *host)
{
	size_t plen = strlen(pattern), hlen = strlen(host);
	/* A trailing dot is the same name. */
	if (plen && pattern[plen - 1] == '.')
		plen--;
	if (hlen && host[hlen - 1] == '.')
		hlen--;
	if (plen >= 2 && pattern[0] == '*' && pattern[1] == '.') {
		const char *dot = memchr(host, '.', hlen);
		if (!dot || dot == host)
			return false;
		size_t rest = hlen - (size_t)(dot - host);
		/* "*.com"-style patterns (one label after the wildcard) are not honoured. */
		if (!memchr(pattern + 2, '.', plen - 2))
			return false;
		return rest == plen - 1 && strncasecmp(dot, pattern + 1, rest) == 0;
	}
	return plen == hlen && strncasecmp(pattern, host, plen) == 0;
}

/* The CN value of an RFC 4514 subject ("O=x,CN=name"), copied into out. */
static bool subject_cn(const char *subject, char *out, size_t outlen)
{
	for (const char *p = subject; p && *p;) {
		if (strncmp(p, "CN=", 3) == 0) {
			const char *v = p + 3;
			size_t n = 0;
			while (v[n] && !(v[n] == ',' && (n == 0 || v[n - 1] != '\\')))
				n++;
			if (n >= outlen)
				return false;
			memcpy(out, v, n);
			out[n] = '\0';
			return true;
		}
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return false;
}

enum td_name_match td_hostname_match(const struct td_cert *cert, const char *host)
{
	bool ip = td_hostname_is_ip(host);
	bool any_dns = false, any_ip = false;
	for (size_t i = 0; i < cert->san.n; i++) {
		const char *s = cert->san.v[i];
		if (strncmp(s, "DNS:", 4) == 0) {
			any_dns = true;
			if (!ip && dns_match(s + 4, host))
				return TD_NAME_MATCH;
		} else if (strncmp(s, "IP:", 3) == 0) {
			any_ip = true;
			if (ip && same_ip(s + 3, host))
				return TD_NAME_MATCH;
		}
	}
	if (any_dns || any_ip)
		return TD_NAME_MISMATCH;
	char cn[256];
	if (!cert->subject || !subject_cn(cert->subject, cn, sizeof cn))
		return TD_NAME_NO_NAMES;
	bool ok = ip ? same_ip(cn, host) : dns_match(cn, host);
	return ok ? TD_NAME_MATCH_CN : TD_NAME_MISMATCH;
}
