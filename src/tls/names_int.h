/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * names_int.h - what the files of src/tls/names*.c share: the lookups
 * that td_tls_lookup() (tls_names.h) dispatches to from other files.
 */
#ifndef TD_NAMES_INT_H
#define TD_NAMES_INT_H

#include <stddef.h>
#include <stdint.h>

/* A name and its length (both NULL/0 when unknown). */
struct td_tls_nm {
	const char *s;
	size_t len;
};
/* For a string literal: the length is the compiler's. */
#define TD_TLS_NM(lit) ((struct td_tls_nm){ lit, sizeof lit - 1 })

/* The IANA name of cipher suite v (names_cipher.c). */
struct td_tls_nm td_tls_cipher_name(uint16_t v);

#endif
