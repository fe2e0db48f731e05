/*
 * provenance.h - where the numbers came from, in a file beside the CSV.
 *
 * SUPERCOP and Google Benchmark put the context before the numbers; a CSV
 * must stay a clean table for spreadsheets, so the context goes into
 * `<name>.provenance.txt` next to `<name>.csv`: one "key: value" a line.
 */
#ifndef SB_PROVENANCE_H
#define SB_PROVENANCE_H

#include <stdbool.h>
#include <stdio.h>

#include "backends/status.h"
#include "measure/cycles.h"

/* The commit the binary was built from (git describe, read at build
 * time; "-dirty" when the tree had uncommitted changes). */
const char *sb_provenance_version(void);

/*
 * The provenance path for a CSV path: "x.csv" gives "x.provenance.txt",
 * any other name gets ".provenance.txt" appended.  Returns 0, or
 * SB_ERR_INVALID when it would not fit `len`.
 */
int sb_provenance_path(const char *csv_path, char *out, size_t len) SB_MUST_USE;

/* One "key: value" line. */
void sb_provenance_line(FILE *f, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Write the context every run shares: tool version, command line, date,
 * machine, CPU, cycle source and its calibration, compiler, build type,
 * and each backend's runtime version.
 */
void sb_provenance_write_common(FILE *f, int argc, char **argv,
                                const struct sb_cycles_info *cycles);

/*
 * Whether a provenance key belongs to the environment fingerprint: what
 * must match for two results files to be judged against each other --
 * cpu_model, cpu_features (what the libraries see: under callgrind,
 * valgrind's view), compiler, build_type, every library_<name> and the
 * run's `options` that shape figures.  The tool's own commit is not part
 * of it: that is what a gate tests.
 */
bool sb_provenance_is_fingerprint(const char *key);

#endif
