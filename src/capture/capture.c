/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * capture.c - libpcap behind one file (see capture.h).
 *
 * Files: pcap and pcapng through pcap_fopen_offline(); a gzip-compressed
 * file (magic 1f 8b) and stdin are read through zlib's gzread(), which
 * passes uncompressed bytes through untouched, wrapped in a stdio
 * cookie so libpcap sees an ordinary FILE.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include <pcap/pcap.h>
#include <zlib.h>
#ifdef __linux__
#include <sys/socket.h>
#include <linux/if_packet.h>
#endif

#include "capture.h"

struct td_capture {
	pcap_t *pcap;
	enum td_link link;
	bool live;
	volatile sig_atomic_t stop;
	/* The non-blocking interface (td_capture_dispatch and friends). */
	bool pending;                   /* a frame was read ahead and not handed over */
	struct pcap_pkthdr *pend_h;     /* ...its header and bytes (libpcap's, valid */
	const u_char *pend_data;        /*    until the next read) */
	bool eof;                       /* a file ended (or stopped on damage) */
	char end_note[256];             /* why it ended early, for the next dispatch */
	uint64_t frames;                /* frames read through this interface */
	uint64_t last_tick_us;          /* last clock tick given (live) */
	char *iobuf;                    /* a file's stdio buffer (FILE_BUFFER), or NULL */
	char cut_short[PCAP_ERRBUF_SIZE]; /* a file ended early (cut short or damaged):
					   libpcap's words; empty otherwise */
	pcap_dumper_t *dump;            /* -w: every frame read is saved here, or NULL */
	FILE *dump_f;                   /* ...through this stream (the dumper's) */
};

/* libpcap reads a file through stdio, a record header then its bytes;
 * with stdio's 4 KiB buffer that was one read() per 4 KiB of capture. */
#define FILE_BUFFER (256u * 1024u)

static ssize_t gz_read(void *cookie, char *buf, size_t size)
{
	unsigned n = size > (1u << 30) ? 1u << 30 : (unsigned)size;
	int r = gzread((gzFile)cookie, buf, n);
	if (r < 0) {
		errno = EIO;
		return -1;
	}
	return r;
}

static int gz_close(void *cookie)
{
	return gzclose((gzFile)cookie) == Z_OK ? 0 : EOF;
}

/* A FILE that reads through zlib from fd (which it takes over). */
static FILE *gz_fdopen(int fd)
{
	gzFile gz = gzdopen(fd, "rb");
	if (!gz)
		return NULL;
	gzbuffer(gz, 256 * 1024);
	cookie_io_functions_t io = { .read = gz_read, .close = gz_close };
	FILE *f = fopencookie(gz, "rb", io);
	if (!f)
		gzclose(gz);
	return f;
}

static bool is_gzip(FILE *f)
{
	unsigned char m[2];
	bool gz = fread(m, 1, 2, f) == 2 && m[0] == 0x1f && m[1] == 0x8b;
	rewind(f);
	return gz;
}

/* Map libpcap's DLT to our link types. */
static bool map_link(int dlt, enum td_link *link)
{
	switch (dlt) {
	case DLT_EN10MB: *link = TD_LINK_ETHERNET; return true;
	case DLT_LINUX_SLL: *link = TD_LINK_SLL; return true;
#ifdef DLT_LINUX_SLL2
	case DLT_LINUX_SLL2: *link = TD_LINK_SLL2; return true;
#endif
	case DLT_NULL: *link = TD_LINK_NULL; return true;
	case DLT_LOOP: *link = TD_LINK_LOOP; return true;
	case DLT_RAW: *link = TD_LINK_RAW; return true;
	case DLT_PPP: *link = TD_LINK_PPP; return true;
#ifdef DLT_IPV4
	case DLT_IPV4: *link = TD_LINK_IPV4; return true;
#endif
#ifdef DLT_IPV6
	case DLT_IPV6: *link = TD_LINK_IPV6; return true;
#endif
	default: break;
	}
	/* Some systems number raw IP 14; LINKTYPE_RAW is 101. */
	if (dlt == 14 || dlt == 101) {
		*link = TD_LINK_RAW;
		return true;
	}
	return false;
}

