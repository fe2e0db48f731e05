/*
 * backend.h - the contract between the suitebench core and a TLS library.
 *
 * A backend wraps one TLS library behind `struct sb_backend`.  It never
 * touches a socket, a clock or an output format: everything it may use --
 * the link it sends and receives datagrams through, the virtual clock its
 * retransmission timers read, the suite and credentials it is asked for --
 * reaches it through this header.  The core never includes a TLS library
 * header; it sees only this vtable.
 *
 * Life of an endpoint: the core allocates `endpoint_size` zeroed bytes,
 * calls `endpoint_setup`, then calls `step` until it returns 0 (handshake
 * done), then `write`/`read` application data, then `endpoint_free`.
 */
#ifndef SB_BACKEND_H
#define SB_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../suites/suites.h"
#include "status.h"

enum sb_protocol {
	SB_PROTO_DTLS12, /* over datagrams */
	SB_PROTO_TLS12,  /* over an ordered byte stream */
	SB_PROTO_DTLS13, /* RFC 9147, over datagrams */
	SB_PROTO_TLS13,  /* RFC 8446, over an ordered byte stream */
};

/* Whether `protocol` runs over datagrams (DTLS) or a stream (TLS). */
bool sb_protocol_is_dtls(enum sb_protocol protocol);

/* Whether `protocol` is (D)TLS 1.3. */
bool sb_protocol_is_13(enum sb_protocol protocol);

enum sb_role {
	SB_ROLE_CLIENT,
	SB_ROLE_SERVER,
};

/* "dtls1.2", "tls1.2": the names the command line and the CSV use. */
const char *sb_protocol_name(enum sb_protocol protocol);

/* "client" or "server". */
const char *sb_role_name(enum sb_role role);

/*
 * The endpoint's side of the link.  DTLS: `send` takes exactly one
 * datagram and returns 0, or SB_ERR_MTU when it exceeds the link MTU;
 * `recv` copies exactly one datagram into `buf` and returns its length,
 * SB_ERR_WANT_IO when none is queued, or SB_ERR_INVALID when `cap` is too
 * small for it.  TLS: `send` appends bytes to the stream and returns 0;
 * `recv` copies up to `cap` bytes and returns how many, or SB_ERR_WANT_IO.
 */
struct sb_io {
	void *ctx;
	int (*send)(void *ctx, const uint8_t *buf, size_t len);
	int (*recv)(void *ctx, uint8_t *buf, size_t cap);
};

/* The core's virtual clock, microseconds since the Unix epoch. */
struct sb_clock {
	void *ctx;
	uint64_t (*now_us)(void *ctx);
};

/* Which primitive implementations a library that offers the choice uses. */
enum sb_impl {
	SB_IMPL_NATIVE, /* the fastest the CPU allows (AES-NI, PCLMUL, SSE2) */
	SB_IMPL_PORTABLE, /* portable constant-time code, as on a small MCU */
};

/*
 * How a certificate key exchange authenticates: by an X.509 chain, or by a
 * raw public key (RFC 7250: the SubjectPublicKeyInfo alone, which the peer
 * checks against a key it pinned).  PSK suites ignore it.
 */
enum sb_auth {
	SB_AUTH_CERT, /* the default */
	SB_AUTH_RPK,
};

/* Credentials as files the library loads itself, plus the PSK. */
struct sb_credentials {
	const char *ca_file;   /* PEM trust anchor that signed the server */
	const char *cert_file; /* PEM certificate of this endpoint */
	const char *key_file;  /* PEM private key of this endpoint */
	/* SB_AUTH_RPK: this endpoint's own PEM SubjectPublicKeyInfo, which it
	 * presents instead of cert_file (the key of key_file) ... */
	const char *public_key_file;
	/* ... and the peer's, pinned: the peer must present exactly it. */
	const char *peer_key_file;
	const char *psk_identity; /* NUL-terminated identity */
	const uint8_t *psk;       /* PSK bytes */
	size_t psk_len;
};

struct sb_endpoint_config {
	enum sb_protocol protocol;
	enum sb_role role;
	const struct sb_suite *suite; /* the one suite offered or accepted */
	struct sb_credentials creds;
	const char *server_name; /* client: name the certificate must carry */
	size_t mtu;              /* DTLS: largest datagram, bytes */
	bool cookie;             /* DTLS server: HelloVerifyRequest exchange */
	bool mutual;             /* client certificates requested and checked */
	enum sb_auth auth;       /* certificate key exchanges: cert or RPK */
	/*
	 * DTLS Connection ID (RFC 9146 for 1.2, RFC 9147 9 for 1.3): the
	 * length of the CID this endpoint asks its peer to put on the records
	 * it sends here; 0 (the default) negotiates none.
	 */
	size_t cid_len;
	enum sb_impl impl; /* primitives, where the library lets us pick */
	/*
	 * Deterministic mode: every random byte the library draws comes from
	 * sb_rng seeded with `seed` (reseeded at each endpoint's setup), so
	 * two runs give identical transcripts.  NOT secure: benchmarks only.
	 */
	bool deterministic;
	uint64_t seed;
	struct sb_io io;
	struct sb_clock clock;
};

