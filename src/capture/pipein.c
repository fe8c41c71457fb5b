/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pipein.c - standard input as a FILE for libpcap (`-r -`), without
 * waiting for more bytes than are there (see capture_int.h).
 *
 * zlib's gzread() fills its whole request before it returns: on a pipe
 * fed as packets arrive (`tcpdump -w - | tlsdiag -r -`) that held the
 * first frames back until 256 KiB had come, and each later block until
 * 512 KiB had, so a connection was reported minutes after it happened on
 * a quiet network.  Here each refill is one read(2), which returns what
 * the pipe holds.  A gzip'd stream (magic 1f 8b, then one or more
 * members, as gzip(1) writes them) is inflated with zlib's inflate(),
 * which also takes what there is; anything else passes through.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "capture_int.h"

#define PIPEIN_BUFFER (64u * 1024u)

struct pipein {
	int fd;                 /* owned */
	bool gzip;              /* inflate what is read */
	bool eof;               /* read() said the end */
	bool ended;             /* a gzip member ended: what follows may be garbage */
	z_stream zs;            /* gzip: the inflater (its input is in[]) */
	unsigned char *next;    /* raw: the bytes of in[] not yet handed over */
	size_t left;
	unsigned char in[PIPEIN_BUFFER];
};

/* One read(2) into in[]: bytes read, 0 at the end, -1 on an error. */
static ssize_t refill(struct pipein *p, size_t keep)
{
	for (;;) {
		ssize_t n = read(p->fd, p->in + keep, sizeof p->in - keep);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			p->eof = true;
		return n;
	}
}

static ssize_t raw_read(struct pipein *p, char *buf, size_t size)
{
	if (p->left == 0) {
		ssize_t n = refill(p, 0);
		if (n <= 0)
			return n;
		p->next = p->in;
		p->left = (size_t)n;
	}
	size_t n = size < p->left ? size : p->left;
	memcpy(buf, p->next, n);
	p->next += n;
	p->left -= n;
	return (ssize_t)n;
}

static ssize_t gz_read(struct pipein *p, char *buf, size_t size)
{
	uInt want = size > (1u << 30) ? 1u << 30 : (uInt)size;
	p->zs.next_out = (Bytef *)buf;
	p->zs.avail_out = want;
	while (p->zs.avail_out == want) {  /* until something comes out */
		if (p->zs.avail_in == 0) {
			if (p->eof)
				break;
			ssize_t n = refill(p, 0);
			if (n < 0)
				return -1;
			p->zs.next_in = p->in;
			p->zs.avail_in = (uInt)n;
			continue;
		}
		int z = inflate(&p->zs, Z_NO_FLUSH);
		if (z == Z_STREAM_END) {
			/* gzip allows members one after another (cat a.gz b.gz). */
			p->ended = true;
			if (inflateReset(&p->zs) != Z_OK)
				goto bad;
		} else if (z == Z_DATA_ERROR && p->ended) {
			/* Not another member: the end, as gzread() takes it. */
			p->eof = true;
			p->zs.avail_in = 0;
			break;
		} else if (z != Z_OK && z != Z_BUF_ERROR) {
			goto bad;
		} else {
			p->ended = p->ended && p->zs.avail_out == want;
		}
	}
	return (ssize_t)(want - p->zs.avail_out);
bad:
	errno = EIO;
	return -1;
}

static ssize_t pipein_read(void *cookie, char *buf, size_t size)
{
	struct pipein *p = cookie;
	return p->gzip ? gz_read(p, buf, size) : raw_read(p, buf, size);
}

static int pipein_close(void *cookie)
{
	struct pipein *p = cookie;
	if (p->gzip)
		inflateEnd(&p->zs);
	int r = close(p->fd);
	free(p);
	return r == 0 ? 0 : EOF;
}

FILE *td_pipein_open(int fd)
{
	struct pipein *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->fd = fd;
	/* The first two bytes say gzip or not; they stay in in[]. */
	size_t have = 0;
	while (have < 2 && !p->eof) {
		ssize_t n = refill(p, have);
		if (n < 0)
			goto fail;
		have += (size_t)n;
	}
	p->gzip = have >= 2 && p->in[0] == 0x1f && p->in[1] == 0x8b;
	if (p->gzip) {
		/* 15 + 16: a gzip wrapper, the largest window. */
		if (inflateInit2(&p->zs, 15 + 16) != Z_OK)
			goto fail;
		p->zs.next_in = p->in;
		p->zs.avail_in = (uInt)have;
	} else {
		p->next = p->in;
		p->left = have;
	}
	cookie_io_functions_t io = { .read = pipein_read, .close = pipein_close };
	FILE *f = fopencookie(p, "rb", io);
	if (!f) {
		if (p->gzip)
			inflateEnd(&p->zs);
		goto fail;
	}
	return f;
fail:
	free(p);
	return NULL;
}
