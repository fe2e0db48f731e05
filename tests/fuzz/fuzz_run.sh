#!/bin/sh
# fuzz_run.sh BINARY SECONDS WORKDIR SEEDS REGRESSIONS - one bounded
# libFuzzer run: new inputs go to WORKDIR/corpus (the seeds and regression
# inputs are read, never written), a crash to WORKDIR/crash-*.  Prints how
# many inputs were executed; fails on any crash, leak, timeout or
# sanitizer report, naming the input to keep as a regression case.
set -u
bin=$1 seconds=$2 work=$3 seeds=$4 regressions=$5
name=$(basename "$bin")
mkdir -p "$work/corpus"
rm -f "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	-max_len=65536 -print_final_stats=1 -artifact_prefix="$work/" \
	"$work/corpus" "$seeds" "$regressions" >"$work/log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
found=$(ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* 2>/dev/null)
if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
	tail -n 40 "$work/log"
	echo "$name: FAILED after ${runs:-?} executions (exit $rc): $found"
	echo "keep the input as a regression case: cp <it> $regressions/"
	exit 1
fi
echo "$name: ${runs:-?} executions in $seconds s, no crash, leak or sanitizer report"
