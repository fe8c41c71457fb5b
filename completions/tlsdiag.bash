# SPDX-License-Identifier: GPL-2.0-or-later
# bash completion for tlsdiag(1).
#
# Self-contained: it uses bash's own compgen and none of the
# bash-completion package's helpers, so it also works when only this
# file is sourced (tests/completions/check.sh does that).
#
# Options follow src/options.c.  getopt stops at the first word that is
# not an option (the BPF filter expression, as for tcpdump), so after
# such a word only filter keywords are offered.

# The words of the line with "=" joined back to its option: bash splits
# "--color=al" into "--color" "=" "al".  Sets _td_words and _td_cword.
_tlsdiag_words()
{
	local i w joined=0
	_td_words=()
	_td_cword=0
	for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
		w=${COMP_WORDS[i]}
		if ((i > 0)) && [[ $w == "=" || $joined == 1 ]] &&
			[[ ${_td_words[-1]} == --* ]]; then
			_td_words[-1]+=$w
			[[ $w == "=" ]] && joined=1 || joined=0
		else
			_td_words+=("$w")
			joined=0
		fi
		((i == COMP_CWORD)) && _td_cword=$((${#_td_words[@]} - 1))
	done
	return 0
}

# COMPREPLY += the words of $1 that start with $2.
_tlsdiag_add_words()
{
	local w
	for w in $1; do
		[[ $w == "$2"* ]] && COMPREPLY+=("$w")
	done
	return 0
}

# COMPREPLY += files named like one of the globs "$2..." (every file
# when none is given) and directories, starting with $1.
_tlsdiag_add_files()
{
	local cur=$1 g line
	shift
	compopt -o filenames 2>/dev/null
	while IFS= read -r line; do
		COMPREPLY+=("$line")
	done < <(compgen -d -- "$cur")
	if (($# == 0)); then
		while IFS= read -r line; do
			[[ -d $line ]] || COMPREPLY+=("$line")
		done < <(compgen -f -- "$cur")
		return 0
	fi
	for g in "$@"; do
		while IFS= read -r line; do
			[[ -d $line ]] || COMPREPLY+=("$line")
		done < <(compgen -f -X "!$g" -- "$cur")
	done
	return 0
}

# The interfaces -i can capture on: the kernel's, and libpcap's "any".
_tlsdiag_interfaces()
{
	local d names="any"
	for d in /sys/class/net/*; do
		[[ -e $d ]] && names+=" ${d##*/}"
	done
	printf '%s\n' "$names"
}

_tlsdiag()
{
	COMPREPLY=()
	local _td_words _td_cword
	_tlsdiag_words
	local cur=${_td_words[_td_cword]} prev=
	((_td_cword > 0)) && prev=${_td_words[_td_cword - 1]}

	local opts_arg='-r --read -i --interface -k --keylog -s --snaplen -o --output
		-Z --relinquish-privileges -c --count -w --write -F --filter-file
		--max-flows --flow-buffer --max-memory --idle-timeout --report-grace
		--stats-interval --ca-file --ca-path --client-ca-file --at --port --width --output-file -G --rotate-seconds -C --rotate-size --workers'
	local opts_all="$opts_arg -p --no-promiscuous -D --list-interfaces
		--tui --no-tui --replay --force --all --redact --only-failed --color
		--summary -v --verbose --no-system-ca --no-seccomp -h --help -V --version"
	local colors='auto always never'
	local redacts='names all'
	local bpf='host net port portrange src dst tcp udp ip ip6 vlan and or not'

	# A filter expression has begun (getopt's "+": options end at the
	# first other word, or at --): only filter words from here on.
	local i w skip=0
	for ((i = 1; i < _td_cword; i++)); do
		w=${_td_words[i]}
		if ((skip)); then
			skip=0
			continue
		fi
		case $w in
		--) _tlsdiag_add_words "$bpf" "$cur"; return 0 ;;
		--*=*) ;;
		--color | --colour)
			[[ " $colors " == *" ${_td_words[i + 1]} "* ]] && ((i + 1 < _td_cword)) && skip=1 ;;
		--redact)
			[[ " $redacts " == *" ${_td_words[i + 1]} "* ]] && ((i + 1 < _td_cword)) && skip=1 ;;
		-[rikscowFZGC] | --read | --interface | --keylog | --snaplen | --output | \
		--relinquish-privileges | --count | --write | --filter-file | --max-flows | \
		--flow-buffer | --max-memory | --idle-timeout | --report-grace | --stats-interval | \
		--ca-file | --ca-path | --client-ca-file | --at | --port | --width | --output-file | --rotate-seconds | \
		--rotate-size | --workers)
			skip=1 ;;
		-*) ;;
		*) _tlsdiag_add_words "$bpf" "$cur"; return 0 ;;
		esac
	done

	# --opt=VALUE: complete VALUE.  With "=" in COMP_WORDBREAKS (the
	# default) bash replaces only the text after "=", else the whole word.
	local pfx=
	if [[ $cur == --*=* ]]; then
		prev=${cur%%=*}
		cur=${cur#*=}
		[[ $COMP_WORDBREAKS == *=* ]] || pfx=$prev=
		case $prev in
		--color | --colour) _tlsdiag_add_words "$colors" "$cur" ;;
		--redact) _tlsdiag_add_words "$redacts" "$cur" ;;
		*) _tlsdiag_value "$prev" "$cur" || return 0 ;;
		esac
		if [[ -n $pfx ]]; then
			for i in "${!COMPREPLY[@]}"; do
				COMPREPLY[i]=$pfx${COMPREPLY[i]}
			done
		fi
		return 0
	fi

	# The value of the option before.
	case $prev in
	--color | --colour)
		_tlsdiag_add_words "$colors" "$cur"
		[[ $cur == -* ]] && _tlsdiag_add_words "$opts_all" "$cur"
		return 0 ;;
	--redact)
		_tlsdiag_add_words "$redacts" "$cur"
		[[ $cur == -* ]] && _tlsdiag_add_words "$opts_all" "$cur"
		return 0 ;;
	esac
	_tlsdiag_value "$prev" "$cur" && return 0

	if [[ $cur == -* ]]; then
		_tlsdiag_add_words "$opts_all" "$cur"
	else
		_tlsdiag_add_words "$bpf" "$cur"
	fi
	return 0
}

