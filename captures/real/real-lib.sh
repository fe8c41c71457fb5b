# SPDX-License-Identifier: GPL-2.0-or-later
#
# real-lib.sh -- what the real-server lab's scripts share (sourced by
# make-real.sh, issue 15, and make-starttls.sh, issue 17): the scenario
# registry, the capture (tcpdump on loopback, one scenario per capture),
# the client runner, the checks, the facts step and the command line.
#
# The sourcing script sets, before sourcing:
#   HERE           its folder (captures/real)
#   LIB_NAME       its name in messages (make-real, make-starttls)
#   PACKAGES       the Debian packages it needs (the apt-get line)
#   CAPTURE_TOOLS  the commands (or absolute paths) `capture` checks first
#   EXP_ISSUE      what the hand-written expectations follow ("issue 15")
#   FACTS_ARGS     (optional array) more arguments for facts.py (--starttls)
# then registers its scenarios (reg, sc_NAME, EXP_PLAIN, EXP_KEYS, DECODE)
# and ends with `main "$@"`.  Messages, wait_for and tcp_listening come
# from captures/lib.sh.

# shellcheck source=../lib.sh
. "$HERE/../lib.sh"

LAB=$(cd "$HERE/../lab" && pwd)
OUT=${OUT:-$HERE}
FACTS_OUT=${FACTS_OUT:-$OUT/expected}
WORK=${WORK:-/tmp/tlsdiag-real}
PKI=$WORK/pki

# ---------------------------------------------------------------------------
# scenario registry:  NAME|PEER|summary
# expected diagnoses: EXP_PLAIN[NAME] (no key log) and EXP_KEYS[NAME]
# (with the key log): "N key value" lines and '#' comments, decided by hand
# from the scenario definition and the issue ($EXP_ISSUE) -- never from tlsdiag.
# Diagnosis lines: "N diag.K CODE STAGE GAVE_UP CONFIDENCE".
# ---------------------------------------------------------------------------
SCENARIOS=()
# DECODE[PEER]: tshark -d rules of the TLS view; PLAIN_DECODE[PEER]: of a second
# pass for the plaintext steps only (facts.py --plain-decode-as), where the
# dissector of the protocol does not follow the upgrade to TLS
declare -A EXP_PLAIN EXP_KEYS DECODE PLAIN_DECODE PEER
reg() {  # reg NAME PEER summary
    SCENARIOS+=("$1|$2|$3"); PEER[$1]=$2
}

# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
# wait_for TENTHS CMD... and tcp_listening PORT: captures/lib.sh
port_listening() { tcp_listening "$1"; }

