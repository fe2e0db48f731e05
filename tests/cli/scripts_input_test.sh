#!/bin/sh
# scripts_input_test.sh - the scripts' contract for bad input: every
# script prints its manual for --help (exit 0), and refuses a bad
# argument or setting with exit 2 and one line on stderr, before it
# builds, measures or writes anything.  suitebench is a stub here that
# leaves a mark when it is called: a refused command must not call it,
# and must leave an existing output file as it was.  Nothing here builds
# or measures (scripts/lib/args.sh holds the checks).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/checks.sh"
scripts=$root/scripts
mark=$tmp/called
stub=$tmp/stub
printf '#!/bin/sh\ntouch "%s"\n' "$mark" >"$stub"
chmod +x "$stub"
echo "keep me" >"$tmp/keep.csv"
export XDG_CACHE_HOME="$tmp/cache"

# untouched WHAT: the stub was not called, the kept file is as it was,
# and no gate cache was made.
untouched() {
	[ ! -e "$mark" ] && [ "$(cat "$tmp/keep.csv")" = "keep me" ] &&
		[ ! -e "$tmp/cache" ]
	check "$1: something was called, changed or created" $?
	rm -f "$mark"
}
# refused WHAT COMMAND...: exit 2, one line, nothing touched.
refused() {
	what=$1
	shift
	refuses "$what" "$@"
	untouched "$what"
}
sb_env="SUITEBENCH=$stub"

for s in baseline consistency gate-commits gate-measure gate-proof harness-check \
	heap-layouts probe-check publish quickstart stability test; do
	sh "$scripts/$s" --help >"$tmp/out" 2>"$tmp/err"
	[ $? -eq 0 ] && head -n 1 "$tmp/out" | grep -q "^$s\b"
	check "$s --help: no manual (exit 0, first line naming it): $(head -n 2 "$tmp/out" "$tmp/err")" $?
	untouched "$s --help"
done
python3 "$scripts/check-layers" --help >"$tmp/out" 2>&1
[ $? -eq 0 ] && head -n 1 "$tmp/out" | grep -q '^check-layers\b'
check "check-layers --help: no manual" $?

refused "baseline, two files" env "$sb_env" sh "$scripts/baseline" "$tmp/a.csv" "$tmp/b.csv"
refused "baseline, an option" env "$sb_env" sh "$scripts/baseline" --bogus
refused "baseline into a missing directory" env "$sb_env" sh "$scripts/baseline" "$tmp/none/x.csv"
refused "baseline, a missing SUITEBENCH" env SUITEBENCH="$tmp/none" sh "$scripts/baseline" "$tmp/keep.csv"

refused "gate-measure, no arguments" sh "$scripts/gate-measure"
refused "gate-measure, three arguments" sh "$scripts/gate-measure" "$stub" "$tmp/keep.csv" --bogus
refused "gate-measure, a missing suitebench" sh "$scripts/gate-measure" "$tmp/none" "$tmp/keep.csv"

refused "gate-commits, a base that is no commit" sh "$scripts/gate-commits" no-such-revision
refused "gate-commits, a head that is no commit" sh "$scripts/gate-commits" HEAD no-such-revision
refused "gate-commits, three arguments" sh "$scripts/gate-commits" HEAD HEAD HEAD

refused "stability, PROCESSES=x" env "$sb_env" PROCESSES=x sh "$scripts/stability"
refused "stability, a missing SUITEBENCH" env SUITEBENCH="$tmp/none" sh "$scripts/stability"
refused "stability -o" env "$sb_env" sh "$scripts/stability" -o "$tmp/keep.csv"
refused "stability --counter" env "$sb_env" sh "$scripts/stability" --counter instructions
refused "stability --processes" env "$sb_env" sh "$scripts/stability" --processes 3

refused "consistency, TOP=x" env "$sb_env" TOP=x sh "$scripts/consistency"
refused "consistency, WORK=." env "$sb_env" WORK=. sh "$scripts/consistency"
refused "consistency, KEEP in a missing directory" env "$sb_env" KEEP="$tmp/none/keep" sh "$scripts/consistency"
refused "consistency --output" env "$sb_env" sh "$scripts/consistency" --output="$tmp/keep.csv"

refused "heap-layouts, 20 digits of SEEDS" env "$sb_env" sh "$scripts/heap-layouts" 99999999999999999999
refused "heap-layouts, SEEDS 65" env "$sb_env" sh "$scripts/heap-layouts" 65
refused "heap-layouts, TOP=x" env "$sb_env" TOP=x sh "$scripts/heap-layouts"
refused "heap-layouts, DISTURBED=." env "$sb_env" DISTURBED=. sh "$scripts/heap-layouts"
refused "heap-layouts --heap-layout" env "$sb_env" sh "$scripts/heap-layouts" --heap-layout 3

refused "harness-check, ROUNDS x" env "$sb_env" sh "$scripts/harness-check" x
refused "harness-check, two arguments" env "$sb_env" sh "$scripts/harness-check" 1 2
refused "harness-check, CPU=x" env "$sb_env" CPU=x sh "$scripts/harness-check" 1
refused "harness-check, CPU beyond this machine" env "$sb_env" CPU=100000 sh "$scripts/harness-check" 1
refused "harness-check, LIBS=gnutls" env "$sb_env" LIBS=gnutls sh "$scripts/harness-check" 1
refused "harness-check, SUITES=bogus" env "$sb_env" SUITES=bogus sh "$scripts/harness-check" 1

refused "probe-check, SAMPLES 5" env PROBE_CHECK="$stub" sh "$scripts/probe-check" 5
refused "probe-check, CPU=x" env PROBE_CHECK="$stub" CPU=x sh "$scripts/probe-check" 50
refused "probe-check, two arguments" env PROBE_CHECK="$stub" sh "$scripts/probe-check" 50 50

refused "check-layers, no source tree" python3 "$scripts/check-layers" "$tmp/none"
refused "check-layers, two arguments" python3 "$scripts/check-layers" "$root" "$root"

# These would install, build or measure for minutes: only their refusals
# run here, each before the first such step.
refused "publish, an argument" sh "$scripts/publish" now
refused "publish, CPU=x" env CPU=x sh "$scripts/publish"
refused "publish, MAX_LOAD=x" env MAX_LOAD=x sh "$scripts/publish"
refused "publish, IDLE_WAIT=x" env IDLE_WAIT=x sh "$scripts/publish"
refused "gate-proof, COUNT=0" env COUNT=0 sh "$scripts/gate-proof" "$tmp/work"
refused "gate-proof, ROUNDS=5" env ROUNDS=5 sh "$scripts/gate-proof" "$tmp/work"
refused "gate-proof, an option for WORKDIR" sh "$scripts/gate-proof" --bogus
refused "test, an argument" sh "$scripts/test" now
refused "quickstart -o" sh "$scripts/quickstart" -o "$tmp/keep.csv"
[ ! -e "$tmp/work" ]
check "gate-proof made its WORKDIR while refusing" $?
finish
