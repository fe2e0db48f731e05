/*
 * status.h - the status codes every layer of suitebench returns, and the
 * backends too: 0 is success, errors are negative.  The lowest header of
 * the tree; it includes nothing of the project's.
 */
#ifndef SB_STATUS_H
#define SB_STATUS_H

/* Status codes: 0 is success, errors are negative.  X(name, value, message). */
#define SB_ERRORS(X)                                                           \
	X(SB_ERR_WANT_IO, -1, "operation would block: waiting for the peer")   \
	X(SB_ERR_NOMEM, -2, "out of memory")                                   \
	X(SB_ERR_INVALID, -3, "invalid argument")                              \
	X(SB_ERR_UNSUPPORTED, -4, "not supported by this library")             \
	X(SB_ERR_CREDENTIALS, -5, "credentials could not be loaded")           \
	X(SB_ERR_HANDSHAKE, -6, "handshake failed")                            \
	X(SB_ERR_PEER_CLOSED, -7, "the peer closed the connection")            \
	X(SB_ERR_RECORD, -8, "record could not be written or read")            \
	X(SB_ERR_MTU, -9, "datagram larger than the link MTU")                 \
	X(SB_ERR_VERIFY, -10, "verification of the connection failed")         \
	X(SB_ERR_IO, -11, "input/output error")                                \
	X(SB_ERR_USAGE, -12, "bad command-line usage")                         \
	X(SB_ERR_STALLED, -13, "handshake stalled: neither side can progress")

enum sb_status {
#define SB_ENUM(name, value, message) name = value,
	SB_ERRORS(SB_ENUM)
#undef SB_ENUM
};

/* The fixed English message for a status code; never NULL. */
const char *sb_strerror(int status);

#define SB_MUST_USE __attribute__((warn_unused_result))

#endif
