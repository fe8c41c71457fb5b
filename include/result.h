/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * result.h - the one result type of tlsdiag.
 *
 * Every fallible function returns enum td_result and is marked
 * TD_MUST_CHECK so a caller cannot drop an error on the floor.
 */
#ifndef TD_RESULT_H
#define TD_RESULT_H

#define TD_MUST_CHECK __attribute__((warn_unused_result))

enum td_result {
	TD_OK = 0,
	TD_ERR_NOMEM,      /* an allocation failed */
	TD_ERR_MALFORMED,  /* input bytes do not follow the protocol */
	TD_ERR_TRUNCATED,  /* input ended before the structure did */
	TD_ERR_CAP,        /* a named cap (caps.h) was reached */
	TD_ERR_IO,         /* reading a file or device failed */
	TD_ERR_USAGE,      /* bad option or argument */
	TD_ERR_UNSUPPORTED,/* valid, but not something tlsdiag handles */
	TD_SKIP            /* not an error: the input is not for us (not TCP, not TLS) */
};

/* A short English name for a result, for messages. Never NULL. */
const char *td_result_str(enum td_result r);

#endif
