/*
 * callgrind.h - exact instruction counts under valgrind's callgrind.
 *
 * `run --counter instructions` re-executes the tool under callgrind with
 * collection off (--collect-atstart=no).  The child switches collection on
 * around exactly one measured region, dumps the counts (each dump resets
 * them), and reads the instruction total back from the dump file, so
 * every region yields its own exact count.  Instruction counts do not
 * move with the machine's load; with --deterministic they repeat exactly.
 */
#ifndef SB_CALLGRIND_H
#define SB_CALLGRIND_H

#include <stdbool.h>
#include <stdint.h>

#include <stddef.h>

#include "backends/status.h"

/* The environment variables that carry the dump file's base name and the
 * CPU features seen natively, from the parent into the child. */
#define SB_CALLGRIND_ENV "SB_CALLGRIND_OUT"
#define SB_CALLGRIND_NATIVE_ENV "SB_NATIVE_CPU_FEATURES"

/* Whether this process runs under callgrind with a dump file to read. */
bool sb_callgrind_active(void);

/* Switch collection on: the region starts. */
void sb_callgrind_start(void);

/*
 * Switch collection off, dump, and return the region's instruction count
 * less the cost of an empty region (measured once).  When the dump cannot
 * be read it returns 0 and remembers why: see sb_callgrind_take_failure.
 */
uint64_t sb_callgrind_stop(void);

/*
 * The instruction total of the callgrind dump at `path` (its "totals:"
 * line).  Returns 0, or SB_ERR_IO with the reason in `why` when the file
 * cannot be read or holds no total: never a count of 0 standing for one.
 */
int sb_callgrind_dump_total(const char *path, uint64_t *total, char *why,
                            size_t len) SB_MUST_USE;

/*
 * Whether a region's dump could not be read since the last call (its
 * count then stood at 0): true with the reason in `why`, which the
 * caller turns into a failed scenario.  Clears the failure.
 */
bool sb_callgrind_take_failure(char *why, size_t len);

/*
 * Run this program again under callgrind with the same arguments and wait
 * for it.  Returns its exit status, or SB_ERR_IO (with one line on stderr)
 * when valgrind cannot be started.
 */
int sb_callgrind_reexec(int argc, char **argv) SB_MUST_USE;

/* The x86 features the CPU reports (natively, or as valgrind presents
 * them), e.g. "aes pclmul avx2 sha avx512f". */
void sb_callgrind_cpu_features(char *out, size_t len);

#endif
