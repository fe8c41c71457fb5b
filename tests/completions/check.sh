#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The shell completions (completions/): the bash one is sourced here and
# its function called as bash would call it, and the zsh one is run in
# an interactive zsh (tests/completions/zsh-complete.zsh); the zsh part
# is SKIPPED, loudly, when zsh is not installed.  Both must offer every
# long option of `tlsdiag --help` when the program has been built.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$here/../..}
top_builddir=${top_builddir:-$top_srcdir}
compdir=$(cd "$top_srcdir/completions" && pwd)
tlsdiag=$top_builddir/src/tlsdiag

fails=0 passes=0
pass() { passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# A scratch directory with captures and other files for -r and -w.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/sub" "$tmp/certs"
touch "$tmp/a.pcap" "$tmp/b.pcapng" "$tmp/c.pcap.gz" "$tmp/notes.txt"

# ---- bash
# shellcheck source=/dev/null
source "$compdir/tlsdiag.bash"

# bcomp LINE: the sorted words bash would offer for LINE (cursor at its
# end), split as readline splits it (COMP_WORDBREAKS: blanks and "=").
bcomp()
{
	local line=$1 w
	local -a words=()
	read -r -a words <<<"${line//=/ = }"
	[[ $line == *' ' || $line == *= ]] && words+=("")
	COMP_WORDS=("${words[@]}")
	COMP_CWORD=$((${#words[@]} - 1))
	COMP_LINE=$line
	COMP_POINT=${#line}
	COMPREPLY=()
	_tlsdiag tlsdiag "${words[COMP_CWORD]}" "${words[COMP_CWORD - 1]:-}"
	for w in "${COMPREPLY[@]}"; do printf '%s\n' "$w"; done | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'
}

# expect_eq SHELL LINE WANT GOT
expect_eq()
{
	if [[ $4 == "$3" ]]; then pass; else fail "$1: '$2' offers '$4', expected '$3'"; fi
}
# expect_has SHELL LINE GOT WORD...: each WORD is offered
expect_has()
{
	local sh=$1 line=$2 got=" $3 " w
	shift 3
	for w in "$@"; do
		if [[ $got == *" $w "* ]]; then pass; else fail "$sh: '$line' does not offer '$w' (offers:$got)"; fi
	done
}
# expect_not SHELL LINE GOT WORD...: no WORD is offered
expect_not()
{
	local sh=$1 line=$2 got=" $3 " w
	shift 3
	for w in "$@"; do
		if [[ $got != *" $w "* ]]; then pass; else fail "$sh: '$line' offers '$w'"; fi
	done
}

expect_eq bash 'tlsdiag -o ' 'ecs json markdown text' "$(bcomp 'tlsdiag -o ')"
expect_eq bash 'tlsdiag --output=j' 'json' "$(bcomp 'tlsdiag --output=j')"
expect_eq bash 'tlsdiag --col' '--color' "$(bcomp 'tlsdiag --col')"
expect_eq bash 'tlsdiag --color=' 'always auto never' "$(bcomp 'tlsdiag --color=')"
expect_eq bash 'tlsdiag --color n' 'never' "$(bcomp 'tlsdiag --color n')"
expect_eq bash 'tlsdiag --redact=' 'all names' "$(bcomp 'tlsdiag --redact=')"
expect_eq bash 'tlsdiag --su' '--summary' "$(bcomp 'tlsdiag --su')"
expect_eq bash 'tlsdiag --wi' '--width' "$(bcomp 'tlsdiag --wi')"
expect_has bash 'tlsdiag -' "$(bcomp 'tlsdiag -')" -c -w -D -F -o -r -i --count --write \
	--list-interfaces --filter-file --width --summary --redact --color
expect_has bash 'tlsdiag -i ' "$(bcomp 'tlsdiag -i ')" lo any
expect_eq bash 'tlsdiag --interface l' 'lo' "$(bcomp 'tlsdiag --interface l')"
got=$(cd "$tmp" && bcomp 'tlsdiag -r ')
expect_has bash 'tlsdiag -r ' "$got" a.pcap b.pcapng c.pcap.gz sub -
expect_not bash 'tlsdiag -r ' "$got" notes.txt
got=$(cd "$tmp" && bcomp 'tlsdiag --read=')
expect_has bash 'tlsdiag --read=' "$got" a.pcap
got=$(cd "$tmp" && bcomp 'tlsdiag -w ')
expect_has bash 'tlsdiag -w ' "$got" notes.txt a.pcap
got=$(cd "$tmp" && bcomp 'tlsdiag -F ')
expect_has bash 'tlsdiag -F ' "$got" notes.txt
got=$(cd "$tmp" && bcomp 'tlsdiag --ca-path ')
expect_eq bash 'tlsdiag --ca-path ' 'certs sub' "$got"
expect_has bash 'tlsdiag -Z ' "$(bcomp 'tlsdiag -Z ')" root
# After the first word of the filter expression, no more options.
expect_eq bash 'tlsdiag -r x.pcap port 443 -' '' "$(bcomp 'tlsdiag -r x.pcap port 443 -')"
expect_has bash 'tlsdiag -r x.pcap p' "$(bcomp 'tlsdiag -r x.pcap p')" port portrange
# --color's value is its own word only when it is a colour.
expect_has bash 'tlsdiag --color never -' "$(bcomp 'tlsdiag --color never -')" --output

# Every long option of --help is offered.
help_opts=
if [[ -x $tlsdiag ]]; then
	help_opts=$("$tlsdiag" --help | grep -oE -- '--[a-z][a-z-]+' | LC_ALL=C sort -u | tr '\n' ' ')
	# shellcheck disable=SC2086
	expect_has bash 'tlsdiag --' "$(bcomp 'tlsdiag --')" $help_opts
else
	echo "note: $tlsdiag not built: the options of --help are not compared"
fi
echo "bash: $passes passed, $fails failed"

# ---- zsh
zpasses=$passes zfails=$fails
if ! command -v zsh >/dev/null 2>&1; then
	echo '*************************************************************'
	echo '*** SKIPPED: zsh is not installed: completions/_tlsdiag  ***'
	echo '*** was not checked (Debian: apt-get install zsh)        ***'
	echo '*************************************************************'
else
	# It parses, and compinit registers it for tlsdiag.
	if zsh -n "$compdir/_tlsdiag"; then pass; else fail "zsh: _tlsdiag does not parse"; fi
	got=$(zsh -fc 'fpath=("$1" $fpath); autoload -U compinit; compinit -u -D
		print -r -- "${_comps[tlsdiag]}"' zsh "$compdir")
	expect_eq zsh compinit _tlsdiag "$got"
	# zcomp LINE: the sorted matches an interactive zsh offers for LINE.
	export TD_ZCOMPDUMP=$tmp/zcompdump
	zcomp()
	{
		timeout 30 zsh -f "$here/zsh-complete.zsh" "$compdir" "$1" | LC_ALL=C sort -u |
			tr '\n' ' ' | sed 's/ $//'
	}
	expect_eq zsh 'tlsdiag -o ' 'ecs json markdown text' "$(zcomp 'tlsdiag -o ')"
	expect_has zsh 'tlsdiag --col' "$(zcomp 'tlsdiag --col')" --color
	expect_eq zsh 'tlsdiag --color=' 'always auto never' "$(zcomp 'tlsdiag --color=')"
	expect_eq zsh 'tlsdiag --redact=' 'all names' "$(zcomp 'tlsdiag --redact=')"
	expect_has zsh 'tlsdiag -i ' "$(zcomp 'tlsdiag -i ')" lo any
	got=$(cd "$tmp" && zcomp 'tlsdiag -r ')
	expect_has zsh 'tlsdiag -r ' "$got" a.pcap b.pcapng c.pcap.gz sub
	expect_not zsh 'tlsdiag -r ' "$got" notes.txt
	got=$(cd "$tmp" && zcomp 'tlsdiag -w ')
	expect_has zsh 'tlsdiag -w ' "$got" notes.txt
	got=$(cd "$tmp" && zcomp 'tlsdiag --ca-path ')
	expect_eq zsh 'tlsdiag --ca-path ' 'certs sub' "$got"
	if [[ -n $help_opts ]]; then
		# shellcheck disable=SC2086
		expect_has zsh 'tlsdiag --' "$(zcomp 'tlsdiag --')" $help_opts
	fi
	echo "zsh: $((passes - zpasses)) passed, $((fails - zfails)) failed"
fi

echo "completions: $passes passed, $fails failed"
[[ $fails -eq 0 ]]
