/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * options.c - the tlsdiag command line: --help, and parsing every option
 * into struct options (options.h) with a one-line error for bad input.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_MIMALLOC
#include <mimalloc.h>
#endif

#include "caps.h"
#include "options.h"
#include "tui.h"
#include "workers.h"

/* The version, and the allocator when it is not the C library's: it
 * changes how fast tlsdiag runs (configure.ac, --without-mimalloc). */
static void print_version(void)
{
#ifdef HAVE_MIMALLOC
	int v = mi_version();
	printf("tlsdiag %s (malloc: mimalloc %d.%d.%d)\n", PACKAGE_VERSION, v / 100,
	       v / 10 % 10, v % 10);
#else
	printf("tlsdiag %s\n", PACKAGE_VERSION);
#endif
}

static void usage(FILE *out)
{
	fprintf(out,
"Usage: tlsdiag [options] -r FILE [expression]\n"
"       tlsdiag [options] -i INTERFACE [expression]\n"
"\n"
"Passive TLS and mutual-TLS handshake analyzer: reads packets, reassembles\n"
"TCP and QUIC (HTTP/3 over UDP), follows STARTTLS upgrades (SMTP, IMAP, POP3,\n"
"FTP, LDAP, XMPP, PostgreSQL, MySQL), decodes TLS handshakes, certificates\n"
"and alerts, and reports every TLS connection.  The optional expression is a\n"
"BPF filter, as for tcpdump.\n"
"\n"
"Input:\n"
"  -r, --read FILE          read a pcap or pcapng file (gzip allowed); - is stdin;\n"
"                           pcapng Decryption Secrets Blocks decrypt as -k would\n"
"  -i, --interface IFACE    capture live on IFACE (needs CAP_NET_RAW)\n"
"  -D, --list-interfaces    list the interfaces -i can capture on, and exit\n"
"  -F, --filter-file FILE   read the filter expression from FILE (# starts a comment)\n"
"  -c, --count N            stop after N TLS connections are reported\n"
"  -w, --write FILE         also save the packets read to FILE (pcap; pcapng with\n"
"                           the key log in it when -k is given or the input is pcapng)\n"
"  -s, --snaplen BYTES      live capture: bytes kept per packet (default 262144)\n"
"  -p, --no-promiscuous     live capture: do not put the interface in promiscuous mode\n"
"  -k, --keylog FILE        NSS key log (SSLKEYLOGFILE) to decrypt handshakes; live\n"
"                           or from a pipe, re-read as it grows (a FIFO too); repeatable\n"
"  -Z, --relinquish-privileges USER\n"
"                           as root, drop to USER once the interface and the files\n"
"                           are open, before any packet is parsed (default for -i:\n"
"                           %s; with -r only when given); then every\n"
"                           capability goes, no_new_privs is set and a seccomp\n"
"                           filter allows only the capture's system calls\n"
"      --no-seccomp         no seccomp filter (capabilities still dropped)\n"
"\n"
"Output:\n"
"      --tui                the live full-screen view (default for -i on a terminal\n"
"                           when no -o is given); with -r: over the capture\n"
"      --no-tui             stream the text, JSON or Markdown report instead\n"
"      --replay             with -r: the view at the capture's own pace\n"
"      --force              the view's s key may replace an earlier tlsdiag-conn-ID.md\n"
"                           (without it a new name is chosen: nothing is overwritten)\n"
"  -o, --output FORMAT      text (default), json (JSON Lines, one object per connection),\n"
"                           ecs (the same in Elastic Common Schema form, for a log\n"
"                           pipeline) or markdown (a bug report with sequence diagrams)\n"
"      --all                markdown: details of every connection, not only failures\n"
"      --redact[=LEVEL]     replace addresses, host names, SNI, end-entity certificate\n"
"                           names and private CAs (not in the system trust store) by\n"
"                           stable pseudonyms, and cleartext sent before or instead of\n"
"                           TLS by its length; =names: keep every CA name; =all: no\n"
"                           CA name kept\n"
"      --only-failed        report only failed or incomplete connections, or with errors\n"
"      --color[=WHEN]       auto (default: on a terminal), always or never\n"
"      --width COLUMNS      text: wrap at COLUMNS (default: the terminal's width,\n"
"                           else $COLUMNS, else 80)\n"
"      --summary            the view: print the text summary after quitting\n"
"      --output-file FILE   write the report to FILE instead of stdout; each file\n"
"                           appears whole (written under a hidden name, renamed\n"
"                           when done); SIGHUP starts the next file\n"
"  -G, --rotate-seconds SECS  a new file every SECS seconds; FILE is then a\n"
"                           strftime(3) pattern (tlsdiag-%%Y%%m%%d-%%H%%M%%S.json)\n"
"  -C, --rotate-size SIZE   a new file once one is larger than SIZE millions of\n"
"                           bytes (or SIZE with a k, M or G suffix: KiB, MiB,\n"
"                           GiB); later files get 1, 2, ... after the name\n"
"  -v, --verbose            text: list every suite, extension and group\n"
"\n"
"Diagnoses (each failed handshake: why, who gave up, what to change):\n"
"      --ca-file FILE       the client's trust store (PEM) for server chains;\n"
"                           default: the system bundle\n"
"      --ca-path DIR        ...or a directory of PEM certificates\n"
"      --no-system-ca       do not validate server chains against the system bundle\n"
"      --client-ca-file FILE  the server's store (PEM) for client chains\n"
"      --at TIME            judge validity at TIME (2024-02-29T18:40:22Z or epoch\n"
"                           seconds) instead of each handshake's capture time\n"
"      --port PORT          a TLS port: refused, unanswered or cleartext connections\n"
"                           to it are reported too (443, 8443 and other well-known\n"
"                           TLS ports, and ports with TLS in the capture, always are)\n"
"\n"
"Limits (every drop is counted and reported):\n"
"      --max-flows N        flows (TCP, QUIC) tracked at once (default %u);\n"
"                           the least recently used is dropped when full\n"
"      --flow-buffer BYTES  out-of-order bytes buffered per direction (default %u)\n"
"      --max-memory BYTES   bytes buffered in all flows: segments, partial records,\n"
"                           certificates (default %u)\n"
"      --idle-timeout SECS  report and drop a flow silent this long (default %u)\n"
"      --report-grace SECS  live, or -r from a pipe: report a connection this long\n"
"                           after its handshake succeeded (default 1; decimals\n"
"                           allowed), at once when it failed; its end follows\n"
"      --stats-interval SECS  live, or -r from a pipe: a statistics record this\n"
"                           often (default 60; 0: none): packets, kernel drops,\n"
"                           flows, connections by outcome, memory, cap drops\n"
"      --workers N          analyse on N threads (1 to 16, default 1), flows split\n"
"                           by a hash of their addresses and ports; live on Linux\n"
"                           with packet fanout; each gets max-flows/N and\n"
"                           max-memory/N; the same report but for the order of\n"
"                           lines and the ids\n"
"  BYTES take a k, M or G suffix.\n"
"\n"
"  -h, --help               this help\n"
"  -V, --version            the version\n"
"\n"
"Exit status: 0 when no handshake has an error diagnosis, 1 when one has,\n"
"2 on a usage or input error (also a capture cut short or damaged, and a\n"
"failed write of the report).\n"
"Examples:\n"
"  tlsdiag -r capture.pcap\n"
"  tlsdiag -r capture.pcap -o json 'port 8443'\n"
"  tlsdiag -i eth0 port 8443                (the live view; q quits)\n"
"  tlsdiag -r capture.pcap --tui --replay\n"
"  tcpdump -i any -w - 'port 443' | tlsdiag -r -\n"
"See tlsdiag(1).\n",
		TD_PRIVDROP_DEFAULT_USER, TD_DEFAULT_MAX_FLOWS, TD_DEFAULT_FLOW_BUFFER, TD_DEFAULT_MAX_MEMORY,
		TD_DEFAULT_IDLE_TIMEOUT);
}

