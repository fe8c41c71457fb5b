# SPDX-License-Identifier: GPL-2.0-or-later
# zsh -f zsh-complete.zsh COMPDIR LINE: the matches zsh offers for LINE
# (then a Tab), one a line, from the completion functions in COMPDIR.
# It runs an interactive zsh in a pseudo-terminal (zsh/zpty), where
# compadd is wrapped to print each match it adds, between two marks
# printed before and after completion (the shell then exits).
# TD_ZCOMPDUMP names a compinit dump file to make and reuse (compinit
# reads every function of $fpath without one: seconds each time).
zmodload zsh/zpty || exit 3
compdir=$1; shift
zpty z zsh -f -i
init=$(mktemp)
cat > $init <<INIT
PROMPT=
fpath=($compdir \$fpath)
autoload -U compinit
if [[ -n \$TD_ZCOMPDUMP ]]; then compinit -u -d \$TD_ZCOMPDUMP; else compinit -u -D; fi
bindkey '^I' complete-word
bindkey '^M' undefined
bindkey '^J' undefined
zstyle ':completion:*' list-grouped false
zstyle ':completion:*' insert-tab false
td-mark () { print -r -- '<<td-mark>>' }
compprefuncs=( td-mark )
comppostfuncs=( td-mark exit )
compadd () {
  if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then
    builtin compadd "\$@"; return
  fi
  local -a __hits
  builtin compadd -A __hits "\$@"
  local h
  for h in \$__hits; do print -r -- "<<td>>\$h"; done
  builtin compadd "\$@"
}
print '<<td-ready>>'
INIT
zpty -w z "source $init"
local line
repeat 50; do
  zpty -r z line || break
  [[ $line == *'<<td-ready>>'* && $line != *print* ]] && break
done
zpty -w z "$*"$'\t'
integer marks=0
while zpty -r z line; do
  [[ $line == *'<<td-mark>>'* && $line != *print* ]] && { (( ++marks == 2 )) && break; continue }
  (( marks == 1 )) && [[ $line == *'<<td>>'* ]] && print -r -- ${${line#*<<td>>}%$'\r'*}
done
zpty -d z
rm -f $init
