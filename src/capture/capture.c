/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * capture.c - libpcap behind one file (see capture.h).
 *
 * Files: pcap and pcapng through pcap_fopen_offline(), every file and
 * stdin read through zlib's gzread() (which decompresses a gzip'd capture
 * and passes any other bytes through untouched), wrapped in a stdio
 * cookie so libpcap sees an ordinary FILE.  The cookie also shows every
 * byte to the pcapng walker (pcapng.h) before libpcap gets it: libpcap
 * 1.10 skips Decryption Secrets Blocks, the walker hands their key logs
 * over (td_capture_open_file_secrets), in stream order, so the secrets of
 * a DSB are out before any packet after it is.  This works on pipes too,
 * where nothing can be read twice.
 *
 * -w writes classic pcap with pcap_dump(), or pcapng (pcapng_write.c)
 * when the file is to carry key log secrets.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
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

#include "caps.h"
#include "capture.h"
#include "dynbuf.h"

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
	struct td_pcapng_walk *walk;    /* files: the DSB walker over the input */
	FILE *ng_f;                     /* -w as pcapng: every frame is saved here, or NULL */
	bool ng_failed;                 /* ...a block could not be written */
	struct td_dynbuf ng_text;       /* key log text for the next DSB */
	uint64_t ng_text_dropped;       /* bytes of it past TD_CAP_SAVE_SECRETS */
};

/* libpcap reads a file through stdio, a record header then its bytes;
 * with stdio's 4 KiB buffer that was one read() per 4 KiB of capture. */
#define FILE_BUFFER (256u * 1024u)

/* A file's input: read(2) on its descriptor, through zlib's inflate
 * when it starts with gzip's magic, and the walker that watches the
 * bytes.  Not gzread(): it fills its whole buffer before returning, so a
 * pipe (tcpdump -U -w - | tlsdiag -r -) gave nothing until 512 KiB had
 * come; read(2) returns what is there. */
struct in_cookie {
	int fd;
	bool gz;                        /* gzip: inflated */
	bool member_end;                /* a gzip member ended; another may follow */
	z_stream zs;
	uint8_t lead[2];                /* raw: the bytes read to look for the magic */
	size_t lead_len, lead_off;
	struct td_pcapng_walk *walk;    /* borrowed from the capture */
	uint8_t in[64 * 1024];          /* gzip: compressed bytes */
};

static ssize_t read_some(int fd, void *buf, size_t n)
{
	ssize_t r;
	do
		r = read(fd, buf, n);
	while (r < 0 && errno == EINTR);
	return r;
}

/* The next inflated bytes (at least one unless the end or an error). */
static ssize_t gz_inflate(struct in_cookie *ic, char *buf, size_t size)
{
	z_stream *zs = &ic->zs;
	for (;;) {
		if (zs->avail_in == 0) {
			ssize_t r = read_some(ic->fd, ic->in, sizeof ic->in);
			if (r <= 0)
				return r;  /* the end (a stream cut short is a capture cut short) */
			zs->next_in = ic->in;
			zs->avail_in = (uInt)r;
		}
		if (ic->member_end) {
			/* cat a.gz b.gz is one gzip file; anything else after a
			 * member is ignored, as gzread() does. */
			if (zs->next_in[0] != 0x1f)
				return 0;
			if (inflateReset(zs) != Z_OK)
				goto bad;
			ic->member_end = false;
		}
		zs->next_out = (Bytef *)buf;
		zs->avail_out = size > (1u << 30) ? 1u << 30 : (uInt)size;
		uInt before = zs->avail_out;
		int z = inflate(zs, Z_NO_FLUSH);
		size_t got = before - zs->avail_out;
		if (z == Z_STREAM_END)
			ic->member_end = true;
		else if (z != Z_OK && z != Z_BUF_ERROR)
			goto bad;
		if (got > 0)
			return (ssize_t)got;
	}
bad:
	errno = EIO;
	return -1;
}

static ssize_t in_read(void *cookie, char *buf, size_t size)
{
	struct in_cookie *ic = cookie;
	ssize_t r;
	if (ic->gz) {
		r = gz_inflate(ic, buf, size);
	} else if (ic->lead_off < ic->lead_len) {
		r = (ssize_t)(ic->lead_len - ic->lead_off < size ? ic->lead_len - ic->lead_off : size);
		memcpy(buf, ic->lead + ic->lead_off, (size_t)r);
		ic->lead_off += (size_t)r;
	} else {
		r = read_some(ic->fd, buf, size);
	}
	if (r > 0)
		td_pcapng_walk_feed(ic->walk, (const uint8_t *)buf, (size_t)r);
	else if (r == 0)
		td_pcapng_walk_end(ic->walk);
	return r;
}

