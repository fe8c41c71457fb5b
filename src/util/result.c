/* SPDX-License-Identifier: GPL-2.0-or-later */
/* result.c - names of results (see result.h). */
#include "config.h"

#include "result.h"

const char *td_result_str(enum td_result r)
{
	switch (r) {
	case TD_OK: return "ok";
	case TD_ERR_NOMEM: return "out of memory";
	case TD_ERR_MALFORMED: return "malformed";
	case TD_ERR_TRUNCATED: return "truncated";
	case TD_ERR_CAP: return "limit reached";
	case TD_ERR_IO: return "input/output error";
	case TD_ERR_USAGE: return "usage error";
	case TD_ERR_UNSUPPORTED: return "unsupported";
	case TD_SKIP: return "skipped";
	}
	return "unknown result";
}
