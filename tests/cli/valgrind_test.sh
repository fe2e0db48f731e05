#!/bin/sh
# valgrind_test.sh SUITEBENCH - one full run under valgrind's memcheck:
# no memory error in any process, no leak, and the run's own process ends
# with every block freed.
#
# Each scenario runs in a process of its own (bench/run/worker.h), forked
# deep inside the run and ended with _exit: the blocks it inherited from
# the run's process (the options, the credentials, the libraries' global
# state) are still reachable when it ends, and are not leaks.  So a
# scenario process may end with reachable blocks, while the run's process
# must free everything, as before.  Every process's errors count: the
# libraries' calls all run in the scenario processes.
set -u
sb=$1
if ! command -v valgrind >/dev/null 2>&1; then
	echo "skipped: valgrind is not installed (apt-get install valgrind)"
	echo "0 passed, 0 failed, 1 skipped"
	exit 77
fi
. "$(dirname "$0")/../checks.sh"
valgrind --leak-check=full --show-leak-kinds=all \
	--errors-for-leak-kinds=definite,indirect,possible \
	--log-file="$tmp/vg.%p" "$sb" run --suite all --reps 2 --warmup 1 \
	--budget 0 --layouts 2 -q -o "$tmp/run.csv"
rc=$?
if [ "$rc" -eq 0 ]; then pass; else
	fail "the run exited with $rc"; fi
logs=$(ls "$tmp"/vg.* | wc -l)
if [ "$logs" -ge 10 ]; then pass; else
	fail "$logs valgrind logs: the scenarios did not run in processes of their own"
fi
bad=$(grep -L 'ERROR SUMMARY: 0 errors' "$tmp"/vg.*)
if [ -z "$bad" ]; then pass; else
	fail "memcheck found errors:"
	for f in $bad; do grep -v '^==[0-9]*== *$' "$f" | head -40; done
fi
# The run's process: the one every other log names as its parent.
parent=$(sed -n 's/^==[0-9]*== Parent PID: //p' "$tmp"/vg.* | sort | uniq -c |
	sort -rn | awk 'NR == 1 { print $2 }')
if [ -f "$tmp/vg.$parent" ] &&
	grep -q 'All heap blocks were freed' "$tmp/vg.$parent"; then
	pass
else
	fail "the run's process (PID ${parent:-?}) left blocks behind:"
	grep -A3 'HEAP SUMMARY' "$tmp/vg.$parent" 2>/dev/null
fi
finish