static enum td_result finish_open(struct td_capture *c, char *err, size_t errlen)
{
	int dlt = pcap_datalink(c->pcap);
	if (!map_link(dlt, &c->link)) {
		const char *name = pcap_datalink_val_to_name(dlt);
		const char *desc = pcap_datalink_val_to_description(dlt);
		snprintf(err, errlen, "unsupported link type %d (%s%s%s)", dlt,
			 name ? name : "unknown", desc ? ", " : "", desc ? desc : "");
		return TD_ERR_UNSUPPORTED;
	}
	return TD_OK;
}

enum td_result td_capture_open_file(struct td_capture **out, const char *path,
				    char *err, size_t errlen)
{
	enum td_result res = TD_ERR_IO;
	char perr[PCAP_ERRBUF_SIZE] = "";
	FILE *f = NULL;
	struct td_capture *c = calloc(1, sizeof *c);
	*out = NULL;
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return TD_ERR_NOMEM;
	}
	if (strcmp(path, "-") == 0) {
		int fd = dup(STDIN_FILENO);
		f = fd >= 0 ? gz_fdopen(fd) : NULL;
		if (!f && fd >= 0)
			close(fd);
	} else {
		f = fopen(path, "rb");
		/* glibc ignores the size unless it is given the buffer too;
		 * without one the default is kept. */
		if (f && (c->iobuf = malloc(FILE_BUFFER)) != NULL &&
		    setvbuf(f, c->iobuf, _IOFBF, FILE_BUFFER) != 0) {
			free(c->iobuf);
			c->iobuf = NULL;
		}
		if (f && is_gzip(f)) {
			int fd = dup(fileno(f));
			fclose(f);
			f = fd >= 0 ? gz_fdopen(fd) : NULL;
			if (!f && fd >= 0)
				close(fd);
		}
	}
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	c->pcap = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, perr);
	if (!c->pcap) {
		fclose(f);
		/* libpcap says "unknown file format" for non-captures. */
		snprintf(err, errlen, "%s: %s", path, perr[0] ? perr : "not a capture file");
		res = TD_ERR_MALFORMED;
		goto out;
	}
	res = finish_open(c, err, errlen);
out:
	if (res != TD_OK) {
		td_capture_close(c);
		return res;
	}
	*out = c;
	return TD_OK;
}

enum td_result td_capture_open_live(struct td_capture **out, const char *iface,
				    int snaplen, bool promisc, char *err, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	enum td_result res = TD_ERR_IO;
	struct td_capture *c = calloc(1, sizeof *c);
	*out = NULL;
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return TD_ERR_NOMEM;
	}
	c->live = true;
	c->pcap = pcap_create(iface, perr);
	if (!c->pcap) {
		snprintf(err, errlen, "%s: %s", iface, perr);
		goto out;
	}
	pcap_set_snaplen(c->pcap, snaplen > 0 ? snaplen : 262144);
	pcap_set_promisc(c->pcap, promisc ? 1 : 0);
	/* Not immediate mode: there libpcap gives every packet a ring frame
	 * of snaplen bytes, so a 2 MB ring held 8 packets and a loaded
	 * machine dropped most of a handshake.  Packets now come in blocks,
	 * at most 100 ms late, from a 16 MiB ring. */
	pcap_set_timeout(c->pcap, 100);
	pcap_set_buffer_size(c->pcap, 16 * 1024 * 1024);
	int rc = pcap_activate(c->pcap);
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", iface, pcap_geterr(c->pcap));
		goto out;
	}
	/* Non-blocking, so that a silent interface still gives clock ticks
	 * (td_capture_run): with TPACKET_V3 libpcap waits with no timeout
	 * while no block of packets is ready, and idle flows, the report
	 * grace of streaming (engine.h) and the idle timeout never came. */
	if (pcap_setnonblock(c->pcap, 1, perr) < 0) {
		snprintf(err, errlen, "%s: %s", iface, perr);
		goto out;
	}
	res = finish_open(c, err, errlen);
out:
	if (res != TD_OK) {
		td_capture_close(c);
		return res;
	}
	*out = c;
	return TD_OK;
}

