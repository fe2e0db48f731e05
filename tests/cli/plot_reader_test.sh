#!/bin/sh
# plot_reader_test.sh SUITEBENCH PYTHON SUITEBENCH-PLOT CORPUS - one reader
# of the CSV schema (issue 20, case 6): for every CSV of CORPUS (the fuzz
# seeds: valid files and each malformed case of the issue -- duplicate
# keys, n of -1 and 1.5, an empty client, numbers on a failed row, a NUL
# byte, 1e309, leading blank lines, a 5,000-character reason ...) the plot
# command accepts exactly what `compare` accepts, and refuses the rest with
# the same single line, never a Python traceback.
set -u
sb=$1 python=$2 plot=$3 corpus=$4
. "$(dirname "$0")/../checks.sh"
export SUITEBENCH="$sb"

# compare also weighs the provenance beside each file: the same one
# beside every copy, so only the CSV decides.
prov=$(dirname "$0")/../data/plot-fixture.provenance.txt
for seed in "$corpus"/*; do
	name=$(basename "$seed" .csv)
	mkdir "$tmp/$name"
	csv=$tmp/$name/$name.csv
	cp "$seed" "$csv"
	cp "$prov" "$tmp/$name/$name.provenance.txt"
	"$sb" compare -q "$csv" "$csv" >/dev/null 2>"$tmp/gate"
	gate_rc=$?
	"$python" "$plot" "$csv" -o "$tmp/plots-$name" >/dev/null 2>"$tmp/plot"
	plot_rc=$?
	gate_line=$(sed 's/^suitebench: //' "$tmp/gate")
	plot_line=$(sed 's/^suitebench-plot: //' "$tmp/plot")
	if grep -q Traceback "$tmp/plot"; then
		fail "$name: a Python traceback:"
		tail -n 5 "$tmp/plot"
	elif [ "$gate_rc" -eq 2 ] && { [ "$plot_rc" -ne 2 ] ||
		[ "$(wc -l <"$tmp/plot")" -ne 1 ] ||
		[ "$plot_line" != "$gate_line" ]; }; then
		fail "$name: compare refused it ($gate_line); the plot: exit $plot_rc, $plot_line"
	elif [ "$gate_rc" -eq 0 ] && [ "$plot_rc" -ne 0 ]; then
		fail "$name: compare accepted it, the plot did not (exit $plot_rc): $plot_line"
	elif [ "$gate_rc" -ne 0 ] && [ "$gate_rc" -ne 2 ]; then
		fail "$name: compare of a file with itself: exit $gate_rc"
	else
		pass
	fi
done

# The plot without a suitebench to read with: one line, exit 2.
SUITEBENCH=/nonexistent/suitebench "$python" "$plot" "$corpus/valid.csv" \
	-o "$tmp/none" >/dev/null 2>"$tmp/plot"
if [ $? -ne 2 ] || [ "$(wc -l <"$tmp/plot")" -ne 1 ]; then
	echo "FAIL: no suitebench: $(cat "$tmp/plot")"
	failures=$((failures + 1))
else
	pass
fi

finish