/*
 * Why a library cannot run a scenario: the sentence that reaches the CSV's
 * reason column, written into a buffer the core owns.
 */
struct sb_reason {
	char text[200];
};

/* Capability bits. */
#define SB_CAP_HEAP_COUNTED 0x1u /* its allocations reach sb_heap_note_* */
/*
 * It has no allocator hook: its heap figures come from the tool's own
 * malloc interposition (heap_interpose.h), whose window the core opens
 * around each call it charges to the endpoint -- the backend does
 * nothing -- so they include every block allocated while its calls run:
 * its own and those of the libraries it calls into (its crypto and ASN.1
 * libraries, libc), but not the core's behind its I/O callbacks.
 */
#define SB_CAP_HEAP_INTERPOSED 0x2u
/* The library allocates nothing (BearSSL): its heap is zero by
 * construction, and its RAM is static_ram and stack alone. */
#define SB_CAP_HEAP_NONE 0x4u

struct sb_backend {
	const char *name; /* "openssl": the command-line name */
	const char *(*version)(
	    void);            /* runtime version, e.g. "OpenSSL 3.0.19 ..." */
	unsigned caps;        /* SB_CAP_* bits */
	size_t endpoint_size; /* bytes of state the core allocates */

	/*
	 * Whether this library can take `role` in `protocol` with `suite`.
	 * Returns true, or false with the library's reason in `why`.
	 */
	bool (*supports)(enum sb_protocol protocol,
	                 const struct sb_suite *suite, enum sb_role role,
	                 struct sb_reason *why);

	/*
	 * Create an endpoint in `ep` (endpoint_size zeroed bytes) for `cfg`,
	 * which with everything it points to must outlive the endpoint.
	 * Returns 0, or a negative status; the endpoint must be freed either
	 * way.
	 */
	int (*endpoint_setup)(void *ep, const struct sb_endpoint_config *cfg);

	/*
	 * Advance the handshake without blocking.  Returns 0 once it is
	 * complete, SB_ERR_WANT_IO while it waits for the peer, or another
	 * negative status when it failed.
	 */
	int (*step)(void *ep);

	/* Send `len` bytes as one application record; 0 or a negative status.
	 */
	int (*write)(void *ep, const uint8_t *buf, size_t len);

	/*
	 * Receive one application record: its length, SB_ERR_WANT_IO when none
	 * is ready (a forged DTLS record is dropped and reads as this), or
	 * another negative status.
	 */
	int (*read)(void *ep, uint8_t *buf, size_t cap);

	/*
	 * Optional (NULL: the core loops over `write` and `read` itself):
	 * `count` writes of the same `len` bytes, each as `write`; 0, or the
	 * status of the first that failed.  And up to `count` reads, the i-th
	 * into buf + i * step with `cap` bytes, stopping at the first that
	 * does not return `want`: the last read's result.  A timed record loop
	 * calls these once per batch, so that between two calls of the
	 * library there is only the check an application makes, not a call
	 * into the backend and back.  SB_BACKEND_BATCH defines both from
	 * `write` and `read`.
	 */
	int (*write_batch)(void *ep, const uint8_t *buf, size_t len,
	                   size_t count);
	int (*read_batch)(void *ep, uint8_t *buf, size_t cap, size_t step,
	                  size_t count, int want);

	/* Code point of the suite the finished handshake negotiated. */
	uint16_t (*negotiated_suite)(void *ep);

	/*
	 * Whether the finished handshake authenticated the peer: by its
	 * certificate chain and name, or by proof of the PSK.
	 */
	bool (*peer_authenticated)(void *ep);

	/* The library's own text for the last failure; never NULL. */
	const char *(*last_error)(void *ep);

	/* Release everything; safe on a zeroed or already freed endpoint. */
	void (*endpoint_free)(void *ep);

	/*
	 * Optional (NULL: none): bytes of caller-owned state the endpoint
	 * needs, reported as `static_ram`, by one rule for every library --
	 * the library's own objects the caller declares and passes in
	 * (contexts, configurations, credential and cookie objects), the
	 * buffers the caller hands the library, and the credential bytes the
	 * caller keeps for it (credentials included for every library: the
	 * heap libraries' parsed credentials are in their heap_peak).  Not
	 * the backend's own bookkeeping (error text, the deterministic
	 * generator, timer fields) nor transport glue, which any
	 * application has in its own form.
	 */
	size_t (*static_ram)(const void *ep);