enum td_result td_capture_set_filter(struct td_capture *c, const char *expr,
				     char *err, size_t errlen)
{
	struct bpf_program prog;
	if (pcap_compile(c->pcap, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(err, errlen, "bad filter '%s': %s", expr, pcap_geterr(c->pcap));
		return TD_ERR_USAGE;
	}
	int rc = pcap_setfilter(c->pcap, &prog);
	pcap_freecode(&prog);
	if (rc < 0) {
		snprintf(err, errlen, "cannot set filter: %s", pcap_geterr(c->pcap));
		return TD_ERR_USAGE;
	}
	return TD_OK;
}

/* Live: the engine's clock ticks at least this often when no packet comes. */
#define TICK_MS 200

static uint64_t now_us(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
}

enum td_result td_capture_run(struct td_capture *c, td_frame_fn fn, void *ctx,
			      char *err, size_t errlen)
{
	err[0] = '\0';
	while (!c->stop) {
		struct pcap_pkthdr *h;
		const u_char *data;
		int rc = pcap_next_ex(c->pcap, &h, &data);
		if (rc == 1) {
			uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
			if (h->ts.tv_sec < 0)
				ts = 0;
			c->frames++;
			if (c->dump)
				pcap_dump((u_char *)c->dump, h, data);
			fn(ctx, c->link, ts, data, h->caplen, h->len);
		} else if (rc == 0) {
			/* Live, nothing to read now (non-blocking): wait for the
			 * ring at most a tick, and give the engine the clock
			 * (data NULL) for its timeouts. */
			int fd = pcap_get_selectable_fd(c->pcap);
			if (fd >= 0) {
				struct pollfd p = { .fd = fd, .events = POLLIN };
				(void)poll(&p, 1, TICK_MS);  /* EINTR: a signal, maybe stop */
			}
			uint64_t now = now_us();
			if (now - c->last_tick_us >= TICK_MS * 1000u) {
				c->last_tick_us = now;
				fn(ctx, c->link, now, NULL, 0, 0);
			}
		} else if (rc == PCAP_ERROR_BREAK) {
			break;
		} else {
			const char *msg = pcap_geterr(c->pcap);
			if (!c->live && strstr(msg, "truncated")) {
				snprintf(err, errlen, "capture file cut short: %s", msg);
				snprintf(c->cut_short, sizeof c->cut_short, "%s", msg);
				return TD_OK;
			}
			if (!c->live && c->frames > 0) {
				/* A damaged frame: libpcap cannot go past it.  What came
				 * before is analysed; the user is told where it stopped. */
				snprintf(err, errlen, "capture file damaged after frame %llu, "
					 "the rest is not analysed: %s", (unsigned long long)c->frames, msg);
				snprintf(c->cut_short, sizeof c->cut_short, "%s", msg);
				return TD_OK;
			}
			snprintf(err, errlen, "reading packets: %s", msg);
			return TD_ERR_IO;
		}
	}
	return TD_OK;
}

enum td_result td_capture_save_to(struct td_capture *c, const char *path, char *err,
				  size_t errlen)
{
	c->dump = pcap_dump_open(c->pcap, path);
	if (!c->dump) {
		snprintf(err, errlen, "cannot write %s: %s", path, pcap_geterr(c->pcap));
		return TD_ERR_IO;
	}
	c->dump_f = pcap_dump_file(c->dump);
	return TD_OK;
}

/* The dumper writes through stdio and pcap_dump() returns nothing: a
 * write error stays on the stream, looked at once here. */
enum td_result td_capture_save_close(struct td_capture *c, const char *path, char *err,
				     size_t errlen)
{
	if (!c || !c->dump)
		return TD_OK;
	enum td_result r = TD_OK;
	errno = 0;
	if (pcap_dump_flush(c->dump) != 0 || ferror(c->dump_f)) {
		snprintf(err, errlen, "writing %s: %s", path, errno ? strerror(errno) : "write error");
		r = TD_ERR_IO;
	}
	pcap_dump_close(c->dump);
	c->dump = NULL;
	c->dump_f = NULL;
	return r;
}

enum td_result td_capture_list_interfaces(td_iface_fn fn, void *ctx, char *err, size_t errlen)
{
	pcap_if_t *all = NULL;
	char perr[PCAP_ERRBUF_SIZE] = "";
	if (pcap_findalldevs(&all, perr) != 0) {
		snprintf(err, errlen, "cannot list the interfaces: %s", perr);
		return TD_ERR_IO;
	}
	unsigned n = 0;
	for (const pcap_if_t *d = all; d; d = d->next) {
		/* The words tcpdump -D prints, in its order. */
		char flags[96] = "";
		size_t used = 0;
		const struct { bpf_u_int32 bit; const char *word; } words[] = {
			{ PCAP_IF_UP, "Up" }, { PCAP_IF_RUNNING, "Running" },
			{ PCAP_IF_WIRELESS, "Wireless" }, { PCAP_IF_LOOPBACK, "Loopback" },
		};
		for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
			if (!(d->flags & words[i].bit))
				continue;
			int w = snprintf(flags + used, sizeof flags - used, "%s%s", used ? ", " : "",
					 words[i].word);
			if (w > 0 && (size_t)w < sizeof flags - used)
				used += (size_t)w;
		}
		if (!(d->flags & PCAP_IF_LOOPBACK)) {
			const char *st = NULL;
			switch (d->flags & PCAP_IF_CONNECTION_STATUS) {
			case PCAP_IF_CONNECTION_STATUS_CONNECTED: st = "Connected"; break;
			case PCAP_IF_CONNECTION_STATUS_DISCONNECTED: st = "Disconnected"; break;
			default: break;
			}
			if (st)
				snprintf(flags + used, sizeof flags - used, "%s%s", used ? ", " : "", st);
		}
		fn(ctx, ++n, d->name, d->description, flags);
	}
	pcap_freealldevs(all);
	return TD_OK;
}

