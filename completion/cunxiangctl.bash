# bash completion for cunxiangctl(1).
#
# Commands, then each command's options as the installed cunxiangctl prints
# them in its usage (`cunxiangctl CMD --help`, asked once per shell and
# command), the values of options that take a fixed set, file names for
# FILE arguments, and zone codes and names from the zone-name file: the
# [zones] file of the ctl.conf in use (-c, else $CUNXIANG_CTL_CONF, else
# /etc/cunxiang/ctl.conf), else the installed zones.csv.
# Installed as /usr/share/bash-completion/completions/cunxiangctl.

_cunxiangctl_commands="keygen warn update cancel stream receipts node-key acl verify show
	schedule policy selftest local nodes rollcall report audit help version"
declare -gA _cunxiangctl_opts_cache

# The long options of command $1, from its usage.
_cunxiangctl_opts()
{
	local cmd=$1
	if [[ -z ${_cunxiangctl_opts_cache[$cmd]+set} ]]; then
		_cunxiangctl_opts_cache[$cmd]="$(
			"${_cunxiangctl_bin:-cunxiangctl}" "$cmd" --help 2>/dev/null |
				grep -o -- '--[a-z][a-z-]*' | sort -u | tr '\n' ' ') --config --help"
	fi
	printf '%s\n' "${_cunxiangctl_opts_cache[$cmd]}"
}

# The ctl.conf the command line would use.
_cunxiangctl_conf()
{
	local conf=${CUNXIANG_CTL_CONF:-/etc/cunxiang/ctl.conf} i
	for ((i = 2; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-c|--config)
			conf=${COMP_WORDS[i + 1]}
			[[ $conf == = ]] && conf=${COMP_WORDS[i + 2]} ;;
		esac
	done
	printf '%s\n' "${conf/#\~/$HOME}"
}

# The ids of the nodes enrolled in that ctl.conf ([node ID]).
_cunxiangctl_nodes()
{
	local conf
	conf=$(_cunxiangctl_conf)
	[[ -r $conf ]] && sed -n 's/^[[:space:]]*\[node[[:space:]]\{1,\}\([^]]*\)\].*/\1/p' "$conf" 2>/dev/null
}

# The zone-name file of that ctl.conf.
_cunxiangctl_zonefile()
{
	local conf f dir
	conf=$(_cunxiangctl_conf)
	if [[ -r $conf ]]; then
		f=$(awk -F= '/^[[:space:]]*\[/ { s = $0; gsub(/[][[:space:]]/, "", s); next }
			s == "zones" && $1 ~ /^[[:space:]]*file[[:space:]]*$/ {
				v = $2; sub(/^[[:space:]]+/, "", v); sub(/[[:space:]]+$/, "", v); print v; exit }' "$conf")
		if [[ -n $f ]]; then
			dir=$(dirname -- "$conf")
			[[ $f == /* ]] || f=$dir/$f
			printf '%s\n' "$f"
			return
		fi
	fi
	for f in /usr/share/cunxiang/zones.csv /usr/local/share/cunxiang/zones.csv; do
		[[ -r $f ]] && { printf '%s\n' "$f"; return; }
	done
}

# Codes and names of the zone-name file (header and comments skipped).
_cunxiangctl_zones()
{
	local f
	f=$(_cunxiangctl_zonefile)
	[[ -n $f && -r $f ]] || return
	awk -F, '/^[[:space:]]*(#|$)/ { next } !h { h = 1; next } { print $1; if ($2 != "") print $2 }' "$f" \
		2>/dev/null | tr -d '\r'
}

_cunxiangctl()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]} cmd
	COMPREPLY=()
	if ((COMP_CWORD == 1)); then     # the command comes first
		COMPREPLY=($(compgen -W "$_cunxiangctl_commands -h --help -V --version" -- "$cur"))
		return
	fi
	cmd=${COMP_WORDS[1]}
	# --opt=value: bash splits at '=' (COMP_WORDBREAKS)
	if [[ $cur == = ]]; then
		cur=""
	elif [[ $prev == = ]] && ((COMP_CWORD >= 3)); then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	fi
	case $prev in
	-c|--config|--ctl|--out|-o|--clip|--cap|--file|--fallback-clip)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	--clip-dir)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -d -- "$cur"))
		return ;;
	-z|--zone)
		local IFS=$'\n'
		COMPREPLY=($(compgen -W "$(_cunxiangctl_zones)" -- "$cur"))
		return ;;
	--alg|-a) COMPREPLY=($(compgen -W "ed25519 sm2" -- "$cur")); return ;;
	--status) COMPREPLY=($(compgen -W "actual exercise test" -- "$cur")); return ;;
	--severity) COMPREPLY=($(compgen -W "1 2 3 4" -- "$cur")); return ;;
	--volume) COMPREPLY=($(compgen -W "keep mute 0 50 80 100" -- "$cur")); return ;;
	--siren) COMPREPLY=($(compgen -W "pre-warning air-raid all-clear" -- "$cur")); return ;;
	--format) COMPREPLY=($(compgen -W "json csv text" -- "$cur")); return ;;
	--at) COMPREPLY=($(compgen -W "T+2 T+10 now" -- "$cur")); return ;;
	--device) COMPREPLY=($(compgen -W "alsa:default" -- "$cur")); return ;;
	--event|--title|--text|--expires|--id|--sender|--wait|--repeat|--timeout|-t|--kid|--zones|\
	--pubkey|--lang|--speech|--say|--voice|--delay-ms|--start-in-ms|--bitrate|--frames)
		return ;;                      # a value of the user's own
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_cunxiangctl_opts "$cmd")" -- "$cur"))
		return
	fi
	case $cmd in
	help) COMPREPLY=($(compgen -W "$_cunxiangctl_commands" -- "$cur")) ;;
	local) COMPREPLY=($(compgen -W "status stop ack" -- "$cur")) ;;
	audit) COMPREPLY=($(compgen -W "verify" -- "$cur")) ;;
	schedule|policy)
		if [[ $prev == "$cmd" ]]; then
			COMPREPLY=($(compgen -W "send withdraw" -- "$cur"))
		else
			compopt -o filenames 2>/dev/null
			COMPREPLY=($(compgen -f -- "$cur"))
		fi ;;
	verify|show)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur")) ;;
	selftest)
		local IFS=$'\n'
		COMPREPLY=($(compgen -W "$(_cunxiangctl_nodes; _cunxiangctl_zones)" -- "$cur")) ;;
	esac
}
complete -F _cunxiangctl cunxiangctl
