# shellcheck shell=sh
# matrix.sh - the record matrix that scripts/heap-layouts and
# scripts/consistency run by default, sourced by both.
#
# matrix_given ARGS... succeeds when ARGS name a matrix of their own:
# libraries, protocols, suites, key exchanges or payloads.  Other run
# options (--cpu, --budget, --reps...) go with the default matrix.
# shellcheck disable=SC2034 # used by the scripts that source this
matrix_default="--pairs all --protocol dtls1.2 --suite psk-ccm8,ecdhe-ecdsa-ccm8,psk-chacha20 --payload 16,1024 --budget 1"
matrix_given() {
	for a in "$@"; do
		case "$a" in
		--backend | --backend=* | --client | --client=* | --server | \
			--server=* | --pairs | --pairs=* | --protocol | --protocol=* | \
			--suite | --suite=* | --kx | --kx=* | --payload | --payload=*)
			return 0 ;;
		esac
	done
	return 1
}