# COMPREPLY for the value $2 of option $1; false when $1 takes none.
_tlsdiag_value()
{
	local cur=$2
	case $1 in
	-o | --output) _tlsdiag_add_words 'text json ecs markdown' "$cur" ;;
	-i | --interface) _tlsdiag_add_words "$(_tlsdiag_interfaces)" "$cur" ;;
	-r | --read)
		[[ -z $cur || $cur == - ]] && COMPREPLY+=(-)
		_tlsdiag_add_files "$cur" '*.pcap' '*.pcapng' '*.cap' '*.gz' \
			'*.PCAP' '*.PCAPNG' '*.CAP' ;;
	-k | --keylog | -w | --write | -F | --filter-file | --ca-file | --client-ca-file | --output-file)
		_tlsdiag_add_files "$cur" ;;
	--ca-path)
		compopt -o filenames 2>/dev/null
		local line
		while IFS= read -r line; do
			COMPREPLY+=("$line")
		done < <(compgen -d -- "$cur") ;;
	-Z | --relinquish-privileges)
		local line
		while IFS= read -r line; do
			COMPREPLY+=("$line")
		done < <(compgen -u -- "$cur") ;;
	-s | --snaplen | -c | --count | --max-flows | --flow-buffer | --max-memory | \
	--idle-timeout | --report-grace | --stats-interval | --at | --port | --width | --workers)
		;; # a number or a time: nothing to offer
	*) return 1 ;;
	esac
	return 0
}

complete -F _tlsdiag tlsdiag
