#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run.sh -- tlsdiag's benchmark (`make bench`): prints figures, not a verdict
# (its exit status is 0 whether or not the targets hold; non-zero only when
# it could not measure).
#
# Usage (make bench passes the built programs):
#   bench/run.sh --tlsdiag=PATH --floor=PATH --amplify=PATH --measure=PATH --lab=DIR
#                [--captures=DIR]   (captures/, for the QUIC and STARTTLS flows)
#
# 1. Workloads, made once and cached in $TD_BENCH_CACHE (default
#    ~/.cache/tlsdiag-bench), remade only when missing or with BENCH_REGEN=1:
#      seed-hs.pcap, seed-bulk.pcap   real traffic of the lab's openssl
#          servers and curl/s_client over a 1500-byte-MTU loopback in a
#          network namespace, under tcpdump (bench/seed.sh; needs root)
#      seed-mix.pcap    seed-hs.pcap with real QUIC and STARTTLS flows
#                       merged in: MIX_CAPTURES below, 23 captures of
#                       captures/ (the project's scripts, real servers and
#                       clients: QUIC of ngtcp2, chromium, caddy and quic-go,
#                       ok and failing; STARTTLS in SMTP, IMAP, POP3, FTP,
#                       LDAP, PostgreSQL, MySQL and XMPP, upgraded and
#                       refused), each shifted into seed-hs.pcap's time span
#                       (mergecap, editcap; see make_seed_mix); remade when
#                       missing, older than seed-hs.pcap or the list changed
#      hs.pcap          handshake-heavy: the handshake mix (TLS 1.2 and 1.3,
#                       mTLS ok and failing, resumption, untrusted CA; QUIC;
#                       STARTTLS), seed-mix.pcap amplified (bench/amplify) to
#                       >= BENCH_HANDSHAKES handshakes (200000),
#                       BENCH_HS_OVERLAP (256) copies in flight at once
#      bulk.pcap        bulk-heavy: 4 transfers of 32 MiB amplified to
#                       >= BENCH_BULK_BYTES (1.1e9 bytes), 8 copies in flight
#      hs-slice.pcap, bulk-slice.pcap   about 1/10 of each (the same seed,
#                       fewer copies), for the peers (tshark, ssldump), whose
#                       runs on the full workloads would take too long
#    The handshake count of a workload is the number of ClientHellos in it
#    (over TCP: direct TLS and STARTTLS) and of QUIC connections: the
#    seed's (counted by amplify) times the number of copies; the report
#    gives each kind's (TLS, QUIC, STARTTLS ClientHellos of so many
#    STARTTLS sessions).  When the workloads are made, check_mix warns
#    (it does not stop) when the seed's copies do not hold what the seed
#    does: tshark's counts of ClientHellos, QUIC ClientHellos and STARTTLS
#    requests on the original captures, the merged seed and each copy of
#    amplify -n 2 (when tshark is installed), then tlsdiag's connections
#    and outcomes on the seed and amplify -n 3 (three times; with jq).
# 2. Measurements, alternating tools within each round, page cache warm:
#      floor       bench/floor, a bare pcap_next_ex() loop (the cheapest reader)
#      json        tlsdiag -r FILE -o json > /dev/null
#      pair        two one-worker runs (json) at once: the machine's own
#                  ceiling for two threads (2 x json / pair; 2.0 on two
#                  processors that do not slow each other), printed beside
#                  --workers 2's speed-up (full workloads)
#      json2       the same with --workers 2 (full workloads; its speed-up
#                  over one worker is printed under each table)
#      text        tlsdiag -r FILE > /dev/null (default output); on the slice
#                  instead of the full workload when a full JSON run takes
#                  more than BENCH_TEXT_FULL_MAX_S (30) seconds
#      tshark      tshark -n -r FILE -Y 'tls.handshake || tls.alert_message'
#                  -T fields -e ... (every packet dissected, TCP reassembled,
#                  one line per handshake message or alert), when installed
#      ssldump     ssldump -n -r FILE (every record decoded and printed),
#                  when installed
#    BENCH_RUNS (5) runs of each, 3 for a command whose first run took over
#    BENCH_SLOW_S (10) seconds; wall time and peak RSS from bench/measure
#    (wait4).  Medians of the time; the largest peak RSS of the runs.
# 3. Flat memory: tlsdiag -o json's peak RSS on a capture and on one twice
#    as long, streamed from amplify into tlsdiag -r - (no disk): 2 x OVERLAP
#    copies, then 4 x OVERLAP, of each seed (seed-mix.pcap, seed-bulk.pcap).
#    Both are long enough for the number of copies in flight to reach
#    OVERLAP and stay there (with fewer copies than OVERLAP, all of them
#    overlap and a longer capture is also a wider one).
# 3b. Live (BENCH_LIVE=1, the default; as root with tcpreplay and iproute2):
#    tcpreplay --topspeed replays the handshake slice into a veth pair in
#    a network namespace while tlsdiag -i <peer> --no-tui -o json listens,
#    with one worker then two; connections reported against the offline
#    run, the kernel's drops (the JSON summary's), CPU time per packet and
#    peak RSS.
# 4. The targets of issue 19: JSON's CPU time at most 3.5x the floor's on
#    the handshake-heavy workload and 1.2x on bulk, text at most 1.3x
#    JSON, --workers 2 at least 1.7x faster (beside the machine's own
#    ceiling, row pair), live with one worker nothing lost at at most
#    0.5 us of CPU a packet, peak RSS <= 64 MiB and flat.
#
# Environment: TD_BENCH_CACHE, BENCH_REGEN=1, BENCH_RUNS, BENCH_SLOW_S,
# BENCH_HANDSHAKES, BENCH_BULK_BYTES, BENCH_HS_OVERLAP, BENCH_BULK_OVERLAP,
# BENCH_TEXT_FULL_MAX_S, BENCH_PEERS=0 (skip tshark and ssldump),
# BENCH_GENERATE_ONLY=1 (make or load the workloads, print what they hold,
# measure nothing), BENCH_BASELINE=PATH or --baseline=PATH (another tlsdiag
# binary, e.g. the build before a change, measured alternating with this
# one: before and after in one run), BENCH_PROFILE=1 (perf record tlsdiag -o json on the handshake slice and
# print the top 10), BENCH_INSTALL=0 (never apt-get install what the seed
# needs: tcpdump, curl, iproute2, openssl; wireshark-common's mergecap,
# editcap and capinfos for the mix).  The printed report is also
# saved as $TD_BENCH_CACHE/last-run.txt.

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