prepare_pki() {
    mkdir -p "$PKI"
    cp "$LAB"/*.crt "$LAB"/*.key "$LAB"/clientCAs.pem "$PKI"/
    cat "$LAB/server.crt" "$LAB/intermediateCA.crt" > "$PKI/server-fullchain.crt"
    cat "$LAB/serverExpired.crt" "$LAB/intermediateCA.crt" > "$PKI/serverExpired-fullchain.crt"
    cat "$PKI/server-fullchain.crt" "$LAB/server.key" > "$PKI/server-fullchain.pem"
    cat "$PKI/serverExpired-fullchain.crt" "$LAB/server.key" > "$PKI/serverExpired-fullchain.pem"
    chmod 755 "$PKI"; chmod 644 "$PKI"/*; chmod 600 "$PKI"/*.key   # libpq refuses a world-readable key
}

build_shim() {
    [[ -s $WORK/keylog-shim.so && $WORK/keylog-shim.so -nt $HERE/keylog-shim.c ]] && return 0
    cc -O2 -Wall -shared -fPIC -o "$WORK/keylog-shim.so" "$HERE/keylog-shim.c" -ldl \
        || die "cannot build keylog-shim.so (gcc, libssl-dev)"
}

subst() {  # subst TEMPLATE DEST
    sed -e "s|@WORK@|$WORK|g" -e "s|@PKI@|$PKI|g" "$1" > "$2"
}

# --- capture ---------------------------------------------------------------
CUR=""; TCPDUMP_PID=""
cap_start() {  # cap_start NAME PORT... : tcpdump on lo for those ports
    CUR=$1; shift
    local f="" p
    for p in "$@"; do f+="${f:+ or }tcp port $p"; done
    rm -f "$WORK/$CUR".*
    : > "$WORK/server.keylog"; chmod 666 "$WORK/server.keylog"
    : > "$WORK/$CUR.client.keylog"; chmod 666 "$WORK/$CUR.client.keylog"
    : > "$WORK/$CUR.server.txt"
    : > "$WORK/$CUR.client.txt"
    tcpdump -i lo -U --immediate-mode -n -s 0 -w "$WORK/$CUR.pcap" "$f" \
        2>"$WORK/tcpdump.err" </dev/null &
    TCPDUMP_PID=$!
    wait_for 100 grep -qs 'listening on' "$WORK/tcpdump.err" \
        || { cat "$WORK/tcpdump.err" >&2; die "$CUR: tcpdump did not start"; }
    mark_logs
}

cap_stop() {  # stop tcpdump, collect the files of $CUR into $OUT
    sleep 0.7
    kill -INT "$TCPDUMP_PID"; wait "$TCPDUMP_PID" 2>/dev/null || true
    TCPDUMP_PID=""
    local n=$CUR
    cp "$WORK/$n.pcap" "$OUT/$n.pcap"
    # key log: the client's lines, then the server's (keylog-shim / Go), each once
    cat "$WORK/$n.client.keylog" "$WORK/server.keylog" | awk 'NF && !seen[$0]++' > "$OUT/$n.keylog"
    cp "$WORK/$n.client.txt" "$OUT/$n.client.txt"
    cp "$WORK/$n.server.txt" "$OUT/$n.server.txt"
}

# server logs: remember their sizes at cap_start, copy what was added
LOGS=()
declare -A LOGSIZE
mark_logs() {
    local f
    for f in "${LOGS[@]}"; do LOGSIZE[$f]=$(stat -c %s "$f" 2>/dev/null || echo 0); done
}
server_logs() {  # append the new lines of every server log to NAME.server.txt
    sleep 0.3
    local f
    for f in "${LOGS[@]}"; do
        [[ -e $f ]] || continue
        local new
        new=$(tail -c +$((${LOGSIZE[$f]:-0} + 1)) "$f")
        [[ -n $new ]] || continue
        printf '==> %s <==\n%s\n' "${f#"$WORK"/}" "$new" >> "$WORK/$CUR.server.txt"
    done
}
server_note() { printf '%s\n' "$@" >> "$WORK/$CUR.server.txt"; }

client() {  # client CMD... : run in $PKI, record command, output, exit status
    local rc=0 shown="$*"
    shown=${shown//$WORK\//}; shown=${shown//$HERE\//../real/}
    printf '$ cd captures/lab && %s\n' "$shown" > "$WORK/$CUR.client.txt"
    (cd "$PKI" && timeout 30 "$@") >> "$WORK/$CUR.client.txt" 2>&1 </dev/null || rc=$?
    printf '[client exit status: %s]\n' "$rc" >> "$WORK/$CUR.client.txt"
    CLIENT_RC=$rc
}
client_stdin() {  # client_stdin TEXT CMD...
    local rc=0 text=$1; shift
    local shown="$*"; shown=${shown//$WORK\//}
    printf '$ cd captures/lab && printf %q | %s\n' "$text" "$shown" > "$WORK/$CUR.client.txt"
    (cd "$PKI" && printf '%b' "$text" | timeout 30 "$@") >> "$WORK/$CUR.client.txt" 2>&1 || rc=$?
    printf '[client exit status: %s]\n' "$rc" >> "$WORK/$CUR.client.txt"
    CLIENT_RC=$rc
}

# --- checks (fail loudly) ---------------------------------------------------
want_rc() {  # want_rc 0 | nonzero | N
    case $1 in
        nonzero) [[ $CLIENT_RC != 0 ]] || die "$CUR: client exit 0, wanted non-zero" ;;
        *) [[ $CLIENT_RC == "$1" ]] || { cat "$WORK/$CUR.client.txt" >&2; die "$CUR: client exit $CLIENT_RC, wanted $1"; } ;;
    esac
}
want_client() { grep -Eq -- "$1" "$WORK/$CUR.client.txt" || { cat "$WORK/$CUR.client.txt" >&2; die "$CUR: client output lacks /$1/"; }; }
want_server() { grep -Eq -- "$1" "$WORK/$CUR.server.txt" || { cat "$WORK/$CUR.server.txt" >&2; die "$CUR: server log lacks /$1/"; }; }
want_tshark() {  # want_tshark FILTER [keys] : at least one frame matches
    local kl="" d=() x
    [[ ${2:-} == keys ]] && kl=$OUT/$CUR.keylog
    for x in ${DECODE[${PEER[$CUR]}]:-}; do d+=(-d "$x"); done
    [[ -n $(tshark -r "$OUT/$CUR.pcap" -o "tls.keylog_file:$kl" "${d[@]}" -Y "$1" 2>/dev/null) ]] \
        || die "$CUR: no frame matches '$1'${2:+ (with keys)}"
}
want_conns() {  # want_conns N : number of TCP connections (SYNs)
    local n
    n=$(tshark -r "$OUT/$CUR.pcap" -Y 'tcp.flags.syn==1 && tcp.flags.ack==0' 2>/dev/null | wc -l)
    [[ $n == "$1" ]] || die "$CUR: $n TCP connections, wanted $1"
}

CURL=(curl -v -sS --max-time 10 -o -)
curl_c() {  # curl_c NAME-OF-KEYLOG ARGS... (SSLKEYLOGFILE set)
    client env SSLKEYLOGFILE="$WORK/$CUR.client.keylog" "${CURL[@]}" "$@"
}
RES=(--resolve tls-server.local:PORT:127.0.0.1)
res() { echo "--resolve" "tls-server.local:$1:127.0.0.1"; }
MTLS=(--cacert rootCA.crt --cert client.crt --key client.key)

# ---------------------------------------------------------------------------
# servers (started on demand, stopped at the end of the capture step)
# ---------------------------------------------------------------------------
STARTED=()
stop_servers() {
    local s
    for s in "${STARTED[@]}"; do "stop_$s" || true; done
    STARTED=()
}


# ---------------------------------------------------------------------------
# steps
# ---------------------------------------------------------------------------
names() { local s; for s in "${SCENARIOS[@]}"; do echo "${s%%|*}"; done; }

step_list() {
    local s n p d
    for s in "${SCENARIOS[@]}"; do
        IFS='|' read -r n p d <<< "$s"; printf '%-36s %-9s %s\n' "$n" "$p" "$d"
    done
}

step_table() {  # the README's scenario table (markdown)
    local s n p d dp dk
    echo "| Capture | Peer | What happens | Expected, no key log | Expected, key log |"
    echo "| ------- | ---- | ------------ | -------------------- | ----------------- |"
    for s in "${SCENARIOS[@]}"; do
        IFS='|' read -r n p d <<< "$s"
        dp=$(printf '%s\n' "${EXP_PLAIN[$n]}" | grep -E '^[0-9*]+ (diag|max_sev|outcome|starttls)' | cut -d' ' -f2- | paste -sd';' | sed 's/;/; /g')
        dk=$(printf '%s\n' "${EXP_KEYS[$n]}" | grep -E '^[0-9*]+ (diag|max_sev|outcome|starttls)' | cut -d' ' -f2- | paste -sd';' | sed 's/;/; /g')
        printf '| `%s` | %s | %s | %s | %s |\n' "$n" "$p" "${d//|/\\|}" "$dp" "$dk"
    done
}

step_capture() {
    [[ $(id -u) == 0 ]] || die "capture needs root (tcpdump)"
    local n t missing=()
    for t in $CAPTURE_TOOLS; do
        case $t in
            /*) [[ -x $t ]] || missing+=("$t") ;;
            *) command -v "$t" >/dev/null || missing+=("$t") ;;
        esac
    done
    if ((${#missing[@]})); then
        log "$LIB_NAME: missing: ${missing[*]}; install them with (or run $LIB_NAME.sh --install capture):"
        log "  apt-get install -y --no-install-recommends" $PACKAGES
        exit 1
    fi
    mkdir -p "$WORK" "$OUT"; prepare_pki; build_shim
    trap 'stop_servers; [[ -n $TCPDUMP_PID ]] && kill -INT $TCPDUMP_PID 2>/dev/null; true' EXIT
    for n in "$@"; do
        [[ -n ${PEER[$n]:-} ]] || die "no scenario $n"
        log "capture: $n"
        "sc_${n//-/_}" "$n"
    done
    stop_servers
    trap - EXIT
}

facts_one() {
    local n=$1 d=() x
    for x in ${DECODE[${PEER[$n]}]:-}; do d+=(--decode-as "$x"); done
    for x in ${PLAIN_DECODE[${PEER[$n]}]:-}; do d+=(--plain-decode-as "$x"); done
    local cmd; cmd=$(head -1 "$OUT/$n.client.txt")
    local rc; rc=$(sed -n 's/^\[client exit status: \(.*\)\]$/\1/p' "$OUT/$n.client.txt" | tail -1)
    mkdir -p "$FACTS_OUT"
    local view
    for view in plain keys; do
        local f=$FACTS_OUT/$n.facts k=() exp=${EXP_PLAIN[$n]:-} what="WITHOUT the key log: tshark -r $n.pcap -o tls.keylog_file:"
        if [[ $view == keys ]]; then
            f=$FACTS_OUT/$n.decrypted.facts k=(--keys) exp=${EXP_KEYS[$n]:-}
            what="WITH the key log: tshark -r $n.pcap -o tls.keylog_file:$n.keylog"
        fi
        for x in ${DECODE[${PEER[$n]}]:-}; do what+=" -d $x"; done
        [[ -z ${PLAIN_DECODE[${PEER[$n]}]:-} ]] || what+=" (plaintext steps: -d ${PLAIN_DECODE[${PEER[$n]}]// / -d })"
        {
            echo "# $n (peer: ${PEER[$n]})"
            echo "# client: ${cmd#\$ }"
            echo "# client exit status: $rc"
            echo "# facts tshark shows $what"
            (cd "$OUT" && python3 "$HERE/facts.py" "$n" "${k[@]}" "${d[@]}" ${FACTS_ARGS[@]+"${FACTS_ARGS[@]}"})
            echo "# ---- expected, from the scenario definition (decided by hand from $EXP_ISSUE;"
            echo "# ---- not derived from tshark, never from tlsdiag)"
            printf '%s\n' "$exp"
        } > "$f"
    done
}

step_facts() {
    if (($# == 1)); then facts_one "$1"; return; fi
    printf '%s\n' "$@" | xargs -P "${JOBS:-2}" -n 1 "$0" facts
}

main() {
    local install=0
    if [[ ${1:-} == --install ]]; then install=1; shift; fi
    if ((install)); then
        apt-get install -y --no-install-recommends $PACKAGES
    fi
    local step=${1:-list}; shift || true
    local todo=("$@")
    [[ ${#todo[@]} -gt 0 ]] || mapfile -t todo < <(names)
    case $step in
        list) step_list ;;
        table) step_table ;;
        packages) echo "apt-get install -y --no-install-recommends" $PACKAGES ;;
        capture) step_capture "${todo[@]}" ;;
        facts) step_facts "${todo[@]}" ;;
        *) die "unknown step $step (list, capture, facts, packages)" ;;
    esac
}
