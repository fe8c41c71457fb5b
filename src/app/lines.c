/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lines.c - lines, words and strings of the application protocols (see
 * app_int.h), every byte read through the bounded reader.
 */
#include "config.h"

#include <string.h>

#include "app_int.h"
#include "text.h"

static uint8_t lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + ('a' - 'A')) : c;
}

bool td_app_line(struct td_reader *r, struct td_reader *line)
{
	size_t left = td_rd_left(r);
	for (size_t i = 0; i < left; i++) {
		if (td_rd_peek(r, i) != '\n')
			continue;
		size_t len = i > 0 && td_rd_peek(r, i - 1) == '\r' ? i - 1 : i;
		*line = td_rd_sub(r, len);
		td_rd_skip(r, i - len + 1);
		return true;
	}
	return false;
}

size_t td_app_find(const struct td_reader *r, const char *needle)
{
	size_t m = strlen(needle), left = td_rd_left(r);
	if (m == 0 || m > left)
		return SIZE_MAX;
	for (size_t i = 0; i + m <= left; i++) {
		size_t k = 0;
		while (k < m && lower(td_rd_peek(r, i + k)) == lower((uint8_t)needle[k]))
			k++;
		if (k == m)
			return i;
	}
	return SIZE_MAX;
}

bool td_app_ieq(struct td_reader r, const char *s)
{
	size_t m = strlen(s);
	if (td_rd_left(&r) != m)
		return false;
	for (size_t i = 0; i < m; i++)
		if (lower(td_rd_peek(&r, i)) != lower((uint8_t)s[i]))
			return false;
	return true;
}

bool td_app_prefix(const struct td_reader *r, const char *s, bool *whole)
{
	size_t m = strlen(s), left = td_rd_left(r);
	size_t k = left < m ? left : m;
	for (size_t i = 0; i < k; i++)
		if (td_rd_peek(r, i) != (uint8_t)s[i])
			return false;
	*whole = left >= m;
	return true;
}

static bool blank(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

char *td_app_text(struct td_reader r)
{
	while (td_rd_left(&r) > 0 && blank(td_rd_peek(&r, 0)))
		td_rd_skip(&r, 1);
	size_t n = td_rd_left(&r);
	while (n > 0 && blank(td_rd_peek(&r, n - 1)))
		n--;
	if (n == 0)
		return NULL;
	if (n > TD_APP_TEXT_MAX)
		n = TD_APP_TEXT_MAX;
	const uint8_t *p = td_rd_bytes(&r, n);
	return p ? td_text_sanitize(p, n) : NULL;
}
