/*
 * sizebuild.h - internal to bench/: what `suitebench size` drives.
 *
 * For one library, build and suite, size/build.sh compiles and links a
 * minimal client program and a minimal server program, each with a GNU
 * ld map (see size/README.md).  This module knows which combinations
 * exist, runs the script, runs the x86-64 pair as two processes to prove
 * they complete a handshake and a record, and reads the bytes the library
 * contributes to each program from its map.
 */
#ifndef SB_SIZEBUILD_H
#define SB_SIZEBUILD_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backends/backend.h"
#include "size/mapfile.h"

enum sb_size_library {
	SB_SIZE_OPENSSL,
	SB_SIZE_MBEDTLS,
	SB_SIZE_BEARSSL,
	SB_SIZE_GNUTLS,
	/* Mbed TLS with configs/mbedtls-iot.h, the `mbedtls-iot` backend's
	 * configuration: tailored and Cortex-M4 builds only. */
	SB_SIZE_MBEDTLS_IOT,
	SB_SIZE_WOLFSSL,
};
#define SB_SIZE_LIBRARIES 6

enum sb_size_build {
	SB_SIZE_PREBUILT,  /* Debian's static archives, x86-64 */
	SB_SIZE_TAILORED,  /* Debian's sources, per-suite configuration, x86-64
	                    */
	SB_SIZE_CORTEX_M4, /* the tailored build for a Cortex-M4, bare metal */
};
#define SB_SIZE_BUILDS 3

/* The protocol the programs speak: TLS 1.2 over a stream, or DTLS 1.2
 * (datagrams, framed with a length on the pipe; see size/README.md). */
enum sb_size_protocol {
	SB_SIZE_TLS12,
	SB_SIZE_DTLS12,
};
#define SB_SIZE_PROTOCOLS 2

/* "openssl", "mbedtls", "bearssl", "gnutls", "mbedtls-iot", "wolfssl";
 * "prebuilt", "tailored", "cortex-m4"; "tls1.2", "dtls1.2" (the CSV's
 * protocol). */
const char *sb_size_library_name(enum sb_size_library library);
const char *sb_size_build_name(enum sb_size_build build);
const char *sb_size_protocol_name(enum sb_size_protocol protocol);

/* Find a library, build or protocol by name (case-insensitive); -1 if
 * none. */
int sb_size_library_find(const char *name);
int sb_size_build_find(const char *name);
int sb_size_protocol_find(const char *name);

/*
 * Whether `library` can be measured for `suite` in `build`.  Returns
 * true, or false with the sentence for the CSV's reason column in `why`.
 * wolfSSL is built from the source scripts/build-wolfssl.sh unpacked
 * (sb_size_wolfssl_source()); without it its rows are unsupported.
 */
bool sb_size_supported(enum sb_size_library library, enum sb_size_build build,
                       const struct sb_suite *suite, char *why, size_t len);

/*
 * Whether `library` has `protocol` in `build` (BearSSL has no DTLS).
 * Returns true, or false with the reason in `why`.
 */
bool sb_size_protocol_supported(enum sb_size_library library,
                                enum sb_size_build build,
                                enum sb_size_protocol protocol, char *why,
                                size_t len);

/*
 * The wolfSSL source tree size/build.sh compiles (the one
 * scripts/build-wolfssl.sh unpacked for the backend:
 * ${XDG_CACHE_HOME:-$HOME/.cache}/suitebench/wolfssl-5.7.2-src), in `buf`.
 * Returns true when it is there, unpacked.
 */
bool sb_size_wolfssl_source(char *buf, size_t len);

/*
 * "per-suite" or "whole-library", and in `why` (may be NULL) the
 * sentence that explains a whole-library figure (empty for per-suite).
 */
const char *sb_size_granularity(enum sb_size_library library,
                                enum sb_size_build build, char *why,
                                size_t len);

/* Whether the build's programs run here (x86-64), and so are run. */
bool sb_size_build_runs(enum sb_size_build build);

struct sb_size_job {
	enum sb_size_library library;
	enum sb_size_build build;
	const struct sb_suite *suite;
	bool full_profile; /* BearSSL: br_ssl_client_init_full() */
	/* The programs' protocol; set before _init (zero: TLS 1.2). */
	enum sb_size_protocol protocol;
	/* The target programs of `run --target` (build.sh --kind target),
	 * both sides, in WORK/out/target-BUILD/...; set before _init. */
	bool target;
	const char *script; /* size/build.sh */
	const char *work;   /* the cache directory */
	char out[PATH_MAX]; /* set by sb_size_job_init: the programs' directory
	                     */
};

/*
 * Fill `job` and its output directory, WORK/out/BUILD/LIBRARY/SUITE
 * (with "-full" for the full profile, "-dtls1.2" for DTLS programs,
 * "target-BUILD" for target programs).
 * Returns 0 or SB_ERR_INVALID when the path does not fit.
 */
int sb_size_job_init(struct sb_size_job *job, enum sb_size_library library,
                     enum sb_size_build build, const struct sb_suite *suite,
                     const char *script, const char *work) SB_MUST_USE;

/*
 * Run the build script for `job`, its output in OUT/build.log.  Returns
 * 0, or SB_ERR_IO with the log's last line and its path in `msg`.
 */
int sb_size_job_build(const struct sb_size_job *job, char *msg,
                      size_t len) SB_MUST_USE;

/*
 * Run OUT/server and OUT/client as two processes, each one's standard
 * output the other's standard input, their standard error in OUT/run.log.
 * Returns 0 when both exit 0 within `timeout_s` seconds, else
 * SB_ERR_VERIFY (or SB_ERR_IO) with what went wrong in `msg`.
 */
int sb_size_pair_run(const struct sb_size_job *job, unsigned timeout_s,
                     char *msg, size_t len) SB_MUST_USE;

/*
 * Read OUT/SIDE.map and OUT/SIDE.archives (the library's archives, one a
 * line) into `map` (zeroed) and `archives` (up to `cap` basenames of
 * PATH_MAX).  Returns the number of archives, or SB_ERR_IO /
 * SB_ERR_INVALID with one line in `msg`; the caller frees `map`.
 */
int sb_size_side_load(const struct sb_size_job *job, const char *side,
                      struct sb_map *map, char archives[][PATH_MAX], size_t cap,
                      char *msg, size_t len) SB_MUST_USE;

#endif
