/*
 * main.c - the tlsdiag command: options, then capture -> engine -> sink.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "capture.h"
#include "caps.h"
#include "diagnose.h"
#include "engine.h"
#include "keylog.h"
#include "out.h"
#include "filter.h"
#include "redact.h"
#include "filehash.h"
#include "x509.h"

#define EXIT_USAGE 2

enum color_mode { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

struct options {
	const char *read_file;
	const char *iface;
	const char *format;     /* "text" or "json" */
	enum color_mode color;
	bool verbose;
	bool all;               /* markdown: details of every connection */
	bool promisc;
	int snaplen;
	struct td_config cfg;
	struct td_diag_opts diag;
	const char *keylogs[16]; /* -k files */
	size_t n_keylogs;
	char *filter;           /* joined trailing arguments, owned */
	bool redact;
	enum td_redact_level redact_level;
	bool only_failed;
};

static struct td_capture *volatile g_capture;

static void usage(FILE *out)
{
	fprintf(out,
"Usage: tlsdiag [options] -r FILE [expression]\n"
"       tlsdiag [options] -i INTERFACE [expression]\n"
"\n"
"Passive TLS and mutual-TLS handshake analyzer: reads packets, reassembles\n"
"TCP, decodes TLS handshakes, certificates and alerts, and reports every\n"
"TLS connection.  The optional expression is a BPF filter, as for tcpdump.\n"
"\n"
"Input:\n"
"  -r, --read FILE          read a pcap or pcapng file (gzip allowed); - is stdin\n"
"  -i, --interface IFACE    capture live on IFACE (needs CAP_NET_RAW)\n"
"  -s, --snaplen BYTES      live capture: bytes kept per packet (default 262144)\n"
"  -p, --no-promiscuous     live capture: do not put the interface in promiscuous mode\n"
"  -k, --keylog FILE        NSS key log (SSLKEYLOGFILE) to decrypt handshakes; live,\n"
"                           re-read as it grows; repeatable\n"
"\n"
"Output:\n"
"  -o, --output FORMAT      text (default), json (JSON Lines, one object per connection)\n"
"                           or markdown (a bug report with sequence diagrams)\n"
"      --all                markdown: details of every connection, not only failures\n"
"      --redact[=all]       replace addresses, host names, SNI and end-entity certificate\n"
"                           names by stable pseudonyms (=all: CA names too)\n"
"      --only-failed        report only failed or incomplete connections, or with errors\n"
"      --color=WHEN         auto (default: on a terminal), always or never\n"
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
"      --max-flows N        TCP flows tracked at once (default %u);\n"
"                           the least recently used is dropped when full\n"
"      --flow-buffer BYTES  out-of-order bytes buffered per direction (default %u)\n"
"      --max-memory BYTES   out-of-order bytes buffered in all flows (default %u)\n"
"      --idle-timeout SECS  report and drop a flow silent this long (default %u)\n"
"  BYTES take a k, M or G suffix.\n"
"\n"
"  -h, --help               this help\n"
"  -V, --version            the version\n"
"\n"
"Exit status: 0 when no handshake has an error diagnosis, 1 when one has,\n"
"2 on a usage or input error.\n"
"Examples:\n"
"  tlsdiag -r capture.pcap\n"
"  tlsdiag -r capture.pcap -o json 'port 8443'\n"
"  tcpdump -i any -w - 'port 443' | tlsdiag -r -\n"
"See tlsdiag(1).\n",
		TD_DEFAULT_MAX_FLOWS, TD_DEFAULT_FLOW_BUFFER, TD_DEFAULT_MAX_MEMORY,
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
       OPT_CA_FILE, OPT_CA_PATH, OPT_NO_SYSTEM_CA, OPT_CLIENT_CA_FILE, OPT_AT, OPT_ALL, OPT_PORT, OPT_REDACT, OPT_ONLY_FAILED };

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

static int parse_options(int argc, char **argv, struct options *o)
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
		{ "ca-file", required_argument, NULL, OPT_CA_FILE },
		{ "ca-path", required_argument, NULL, OPT_CA_PATH },
		{ "no-system-ca", no_argument, NULL, OPT_NO_SYSTEM_CA },
		{ "client-ca-file", required_argument, NULL, OPT_CLIENT_CA_FILE },
		{ "at", required_argument, NULL, OPT_AT },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "redact", optional_argument, NULL, OPT_REDACT },
		{ "only-failed", no_argument, NULL, OPT_ONLY_FAILED },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	memset(o, 0, sizeof *o);
	o->format = "text";
	o->promisc = true;
	td_config_defaults(&o->cfg);
	int c;
	size_t v;
	opterr = 0;  /* one line of our own instead of getopt's */
	while ((c = getopt_long(argc, argv, "+:r:i:k:s:po:vhV", longopts, NULL)) != -1) {
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
			    strcmp(optarg, "markdown") != 0)
				return fail_usage("unknown output format '%s': use text, json or markdown",
						  optarg);
			o->format = optarg;
			break;
		case OPT_COLOR:
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
			if (!optarg)
				o->redact_level = TD_REDACT_NAMES;
			else if (strcmp(optarg, "all") == 0)
				o->redact_level = TD_REDACT_ALL;
			else
				return fail_usage("bad --redact value '%s': give --redact or --redact=all",
						  optarg);
			break;
		case OPT_ONLY_FAILED: o->only_failed = true; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("tlsdiag %s\n", PACKAGE_VERSION); exit(0);
		case ':':
			return fail_usage("option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt)
				return fail_usage("unknown option '-%c'", optopt);
			return fail_usage("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (!o->read_file == !o->iface)
		return fail_usage("%s", o->read_file ? "give -r or -i, not both"
					     : "nothing to read: give -r FILE or -i INTERFACE");
	if (optind < argc) {
		o->filter = join_args(argc - optind, argv + optind);
		if (!o->filter)
			return fail_usage("%s", "out of memory");
	}
	o->cfg.ordered = o->read_file != NULL;
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
	if (g_capture)
		td_capture_stop(g_capture);
}

static void frame_cb(void *ctx, enum td_link link, uint64_t ts_us,
		     const uint8_t *data, size_t caplen, size_t wirelen)
{
	td_engine_frame(ctx, link, ts_us, data, caplen, wirelen);
}

int main(int argc, char **argv)
{
	struct options o;
	int rc = parse_options(argc, argv, &o);
	if (rc)
		return rc;

	int status = EXIT_USAGE;
	char err[512] = "";
	struct td_capture *cap = NULL;
	struct td_sink *sink = NULL;    /* what the engine reports to */
	struct td_sink *writer = NULL;  /* the output format */
	struct td_redactor *redactor = NULL;
	struct td_engine *eng = NULL;
	struct td_diagnoser *diag = NULL;
	struct td_keylog *keylog = NULL;
	struct td_keylog_watch *watch = NULL;
	enum td_result r;

	if (td_x509_global_init() != TD_OK) {
		fprintf(stderr, "tlsdiag: cannot initialise wolfSSL\n");
		goto out;
	}
	if (td_diagnoser_new(&diag, &o.diag, err, sizeof err) != TD_OK) {
		fprintf(stderr, "tlsdiag: %s\n", err);
		goto out;
	}
	o.cfg.diagnoser = diag;
	if (o.n_keylogs) {
		keylog = td_keylog_new();
		if (!keylog) {
			fprintf(stderr, "tlsdiag: out of memory\n");
			goto out;
		}
		if (o.iface) {
			/* Live: clients append while we capture; keep the files
			 * open and re-read them when a secret is missing. */
			if (td_keylog_watch_new(&watch, keylog, o.keylogs, o.n_keylogs,
						err, sizeof err) != TD_OK) {
				fprintf(stderr, "tlsdiag: %s\n", err);
				goto out;
			}
			o.cfg.keylog_refresh = td_keylog_watch_poll;
			o.cfg.keylog_refresh_ctx = watch;
		}
		for (size_t i = 0; !o.iface && i < o.n_keylogs; i++) {
			if (td_keylog_load_file(keylog, o.keylogs[i], err, sizeof err) != TD_OK) {
				fprintf(stderr, "tlsdiag: %s\n", err);
				goto out;
			}
		}
		size_t first = 0, bad = td_keylog_bad_lines(keylog, &first);
		if (bad)
			fprintf(stderr, "tlsdiag: warning: key log: %zu malformed line%s skipped "
				"(the first at line %zu)\n", bad, bad == 1 ? "" : "s", first);
		o.cfg.keylog = keylog;
	}
	if (o.read_file)
		r = td_capture_open_file(&cap, o.read_file, err, sizeof err);
	else
		r = td_capture_open_live(&cap, o.iface, o.snaplen, o.promisc, err, sizeof err);
	if (r != TD_OK) {
		fprintf(stderr, "tlsdiag: %s\n", err);
		goto out;
	}
	if (o.filter && td_capture_set_filter(cap, o.filter, err, sizeof err) != TD_OK) {
		fprintf(stderr, "tlsdiag: %s\n", err);
		goto out;
	}

	char sha[65] = "", keylogs[1024] = "";
	if (strcmp(o.format, "json") == 0) {
		writer = td_json_sink_new(stdout);
	} else if (strcmp(o.format, "markdown") == 0) {
		struct td_md_opts mo = {
			.all = o.all,
			.version = PACKAGE_VERSION,
			.capture_name = o.read_file ? o.read_file : o.iface,
			.live = o.iface != NULL,
			.filter = o.filter,
			.client_trust_store = o.diag.client_ca_file,
		};
		struct stat sb;
		if (o.read_file && strcmp(o.read_file, "-") != 0 && stat(o.read_file, &sb) == 0 &&
		    S_ISREG(sb.st_mode)) {
			mo.capture_size = (uint64_t)sb.st_size;
			char herr[256];
			if (td_file_sha256(o.read_file, sha, herr, sizeof herr) == TD_OK)
				mo.capture_sha256 = sha;
			else
				fprintf(stderr, "tlsdiag: warning: %s\n", herr);
		}
		for (size_t i = 0; i < o.n_keylogs; i++) {
			size_t used = strlen(keylogs);
			snprintf(keylogs + used, sizeof keylogs - used, "%s%s", i ? ", " : "",
				 o.keylogs[i]);
		}
		mo.keylog = o.n_keylogs ? keylogs : NULL;
		mo.trust_store = o.diag.ca_file ? o.diag.ca_file : o.diag.ca_path ? o.diag.ca_path
			       : o.diag.no_system_store ? "none" : "system bundle";
		if (o.redact) {
			/* Names the user chose may hold addresses ('host 10.1.2.3'). */
			mo.capture_name = "(redacted)";
			mo.filter = o.filter ? "(redacted)" : NULL;
			mo.keylog = mo.keylog ? "(redacted)" : NULL;
		}
		writer = td_markdown_sink_new(stdout, &mo);
	} else {
		struct td_text_opts topts = {
			.color = o.color == COLOR_ALWAYS ||
				 (o.color == COLOR_AUTO && isatty(STDOUT_FILENO)),
			.verbose = o.verbose,
		};
		writer = td_text_sink_new(stdout, &topts);
	}
	if (writer && o.redact)
		redactor = td_redactor_new(o.redact_level);
	if (!o.redact && !o.only_failed)
		sink = writer;
	else if (writer && (redactor || !o.redact))
		sink = td_filter_sink_new(writer, redactor, o.only_failed);
	eng = sink ? td_engine_new(&o.cfg, sink) : NULL;
	if (!eng) {
		fprintf(stderr, "tlsdiag: out of memory\n");
		goto out;
	}

	g_capture = cap;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	r = td_capture_run(cap, frame_cb, eng, err, sizeof err);
	g_capture = NULL;
	td_engine_finish(eng);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "tlsdiag: writing the report: %s\n", strerror(errno));
		goto out;
	}
	if (r != TD_OK) {
		fprintf(stderr, "tlsdiag: %s\n", err);
		goto out;
	}
	if (err[0])  /* a warning: e.g. the file was cut short */
		fprintf(stderr, "tlsdiag: warning: %s\n", err);
	if (td_redactor_overflow(redactor))
		fprintf(stderr, "tlsdiag: warning: --redact: %llu values past the first %u got a "
			"placeholder, not the same from one connection to the next\n",
			(unsigned long long)td_redactor_overflow(redactor), TD_CAP_REDACT_VALUES);
	if (sink != writer && td_filter_sink_dropped(sink))
		fprintf(stderr, "tlsdiag: warning: %llu connections not written: out of memory "
			"while redacting them\n", (unsigned long long)td_filter_sink_dropped(sink));
	status = td_engine_stats(eng)->connections_with_errors > 0 ? 1 : 0;
out:
	td_engine_free(eng);
	td_diagnoser_free(diag);
	td_keylog_watch_free(watch);
	td_keylog_free(keylog);
	if (sink != writer)
		td_sink_free(sink);     /* the filter: frees itself only */
	td_sink_free(writer);
	td_redactor_free(redactor);
	td_capture_close(cap);
	td_x509_global_cleanup();
	free(o.filter);
	return status;
}