static int in_close(void *cookie)
{
	struct in_cookie *ic = cookie;
	if (ic->gz)
		inflateEnd(&ic->zs);
	int rc = close(ic->fd);
	free(ic);
	return rc == 0 ? 0 : EOF;
}

/* A FILE that reads fd (which it takes over, also on failure),
 * decompressing gzip, showing what it reads to walk.  NULL with errno. */
static FILE *in_fdopen(int fd, struct td_pcapng_walk *walk)
{
	struct in_cookie *ic = calloc(1, sizeof *ic);
	if (!ic) {
		close(fd);
		return NULL;
	}
	ic->fd = fd;
	ic->walk = walk;
	/* Two bytes say gzip or not; a pipe cannot be read twice, so they
	 * are kept and handed on. */
	while (ic->lead_len < sizeof ic->lead) {
		ssize_t r = read_some(fd, ic->lead + ic->lead_len, sizeof ic->lead - ic->lead_len);
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		ic->lead_len += (size_t)r;
	}
	if (ic->lead_len == 2 && ic->lead[0] == 0x1f && ic->lead[1] == 0x8b) {
		if (inflateInit2(&ic->zs, 16 + MAX_WBITS) != Z_OK) {
			errno = ENOMEM;
			goto fail;
		}
		ic->gz = true;
		memcpy(ic->in, ic->lead, 2);
		ic->zs.next_in = ic->in;
		ic->zs.avail_in = 2;
	}
	cookie_io_functions_t io = { .read = in_read, .close = in_close };
	FILE *f = fopencookie(ic, "rb", io);
	if (f)
		return f;
	if (ic->gz)
		inflateEnd(&ic->zs);
fail:
	{
		int e = errno;
		close(fd);
		free(ic);
		errno = e;
	}
	return NULL;
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
	return td_capture_open_file_secrets(out, path, NULL, NULL, err, errlen);
}

