#include "run/pair.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * When both sides wait and nothing is in flight, only a retransmission
 * timer can move the handshake on, so the virtual clock jumps to the next
 * deadline an endpoint reports, or 1 s (the initial DTLS timeout, RFC 6347
 * 4.2.4.1) when none does.  DTLS drops a record
 * that fails authentication silently (4.1.2.7), so a wrong PSK shows up
 * exactly like this: the libraries retransmit with doubling timeouts and
 * give up on their own (OpenSSL after 12 timeouts, about 7 minutes).
 * 15 minutes of virtual time is past every library's limit.
 */
#define PAIR_MAX_IDLE_US (900ull * 1000000u)
#define PAIR_IDLE_ADVANCE_US 1000000u
#define PAIR_MAX_ROUNDS 100000
/* Datagrams (stream: MTUs of bytes) each direction has room for before
 * the handshake, so that no flight grows a queue inside a measured step:
 * a certificate flight is a handful of datagrams or sends. */
#define PAIR_QUEUE_ROOM 16

static void endpoint_config(struct sb_pair *pair,
                            const struct sb_pair_config *cfg, enum sb_role role)
{
	bool client = role == SB_ROLE_CLIENT;
	const struct sb_credential_set *c =
	    client && cfg->client_creds ? cfg->client_creds : cfg->creds;
	struct sb_endpoint *ep = &pair->ep[role];
	ep->backend = client ? cfg->client : cfg->server;
	ep->cfg = (struct sb_endpoint_config){
	    .protocol = cfg->protocol,
	    .role = role,
	    .suite = cfg->suite,
	    .creds = sb_credentials_for(c, cfg->suite, role),
	    .server_name = cfg->server_name ? cfg->server_name : SB_SERVER_NAME,
	    .mtu = cfg->mtu,
	    .cookie = cfg->cookie,
	    .mutual = cfg->mutual,
	    .auth = cfg->auth,
	    .cid_len = cfg->cid_len,
	    .impl = cfg->impl,
	    .deterministic = cfg->deterministic,
	    .seed = cfg->seed,
	    .io = sb_link_io(&pair->link, role),
	    .clock = sb_vclock_source(&pair->clock),
	};
}

int sb_pair_setup(struct sb_pair *pair, const struct sb_pair_config *cfg)
{
	memset(pair, 0, sizeof(*pair));
	sb_link_init(&pair->link,
	             sb_protocol_is_dtls(cfg->protocol) ? SB_LINK_DATAGRAM
	                                                : SB_LINK_STREAM,
	             cfg->mtu);
	sb_vclock_init(&pair->clock);
	pair->link.clock = sb_vclock_source(&pair->clock);
	sb_link_guard(&pair->link, cfg->suite->explicit_nonce_len);
	if (sb_link_reserve(&pair->link, SB_DIR_C2S, PAIR_QUEUE_ROOM) ||
	    sb_link_reserve(&pair->link, SB_DIR_S2C, PAIR_QUEUE_ROOM)) {
		snprintf(pair->error, sizeof(pair->error), "out of memory");
		return SB_ERR_NOMEM;
	}
	if (cfg->protocol == SB_PROTO_DTLS13)
		sb_wire_dtls13(&pair->link.wire, cfg->cid_len);
	else if (cfg->protocol == SB_PROTO_DTLS12 && cfg->cid_len > 0)
		sb_wire_dtls12_cid(&pair->link.wire, cfg->cid_len);
	if (cfg->transcript)
		sb_link_transcript_start(&pair->link);
	pair->meter = (struct sb_meter){
	    .cycle_overhead = cfg->cycle_overhead,
	    .count_instructions = cfg->count_instructions,
	    .stack_offset = cfg->stack_offset,
	};
	endpoint_config(pair, cfg, SB_ROLE_CLIENT);
	endpoint_config(pair, cfg, SB_ROLE_SERVER);
	int rc = sb_endpoint_setup(&pair->ep[SB_ROLE_CLIENT], &pair->meter,
	                           pair->error, sizeof(pair->error));
	if (rc == 0)
		rc = sb_endpoint_setup(&pair->ep[SB_ROLE_SERVER], &pair->meter,
		                       pair->error, sizeof(pair->error));
	return rc;
}

