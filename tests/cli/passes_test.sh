#!/bin/sh
# passes_test.sh SUITEBENCH - the timing pass runs no accounting code.
#
# callgrind collects only inside the backend calls suitebench times
# (--toggle-collect on each backend's setup, step, write and read, which
# the core reaches through the vtable, so they are never inlined) while a
# real `run` does its timing pass.  No heap-accounting function -- the
# tally, the OpenSSL hooks, the counting Mbed TLS allocator,
# malloc_usable_size -- may have executed a single instruction there, and
# no wire accounting either (counting bytes, records and flights, the
# record view): the link only queues inside a measured call and observes
# after it, in handshakes and record loops, DTLS and TLS alike.  Nor may
# an allocation inside a timed call pass through suitebench's own malloc:
# the interposition GnuTLS's heap figures need lives in suitebench-heap,
# the heap pass's executable (passes.h), never in the one that times.
# The controls: the same measurement of the heap pass must find the heap
# hooks, and of a lossy-link run (where sends are counted as they happen)
# the wire accounting, or the check could not see them at all.  Skipped
# without valgrind.
set -u
sb=$1
if ! command -v valgrind >/dev/null 2>&1 ||
	! command -v callgrind_annotate >/dev/null 2>&1; then
	echo "skipped: valgrind is not installed (apt-get install valgrind)"
	echo "0 passed, 0 failed, 1 skipped"
	exit 77
fi
. "$(dirname "$0")/../checks.sh"
timed='ossl_endpoint_setup ossl_step ossl_write ossl_read
mbed_endpoint_setup mbed_step mbed_write mbed_read
wolf_endpoint_setup wolf_step wolf_write wolf_read
gtls_endpoint_setup gtls_step gtls_write gtls_read
bear_endpoint_setup bear_step bear_write bear_read'
wire='sb_link_count|sb_wire_observe|sb_link_settle|flight_count_datagram'
accounting='sb_heap_note_alloc|sb_heap_note_free|sb_heap_note_realloc|sb_heap_note_forget|sb_blocks_put|sb_blocks_take|sb_heap_charge|ossl_malloc|ossl_realloc|ossl_free|mbed_calloc_counted|mbed_free_counted|wolf_malloc|wolf_free|wolf_realloc|malloc_usable_size'
# The DTLS libraries of this build.
backends=$("$sb" list | awk '$1 ~ /^(openssl|mbedtls|wolfssl|gnutls|bearssl)$/ { printf "%s%s", n++ ? "," : "", $1 }')
toggles=
for f in $timed; do toggles="$toggles --toggle-collect=$f"; done

# $1: the pass (timing, heap, or lossy: timing over a link with faults);
# the functions that ran inside timed calls go to $tmp/$1.fns.
profile() {
	hooks=0 extra= protocols=dtls1.2,tls1.2 program=$sb
	case $1 in
	heap) hooks=1 extra="--heap-pass $tmp/heap.csv"
		[ -x "$sb-heap" ] && program=$sb-heap ;;
	lossy) extra="--loss 0.0001" protocols=dtls1.2 ;;
	esac
	# shellcheck disable=SC2086 # word splitting is wanted
	SUITEBENCH_HEAP_HOOKS=$hooks valgrind --quiet --tool=callgrind \
		--collect-atstart=no $toggles \
		--callgrind-out-file="$tmp/$1.out.%p" "$program" run -q \
		--backend "$backends" --suite psk-ccm8,ecdhe-ecdsa-ccm8 \
		--protocol $protocols --reps 1 --warmup 1 --budget 0 --payload 16 \
		-o "$tmp/$1.csv" $extra >"$tmp/$1.log" 2>&1 ||
		{ echo "FAIL: the $1 pass under callgrind:"; cat "$tmp/$1.log"; }
	# Each scenario runs in a process of its own (bench/run/worker.h),
	# and callgrind writes one profile per process.
	for out in "$tmp/$1.out".*; do
		callgrind_annotate --threshold=100 "$out" 2>/dev/null
	done | grep -E '^ *[0-9,]+ ' >"$tmp/$1.fns"
}

profile timing
profile heap
profile lossy
if [ -s "$tmp/timing.fns" ] && grep -q 'ossl_write' "$tmp/timing.fns" &&
	grep -q 'mbed_write' "$tmp/timing.fns"; then
	pass
else
	fail "nothing collected inside the timed backend calls"
fi
if ! grep -Eq "$accounting" "$tmp/timing.fns"; then
	pass
else
	fail "accounting code ran inside timed calls of the timing pass:"
	grep -E "$accounting" "$tmp/timing.fns"
fi
if ! grep -Eq "$wire" "$tmp/timing.fns" "$tmp/heap.fns"; then
	pass
else
	fail "wire accounting ran inside timed calls:"
	grep -E "$wire" "$tmp/timing.fns" "$tmp/heap.fns"
fi
# suitebench's own malloc (an executable's symbol, where glibc's come
# from libc.so.6) is not called inside timed calls; its control: the heap
# pass of a build that interposes (one with GnuTLS) does call it.
interposer='[?]{3}:(malloc|calloc|realloc|free) \[[^]]*suitebench[^]/]*\]'
if ! grep -Eq "$interposer" "$tmp/timing.fns"; then pass; else
	fail "allocations inside timed calls went through suitebench's malloc:"
	grep -E "$interposer" "$tmp/timing.fns"
fi
if [ -x "$sb-heap" ] && nm "$sb-heap" 2>/dev/null | grep -q ' T malloc$'; then
	if grep -Eq "$interposer" "$tmp/heap.fns"; then pass; else
		fail "control: the heap pass ($sb-heap) never called its own malloc"
	fi
fi
# The controls: the heap pass's hooks, and the wire accounting of a lossy
# link (counted as sent), are seen by the same measurement.
if grep -q 'sb_link_count' "$tmp/lossy.fns"; then pass; else
	fail "control: sb_link_count not seen over a lossy link"
fi
controls=sb_heap_note_alloc
case ",$backends," in *,openssl,*) controls="$controls ossl_malloc" ;; esac
case ",$backends," in *,mbedtls,*) controls="$controls mbed_calloc_counted" ;; esac
case ",$backends," in *,wolfssl,*) controls="$controls wolf_malloc" ;; esac
for f in $controls; do
	if grep -q "$f" "$tmp/heap.fns"; then pass; else
		fail "control: $f not seen in the heap pass"
	fi
done
# The heap figures still reach the timing run's CSV, from the heap pass.
if grep -q '"heap_peak"' "$tmp/timing.csv"; then pass; else
	fail "no heap_peak rows in the run's CSV"
fi
finish
