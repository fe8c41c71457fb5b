/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * capture_int.h - inside the capture room: how standard input is read.
 */
#ifndef TD_CAPTURE_INT_H
#define TD_CAPTURE_INT_H

#include <stdio.h>

/* A FILE reading fd (taken over: closed by fclose) that hands over what
 * each read(2) returns without waiting for more, inflating it when the
 * stream begins with gzip's magic (src/capture/pipein.c).  Blocks until
 * the first two bytes are there (or the end).  NULL with errno on an
 * error (fd is then still the caller's). */
FILE *td_pipein_open(int fd);

#endif