	/*
	 * Optional (NULL for libraries without DTLS timers): the virtual time,
	 * in microseconds, at which the endpoint's retransmission timer fires,
	 * or 0 when none runs.  The core jumps its clock there when both sides
	 * wait, so a lossy handshake costs no real time.
	 */
	uint64_t (*next_timeout_us)(void *ep);

	/*
	 * Optional (NULL: the MTU minus the suite's record overhead): after
	 * the handshake, the largest payload one write() may carry, when the
	 * library allows less than that in one datagram.
	 */
	size_t (*max_payload)(void *ep);

	/*
	 * Optional: describe the primitive implementations `impl` selects,
	 * e.g. "aes=x86ni ghash=pclmul", for the provenance file.
	 */
	void (*describe_impl)(enum sb_impl impl, char *buf, size_t len);
};

/*
 * Heap accounting.  A backend routes its library's allocator through
 * hooks (OpenSSL's CRYPTO_set_mem_functions, a renamed calloc/free in Mbed
 * TLS's archives) that report every block here: its address and the bytes
 * the library asked for (a resized block: the old one freed, the new one
 * allocated); the address is only a key, taken as an integer so that it
 * can be taken before a realloc.  The core charges the block to the endpoint
 * whose call is running -- outside such calls nothing counts -- for the bytes
 * glibc hands out for that request on a fresh heap, and credits the same bytes
 * to the endpoint charged when it is freed; freeing a block it never
 * counted (one allocated before the hooks, or outside every charged call)
 * changes nothing.  measure/heap.h says why not malloc_usable_size().
 */
void sb_heap_note_alloc(uintptr_t block, size_t request);
void sb_heap_note_free(uintptr_t block);
/* What realloc(old, request) returned: `block` allocated and `old` (NULL:
 * none) freed; a NULL `block` for a request of 0 freed `old` (glibc), any
 * other NULL was a failure that left `old` as it was. */
void sb_heap_note_realloc(uintptr_t old, uintptr_t block, size_t request);
/* A block freed where no endpoint's figure may change (the malloc
 * interposition outside its windows): it is no longer followed. */
void sb_heap_note_forget(uintptr_t block);

/*
 * Whether this process counts the heap: decided once, from the
 * environment, before the first allocation (heap.h).  A backend installs
 * its allocator hooks only when it does, so that a process that times
 * runs the library's allocations exactly as they are, with no accounting
 * code inside them.
 */
bool sb_heap_hooks_on(void);

/*
 * The deterministic byte generator of --deterministic: SplitMix64
 * (Steele, Lea and Flood, 2014).  Fast and reproducible, not
 * cryptographic -- it stands in for a library's random generator only
 * so that transcripts repeat.
 */
struct sb_rng {
	uint64_t state;
};

/* Seed the generator; `stream` separates endpoints sharing one seed. */
void sb_rng_seed(struct sb_rng *rng, uint64_t seed, uint64_t stream);

/* Fill `buf` with the next `len` bytes of the stream. */
void sb_rng_fill(struct sb_rng *rng, uint8_t *buf, size_t len);

/*
 * Whether `protocol` can carry `suite` at all: a TLS 1.3 suite needs
 * (D)TLS 1.3, a TLS 1.2 suite (D)TLS 1.2.  Returns true, or false with the
 * reason in `why`.  Every backend's supports() asks this first.
 */
bool sb_suite_fits(enum sb_protocol protocol, const struct sb_suite *suite,
                   struct sb_reason *why);

/*
 * Define PREFIX_write_batch and PREFIX_read_batch (the contract's batch
 * calls) from the backend's PREFIX_write and PREFIX_read, which must be
 * static functions of the same file declared before the macro, so that
 * the compiler can put their bodies -- the library call and its check --
 * inside the loop.  One definition of the loops for every backend.
 */
#define SB_BACKEND_BATCH(prefix)                                               \
	static int prefix##_write_batch(void *ep, const uint8_t *buf,          \
	                                size_t len, size_t count)              \
	{                                                                      \
		for (size_t i = 0; i < count; i++) {                           \
			int rc = prefix##_write(ep, buf, len);                 \
			if (rc)                                                \
				return rc;                                     \
		}                                                              \
		return 0;                                                      \
	}                                                                      \
	static int prefix##_read_batch(void *ep, uint8_t *buf, size_t cap,     \
	                               size_t step, size_t count, int want)    \
	{                                                                      \
		int n = want;                                                  \
		for (size_t i = 0; i < count && n == want; i++)                \
			n = prefix##_read(ep, buf + i * step, cap);            \
		return n;                                                      \
	}

/* The backends this build has, NULL-terminated, in a stable order. */
extern const struct sb_backend *const sb_backends[];

/* Find a backend by name; NULL when this build has none of that name. */
const struct sb_backend *sb_backend_find(const char *name);

#endif