TLSDIAG='' FLOOR='' AMPLIFY='' MEASURE='' LAB=$HERE/../captures/lab CAPTURES=$HERE/../captures
BASELINE=${BENCH_BASELINE:-}
for a in "$@"; do
    case $a in
    --tlsdiag=*) TLSDIAG=${a#*=} ;;
    --floor=*)   FLOOR=${a#*=} ;;
    --amplify=*) AMPLIFY=${a#*=} ;;
    --measure=*) MEASURE=${a#*=} ;;
    --lab=*)     LAB=${a#*=} ;;
    --captures=*) CAPTURES=${a#*=} ;;
    --baseline=*) BASELINE=${a#*=} ;;
    *) die "unknown argument '$a' (see the comment at the top of bench/run.sh)" ;;
    esac
done
for v in TLSDIAG FLOOR AMPLIFY MEASURE; do
    [[ -n ${!v} && -x ${!v} ]] || die "--${v,,}=PATH: not given or not executable: '${!v}'"
    printf -v "$v" '%s' "$(cd "$(dirname "${!v}")" && pwd)/$(basename "${!v}")"
done
if [[ -n $BASELINE ]]; then
    [[ -x $BASELINE ]] || die "--baseline=PATH (BENCH_BASELINE): not executable: '$BASELINE'"
    BASELINE=$(cd "$(dirname "$BASELINE")" && pwd)/$(basename "$BASELINE")
fi

CACHE=${TD_BENCH_CACHE:-${HOME:-/root}/.cache/tlsdiag-bench}
RUNS=${BENCH_RUNS:-5}
SLOW_S=${BENCH_SLOW_S:-10}
SLOW_RUNS=3
((SLOW_RUNS <= RUNS)) || SLOW_RUNS=$RUNS
HS_MIN=${BENCH_HANDSHAKES:-200000}
BULK_MIN=${BENCH_BULK_BYTES:-1100000000}
HS_OVERLAP=${BENCH_HS_OVERLAP:-256}
BULK_OVERLAP=${BENCH_BULK_OVERLAP:-8}
TEXT_FULL_MAX_S=${BENCH_TEXT_FULL_MAX_S:-30}
SLICE=10
FORMAT=2            # bump when the workloads change meaning: forces a remake

# The real QUIC and STARTTLS captures of captures/ (the project's scripts,
# real servers and clients, one connection each) merged into the handshake
# seed, in the order they are spread over its time span.  QUIC: ngtcp2
# (ok, Retry), chromium (ok, untrusted server), caddy (mTLS ok, client
# certificate missing), quic-go (untrusted server); STARTTLS: SMTP, IMAP,
# POP3, FTP, LDAP, PostgreSQL, MySQL, XMPP, upgraded and refused or failing.
# A change here remakes seed-mix.pcap and the workloads.
MIX_CAPTURES=(
    quic-ok real/smtp-starttls-ok real/starttls-smtp-refused
    quic-chromium-ok real/starttls-imap-ok real/starttls-imap-refused
    quic-retry real/smtp-starttls-server-untrusted real/starttls-pop3-ok
    quic-caddy-mtls-ok real/starttls-ftp-ok real/starttls-ftp-refused
    quic-chromium-server-untrusted real/starttls-ldap-ok real/starttls-ldap-refused
    quic-caddy-client-cert-missing real/pg-mtls-ok real/starttls-pg-refused-require
    quic-go-server-untrusted real/starttls-mysql-ok real/starttls-mysql-server-untrusted
    real/starttls-xmpp-ok real/starttls-xmpp-refused
)
# tshark's dissectors for their server ports (captures/real/make-starttls.sh,
# make-real.sh), and the client's STARTTLS request in each protocol: SMTP
# STARTTLS, IMAP STARTTLS, POP3 STLS, FTP AUTH, LDAP's StartTLS extended
# request, PostgreSQL's SSLRequest, MySQL's SSL request (a login request
# with CLIENT_SSL and no user), XMPP <starttls/>.
# shellcheck disable=SC2054 # tshark -d takes PORT,PROTOCOL
STLS_DECODE=(-d tcp.port==9425,smtp -d tcp.port==9143,imap -d tcp.port==9144,imap -d tcp.port==9110,pop
             -d tcp.port==9111,pop -d tcp.port==9021,ftp -d tcp.port==9022,ftp -d tcp.port==9389,ldap
             -d tcp.port==9390,ldap -d tcp.port==9432,pgsql -d tcp.port==9433,pgsql -d tcp.port==9306,mysql
             -d tcp.port==9307,mysql -d tcp.port==9222,xmpp -d tcp.port==9223,xmpp)
STLS_REQUEST='upper(smtp.req.command) == "STAR" || upper(imap.request.command) == "STARTTLS"
    || upper(pop.request.command) == "STLS" || upper(ftp.request.command) == "AUTH"
    || ldap.requestName == "1.3.6.1.4.1.1466.20037" || pgsql.type == "SSL request"
    || (mysql.login_request && mysql.caps.sl == 1 && !(mysql.user != "")) || xmpp.starttls'

TMPD=$(mktemp -d /tmp/tdbench.XXXXXX)
trap 'rm -rf "$TMPD"' EXIT
trap 'exit 130' INT TERM
T_START=$SECONDS

