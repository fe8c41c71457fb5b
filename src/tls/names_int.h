/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * names_int.h - what the files of src/tls/names*.c share: the lookups
 * that td_tls_lookup() (tls_names.h) dispatches to from other files.
 */
#ifndef TD_NAMES_INT_H
#define TD_NAMES_INT_H

#include <stdint.h>

/* The IANA name of cipher suite v (names_cipher.c), NULL when unknown. */
const char *td_tls_cipher_name(uint16_t v);

#endif
