/*
 * test_sha256.c - SHA-256 against the FIPS 180-2 appendix examples and a
 * digest computed by a second implementation (coreutils sha256sum).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "wire/sha256.h"

struct vector {
	char message[128];
	unsigned repeat; /* the message hashed this many times over */
	char hex[65];
};

static struct vector vectors[] = {
    /* FIPS 180-2 B.1, B.2, B.3 */
    {"abc", 1,
     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {"a", 1000000,
     "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
    /* the empty message: printf '' | sha256sum */
    {"", 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    /* 64 bytes, exactly one block before padding: printf 'x%.0s' {1..64} |
       sha256sum */
    {"x", 64,
     "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c"},
};

ParameterizedTestParameters(sha256, vectors)
{
	return cr_make_param_array(struct vector, vectors,
	                           sizeof(vectors) / sizeof(vectors[0]));
}

ParameterizedTest(struct vector *v, sha256, vectors)
{
	struct sb_sha256 ctx;
	uint8_t digest[SB_SHA256_LEN];
	char hex[65];
	sb_sha256_init(&ctx);
	for (unsigned i = 0; i < v->repeat; i++)
		sb_sha256_update(&ctx, v->message, strlen(v->message));
	sb_sha256_final(&ctx, digest);
	sb_sha256_hex(digest, hex);
	cr_assert_str_eq(hex, v->hex, "message '%.20s' x %u", v->message,
	                 v->repeat);
}

Test(sha256, split_updates_equal_one_update)
{
	static const char msg[] =
	    "the quick brown fox jumps over the lazy dog, "
	    "twice as long as one block of sixty-four";
	uint8_t one[SB_SHA256_LEN], split[SB_SHA256_LEN];
	struct sb_sha256 a, b;
	sb_sha256_init(&a);
	sb_sha256_update(&a, msg, sizeof(msg));
	sb_sha256_final(&a, one);
	sb_sha256_init(&b);
	for (size_t i = 0; i < sizeof(msg); i += 7)
		sb_sha256_update(&b, msg + i,
		                 sizeof(msg) - i < 7 ? sizeof(msg) - i : 7);
	sb_sha256_final(&b, split);
	cr_assert_arr_eq(one, split, SB_SHA256_LEN);
}
