# shellcheck shell=sh
# usage.sh - `-h`/`--help` for the benchmark scripts: usage_help SCRIPT
# ARG prints SCRIPT's leading comment (its manual) and exits 0 when ARG
# asks for help, and returns otherwise.
usage_help() {
	case "${2:-}" in
	-h | --help)
		sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$1"
		exit 0 ;;
	esac
}