const char *td_capture_cut_short(const struct td_capture *c)
{
	return c->cut_short[0] ? c->cut_short : NULL;
}

void td_capture_stop(struct td_capture *c)
{
	c->stop = 1;
	pcap_breakloop(c->pcap);
}

const char *td_capture_link_name(const struct td_capture *c)
{
	return td_link_name(c->link);
}

uint64_t td_capture_kernel_drops(struct td_capture *c)
{
	struct pcap_stat st;
	if (!c->live || pcap_stats(c->pcap, &st) < 0)
		return 0;
	return (uint64_t)st.ps_drop + (uint64_t)st.ps_ifdrop;
}

/* ---- non-blocking use ---------------------------------------------------- */

int td_capture_fd(struct td_capture *c)
{
	if (!c->live)
		return -1;
	return pcap_get_selectable_fd(c->pcap);
}

enum td_result td_capture_set_nonblock(struct td_capture *c, char *err, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	if (!c->live)
		return TD_OK;
	if (pcap_setnonblock(c->pcap, 1, perr) < 0) {
		snprintf(err, errlen, "cannot make the capture non-blocking: %s", perr);
		return TD_ERR_IO;
	}
	return TD_OK;
}

/* Read the next frame into the pending slot.  1: a frame is pending; 0:
 * nothing now (live) or the end (c->eof, c->end_note); -1: read error
 * (err filled). */
static int read_ahead(struct td_capture *c, char *err, size_t errlen)
{
	if (c->pending)
		return 1;
	if (c->eof || c->stop)
		return 0;
	int rc = pcap_next_ex(c->pcap, &c->pend_h, &c->pend_data);
	if (rc == 1) {
		c->pending = true;
		c->frames++;
		return 1;
	}
	if (rc == 0)
		return 0;
	if (rc == PCAP_ERROR_BREAK) {  /* end of a file, or td_capture_stop() */
		c->eof = true;
		return 0;
	}
	/* The same judgement as td_capture_run(): a file cut short or
	 * damaged after some frames is analysed up to there. */
	const char *msg = pcap_geterr(c->pcap);
	if (!c->live && strstr(msg, "truncated")) {
		snprintf(c->end_note, sizeof c->end_note, "capture file cut short: %s", msg);
		snprintf(c->cut_short, sizeof c->cut_short, "%s", msg);
		c->eof = true;
		return 0;
	}
	if (!c->live && c->frames > 0) {
		snprintf(c->end_note, sizeof c->end_note, "capture file damaged after frame %llu, "
			 "the rest is not analysed: %s", (unsigned long long)c->frames, msg);
		snprintf(c->cut_short, sizeof c->cut_short, "%s", msg);
		c->eof = true;
		return 0;
	}
	snprintf(err, errlen, "reading packets: %s", msg);
	return -1;
}

