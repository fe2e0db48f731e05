#!/bin/sh
# layers_test.sh ROOT - the architecture's rules hold on the tree, and the
# checker catches each kind of breach on a copy that has one.
set -eu
root=$1
check=$root/scripts/check-layers
python3 "$check" "$root"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
expect() { # what-was-injected pattern
	if python3 "$check" "$tmp/tree" >"$tmp/out" 2>&1; then
		echo "FAIL: $1 was not caught"; exit 1
	fi
	grep -q -- "$2" "$tmp/out" || { echo "FAIL: $1: no '$2' in:"; cat "$tmp/out"; exit 1; }
	echo "ok: $1 caught"
}
fresh() {
	rm -rf "$tmp/tree"; mkdir "$tmp/tree"
	cp -r "$root/bench" "$root/backends" "$root/suites" "$tmp/tree/"
}
fresh
echo '#include "cli/cli.h"' >>"$tmp/tree/bench/wire/link.c"
expect "an upward include" "bench/cli/ is not below bench/wire/"
fresh
echo '#include "output/csv.h"' >>"$tmp/tree/bench/output/results.h"
expect "an include cycle" "include cycle"
fresh
echo '#include <openssl/ssl.h>' >>"$tmp/tree/bench/run/pair.c"
expect "a TLS header in the core" "bench/run/pair.c: includes a TLS library header"
fresh
echo '#include "../bench/wire/link.h"' >>"$tmp/tree/backends/registry.c"
expect "a backend including the core" "is not below backends/"
fresh
printf 'static void *sb_leak(void) { return malloc(16); }\n' >>"$tmp/tree/bench/wire/link.c"
expect "a harness block on the libraries' heap" "bench/wire/link.c:.*allocates on the libraries' heap"
