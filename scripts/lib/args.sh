# shellcheck shell=sh
# args.sh - the checks of the scripts' arguments and environment, sourced
# by them.  Each refuses bad input the same way: one line on stderr that
# names the script, exit status 2, before anything is built, created or
# measured (README: bad input costs no data).
args_name=${0##*/}

args_fail() { # message
	echo "$args_name: $1" >&2
	exit 2
}

# args_count NAME VALUE MIN MAX: VALUE is a whole number from MIN to MAX.
args_count() {
	case "$2" in
	'' | *[!0-9]*) args_fail "$1 must be a whole number from $3 to $4, not '$2'" ;;
	esac
	# More than nine digits is beyond every range here, and beyond what
	# `[` compares everywhere.
	[ ${#2} -le 9 ] && [ "$2" -ge "$3" ] && [ "$2" -le "$4" ] ||
		args_fail "$1 must be from $3 to $4, not $2"
}

# args_decimal NAME VALUE: a number such as 3 or 0.5, not negative.
args_decimal() {
	case "$2" in
	'' | . | *[!0-9.]* | *.*.*) args_fail "$1 must be a number such as 3 or 0.5, not '$2'" ;;
	esac
}

# args_cpu NAME VALUE: a CPU of this machine, by number.
args_cpu() {
	args_count "$1" "$2" 0 $(($(nproc --all) - 1))
}

# args_program NAME PATH: an executable file.
args_program() {
	[ -f "$2" ] && [ -x "$2" ] ||
		args_fail "$1 $2 is not an executable file: build first (README, 'Quick start')"
}

# args_none ARGS...: nothing is left over.
args_none() {
	[ $# -eq 0 ] || args_fail "unexpected argument '$1' (--help for usage)"
}

# args_reserved "OPTION..." ARGS...: none of ARGS is one of the run
# options the script sets itself (--opt or --opt=value).
args_reserved() {
	args_set=$1
	shift
	for a in "$@"; do
		for r in $args_set; do
			case "$a" in
			"$r" | "$r"=*) args_fail "$a is the script's to set" ;;
			esac
		done
	done
}

# args_output PATH: a file the script may write when it succeeds: not a
# directory, in a directory that exists and is writable.  Prints PATH made
# absolute, so that it still names the caller's file after the script
# changes to the checkout.
args_output() {
	case "$1" in
	'' | -*) args_fail "'$1' is not an output file (--help for usage)" ;;
	esac
	args_dir=$(dirname -- "$1")
	[ -d "$args_dir" ] || args_fail "$1: no directory $args_dir"
	[ -w "$args_dir" ] || args_fail "$1: cannot write in $args_dir"
	[ ! -d "$1" ] || args_fail "$1 is a directory, not an output file"
	echo "$(cd -- "$args_dir" && pwd)/$(basename -- "$1")"
}