static uint64_t frame_ts(const struct pcap_pkthdr *h)
{
	if (h->ts.tv_sec < 0)
		return 0;
	return (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
}

enum td_result td_capture_dispatch(struct td_capture *c, size_t max, uint64_t until_us,
				   td_frame_fn fn, void *ctx, size_t *n, bool *eof,
				   char *err, size_t errlen)
{
	err[0] = '\0';
	*n = 0;
	*eof = false;
	while (*n < max && !c->stop) {
		int rc = read_ahead(c, err, errlen);
		if (rc < 0)
			return TD_ERR_IO;
		if (rc == 0)
			break;
		uint64_t ts = frame_ts(c->pend_h);
		if (ts > until_us)
			break;
		c->pending = false;
		(*n)++;
		if (c->dump)
			pcap_dump((u_char *)c->dump, c->pend_h, c->pend_data);
		fn(ctx, c->link, ts, c->pend_data, c->pend_h->caplen, c->pend_h->len);
	}
	if (c->live && *n == 0 && !c->stop) {
		/* Nothing to read: a clock tick for the idle timeouts. */
		uint64_t now = now_us();
		if (now - c->last_tick_us >= TICK_MS * 1000u) {
			c->last_tick_us = now;
			fn(ctx, c->link, now, NULL, 0, 0);
		}
	}
	if (c->eof && !c->pending) {
		*eof = true;
		if (c->end_note[0])
			snprintf(err, errlen, "%s", c->end_note);
	}
	return TD_OK;
}

enum td_result td_capture_next_ts(struct td_capture *c, uint64_t *ts_us, char *err, size_t errlen)
{
	int rc = read_ahead(c, err, errlen);
	if (rc < 0)
		return TD_ERR_IO;
	if (rc == 0)
		return TD_SKIP;
	*ts_us = frame_ts(c->pend_h);
	return TD_OK;
}

bool td_capture_stats(struct td_capture *c, uint64_t *received, uint64_t *dropped)
{
	struct pcap_stat st;
	if (!c->live || pcap_stats(c->pcap, &st) < 0)
		return false;
	*received = st.ps_recv;
	*dropped = (uint64_t)st.ps_drop + (uint64_t)st.ps_ifdrop;
	return true;
}

/* ---- --workers: packet fanout (see capture.h) ---------------------------- */

enum td_result td_capture_join_fanout(struct td_capture *c, uint16_t group, char *err,
				      size_t errlen)
{
#if defined(__linux__) && defined(PACKET_FANOUT)
	if (!c->live) {
		snprintf(err, errlen, "packet fanout needs a live capture");
		return TD_ERR_UNSUPPORTED;
	}
	/* The group id in the low 16 bits, the mode and flags above. */
	int arg = (int)((uint32_t)group | ((uint32_t)PACKET_FANOUT_HASH << 16));
	if (setsockopt(pcap_fileno(c->pcap), SOL_PACKET, PACKET_FANOUT, &arg, sizeof arg) != 0) {
		snprintf(err, errlen, "cannot join packet fanout group %u: %s", (unsigned)group,
			 strerror(errno));
		return TD_ERR_IO;
	}
	return TD_OK;
#else
	(void)c;
	(void)group;
	snprintf(err, errlen, "--workers with a live capture needs Linux packet fanout");
	return TD_ERR_UNSUPPORTED;
#endif
}

void td_capture_close(struct td_capture *c)
{
	if (!c)
		return;
	if (c->dump)
		pcap_dump_close(c->dump);  /* on an error path; td_capture_save_close() checks */
	if (c->pcap)
		pcap_close(c->pcap);  /* closes the FILE that uses iobuf */
	free(c->iobuf);
	free(c);
}
