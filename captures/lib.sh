# SPDX-License-Identifier: GPL-2.0-or-later
#
# lib.sh -- what the capture scripts share (sourced by make-captures.sh,
# make-long-captures.sh, make-tcp-without-tls.sh, make-quic-captures.sh,
# make-resumption.sh, make-blackhole.sh):
# messages, polling, and stopping the processes they start.  Each script
# sets LIB_NAME (its name in messages) before sourcing this file, and
# keeps its own cleanup(): which processes it starts is its own.

log() { printf '%s\n' "$*" >&2; }
die() { log "${LIB_NAME:-capture}: $*"; exit 1; }

# wait_for TENTHS CMD...: poll every tenth of a second until CMD succeeds;
# false after TENTHS tries.
wait_for() {
    local n=$1 i; shift
    for ((i = 0; i < n; i++)); do "$@" && return 0; sleep 0.1; done
    return 1
}

# Something listens on TCP port PORT / has bound UDP port PORT.
tcp_listening() { [[ -n $(ss -Htln "sport = :$1") ]]; }
udp_bound() { [[ -n $(ss -Huln "sport = :$1") ]]; }

# quote ARG...: the arguments as one shell-quoted line (for the logs of
# the commands run).
quote() { local a s=; for a in "$@"; do s+="$(printf '%q' "$a") "; done; printf '%s' "${s% }"; }

# stop_pid PID SIGNAL: signal PID, give it 5 s to end, then SIGKILL; reap
# it.  Nothing when PID is empty or already gone.
stop_pid() {
    local pid=$1 sig=$2 i
    [[ -n $pid ]] || return 0
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    kill "-$sig" "$pid" 2>/dev/null || true
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null || true
}

# stop_all SIGNAL PID...: stop_pid each.
stop_all() {
    local sig=$1 p; shift
    for p in "$@"; do stop_pid "$p" "$sig"; done
}
