/*
 * port_cm4.c - the port on a Cortex-M4 (port.h): calls are accesses to
 * the port's registers, the heap is newlib-nano's allocator on a fixed
 * arena, and the host loads the program and sets the stack pointer
 * before it jumps to sb_port_start (no vector table, no crt0: the loader
 * places .data and zeroes .bss, as a startup routine would).
 *
 * Linked with port_cm4.ld and -Wl,--wrap=calloc,--wrap=malloc,
 * --wrap=realloc,--wrap=free (Mbed TLS allocates with calloc, wolfSSL
 * with malloc and realloc), so that every block the library allocates is
 * counted in the mailbox: the bytes
 * held (malloc_usable_size, as `suitebench run` counts on the host), their
 * peak, and how far the allocator has moved its break into the arena.
 */
#include <errno.h>
#include <malloc.h>
#include <stddef.h>
#include <stdint.h>

#include "target.h"

#define PORT_REG(off) (*(volatile uint32_t *)(SB_PORT_MMIO_BASE + (off)))

__attribute__((used)) volatile struct sb_port_mailbox sb_port_mailbox;

static uint8_t port_buf[SB_PORT_BUF_CAP] __attribute__((aligned(8)));

static uint32_t port_call(uint32_t call, uint32_t arg0, uint32_t arg1)
{
	PORT_REG(SB_PORT_REG_ARG0) = arg0;
	PORT_REG(SB_PORT_REG_ARG1) = arg1;
	PORT_REG(SB_PORT_REG_CALL) = call;
	return PORT_REG(SB_PORT_REG_RET);
}

/*
 * The yield: the call tells the host the command is done, then the
 * program enters sb_port_resume, where the host stops the core (the stop
 * address of its run: exact, before sb_port_resume's one instruction).
 * On the next command the host carries out that `bx lr` itself and
 * resumes at the return address.  Both must stay out of line.
 */
__attribute__((noinline, used, naked)) void sb_port_resume(void)
{
	__asm__ volatile("bx lr");
}

__attribute__((noinline)) void sb_port_yield(void)
{
	(void)port_call(SB_PORT_CALL_YIELD, 0, 0);
	sb_port_resume();
}

int sb_port_send(const uint8_t *buf, size_t len)
{
	return (int32_t)port_call(SB_PORT_CALL_SEND, (uint32_t)buf,
	                          (uint32_t)len);
}

int sb_port_recv(uint8_t *buf, size_t cap)
{
	return (int32_t)port_call(SB_PORT_CALL_RECV, (uint32_t)buf,
	                          (uint32_t)cap);
}

uint64_t sb_port_now_us(void)
{
	uint32_t lo = port_call(SB_PORT_CALL_CLOCK, 0, 0);
	uint32_t hi = PORT_REG(SB_PORT_REG_RET_HI);
	return (uint64_t)hi << 32 | lo;
}

void sb_port_random(uint8_t *buf, size_t len)
{
	(void)port_call(SB_PORT_CALL_RANDOM, (uint32_t)buf, (uint32_t)len);
}

/* ---- the heap ---------------------------------------------------------- */

extern uint8_t __sb_heap_start[], __sb_heap_end[];
static uint8_t *port_brk = __sb_heap_start;

void *_sbrk(ptrdiff_t increment)
{
	if (increment > __sb_heap_end - port_brk ||
	    increment < __sb_heap_start - port_brk) {
		errno = ENOMEM;
		return (void *)-1;
	}
	uint8_t *old = port_brk;
	port_brk += increment;
	if ((uint32_t)(port_brk - __sb_heap_start) > sb_port_mailbox.heap_break)
		sb_port_mailbox.heap_break =
		    (uint32_t)(port_brk - __sb_heap_start);
	return old;
}

void *__real_calloc(size_t n, size_t size);
void *__real_malloc(size_t size);
void *__real_realloc(void *p, size_t size);
void __real_free(void *p);

/* Count a block the allocator just handed out. */
static void *port_held(void *p)
{
	if (!p)
		return NULL;
	uint32_t now = sb_port_mailbox.heap_in_use + malloc_usable_size(p);
	sb_port_mailbox.heap_in_use = now;
	sb_port_mailbox.heap_allocs++;
	if (now > sb_port_mailbox.heap_peak)
		sb_port_mailbox.heap_peak = now;
	return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
	return port_held(__real_calloc(n, size));
}

void *__wrap_malloc(size_t size)
{
	return port_held(__real_malloc(size));
}

/* A moved or resized block: the old one is no longer held. */
void *__wrap_realloc(void *p, size_t size)
{
	size_t old = p ? malloc_usable_size(p) : 0;
	void *q = __real_realloc(p, size);
	if (!q)
		return NULL;
	sb_port_mailbox.heap_in_use -= old;
	return port_held(q);
}

void __wrap_free(void *p)
{
	if (!p)
		return;
	sb_port_mailbox.heap_in_use -= malloc_usable_size(p);
	__real_free(p);
}

/* ---- start ------------------------------------------------------------- */

void sb_port_start(void) __attribute__((noreturn, section(".text.start")));

void sb_port_start(void)
{
	sb_port_serve(port_buf, sizeof(port_buf));
}
