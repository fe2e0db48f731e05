# shellcheck shell=sh
# usage.sh - `-h`/`--help` for the scripts: usage_help SCRIPT ARGS...
# prints SCRIPT's leading comment (its manual) and exits 0 when any of
# ARGS asks for help, and returns otherwise.
usage_help() {
	usage_script=$1
	shift
	for a in "$@"; do
		case "$a" in
		-h | --help)
			sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$usage_script"
			exit 0 ;;
		esac
	done
}