static int fail_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int fail_usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("tlsdiag: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputs(" (see tlsdiag --help)\n", stderr);
	va_end(ap);
	return EXIT_USAGE;
}

/* A byte count with an optional k/M/G suffix. */
static bool parse_size(const char *s, size_t min, size_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || s[0] == '-')
		return false;
	unsigned long long mul = 1;
	if (*end == 'k' || *end == 'K')
		mul = 1024ull, end++;
	else if (*end == 'm' || *end == 'M')
		mul = 1024ull * 1024ull, end++;
	else if (*end == 'g' || *end == 'G')
		mul = 1024ull * 1024ull * 1024ull, end++;
	if (*end != '\0' || v > SIZE_MAX / mul || v * mul < min)
		return false;
	*out = (size_t)(v * mul);
	return true;
}

/* -C: tcpdump's unit, millions of bytes (not MiB); a k, M or G suffix
 * gives KiB, MiB or GiB instead (smaller files, for tests and small
 * shippers). */
static bool parse_rotate_size(const char *s, uint64_t *out)
{
	size_t v;
	if (!parse_size(s, 1, &v))
		return false;
	char last = s[strlen(s) - 1];
	if (last < '0' || last > '9') {
		*out = v;
		return true;
	}
	if (v > UINT64_MAX / 1000000u)
		return false;
	*out = (uint64_t)v * 1000000u;
	return true;
}

