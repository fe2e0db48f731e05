/*
 * layout.h - measured code at one fixed stack position.
 *
 * Where a library's stack frames fall relative to cache lines and to its
 * heap buffers changes what its code costs: Mbed TLS 2.28's 1024-byte
 * AES-GCM record costs 10,860 or 11,690 cycles to decrypt (and the
 * opposite to encrypt) depending only on whether the stack pointer is 32-
 * or 16-byte aligned when it is called.  The kernel places the stack at a
 * random 16-byte position in its page for every process (ASLR), and the
 * environment's size moves it too, so without an anchor a figure takes one
 * of two values from one process to the next (README, "Stack position").
 *
 * sb_layout_call anchors a call: the stack pointer at the call of `fn` is
 * `offset` bytes into its 4 KiB page, whatever the depth of the caller,
 * the process or the machine.  The measured regions run inside `fn`, so
 * the libraries' frames below it start at one position in every process:
 * a figure means the same in the next run.  The position is a choice, not
 * a property of the library; `run --stack-offset` moves it to show how much
 * a figure depends on it.  The padding costs nothing inside a region.
 *
 * Under AddressSanitizer (whose red zones move every frame) the call runs
 * in place: sb_layout_anchors() is false.
 */
#ifndef SB_LAYOUT_H
#define SB_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

#define SB_LAYOUT_PAGE 4096u
/* Stack positions step by the x86-64 ABI's stack alignment at a call. */
#define SB_LAYOUT_ALIGN 16u
/* The position runs use unless told otherwise (any would do): the start
 * of a page, so that a zeroed configuration means it. */
#define SB_LAYOUT_DEFAULT_OFFSET 0u

/* Whether sb_layout_call places the stack (false under AddressSanitizer). */
bool sb_layout_anchors(void);

/* Whether `offset` is a position sb_layout_call accepts: below
 * SB_LAYOUT_PAGE and a multiple of SB_LAYOUT_ALIGN. */
bool sb_layout_offset_valid(unsigned offset);

/*
 * Call `fn(arg)` with the stack pointer `offset` bytes into its page at
 * the call (a valid offset, or the call runs in place), and return its
 * result.  Uses up to one page of stack above `fn`'s frame.
 */
int sb_layout_call(unsigned offset, int (*fn)(void *), void *arg);

/*
 * `size` zeroed bytes starting at a page, or NULL; free() frees them.  For
 * state the measured code works in that the core allocates (an endpoint's
 * state, which for BearSSL holds the engine and its I/O buffers): at the
 * start of a page in every scenario, not wherever the heap stands after
 * the scenarios before (BearSSL's 16-byte TLS decrypt cost 530 to 620
 * cycles across five scenarios of one run when it was calloc'd).  From
 * glibc's heap, the libraries' own, since it is the library's working
 * memory -- not the harness's heap (base/mem.h) -- and not mapped anew:
 * fresh pages for every handshake's endpoints (and, then, the link's
 * buffers) made OpenSSL's PSK handshakes 7 % slower against its
 * reference loop.  (The harness's heap keeps freed pages for reuse.)
 */
void *sb_layout_alloc(size_t size);

/*
 * Addresses.  Where the kernel maps the executable, the shared libraries,
 * the heap and the mappings (ASLR: another place in every process)
 * changes what library code costs, as the stack's position does: sixteen
 * single-process runs of 20 scenarios' 16-byte records (`--budget 0
 * --reps 40`), 8 with randomisation and 8 without, on this project's
 * machine: 66 of 100 figures moved by more than 4 % between processes
 * with it, 35 without; the median figure's range was 5.9 % against 2.3 %,
 * and BearSSL's 16-byte TLS CCM_8 encrypt was 418 or 453 cycles by
 * process with it, 415-421 without (README, "Address layout").  So the
 * timing processes run with the randomisation off, one layout every run,
 * as `setarch -R` runs a program; callgrind's passes and `ab`'s rounds do
 * too.
 */

/* Whether this process runs with its addresses fixed: its personality
 * has ADDR_NO_RANDOMIZE, or the kernel randomises nothing. */
bool sb_layout_addresses_fixed(void);

/* The provenance's `address_layout`: "fixed: ..." or "random: ...". */
const char *sb_layout_addresses_text(void);

/* Have the programs this process executes from now on (and this one's
 * children) run with fixed addresses, where the kernel allows it:
 * sb_layout_addresses_fixed() in them says whether it did. */
void sb_layout_fix_addresses(void);

#endif