/* After a backend call made with the link deferring: observe what it sent,
 * unless an outer caller defers (a record batch) and settles itself.
 * Returns the call's result, or SB_ERR_NOMEM. */
static int pair_observe(struct sb_pair *pair, int rc)
{
	sb_link_defer(&pair->link, false);
	if (sb_link_deferred(&pair->link) || sb_link_settle(&pair->link) == 0)
		return rc;
	snprintf(pair->error, sizeof(pair->error), "out of memory");
	return SB_ERR_NOMEM;
}

static int timed_step(struct sb_pair *pair, enum sb_role role)
{
	int rc = sb_endpoint_step(&pair->ep[role], &pair->meter, pair->error,
	                          sizeof(pair->error));
	return rc == SB_ERR_WANT_IO ? 0 : rc;
}

/*
 * A finished endpoint keeps reading while its peer is not done: if its
 * last flight was lost, the peer's retransmission makes it send that
 * flight again (RFC 6347 4.2.4).  Anything it reads now is handshake
 * traffic, charged to the handshake.
 */
static int timed_read_after_done(struct sb_pair *pair, enum sb_role role)
{
	struct sb_endpoint *ep = &pair->ep[role];
	enum sb_dir in = role == SB_ROLE_CLIENT ? SB_DIR_S2C : SB_DIR_C2S;
	uint8_t scratch[SB_LINK_MAX_MTU];
	if (sb_link_pending(&pair->link, in) == 0)
		return 0;
	int rc = sb_endpoint_read_handshake(ep, &pair->meter, scratch,
	                                    sizeof(scratch));
	if (rc < 0 && rc != SB_ERR_WANT_IO) {
		snprintf(pair->error, sizeof(pair->error),
		         "%s %s after its handshake: %s: %s", ep->backend->name,
		         sb_role_name(role), sb_strerror(rc),
		         ep->backend->last_error(ep->state));
		return rc;
	}
	return 0;
}

/* The earliest retransmission deadline either endpoint reports, or the
 * initial DTLS timeout from now when none does. */
static uint64_t next_deadline(struct sb_pair *pair)
{
	uint64_t now = pair->clock.now_us, best = 0;
	for (int role = SB_ROLE_CLIENT; role <= SB_ROLE_SERVER; role++) {
		const struct sb_endpoint *ep = &pair->ep[role];
		uint64_t t = ep->backend->next_timeout_us
		                 ? ep->backend->next_timeout_us(ep->state)
		                 : 0;
		if (t > now && (best == 0 || t < best))
			best = t;
	}
	return best ? best : now + PAIR_IDLE_ADVANCE_US;
}

/*
 * Done when both endpoints say so and the last datagrams are read: a DTLS
 * 1.3 server acknowledges the client's final flight (RFC 9147 5.8.3) after
 * it finished, and until the client reads that ACK it keeps the flight for
 * retransmission.  Traffic sent to a finished endpoint is read once more,
 * charged to the handshake; what that read makes it send is left queued.
 */
static bool pair_settled(struct sb_pair *pair, bool *drained)
{
	if (!pair->ep[SB_ROLE_CLIENT].done || !pair->ep[SB_ROLE_SERVER].done)
		return false;
	if (*drained || (sb_link_pending(&pair->link, SB_DIR_C2S) == 0 &&
	                 sb_link_pending(&pair->link, SB_DIR_S2C) == 0))
		return true;
	*drained = true;
	return false;
}

/*
 * Whether stepping `role` can do anything: its first step, a datagram
 * waiting for it, or virtual time passed since it last waited (a timer
 * may have fired).  A step that returned want-I/O waits for exactly
 * those, so the pair makes no idle calls -- which cost each library a
 * different amount and belong to no real peer's loop.
 */