# ---------------------------------------------------------------------------
# 1. workloads
# ---------------------------------------------------------------------------
install_missing() {   # install_missing TOOL...: what seed.sh or the mix needs, on a fresh Debian machine
    local want=() t
    declare -A pkg=([tcpdump]=tcpdump [curl]=curl [ip]=iproute2 [ss]=iproute2 [openssl]=openssl
                    [mergecap]=wireshark-common [editcap]=wireshark-common [capinfos]=wireshark-common)
    for t in "$@"; do command -v "$t" >/dev/null || want+=("${pkg[$t]}"); done
    ((${#want[@]})) || return 0
    if ! [[ ${BENCH_INSTALL:-1} == 1 && $(id -u) == 0 ]] || ! command -v apt-get >/dev/null; then
        die "the workloads need: ${want[*]} (install them, or run as root on Debian)"
    fi
    log "installing ${want[*]} (BENCH_INSTALL=0 to refuse)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
}

# amplify_to OUT COPIES OVERLAP SEED: run amplify, echo its key=value summary
amplify_to() {
    "$AMPLIFY" -n "$2" -k "$3" -o "$1" "$4" 2>"$TMPD/amp.err" || { cat "$TMPD/amp.err" >&2; die "amplify failed"; }
    sed -n 's/^amplify: //p' "$TMPD/amp.err"
}
kv() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }   # kv KEY "k=v k=v..."

# The handshake seed, seed-mix.pcap: seed-hs.pcap and MIX_CAPTURES merged
# (mergecap) in time order, each capture's timestamps shifted (editcap -t)
# so that it lies inside seed-hs.pcap's time span: the k-th of N starts at
# k/(N+1) of the span left once its own duration is taken off, so amplify's
# stride and overlap are those of seed-hs.pcap.  The captures keep their
# addresses and ports (127.0.0.1, their servers' ports: none is one of
# seed-hs.pcap's 8443-8446), so every flow of the merge is distinct.
# seed-mix.txt: the capture list (its first line: a different list remakes
# the mix), what one copy holds (amplify's counts: direct TLS ClientHellos,
# QUIC connections, STARTTLS sessions and their ClientHellos), where each
# capture went.
mix_current() {
    [[ -s $CACHE/seed-mix.pcap && -s $CACHE/seed-mix.txt && $CACHE/seed-mix.pcap -nt $CACHE/seed-hs.pcap ]] &&
        [[ $(head -n 1 "$CACHE/seed-mix.txt") == "captures: ${MIX_CAPTURES[*]}" ]]
}
us_to_s() {   # us_to_s N: microseconds as [-]seconds.micro (editcap -t's form)
    local d=$1 sign=''
    ((d >= 0)) || { sign=-; d=$((-d)); }
    printf '%s%d.%06d' "$sign" $((d / 1000000)) $((d % 1000000))
}
times_us() {   # times_us FILE: the first and last packet's time in microseconds
    capinfos -T -r -S -a -e "$1" | awk -F'\t' '{ printf "%.0f %.0f\n", $2 * 1e6, $3 * 1e6 }'
}
make_seed_mix() {
    local s0 s1 span n=${#MIX_CAPTURES[@]} i=0 name f first last start line
    local tls quic=0 stls=0 stls_ch=0 where=()
    install_missing mergecap editcap capinfos
    read -r s0 s1 < <(times_us "$CACHE/seed-hs.pcap")
    span=$((s1 - s0))
    tls=$(kv seed_clienthellos "$(amplify_to /dev/null 1 1 "$CACHE/seed-hs.pcap")")
    mkdir -p "$TMPD/mix"
    for name in "${MIX_CAPTURES[@]}"; do
        f=$CAPTURES/$name.pcap
        [[ -s $f ]] || die "$f: missing (a QUIC or STARTTLS capture of the handshake seed: MIX_CAPTURES)"
        read -r first last < <(times_us "$f")
        ((last - first < span)) || die "$f: longer than seed-hs.pcap"
        i=$((i + 1))
        start=$((s0 + i * (span - (last - first)) / (n + 1)))
        editcap -F pcap -t "$(us_to_s $((start - first)))" "$f" "$TMPD/mix/$i.pcap" >/dev/null
        line=$(amplify_to /dev/null 1 1 "$f")
        if [[ ${name##*/} == quic-* ]]; then
            quic=$((quic + $(kv seed_quic_flows "$line")))
        else
            stls=$((stls + $(kv syns "$line")))
            stls_ch=$((stls_ch + $(kv seed_clienthellos "$line")))
        fi
        where+=("$(printf '  %-40s at +%s s: %s' "$name" "$(us_to_s $((start - s0)))" \
            "$(sed 's/.*\(clienthellos=[0-9]*\).*\(syns=[0-9]*\).*\(quic_flows=[0-9]*\).*/\1 \2 \3/' <<<"$line")")")
    done
    mergecap -F pcap -w "$CACHE/seed-mix.pcap.tmp" "$CACHE/seed-hs.pcap" "$TMPD"/mix/*.pcap
    {
        echo "captures: ${MIX_CAPTURES[*]}"
        echo "per copy: tls=$tls quic=$quic starttls=$stls starttls_clienthellos=$stls_ch"
        echo "seed-mix.pcap: seed-hs.pcap and $n captures of captures/ (QUIC and STARTTLS), merged by bench/run.sh $(date -u +%Y-%m-%dT%H:%M:%SZ)"
        printf '%s\n' "${where[@]}"
    } >"$CACHE/seed-mix.txt.tmp"
    mv "$CACHE/seed-mix.pcap.tmp" "$CACHE/seed-mix.pcap"
    mv "$CACHE/seed-mix.txt.tmp" "$CACHE/seed-mix.txt"
}

# tshark_counts FILE: "T Q S", facts that are not tlsdiag's: the TCP
# streams with a ClientHello in them, the QUIC (UDP) streams with one (tshark
# opens the Initial packets), the STARTTLS requests (STLS_REQUEST, with
# STLS_DECODE: the ClientHello pass goes without, as tshark 4.0's FTP
# dissector does not follow AUTH TLS).
tshark_counts() {
    local tq
    tq=$(tshark -n -r "$1" -Y 'tls.handshake.type == 1' -T fields -e tcp.stream -e udp.stream 2>/dev/null |
        awk -F'\t' '$1 != "" && !($1 in t) { t[$1]; nt++ } $2 != "" && !($2 in u) { u[$2]; nu++ }
                    END { print nt + 0, nu + 0 }')
    echo "$tq $(tshark -n -r "$1" "${STLS_DECODE[@]}" -Y "$STLS_REQUEST" 2>/dev/null | wc -l)"
}
# tlsdiag_counts FILE: the summary's connections and outcomes, then the
# connections by kind (tls, quic, starttls PROTOCOL RESULT) and outcome
tlsdiag_counts() {
    { "$TLSDIAG" -r "$1" -o json 2>/dev/null || true; } | jq -rs '
        (.[] | select(.type == "summary") | .summary |
            "connections \(.connections)", (.by_outcome | to_entries[] | "outcome \(.key) \(.value)")),
        ([.[] | select(.type == "tls") | (if .quic then "quic" elif .starttls then
            "starttls \(.starttls) \(.starttls_result)" else "tls" end) + " " + .outcome]
            | group_by(.) | .[] | "\(.[0]) \(length)")'
}

# check_mix: warnings, not a verdict (the workloads are made all the same),
# when the handshake seed's copies do not hold what the seed holds.
# amplify's counts of seed-mix.pcap against the sums of seed-mix.txt; with
# tshark, its counts (tshark_counts) on the original captures and
# seed-hs.pcap, on seed-mix.pcap (their sum) and on each copy of amplify
# -n 2 of it (the same: the QUIC Initials and STARTTLS exchanges of a copy
# decode as in the originals; each copy on its own, by its client address,
# as tshark finds a QUIC connection by its connection IDs, which the copies
# share: on both at once it takes the second copy's Initials for the first
# one's and shows their ClientHellos once); then tlsdiag on seed-mix.pcap
# and on amplify -n 3 of it (streamed): three times the connections, the
# same outcomes per copy.
check_mix() {
    local mix=$CACHE/seed-mix.pcap s pc origs=() name st ot oq os mt mq ms c cp=()
    s=$(amplify_to /dev/null 1 1 "$mix")
    pc=$(sed -n 2p "$CACHE/seed-mix.txt")
    (($(kv seed_clienthellos "$s") == $(kv tls "$pc") + $(kv starttls_clienthellos "$pc") &&
      $(kv seed_quic_flows "$s") == $(kv quic "$pc"))) ||
        log "warning: seed-mix.pcap: amplify counts $(kv seed_clienthellos "$s") ClientHellos and $(kv seed_quic_flows "$s") QUIC flows, the seed and captures $pc"
    if command -v tshark >/dev/null; then
        for name in "${MIX_CAPTURES[@]}"; do origs+=("$CAPTURES/$name.pcap"); done
        mergecap -F pcap -w "$TMPD/orig.pcap" "${origs[@]}"
        read -r st _ _ < <(tshark_counts "$CACHE/seed-hs.pcap")
        read -r ot oq os < <(tshark_counts "$TMPD/orig.pcap")
        read -r mt mq ms < <(tshark_counts "$mix")
        "$AMPLIFY" -n 2 -k "$HS_OVERLAP" -o "$TMPD/amp2.pcap" "$mix" 2>/dev/null
        for c in 1 2; do   # copy c's client address: 10.0.0.c
            tshark -n -r "$TMPD/amp2.pcap" -Y "ip.addr == 10.0.0.$c" -F pcap -w "$TMPD/copy.pcap" 2>/dev/null
            cp+=("$(tshark_counts "$TMPD/copy.pcap")")
        done
        rm -f "$TMPD/orig.pcap" "$TMPD/amp2.pcap" "$TMPD/copy.pcap"
        log "tshark: TCP streams with a ClientHello, QUIC ones, STARTTLS requests: seed-hs.pcap $st;" \
            "the ${#origs[@]} captures $ot $oq $os; seed-mix.pcap $mt $mq $ms; amplify -n 2 of it, copy 1 ${cp[0]}, copy 2 ${cp[1]}"
        [[ "$mt $mq $ms" == "$((st + ot)) $oq $os" ]] ||
            log "warning: seed-mix.pcap: tshark counts $mt $mq $ms, not the seed's and the captures' sum $((st + ot)) $oq $os"
        [[ ${cp[0]} == "$mt $mq $ms" && ${cp[1]} == "$mt $mq $ms" ]] ||
            log "warning: amplify -n 2 seed-mix.pcap: tshark counts ${cp[0]} and ${cp[1]} in the copies, not the seed's $mt $mq $ms"
        ((mt == $(kv seed_clienthellos "$s") && mq == $(kv seed_quic_flows "$s"))) ||
            log "warning: seed-mix.pcap: amplify counts $(kv seed_clienthellos "$s") ClientHellos and" \
                "$(kv seed_quic_flows "$s") QUIC flows, tshark $mt TCP streams with one and $mq QUIC"
    fi
    if command -v jq >/dev/null; then
        tlsdiag_counts "$mix" >"$TMPD/one.txt"
        "$AMPLIFY" -n 3 -k "$HS_OVERLAP" -o - "$mix" 2>/dev/null | tlsdiag_counts - >"$TMPD/three.txt"
        log "tlsdiag: seed-mix.pcap $(awk '$1 == "connections" { c = $2 } $1 != "connections" && $1 != "outcome" { n[$1] += $NF }
                END { printf "%s connections (tls %d, quic %d, starttls %d)", c, n["tls"], n["quic"], n["starttls"] }' "$TMPD/one.txt");" \
            "amplify -n 3 of it $(sed -n 's/^connections //p' "$TMPD/three.txt")"
        awk '{ $NF *= 3; print }' "$TMPD/one.txt" | diff - "$TMPD/three.txt" >"$TMPD/diff.txt" ||
            { log "warning: tlsdiag on amplify -n 3 seed-mix.pcap is not three times seed-mix.pcap (<: 3 x the seed, >: the copies):"
              cat "$TMPD/diff.txt" >&2; }
    else
        log "jq not installed: tlsdiag's reports of the copies not checked"
    fi
}

declare -A W=()    # W[name.field]: file copies overlap packets bytes hs tls quic stls stls_ch
load_workloads() {
    local name file copies overlap packets bytes hs tls quic stls stls_ch
    [[ -s $CACHE/workloads.txt ]] || return 1
    [[ $(head -n 1 "$CACHE/workloads.txt") == "format $FORMAT" ]] || return 1
    mix_current || return 1
    while read -r name file copies overlap packets bytes hs tls quic stls stls_ch; do
        [[ $name == format ]] && continue
        [[ -s $CACHE/$file ]] || return 1
        W[$name.file]=$CACHE/$file W[$name.copies]=$copies W[$name.overlap]=$overlap
        W[$name.packets]=$packets W[$name.bytes]=$bytes W[$name.hs]=$hs
        W[$name.tls]=$tls W[$name.quic]=$quic W[$name.stls]=$stls W[$name.stls_ch]=$stls_ch
    done <"$CACHE/workloads.txt"
    for name in hs hs-slice bulk bulk-slice; do [[ -n ${W[$name.file]:-} ]] || return 1; done
}

make_workloads() {
    local t0=$SECONDS s seed_ch seed_bytes copies sl need avail line mix
    mkdir -p "$CACHE"
    if [[ ${BENCH_REGEN:-0} == 1 ]]; then
        rm -f "$CACHE"/{seed-hs.pcap,seed-bulk.pcap,seed.txt,seed-mix.pcap,seed-mix.txt}
        rm -f "$CACHE"/{hs.pcap,hs-slice.pcap,bulk.pcap,bulk-slice.pcap,workloads.txt}
    fi
    rm -f "$CACHE/workloads.txt"
    if [[ ! -s $CACHE/seed-hs.pcap || ! -s $CACHE/seed-bulk.pcap || ! -s $CACHE/seed.txt ]]; then
        [[ $(id -u) == 0 ]] || die "the seed captures are missing from $CACHE: run once as root (ip netns, tcpdump)"
        install_missing tcpdump curl ip ss openssl
        log "recording the seed captures (bench/seed.sh, about a minute)"
        bash "$HERE/seed.sh" "$CACHE" "$LAB"
    fi
    rm -f "$CACHE"/{hs.pcap,hs-slice.pcap,bulk.pcap,bulk-slice.pcap}
    if ! mix_current; then
        log "merging the QUIC and STARTTLS captures into seed-hs.pcap -> seed-mix.pcap"
        make_seed_mix
    fi
    log "checking the handshake seed's copies (tshark, tlsdiag)"
    check_mix

    local pc
    pc=$(sed -n 2p "$CACHE/seed-mix.txt")
    s=$(amplify_to /dev/null 1 1 "$CACHE/seed-mix.pcap")
    seed_ch=$(($(kv seed_clienthellos "$s") + $(kv seed_quic_flows "$s")))   # TLS, STARTTLS, QUIC
    ((seed_ch > 0)) || die "seed-mix.pcap: no ClientHello"
    copies=$(((HS_MIN + seed_ch - 1) / seed_ch))
    seed_bytes=$(($(kv bytes "$s") - 24))
    need=$((seed_bytes * copies * 11 / 10))
    s=$(amplify_to /dev/null 1 1 "$CACHE/seed-bulk.pcap")
    local bseed=$(($(kv bytes "$s") - 24)) bcopies
    bcopies=$(((BULK_MIN + bseed - 1) / bseed))
    need=$((need + bseed * bcopies * 11 / 10))
    avail=$(($(df -Pk "$CACHE" | awk 'NR == 2 { print $4 }') * 1024))
    ((avail > need + (1 << 30))) ||
        die "$CACHE: $((avail >> 20)) MiB free, the workloads need about $((need >> 20)) MiB (+1 GiB to spare)"

    {
        echo "format $FORMAT"
        for spec in "hs $copies $HS_OVERLAP seed-mix.pcap" "bulk $bcopies $BULK_OVERLAP seed-bulk.pcap"; do
            read -r name c k seed <<<"$spec"
            sl=$(((c + SLICE / 2) / SLICE)); ((sl >= 1)) || sl=1
            for part in "$name $c" "$name-slice $sl"; do
                read -r n cc <<<"$part"
                log "amplifying $seed x $cc -> $n.pcap"
                line=$(amplify_to "$CACHE/$n.pcap.tmp" "$cc" "$k" "$CACHE/$seed")
                mv "$CACHE/$n.pcap.tmp" "$CACHE/$n.pcap"
                if [[ $name == hs ]]; then   # handshakes; TLS, QUIC, STARTTLS sessions and ClientHellos
                    mix="$(($(kv clienthellos "$line") + $(kv quic_flows "$line"))) $((cc * $(kv tls "$pc")))"
                    mix+=" $((cc * $(kv quic "$pc"))) $((cc * $(kv starttls "$pc"))) $((cc * $(kv starttls_clienthellos "$pc")))"
                else
                    mix="$(kv clienthellos "$line") $(kv clienthellos "$line") 0 0 0"
                fi
                echo "$n $n.pcap $cc $k $(kv packets "$line") $(kv bytes "$line") $mix"
            done
        done
    } >"$CACHE/workloads.txt.tmp"
    mv "$CACHE/workloads.txt.tmp" "$CACHE/workloads.txt"
    GEN_S=$((SECONDS - t0))
}

GEN_S=0
if [[ ${BENCH_REGEN:-0} == 1 ]] || ! load_workloads; then
    make_workloads
    load_workloads || die "the workloads in $CACHE are incomplete after making them"
fi

# ---------------------------------------------------------------------------
# helpers: formatting
# ---------------------------------------------------------------------------
median() { tr ' ' '\n' | awk 'NF' | sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0) exit 1
    if (NR % 2) printf "%.6f\n", v[(NR + 1) / 2]; else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
calc() { awk "BEGIN { printf \"%s\", $1 }"; }
# human N: 1234567 -> 1.23 M, 12345 -> 12.3 k
human() { awk -v n="$1" 'BEGIN {
    if (n >= 1e9) printf "%.2f G", n / 1e9; else if (n >= 1e6) printf "%.2f M", n / 1e6
    else if (n >= 1e4) printf "%.1f k", n / 1e3; else printf "%.0f", n }'; }

# composition NAME: " (TLS a, QUIC b, STARTTLS c in d sessions)" when the
# workload holds QUIC or STARTTLS: the ClientHellos of direct TLS, the QUIC
# connections, the ClientHellos of the STARTTLS sessions (a refused one
# has none)
composition() {
    ((${W[$1.quic]:-0} + ${W[$1.stls]:-0})) || return 0
    printf ' (TLS %s, QUIC %s, STARTTLS %s in %s sessions)' "${W[$1.tls]}" "${W[$1.quic]}" "${W[$1.stls_ch]}" "${W[$1.stls]}"
}

if [[ ${BENCH_GENERATE_ONLY:-0} == 1 ]]; then   # the workloads, made or loaded: no measurement
    for wl in hs hs-slice bulk bulk-slice; do
        printf '%-10s %s: the seed x %s, %s packets, %.1f MB, %s handshakes%s\n' "$wl" "${W[$wl.file]}" \
            "${W[$wl.copies]}" "$(human "${W[$wl.packets]}")" "$(calc "${W[$wl.bytes]} / 1e6")" "${W[$wl.hs]}" \
            "$(composition "$wl")"
    done
    printf 'generation %s s (0: cached)\n' "$GEN_S"
    exit 0
fi

# ---------------------------------------------------------------------------
# 2. measurements
# ---------------------------------------------------------------------------
have_tshark=0 have_ssldump=0
if [[ ${BENCH_PEERS:-1} == 1 ]]; then
    command -v tshark >/dev/null && have_tshark=1
    command -v ssldump >/dev/null && have_ssldump=1
fi

TSHARK_FIELDS=(-e tcp.stream -e tls.handshake.type -e tls.handshake.extensions_server_name
               -e tls.handshake.ciphersuite -e tls.alert_message.desc)
cmd_for() {   # cmd_for ROW FILE: sets CMD
    case $1 in
    floor)   CMD=("$FLOOR" "$2") ;;
    json)    CMD=("$TLSDIAG" -r "$2" -o json) ;;
    json2)   CMD=("$TLSDIAG" -r "$2" -o json --workers 2) ;;
    pair)    CMD=(bash -c '"$0" -r "$1" -o json >/dev/null & "$0" -r "$1" -o json >/dev/null; wait' "$TLSDIAG" "$2") ;;
    text)    CMD=("$TLSDIAG" -r "$2") ;;
    base-json) CMD=("$BASELINE" -r "$2" -o json) ;;
    base-text) CMD=("$BASELINE" -r "$2") ;;
    tshark)  CMD=(tshark -n -r "$2" -Y 'tls.handshake || tls.alert_message' -T fields "${TSHARK_FIELDS[@]}") ;;
    ssldump) CMD=(ssldump -n -r "$2") ;;
    esac
}
label_of() {
    case $1 in
    floor)   echo 'floor (pcap_next_ex loop)' ;;
    json)    echo 'tlsdiag -o json' ;;
    json2)   echo 'tlsdiag -o json --workers 2' ;;
    pair)    echo 'two tlsdiag -o json at once' ;;
    text)    echo 'tlsdiag (text)' ;;
    base-json) echo 'baseline -o json' ;;
    base-text) echo 'baseline (text)' ;;
    tshark)  echo 'tshark -Y tls.handshake -T fields' ;;
    ssldump) echo 'ssldump -n' ;;
    esac
}

declare -A TIMES=() CPU=() RSS=() QUOTA=() NRUN=()
MAX_LOAD=0
run_one() {   # run_one KEY ROW FILE
    local key=$1 row=$2 f=$3 wall rss status cpu load
    cmd_for "$row" "$f"
    "$MEASURE" "$TMPD/res" "${CMD[@]}" >/dev/null 2>"$TMPD/err" </dev/null || true   # status: below
    read -r wall rss status cpu <"$TMPD/res" || die "$row: no measurement"
    read -r load _ </proc/loadavg || load=0
    MAX_LOAD=$(awk -v a="$MAX_LOAD" -v b="$load" 'BEGIN { print (b > a) ? b : a }')
    if ! { ((status == 0)) || { [[ $row == json || $row == json2 || $row == text || $row == base-* ]] && ((status == 1)); }; }; then
        tail -n 5 "$TMPD/err" >&2
        die "$row on $f: exit status $status"
    fi
    TIMES[$key]+=" $wall"
    CPU[$key]+=" $cpu"
    ((rss > ${RSS[$key]:-0})) && RSS[$key]=$rss
    NRUN[$key]=$((${NRUN[$key]:-0} + 1))
    if [[ -z ${QUOTA[$key]:-} ]]; then
        if awk -v w="$wall" -v s="$SLOW_S" 'BEGIN { exit !(w > s) }'; then QUOTA[$key]=$SLOW_RUNS; else QUOTA[$key]=$RUNS; fi
    fi
    printf '.' >&2
}

# bench_workload NAME: measure the rows of NAME (full) and NAME-slice
declare -A ROWS=()
bench_workload() {
    local wl=$1 r row key text_where=full first
    local full=(floor json json2 pair text) slice=(floor json) base=()
    [[ -n $BASELINE ]] && { base=(base-json); full=(floor json json2 pair base-json text base-text); slice=(floor json base-json); }
    ((have_tshark)) && slice+=(tshark)
    ((have_ssldump)) && slice+=(ssldump)
    log "$wl: warming the page cache"
    "$FLOOR" "${W[$wl.file]}" >/dev/null
    "$FLOOR" "${W[$wl-slice.file]}" >/dev/null
    printf 'bench: %s: measuring ' "$wl" >&2
    for ((r = 1; r <= RUNS; r++)); do
        for row in "${full[@]}"; do
            key=$wl/$row
            [[ $text_where == slice && ( $row == text || $row == base-text ) ]] && continue
            if [[ $row == text && $r == 1 ]]; then
                first=$(awk '{ print $1 }' <<<"${TIMES[$wl/json]}")
                if awk -v w="$first" -v m="$TEXT_FULL_MAX_S" 'BEGIN { exit !(w > m) }'; then
                    text_where=slice
                    full=(floor json json2 pair "${base[@]}")
                    slice=(floor json "${base[@]}" text ${base:+base-text} "${slice[@]:$((2 + ${#base[@]}))}")
                    continue
                fi
            fi
            ((${NRUN[$key]:-0} < ${QUOTA[$key]:-1})) && run_one "$key" "$row" "${W[$wl.file]}"
        done
        for row in "${slice[@]}"; do
            key=$wl-slice/$row
            ((${NRUN[$key]:-0} < ${QUOTA[$key]:-1})) && run_one "$key" "$row" "${W[$wl-slice.file]}"
        done
    done
    printf '\n' >&2
    ROWS[$wl]="${full[*]}"
    ROWS[$wl-slice]="${slice[*]}"
    TEXT_WHERE[$wl]=$text_where
}
declare -A TEXT_WHERE=()

med() { median <<<"${TIMES[$1]}"; }
medcpu() { median <<<"${CPU[$1]}"; }

print_table() {   # print_table NAME TITLE
    local wl=$1 title=$2 part row key m fl c flc k
    printf '\n%s\n' "$title"
    printf '  full:  %s: the seed x %s, %s packets, %.1f MB, %s handshakes%s, %s copies in flight\n' \
        "${W[$wl.file]##*/}" "${W[$wl.copies]}" "$(human "${W[$wl.packets]}")" \
        "$(calc "${W[$wl.bytes]} / 1e6")" "${W[$wl.hs]}" "$(composition "$wl")" "${W[$wl.overlap]}"
    printf '  slice: %s: the seed x %s (1/%.1f of full), %s packets, %.1f MB, %s handshakes%s\n' \
        "${W[$wl-slice.file]##*/}" "${W[$wl-slice.copies]}" "$(calc "${W[$wl.copies]} / ${W[$wl-slice.copies]}")" \
        "$(human "${W[$wl-slice.packets]}")" "$(calc "${W[$wl-slice.bytes]} / 1e6")" "${W[$wl-slice.hs]}" \
        "$(composition "$wl-slice")"
    printf '  %-34s %-5s %4s %9s %9s %10s %8s %12s %8s %8s %6s\n' \
        tool file runs 'median s' 'cpu s' 'packets/s' 'MB/s' 'handshakes/s' 'RSS MiB' 'x floor' '(cpu)'
    for part in "$wl" "$wl-slice"; do
        fl=$(med "$part/floor") flc=$(medcpu "$part/floor")
        for row in ${ROWS[$part]}; do
            key=$part/$row
            m=$(med "$key") c=$(medcpu "$key") k=1
            [[ $row == pair ]] && k=2   # two files' worth of packets
            printf '  %-34s %-5s %4s %9.3f %9.3f %10s %8.1f %12s %8.1f %8.2f %6.1f\n' \
                "$(label_of "$row")" "$([[ $part == *-slice ]] && echo slice || echo full)" "${NRUN[$key]}" "$m" "$c" \
                "$(human "$(calc "$k * ${W[$part.packets]} / $m")")" "$(calc "$k * ${W[$part.bytes]} / 1e6 / $m")" \
                "$(human "$(calc "$k * ${W[$part.hs]} / $m")")" "$(calc "${RSS[$key]} / 1024")" "$(calc "$m / $fl")" \
                "$(calc "$c / ($flc > 0.001 ? $flc : 0.001)")"
        done
    done
    # the peers, against tlsdiag -o json on the same slice
    local j peer p
    j=$(med "$wl-slice/json")
    for peer in tshark ssldump; do
        [[ -n ${TIMES[$wl-slice/$peer]:-} ]] || { printf '  %s: not measured (not installed, or BENCH_PEERS=0)\n' "$peer"; continue; }
        p=$(med "$wl-slice/$peer")
        printf '  vs %-7s (same slice): %s takes %.2fx the time of tlsdiag -o json (tlsdiag %s); on the full workload about %.1f s\n' \
            "$peer" "$peer" "$(calc "$p / $j")" \
            "$(awk -v r="$(calc "$p / $j")" 'BEGIN { if (r >= 1) printf "%.2fx faster", r; else printf "%.2fx slower", 1 / r }')" \
            "$(calc "$p * ${W[$wl.packets]} / ${W[$wl-slice.packets]}")"
    done
    # text against JSON, and this binary against the baseline, on the same file
    local tp=$wl
    [[ ${TEXT_WHERE[$wl]} == slice ]] && tp=$wl-slice
    printf '  text / json (%s): %.2fx wall, %.2fx cpu\n' "$([[ $tp == *-slice ]] && echo slice || echo full)" \
        "$(calc "$(med $tp/text) / $(med $tp/json)")" "$(calc "$(medcpu $tp/text) / $(medcpu $tp/json)")"
    if [[ -n $BASELINE ]]; then
        printf '  vs baseline (%s): json %.3fx wall, %.3fx cpu; text %.3fx wall, %.3fx cpu (below 1: faster than the baseline)\n' \
            "$BASELINE" "$(calc "$(med $wl/json) / $(med $wl/base-json)")" "$(calc "$(medcpu $wl/json) / $(medcpu $wl/base-json)")" \
            "$(calc "$(med $tp/text) / $(med $tp/base-text)")" "$(calc "$(medcpu $tp/text) / $(medcpu $tp/base-text)")"
    fi
    printf '  --workers 2 / one worker (full): %.2fx faster wall, %.2fx the cpu; the machine'"'"'s ceiling (2 x one run / two at once): %.2fx\n' \
        "$(calc "$(med $wl/json) / $(med $wl/json2)")" "$(calc "$(medcpu $wl/json2) / $(medcpu $wl/json)")" \
        "$(calc "2 * $(med $wl/json) / $(med $wl/pair)")"
    [[ ${TEXT_WHERE[$wl]} == slice ]] &&
        printf '  (text output measured on the slice: a full JSON run took over %s s)\n' "$TEXT_FULL_MAX_S"
    return 0
}

# ---------------------------------------------------------------------------
# 3. flat memory: streamed, 1x and 2x
# ---------------------------------------------------------------------------
declare -A FLAT=()
flat_memory() {   # flat_memory NAME SEED COPIES OVERLAP
    local wl=$1 seed=$2 copies=$3 k=$4 mult res
    for mult in 1 2; do
        "$AMPLIFY" -n $((copies * mult)) -k "$k" -o - "$seed" 2>/dev/null |
            "$MEASURE" "$TMPD/res" "$TLSDIAG" -r - -o json >/dev/null 2>"$TMPD/err" || true
        read -r _ res status _ <"$TMPD/res"
        ((status <= 1)) || { tail -n 5 "$TMPD/err" >&2; die "flat memory: tlsdiag -r - exit status $status"; }
        FLAT[$wl.$mult]=$res
        printf '.' >&2
    done
    FLAT[$wl.copies]=$copies
}

# ---------------------------------------------------------------------------
# run
# ---------------------------------------------------------------------------
T_MEASURE=$SECONDS
bench_workload hs
bench_workload bulk
log "flat memory: streaming 1x and 2x through tlsdiag -r -"
flat_memory hs "$CACHE/seed-mix.pcap" "$((2 * ${W[hs.overlap]}))" "${W[hs.overlap]}"
flat_memory bulk "$CACHE/seed-bulk.pcap" "$((2 * ${W[bulk.overlap]}))" "${W[bulk.overlap]}"
printf '\n' >&2
LIVE=()
live_replay() {
    local f=${W[hs-slice.file]} ns=tdbench$$ want n mpid child wall rss status cpu got drops rate
    if [[ ${BENCH_LIVE:-1} != 1 ]]; then LIVE=("not measured (BENCH_LIVE=0)"); return; fi
    if [[ $(id -u) != 0 ]] || ! command -v tcpreplay >/dev/null || ! command -v ip >/dev/null; then
        LIVE=("not measured (needs root, tcpreplay and iproute2)"); return
    fi
    if ! ip netns add "$ns" 2>/dev/null; then LIVE=("not measured (no network namespace)"); return; fi
    ip -n "$ns" link add va type veth peer name vb && ip -n "$ns" link set va mtu 65535 &&
        ip -n "$ns" link set vb mtu 65535 && ip -n "$ns" link set va up && ip -n "$ns" link set vb up ||
        { ip netns del "$ns"; LIVE=("not measured (no veth pair)"); return; }
    # (exit status 1: connections with errors, as the workload has)
    want=$({ "$TLSDIAG" -r "$f" -o json 2>/dev/null || true; } | tail -n 1 |
        sed -n 's/.*"connections":\([0-9]*\).*/\1/p')
    for n in 1 2; do
        ip netns exec "$ns" "$MEASURE" "$TMPD/live.res" "$TLSDIAG" -i vb --workers "$n" --no-tui -o json \
            >"$TMPD/live.json" 2>"$TMPD/live.err" </dev/null &
        mpid=$!
        sleep 2
        ip netns exec "$ns" tcpreplay -i va --topspeed "$f" >"$TMPD/replay.out" 2>&1 || true
        sleep 3   # the report grace and a clock tick
        child=$(pgrep -P "$mpid" || true)
        [[ -n $child ]] && kill -INT "$child"
        wait "$mpid" || true
        read -r wall rss status cpu <"$TMPD/live.res" || true
        got=$(grep -c '"type":"tls"' "$TMPD/live.json" || true)
        drops=$(tail -n 1 "$TMPD/live.json" |
            sed -n 's/.*"kernel":{"received":\([0-9]*\),"dropped":\([0-9]*\)}.*/\1 received, \2 dropped/p')
        rate=$(sed -n 's/.*Rated: [0-9.]* Bps, \([0-9.]*\) Mbps, \([0-9.]*\) pps.*/\1 Mbit\/s, \2 packets\/s/p' "$TMPD/replay.out" | head -n 1)
        LIVE+=("$(printf 'workers %s: %s of %s connections reported; tcpreplay %s; kernel: %s; cpu %.2f s = %.2f us/packet; peak RSS %.1f MiB' \
            "$n" "$got" "$want" "${rate:-?}" "${drops:-no figures}" "${cpu:-0}" \
            "$(calc "${cpu:-0} * 1e6 / ${W[hs-slice.packets]}")" "$(calc "${rss:-0} / 1024")")")
        printf '.' >&2
    done
    ip netns del "$ns"
}
log "live: tcpreplay --topspeed into a veth pair"
live_replay
printf '\n' >&2
T_MEASURE=$((SECONDS - T_MEASURE))

report() {
    local cpu mem os
    cpu=$(awk -F: '/^model name/ { sub(/^ */, "", $2); print $2; exit }' /proc/cpuinfo 2>/dev/null)
    mem=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null)
    os=$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-}")
    printf 'tlsdiag benchmark (make bench), %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    printf 'machine: %s, %s CPUs, %s RAM; %s; Linux %s\n' "${cpu:-?}" "$(nproc)" "${mem:-?}" "${os:-?}" "$(uname -r)"
    printf 'tlsdiag: %s (%s); %s\n' "$("$TLSDIAG" --version)" "$TLSDIAG" "$("$FLOOR" --version)"
    local pv
    for p in tshark ssldump; do
        pv=$(dpkg-query -W -f '${Version}' "$p" 2>/dev/null || true)
        if command -v "$p" >/dev/null; then printf '%s: %s\n' "$p" "${pv:-installed}"; else printf '%s: not installed\n' "$p"; fi
    done
    printf 'workloads: %s (seed: %s)\n' "$CACHE" "$(head -n 1 "$CACHE/seed.txt" 2>/dev/null)"
    printf 'handshake seed: %s\n' "$(sed -n 3p "$CACHE/seed-mix.txt" 2>/dev/null)"
    printf 'medians of %s runs (%s for a command whose first run took over %s s), alternating; peak RSS = the largest of the runs\n' "$RUNS" "$SLOW_RUNS" "$SLOW_S"
    printf 'x floor = median wall time / the floor'"'"'s on the same file; (cpu) = the same with user+system time\n'
    printf 'highest 1-min load average seen after a run: %s on %s CPUs%s\n' "$MAX_LOAD" "$(nproc)" \
        "$(awk -v l="$MAX_LOAD" -v n="$(nproc)" 'BEGIN { if (l > 1.5) printf " (other processes were competing for the CPUs: wall times are noisy, trust the cpu columns more)" }')"

    print_table hs 'handshake-heavy (TLS 1.2/1.3, mTLS ok and failing, resumption, untrusted CA; QUIC; STARTTLS)'
    print_table bulk 'bulk-heavy (TLS 1.2/1.3 transfers of 32 MiB, with and without client certificates)'

    printf '\nflat memory (tlsdiag -o json, amplify -n COPIES -o - SEED | tlsdiag -r -: twice the copies = twice as long,\n'
    printf '             the same copies in flight: %s for handshake-heavy, %s for bulk-heavy)\n' "${W[hs.overlap]}" "${W[bulk.overlap]}"
    local wl a b verdict
    # "flat": the longer capture needs at most 1 MiB or 5 % more (allocator noise)
    for wl in hs bulk; do
        a=${FLAT[$wl.1]} b=${FLAT[$wl.2]}
        verdict=$(awk -v a="$a" -v b="$b" 'BEGIN { d = b - a; if (d <= 1024 || d <= a * 0.05) print "flat"; else print "GROWS" }')
        printf '  %-5s %7s copies: %7.1f MiB   %7s copies: %7.1f MiB   (%+.1f MiB) %s\n' "$wl" \
            "${FLAT[$wl.copies]}" "$(calc "$a / 1024")" "$((FLAT[$wl.copies] * 2))" "$(calc "$b / 1024")" \
            "$(calc "($b - $a) / 1024")" "$verdict"
    done

    printf '\nlive replay (the handshake slice, tcpreplay --topspeed into a veth pair, tlsdiag -i the peer)\n'
    local l
    for l in "${LIVE[@]}"; do printf '  %s\n' "$l"; done

    printf '\ntargets (issue)\n'
    local x xc wl lim what
    for wl in hs bulk; do
        if [[ $wl == hs ]]; then lim=3.5 what='handshake-heavy'; else lim=1.2 what='bulk-heavy'; fi
        x=$(calc "$(med $wl/json) / $(med $wl/floor)")
        xc=$(calc "$(medcpu $wl/json) / $(medcpu $wl/floor)")
        printf '  %-16s tlsdiag -o json cpu <= %3sx floor: %7.2fx (wall %.2fx)  %s\n' "$what," "$lim" "$xc" "$x" \
            "$(awk -v x="$xc" -v l="$lim" 'BEGIN { if (x <= l) print "met"; else printf "MISSED (%.2fx too slow)", x / l }')"
    done
    local tp=hs
    [[ ${TEXT_WHERE[hs]} == slice ]] && tp=hs-slice
    xc=$(calc "$(medcpu $tp/text) / $(medcpu $tp/json)")
    printf '  handshake-heavy, text cpu <= 1.3x json:           %7.2fx  %s\n' "$xc" \
        "$(awk -v x="$xc" 'BEGIN { if (x <= 1.3) print "met"; else print "MISSED" }')"
    x=$(calc "$(med hs/json) / $(med hs/json2)")
    printf '  handshake-heavy, --workers 2 >= 1.7x one worker:  %7.2fx  %s (this machine'"'"'s ceiling: %.2fx)\n' "$x" \
        "$(awk -v x="$x" 'BEGIN { if (x >= 1.7) print "met"; else print "MISSED" }')" \
        "$(calc "2 * $(med hs/json) / $(med hs/pair)")"
    local l
    for l in "${LIVE[@]}"; do
        [[ $l == workers\ 1:* ]] || continue
        printf '  live, one worker: nothing lost, cpu <= 0.5 us/packet: %s\n' "${l#workers 1: }"
    done
    local worst=0 k
    for k in "${!RSS[@]}"; do
        [[ $k == */json || $k == */json2 || $k == */text ]] && ((RSS[$k] > worst)) && worst=${RSS[$k]}
    done
    for k in hs.1 hs.2 bulk.1 bulk.2; do ((FLAT[$k] > worst)) && worst=${FLAT[$k]}; done
    printf '  tlsdiag peak RSS <= 64 MiB (all runs):          %7.1f MiB %s\n' "$(calc "$worst / 1024")" \
        "$( ((worst <= 65536)) && echo met || echo MISSED)"
    printf '\ngeneration %s s (0: cached), measurement %s s, total %s s\n' "$GEN_S" "$T_MEASURE" "$((SECONDS - T_START))"
}

report | tee "$CACHE/last-run.txt"

if [[ ${BENCH_PROFILE:-0} == 1 ]]; then
    if command -v perf >/dev/null && perf record -q -e cpu-clock -o "$TMPD/perf.data" \
            "$TLSDIAG" -r "${W[hs-slice.file]}" -o json >/dev/null 2>"$TMPD/perf.err"; [[ -s $TMPD/perf.data ]]; then
        printf '\nprofile: perf record -e cpu-clock tlsdiag -r %s -o json; top 10 (self time)\n' "${W[hs-slice.file]##*/}"
        perf report -i "$TMPD/perf.data" --stdio --no-children --sort dso,symbol 2>/dev/null |
            awk '/^ +[0-9.]+%/ && n++ < 10 { printf "  %8s  %-24s %s\n", $1, $2, $4 }' || true
        printf '  by object: %s\n' "$(perf report -i "$TMPD/perf.data" --stdio --no-children --sort dso 2>/dev/null |
            awk '/^ +[0-9.]+%/ && $1 + 0 >= 0.5 { printf "%s%s %s", sep, $2, $1; sep = ", " }')"
    else
        log "BENCH_PROFILE=1: perf record does not work here"
    fi
fi