/* Join the trailing arguments into one filter expression, as tcpdump does. */
static char *join_args(int argc, char **argv)
{
	size_t len = 1;
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *s = malloc(len);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (int i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

enum { OPT_COLOR = 256, OPT_MAX_FLOWS, OPT_FLOW_BUFFER, OPT_MAX_MEMORY, OPT_IDLE,
       OPT_CA_FILE, OPT_CA_PATH, OPT_NO_SYSTEM_CA, OPT_CLIENT_CA_FILE, OPT_AT, OPT_ALL, OPT_PORT, OPT_REDACT, OPT_ONLY_FAILED, OPT_FORCE,
       OPT_TUI, OPT_NO_TUI, OPT_REPLAY, OPT_WIDTH, OPT_SUMMARY, OPT_REPORT_GRACE,
       OPT_STATS_INTERVAL, OPT_OUTPUT_FILE, OPT_NO_SECCOMP,
       OPT_WORKERS };

/* The words an option with an optional value takes: `--color never` is
 * read as `--color=never` only when the next word is one of them, so a
 * filter expression after a bare --color stays a filter. */
static const char *const color_words[] = { "auto", "always", "never", NULL };
static const char *const redact_words[] = { "names", "all", NULL };

static bool is_word(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (strcmp(s, *words) == 0)
			return true;
	return false;
}

/* -F: the whole file as one expression; lines joined by spaces, and
 * from a # to the end of its line left out (tcpdump reads the file as
 * it is; comments make a kept filter file readable).  NULL with a
 * one-line message on stderr. */
static char *read_filter_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fail_usage("cannot read the filter file %s: %s", path, strerror(errno));
		return NULL;
	}
	enum { MAX_FILTER = 64 * 1024 };
	char *s = malloc(MAX_FILTER + 1);
	if (!s) {
		fclose(f);
		fail_usage("%s", "out of memory");
		return NULL;
	}
	size_t n = 0;
	bool comment = false;
	int ch;
	while ((ch = getc(f)) != EOF) {
		if (ch == '#')
			comment = true;
		else if (ch == '\n')
			comment = false;
		if (comment)
			continue;
		if (n == MAX_FILTER) {
			fail_usage("filter file %s is over %u bytes", path, (unsigned)MAX_FILTER);
			free(s);
			s = NULL;
			break;
		}
		s[n++] = ch == '\n' || ch == '\r' || ch == '\t' ? ' ' : (char)ch;
	}
	if (s && ferror(f)) {
		fail_usage("cannot read the filter file %s: %s", path, strerror(errno));
		free(s);
		s = NULL;
	} else if (s) {
		s[n] = '\0';
	}
	fclose(f);
	return s;
}

/* --at: RFC 3339 UTC ("2024-02-29T18:40:22Z") or seconds since the epoch. */
static bool parse_time(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (!errno && end != s && *end == '\0' && v > 0) {
		*out = v;
		return true;
	}
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end || (*end != 'Z' && *end != '\0') || (*end == 'Z' && end[1] != '\0'))
		return false;
	*out = (int64_t)timegm(&tm);
	return true;
}

