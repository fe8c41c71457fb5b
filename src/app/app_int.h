/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * app_int.h - what the application parsers of src/app share (private to
 * the folder): lines, words and strings read through the bounded reader.
 */
#ifndef TD_APP_INT_H
#define TD_APP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "reader.h"

/* The next line of r (up to LF; a CR before it is not part of it) as a
 * child reader, r moved past the LF.  False when r holds no LF: nothing
 * is consumed. */
bool td_app_line(struct td_reader *r, struct td_reader *line);
/* Index of the first occurrence of needle (ASCII case-insensitive) in
 * r's bytes, without consuming them; SIZE_MAX when absent. */
size_t td_app_find(const struct td_reader *r, const char *needle);
/* r's bytes equal s, ASCII case-insensitively. */
bool td_app_ieq(struct td_reader r, const char *s);
/* r's bytes start with s (exactly), or are a prefix of it: *whole says
 * which.  False when they differ. */
bool td_app_prefix(const struct td_reader *r, const char *s, bool *whole);
/* A sanitized copy of r's bytes (text.h), blanks around them dropped,
 * at most TD_APP_TEXT_MAX of them kept; NULL when empty or out of
 * memory. */
char *td_app_text(struct td_reader r);

#endif