enum td_result td_capture_open_file_secrets(struct td_capture **out, const char *path,
					    td_pcapng_secrets_fn fn, void *ctx,
					    char *err, size_t errlen)
{
	enum td_result res = TD_ERR_IO;
	char perr[PCAP_ERRBUF_SIZE] = "";
	FILE *f = NULL;
	struct td_capture *c = calloc(1, sizeof *c);
	*out = NULL;
	if (!c || !(c->walk = td_pcapng_walk_new(fn, ctx))) {
		free(c);
		snprintf(err, errlen, "out of memory");
		return TD_ERR_NOMEM;
	}
	td_dynbuf_init(&c->ng_text, TD_CAP_SAVE_SECRETS);
	int fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	f = in_fdopen(fd, c->walk);
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	/* libpcap reads a record header then its bytes: with stdio's
	 * default buffer that was one read per 4 KiB.  glibc ignores the size
	 * unless it is given the buffer too; without one the default is kept. */
	if ((c->iobuf = malloc(FILE_BUFFER)) != NULL &&
	    setvbuf(f, c->iobuf, _IOFBF, FILE_BUFFER) != 0) {
		free(c->iobuf);
		c->iobuf = NULL;
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

static uint64_t frame_ts(const struct pcap_pkthdr *h)
{
	if (h->ts.tv_sec < 0)
		return 0;
	return (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
}

/* -w as pcapng: the key log text that came since the last packet, its
 * whole lines, as one DSB; at the end (all) the rest too. */
static void flush_secrets(struct td_capture *c, bool all)
{
	size_t n = c->ng_text.len;
	while (!all && n > 0 && c->ng_text.data[n - 1] != '\n')
		n--;
	if (n == 0)
		return;
	if (td_pcapng_write_secrets(c->ng_f, c->ng_text.data, n) != TD_OK)
		c->ng_failed = true;
	td_dynbuf_consume(&c->ng_text, n);
}

/* -w: one frame to the file, in its format. */
static void save_frame(struct td_capture *c, const struct pcap_pkthdr *h, const u_char *data)
{
	if (c->ng_f) {
		flush_secrets(c, false);
		if (td_pcapng_write_packet(c->ng_f, frame_ts(h), data, h->caplen, h->len) != TD_OK)
			c->ng_failed = true;
	} else if (c->dump) {
		pcap_dump((u_char *)c->dump, h, data);
	}
}

/* Live, packets are handed over where they lie in the ring (pcap_dispatch):
 * pcap_next_ex copies each into a buffer of its own first (on Linux's
 * memory-mapped capture), a twentieth of a busy capture's time. */
struct dispatch {
	struct td_capture *c;
	td_frame_fn fn;
	void *ctx;
};

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct dispatch *d = (struct dispatch *)(void *)user;
	d->c->frames++;
	save_frame(d->c, h, data);
	d->fn(d->ctx, d->c->link, frame_ts(h), data, h->caplen, h->len);
}

enum td_result td_capture_run(struct td_capture *c, td_frame_fn fn, void *ctx,
			      char *err, size_t errlen)
{
	err[0] = '\0';
	struct dispatch d = { c, fn, ctx };
	while (!c->stop) {
		struct pcap_pkthdr *h;
		const u_char *data;
		int rc;
		if (c->live) {
			/* Every packet ready (rc of them); 0: none now. */
			rc = pcap_dispatch(c->pcap, -1, on_packet, (u_char *)&d);
			if (rc > 0)
				continue;
		} else {
			rc = pcap_next_ex(c->pcap, &h, &data);
		}
		if (rc == 1) {
			uint64_t ts = frame_ts(h);
			c->frames++;
			save_frame(c, h, data);
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

/* pcapng's link types are libpcap's DLTs except where a platform
 * numbers differently; of those tlsdiag reads, raw IP (DLT_RAW is 12 or
 * 14, LINKTYPE_RAW 101). */
static uint32_t linktype_of(int dlt)
{
	if (dlt == 12 || dlt == 14)
		return 101;
	return (uint32_t)dlt;
}

enum td_result td_capture_save_pcapng(struct td_capture *c, const char *path, char *err,
				      size_t errlen)
{
	c->ng_f = fopen(path, "wb");
	if (!c->ng_f) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return TD_ERR_IO;
	}
	int snap = pcap_snapshot(c->pcap);
	if (td_pcapng_write_header(c->ng_f, linktype_of(pcap_datalink(c->pcap)),
				   snap > 0 ? (uint32_t)snap : 0, PACKAGE_STRING) != TD_OK)
		c->ng_failed = true;
	return TD_OK;
}

void td_capture_save_secrets(struct td_capture *c, const char *text, size_t len)
{
	if (!c || !c->ng_f || len == 0)
		return;
	if (td_dynbuf_add(&c->ng_text, text, len) != TD_OK)
		c->ng_text_dropped += len;
}

uint64_t td_capture_save_secrets_dropped(const struct td_capture *c)
{
	return c ? c->ng_text_dropped : 0;
}

void td_capture_pcapng_stats(const struct td_capture *c, struct td_pcapng_stats *st)
{
	if (c->walk)
		td_pcapng_walk_stats(c->walk, st);
	else
		*st = (struct td_pcapng_stats){ 0 };
}

/* The writers go through stdio and pcap_dump() returns nothing: a
 * write error stays on the stream, looked at once here. */
enum td_result td_capture_save_close(struct td_capture *c, const char *path, char *err,
				     size_t errlen)
{
	if (c && c->ng_f) {
		flush_secrets(c, true);
		errno = 0;
		bool bad = c->ng_failed || fflush(c->ng_f) != 0 || ferror(c->ng_f);
		int e = errno;
		if (fclose(c->ng_f) != 0 && !bad) {
			bad = true;
			e = errno;
		}
		c->ng_f = NULL;
		if (bad) {
			snprintf(err, errlen, "writing %s: %s", path, e ? strerror(e) : "write error");
			return TD_ERR_IO;
		}
		return TD_OK;
	}
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
		save_frame(c, c->pend_h, c->pend_data);
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
	if (c->ng_f)
		fclose(c->ng_f);
	td_dynbuf_cleanup(&c->ng_text);
	if (c->pcap)
		pcap_close(c->pcap);  /* closes the FILE that uses iobuf */
	td_pcapng_walk_free(c->walk);
	free(c->iobuf);
	free(c);
}