int td_parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "read", required_argument, NULL, 'r' },
		{ "keylog", required_argument, NULL, 'k' },
		{ "interface", required_argument, NULL, 'i' },
		{ "snaplen", required_argument, NULL, 's' },
		{ "no-promiscuous", no_argument, NULL, 'p' },
		{ "output", required_argument, NULL, 'o' },
		{ "color", optional_argument, NULL, OPT_COLOR },
		{ "colour", optional_argument, NULL, OPT_COLOR },
		{ "verbose", no_argument, NULL, 'v' },
		{ "max-flows", required_argument, NULL, OPT_MAX_FLOWS },
		{ "flow-buffer", required_argument, NULL, OPT_FLOW_BUFFER },
		{ "max-memory", required_argument, NULL, OPT_MAX_MEMORY },
		{ "idle-timeout", required_argument, NULL, OPT_IDLE },
		{ "report-grace", required_argument, NULL, OPT_REPORT_GRACE },
		{ "stats-interval", required_argument, NULL, OPT_STATS_INTERVAL },
		{ "ca-file", required_argument, NULL, OPT_CA_FILE },
		{ "ca-path", required_argument, NULL, OPT_CA_PATH },
		{ "no-system-ca", no_argument, NULL, OPT_NO_SYSTEM_CA },
		{ "client-ca-file", required_argument, NULL, OPT_CLIENT_CA_FILE },
		{ "at", required_argument, NULL, OPT_AT },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "tui", no_argument, NULL, OPT_TUI },
		{ "no-tui", no_argument, NULL, OPT_NO_TUI },
		{ "replay", no_argument, NULL, OPT_REPLAY },
		{ "relinquish-privileges", required_argument, NULL, 'Z' },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "redact", optional_argument, NULL, OPT_REDACT },
		{ "only-failed", no_argument, NULL, OPT_ONLY_FAILED },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "summary", no_argument, NULL, OPT_SUMMARY },
		{ "width", required_argument, NULL, OPT_WIDTH },
		{ "count", required_argument, NULL, 'c' },
		{ "write", required_argument, NULL, 'w' },
		{ "list-interfaces", no_argument, NULL, 'D' },
		{ "filter-file", required_argument, NULL, 'F' },
		{ "output-file", required_argument, NULL, OPT_OUTPUT_FILE },
		{ "rotate-seconds", required_argument, NULL, 'G' },
		{ "rotate-size", required_argument, NULL, 'C' },
		{ "no-seccomp", no_argument, NULL, OPT_NO_SECCOMP },
		{ "workers", required_argument, NULL, OPT_WORKERS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	memset(o, 0, sizeof *o);
	o->format = "text";
	o->workers = 1;
	o->promisc = true;
	td_config_defaults(&o->cfg);
	o->cfg.stats_every_us = 60u * 1000000u;  /* --stats-interval */
	int c;
	size_t v;
	opterr = 0;  /* one line of our own instead of getopt's */
	while ((c = getopt_long(argc, argv, "+:r:i:k:s:po:vhVZ:c:w:DF:G:C:", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': o->read_file = optarg; break;
		case 'i': o->iface = optarg; break;
		case 'k':
			if (o->n_keylogs == sizeof o->keylogs / sizeof o->keylogs[0])
				return fail_usage("%s", "too many -k files (16 at most)");
			o->keylogs[o->n_keylogs++] = optarg;
			break;
		case 's':
			if (!parse_size(optarg, 64, &v) || v > 262144)
				return fail_usage("bad snaplen '%s': give 64 to 262144 bytes", optarg);
			o->snaplen = (int)v;
			break;
		case 'p': o->promisc = false; break;
		case 'o':
			if (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0 &&
			    strcmp(optarg, "markdown") != 0 && strcmp(optarg, "ecs") != 0)
				return fail_usage("unknown output format '%s': use text, json, ecs or "
						  "markdown", optarg);
			o->format = optarg;
			o->format_given = true;
			break;
		case OPT_COLOR:
			if (!optarg && optind < argc && is_word(argv[optind], color_words))
				optarg = argv[optind++];
			if (!optarg || strcmp(optarg, "always") == 0)
				o->color = COLOR_ALWAYS;
			else if (strcmp(optarg, "never") == 0)
				o->color = COLOR_NEVER;
			else if (strcmp(optarg, "auto") == 0)
				o->color = COLOR_AUTO;
			else
				return fail_usage("bad --color value '%s': use auto, always or never", optarg);
			break;
		case 'v': o->verbose = true; break;
		case OPT_ALL: o->all = true; break;
		case OPT_MAX_FLOWS:
			if (!parse_size(optarg, 1, &o->cfg.max_flows))
				return fail_usage("bad --max-flows '%s'", optarg);
			break;
		case OPT_FLOW_BUFFER:
			if (!parse_size(optarg, 0, &o->cfg.flow_buffer))
				return fail_usage("bad --flow-buffer '%s'", optarg);
			break;
		case OPT_MAX_MEMORY:
			if (!parse_size(optarg, 0, &o->cfg.max_memory))
				return fail_usage("bad --max-memory '%s'", optarg);
			break;
		case OPT_IDLE:
			if (!parse_size(optarg, 0, &v) || v > 86400u * 365u)
				return fail_usage("bad --idle-timeout '%s' (seconds)", optarg);
			o->cfg.idle_timeout_s = (unsigned)v;
			break;
		case OPT_REPORT_GRACE: {
			char *end = NULL;
			errno = 0;
			double g = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(g >= 0.0 && g <= 3600.0))
				return fail_usage("bad --report-grace '%s' (seconds, 0 to 3600)", optarg);
			o->cfg.report_grace_us = (uint64_t)(g * 1e6 + 0.5);
			break;
		}
		case OPT_STATS_INTERVAL:
			if (!parse_size(optarg, 0, &v) || v > 86400u)
				return fail_usage("bad --stats-interval '%s' (seconds, 0 to 86400)",
						  optarg);
			o->cfg.stats_every_us = (uint64_t)v * 1000000u;
			break;
		case OPT_CA_FILE: o->diag.ca_file = optarg; break;
		case OPT_CA_PATH: o->diag.ca_path = optarg; break;
		case OPT_NO_SYSTEM_CA: o->diag.no_system_store = true; break;
		case OPT_CLIENT_CA_FILE: o->diag.client_ca_file = optarg; break;
		case OPT_AT:
			if (!parse_time(optarg, &o->diag.at))
				return fail_usage("bad --at '%s': give 2024-02-29T18:40:22Z or epoch "
						  "seconds", optarg);
			break;
		case OPT_PORT:
			if (!parse_size(optarg, 1, &v) || v > 65535)
				return fail_usage("bad --port '%s': give 1 to 65535", optarg);
			if (o->cfg.n_tls_ports == sizeof o->cfg.tls_ports / sizeof o->cfg.tls_ports[0])
				return fail_usage("%s", "too many --port options (16 at most)");
			o->cfg.tls_ports[o->cfg.n_tls_ports++] = (uint16_t)v;
			break;
		case OPT_REDACT:
			o->redact = true;
			if (!optarg && optind < argc && is_word(argv[optind], redact_words))
				optarg = argv[optind++];
			if (!optarg)
				o->redact_level = TD_REDACT_PRIVATE;
			else if (strcmp(optarg, "names") == 0)
				o->redact_level = TD_REDACT_NAMES;
			else if (strcmp(optarg, "all") == 0)
				o->redact_level = TD_REDACT_ALL;
			else
				return fail_usage("bad --redact value '%s': give --redact, --redact=names "
						  "or --redact=all", optarg);
			break;
		case OPT_ONLY_FAILED: o->only_failed = true; break;
		case OPT_FORCE: o->force = true; break;
		case OPT_TUI: o->tui = TUI_ON; break;
		case OPT_NO_TUI: o->tui = TUI_OFF; break;
		case OPT_REPLAY: o->replay = true; break;
		case OPT_SUMMARY: o->summary = true; break;
		case OPT_WIDTH:
			if (!parse_size(optarg, TD_TEXT_WIDTH_MIN, &v) || v > TD_TEXT_WIDTH_MAX)
				return fail_usage("bad --width '%s': give %d to %d columns", optarg,
						  TD_TEXT_WIDTH_MIN, TD_TEXT_WIDTH_MAX);
			o->width = (unsigned)v;
			break;
		case 'c':
			if (!parse_size(optarg, 1, &v))
				return fail_usage("bad count '%s': give a number of connections", optarg);
			o->count = v;
			break;
		case 'w':
			if (!optarg[0])
				return fail_usage("%s", "-w needs a file name");
			if (strcmp(optarg, "-") == 0)
				return fail_usage("%s", "-w - would mix the packets with the report on "
						  "standard output: give a file name");
			o->write_file = optarg;
			break;
		case OPT_WORKERS:
			if (!parse_size(optarg, 1, &v) || v > TD_WORKERS_MAX)
				return fail_usage("bad --workers '%s': give 1 to %d", optarg,
						  TD_WORKERS_MAX);
			o->workers = (unsigned)v;
			break;
		case 'D': o->list_interfaces = true; break;
		case OPT_OUTPUT_FILE:
			if (!optarg[0] || strcmp(optarg, "-") == 0)
				return fail_usage("%s", "--output-file needs a file name (the report "
						  "goes to stdout without it)");
			o->output_file = optarg;
			break;
		case 'G':
			if (!parse_size(optarg, 1, &v) || strpbrk(optarg, "kKmMgG") || v > 86400u * 366u)
				return fail_usage("bad -G '%s': give 1 to 31622400 seconds", optarg);
			o->rotate_secs = v;
			break;
		case 'C':
			if (!parse_rotate_size(optarg, &o->rotate_bytes))
				return fail_usage("bad -C '%s': give millions of bytes, or a size "
						  "with a k, M or G suffix", optarg);
			break;
		case OPT_NO_SECCOMP: o->no_seccomp = true; break;
		case 'F': o->filter_file = optarg; break;
		case 'Z':
			if (!optarg[0])
				return fail_usage("%s", "-Z needs a user name");
			o->user = optarg;
			break;
		case 'h': usage(stdout); exit(0);
		case 'V': print_version(); exit(0);
		case ':':
			return fail_usage("option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt)
				return fail_usage("unknown option '-%c'", optopt);
			return fail_usage("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (o->list_interfaces)
		return 0;  /* nothing else is needed; main lists them */
	if (!o->read_file == !o->iface)
		return fail_usage("%s", o->read_file ? "give -r or -i, not both"
					     : "nothing to read: give -r FILE or -i INTERFACE");
	if (o->replay) {
		if (!o->read_file)
			return fail_usage("%s", "--replay paces a capture file: give -r FILE");
		if (o->tui == TUI_OFF)
			return fail_usage("%s", "--replay is for the live view: drop --no-tui");
		o->tui = TUI_ON;
	}
	if (o->tui == TUI_AUTO) {
		/* The view is the default for a live capture watched on a
		 * terminal; a pipe, or an explicit -o, gets the stream. */
		const char *term = getenv("TERM");
		o->tui = o->iface && !o->format_given && !o->output_file && isatty(STDOUT_FILENO) &&
			 term && term[0] && strcmp(term, "dumb") != 0 ? TUI_ON : TUI_OFF;
	}
	if ((o->rotate_secs || o->rotate_bytes) && !o->output_file)
		return fail_usage("%s", "-G and -C rotate the report file: give --output-file FILE");
	if (o->output_file && o->tui == TUI_ON)
		return fail_usage("%s", "--output-file writes the report, not the view: add --no-tui");
	if (o->count && o->tui == TUI_ON)
		return fail_usage("%s", "-c stops the report, not the view: add --no-tui");
	if (o->workers > 1 && o->tui == TUI_ON)
		return fail_usage("%s", "--workers is for the report, not the view: add --no-tui");
	if (o->workers > 1 && o->iface && o->write_file)
		return fail_usage("%s", "-w saves one capture: not with --workers on an interface");
	if (o->filter_file) {
		if (optind < argc)
			return fail_usage("%s", "give the filter in -F FILE or on the command line, "
					  "not both");
		o->filter = read_filter_file(o->filter_file);
		if (!o->filter)
			return EXIT_USAGE;
	} else if (optind < argc) {
		o->filter = join_args(argc - optind, argv + optind);
		if (!o->filter)
			return fail_usage("%s", "out of memory");
	}
	o->cfg.ordered = o->read_file != NULL;
	return 0;
}
