/*
 * port.h - the port: how a target program (size/programs/LIBRARY_target.c)
 * talks to the host that runs it.  The one header both sides include: the
 * program on the emulated Cortex-M4 and the target runner in bench/target/.
 *
 * A target program is a TLS library endpoint driven by commands.  It does
 * nothing on its own: it boots, then yields, and each time the host
 * resumes it, it carries out the command in its mailbox (set up, one
 * handshake step, write one record, read one record), stores the result
 * there and yields again.  Everything it needs from outside -- sending and
 * receiving bytes, the clock, random bytes -- it asks the host for through
 * four registers at SB_PORT_MMIO_BASE:
 *
 *   ARG0, ARG1  the call's arguments (write)
 *   CALL        write a SB_PORT_CALL_* number: the host carries the call
 *               out before the store completes
 *   RET, RET_HI the result (read); RET_HI only for the clock's high word
 *
 * So on the device a call is four memory accesses; on a board they would
 * be a UART or radio driver, a timer and a TRNG.  The host charges none of
 * its own work to the program: instruction counts cover only the
 * program's instructions, including the few of each port call.
 *
 * Every field is 32 bits wide so the layout is the same for the 32-bit
 * program and the 64-bit host.
 */
#ifndef SB_PORT_H
#define SB_PORT_H

#include <stdint.h>

#define SB_PORT_MMIO_BASE 0x40000000u
#define SB_PORT_MMIO_SIZE 0x1000u

#define SB_PORT_REG_ARG0 0x00u
#define SB_PORT_REG_ARG1 0x04u
#define SB_PORT_REG_CALL 0x08u
#define SB_PORT_REG_RET 0x0Cu
#define SB_PORT_REG_RET_HI 0x10u

/* Calls: what the program asks the host for. */
enum sb_port_call {
	/* The command in the mailbox is done (or, first, booting is):
	 * stop until the host has the next one. */
	SB_PORT_CALL_YIELD = 1,
	/* Send ARG1 bytes at ARG0: one datagram (DTLS) or stream bytes
	 * (TLS).  RET: 0, or SB_PORT_ERR_IO when the link refuses. */
	SB_PORT_CALL_SEND = 2,
	/* Receive into ARG0, at most ARG1 bytes.  RET: the length,
	 * SB_PORT_WANT_IO when nothing waits, or SB_PORT_ERR_IO. */
	SB_PORT_CALL_RECV = 3,
	/* The virtual clock in microseconds: RET low word, RET_HI high. */
	SB_PORT_CALL_CLOCK = 4,
	/* Fill ARG1 bytes at ARG0 from the host's seeded generator. */
	SB_PORT_CALL_RANDOM = 5,
};

/* Commands: what the host asks the program to do. */
enum sb_port_cmd {
	SB_PORT_CMD_SETUP = 1, /* configure the endpoint from the mailbox */
	SB_PORT_CMD_STEP = 2,  /* advance the handshake */
	SB_PORT_CMD_WRITE = 3, /* send `len` bytes of the buffer as a record */
	SB_PORT_CMD_READ = 4,  /* read a record of at most `len` bytes */
};

/* Results of calls and commands; >= 0 is success (a length, for READ). */
#define SB_PORT_OK 0
#define SB_PORT_WANT_IO (-1)    /* nothing to read yet */
#define SB_PORT_ERR_IO (-2)     /* the link refused */
#define SB_PORT_ERR_LIB (-3)    /* the library failed: `lib_error`, `where` */
#define SB_PORT_ERR_CMD (-4)    /* no such command, or a bad argument */
#define SB_PORT_ERR_CLOSED (-5) /* the peer closed the connection */

#define SB_PORT_MAGIC 0x53425054u /* "SBPT" */
#define SB_PORT_ABI 2u

/* The program's transfer buffer: the largest record payload it moves. */
#define SB_PORT_BUF_CAP 2048u

/*
 * The same port over a pipe (port_host.c: the program natively on the
 * host, its standard input and output joined to bench/target/proc.c).
 * Each call is a `struct sb_port_msg` followed by its bytes, and the
 * host answers it:
 *
 *   SEND    arg bytes follow           answer: int32_t RET
 *   RECV    arg: the capacity          answer: int32_t RET, then RET bytes
 *                                      when RET > 0
 *   CLOCK                              answer: uint64_t microseconds
 *   RANDOM  arg: how many bytes        answer: those bytes
 *   YIELD   the mailbox, then arg      answer: the next command: the
 *           bytes of the buffer (a     mailbox, then `len` bytes of the
 *           READ's record)             buffer for a WRITE
 *
 * Both ends run on one machine: integers in its byte order.
 */
struct sb_port_msg {
	uint32_t call; /* enum sb_port_call */
	uint32_t arg;
};

/*
 * The mailbox, a global of the program named `sb_port_mailbox` (the host
 * finds it in the ELF symbol table).  The host writes it only while the
 * program is stopped in a yield.
 */
struct sb_port_mailbox {
	uint32_t magic; /* SB_PORT_MAGIC, once booted */
	uint32_t abi;   /* SB_PORT_ABI */
	/* Host to program, before each command. */
	uint32_t cmd;    /* enum sb_port_cmd */
	uint32_t len;    /* WRITE: payload bytes in the buffer; READ: cap */
	uint32_t dtls;   /* SETUP: 1 for DTLS 1.2, 0 for TLS 1.2 */
	uint32_t cookie; /* SETUP, DTLS server: HelloVerifyRequest cookies */
	uint32_t mtu;    /* SETUP, DTLS: the largest datagram */
	/* Program to host. */
	int32_t result;    /* the last command's SB_PORT_* result */
	int32_t lib_error; /* the library's own code of the last failure */
	uint32_t suite;    /* after the handshake: the negotiated code point */
	uint32_t peer_authenticated; /* after the handshake: 1 or 0 */
	uint32_t max_payload;        /* after the handshake: per record */
	uint32_t timer_lo, timer_hi; /* DTLS retransmission deadline, us */
	uint32_t heap_in_use;        /* bytes the library holds now */
	uint32_t heap_peak;          /* the most it held since the host reset
	                                this to heap_in_use */
	uint32_t heap_allocs;        /* allocations since then */
	uint32_t heap_break; /* bytes the allocator took from its arena */
	uint32_t buf_addr;   /* the transfer buffer */
	uint32_t buf_cap;
	uint32_t static_ram;   /* caller-owned state, by the rule of the
	                          README's "RAM like for like" */
	uint32_t static_flash; /* the part of static_ram that is constant
	                          data (credentials, lists): in flash */
	char where[32];        /* the library call that failed */
};

#endif