static bool step_needed(const struct sb_pair *pair, enum sb_role role,
                        const uint64_t waited_at[2], const bool stepped[2])
{
	enum sb_dir in = role == SB_ROLE_CLIENT ? SB_DIR_S2C : SB_DIR_C2S;
	return !stepped[role] || sb_link_pending(&pair->link, in) > 0 ||
	       pair->clock.now_us != waited_at[role];
}

int sb_pair_handshake(struct sb_pair *pair)
{
	uint64_t start = pair->clock.now_us;
	bool drained = false;
	uint64_t waited_at[2] = {0, 0};
	bool stepped[2] = {false, false};
	for (unsigned round = 0; round < PAIR_MAX_ROUNDS; round++) {
		for (int role = SB_ROLE_CLIENT; role <= SB_ROLE_SERVER;
		     role++) {
			enum sb_role r = (enum sb_role)role;
			if (!pair->ep[role].done &&
			    !step_needed(pair, r, waited_at, stepped))
				continue;
			/* The measured call only queues what it sends; the
			 * link counts and observes it after the call (link.h),
			 * before the peer reads. */
			sb_link_defer(&pair->link, true);
			int rc = pair_observe(
			    pair, pair->ep[role].done
			              ? timed_read_after_done(pair, r)
			              : timed_step(pair, r));
			sb_link_transcript_update(&pair->link);
			if (rc < 0)
				return rc;
			stepped[role] = true;
			waited_at[role] = pair->clock.now_us;
		}
		if (pair_settled(pair, &drained)) {
			pair->handshake_virtual_us = pair->clock.now_us - start;
			sb_link_transcript_stop(&pair->link);
			return 0;
		}
		if (sb_link_pending(&pair->link, SB_DIR_C2S) == 0 &&
		    sb_link_pending(&pair->link, SB_DIR_S2C) == 0) {
			/* Both wait and nothing is in flight: only a timer
			 * helps. */
			uint64_t next = next_deadline(pair);
			if (next - start > PAIR_MAX_IDLE_US)
				break;
			sb_vclock_advance(&pair->clock,
			                  next - pair->clock.now_us);
		}
	}
	snprintf(pair->error, sizeof(pair->error),
	         "handshake stalled after %llu s of virtual time: client %s, "
	         "server %s",
	         (unsigned long long)((pair->clock.now_us - start) / 1000000u),
	         pair->ep[SB_ROLE_CLIENT].done ? "done" : "waiting",
	         pair->ep[SB_ROLE_SERVER].done ? "done" : "waiting");
	return SB_ERR_STALLED;
}

int sb_pair_write(struct sb_pair *pair, enum sb_role role, const uint8_t *buf,
                  size_t len)
{
	/* No write observes the wire inside the library's call (link.h),
	 * measured or not: one path for every write. */
	sb_link_defer(&pair->link, true);
	return pair_observe(pair, sb_endpoint_write(&pair->ep[role], buf, len));
}

struct sb_endpoint_direct sb_pair_direct(const struct sb_pair *pair,
                                         enum sb_role role)
{
	return sb_endpoint_direct(&pair->ep[role]);
}

int sb_pair_read(struct sb_pair *pair, enum sb_role role, uint8_t *buf,
                 size_t cap)
{
	sb_link_defer(&pair->link, true); /* as sb_pair_write */
	return pair_observe(pair, sb_endpoint_read(&pair->ep[role], buf, cap));
}

const char *sb_pair_library_error(struct sb_pair *pair, enum sb_role role)
{
	return sb_endpoint_library_error(&pair->ep[role]);
}

void sb_pair_free(struct sb_pair *pair)
{
	sb_endpoint_free(&pair->ep[SB_ROLE_CLIENT]);
	sb_endpoint_free(&pair->ep[SB_ROLE_SERVER]);
	sb_link_free(&pair->link);
}
