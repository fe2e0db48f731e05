/*
 * list.c - `suitebench list`: the backends this build has, the suite
 * table, and which library supports which suite (with the reason when not).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "output/table.h"

/* Lines fit a 100-column terminal. */
#define LIST_WIDTH 100
#include "run/runner.h"

/* Print `text` from column `col`, wrapped at 100 columns with
 * continuation lines indented to `indent`. */
static void print_wrapped(const char *text, int col, int indent)
{
	const char *p = text;
	bool first = true;
	while (*p) {
		int word = (int)strcspn(p, " ");
		if (!first && col + 1 + word > LIST_WIDTH) {
			printf("\n%*s", indent, "");
			col = indent;
		} else if (!first) {
			putchar(' ');
			col++;
		}
		printf("%.*s", word, p);
		col += word;
		first = false;
		p += word;
		p += strspn(p, " ");
	}
	putchar('\n');
}

/* The widest short name: the suite column's width. */
static int name_width(void)
{
	size_t w = 4;
	for (size_t i = 0; i < sb_suites_count; i++)
		if (strlen(sb_suites[i].short_name) > w)
			w = strlen(sb_suites[i].short_name);
	return (int)w;
}

static void list_backends(void)
{
	printf("Backends\n");
	for (size_t i = 0; sb_backends[i]; i++) {
		printf("  %-11s ", sb_backends[i]->name);
		print_wrapped(sb_backends[i]->version(), 14, 14);
	}
	printf("\n");
}

/* Two blocks, so that each line fits 100 columns: the figures, then the
 * IANA names (up to 45 characters). */
static void list_suites(void)
{
	int w = name_width();
	printf("Suites\n  %-6s %-*s %-11s %-17s %3s %3s %5s %8s\n", "code", w,
	       "name", "kx", "aead", "key", "tag", "nonce", "overhead");
	for (size_t i = 0; i < sb_suites_count; i++) {
		const struct sb_suite *s = &sb_suites[i];
		printf("  0x%04X %-*s %-11s %-17s %3u %3u %5u %8zu\n",
		       s->code_point, w, s->short_name, sb_kx_name(s->kx),
		       sb_aead_name(s->aead), s->key_len, s->tag_len,
		       s->explicit_nonce_len, sb_suite_dtls12_overhead(s));
	}
	printf(
	    "  (key, tag, nonce: bytes; overhead: bytes a DTLS 1.2 record adds "
	    "to its payload;\n   in TLS 1.2 it is 8 bytes less: a 5-byte "
	    "header instead of 13)\n\n");
	printf("IANA names\n");
	for (size_t i = 0; i < sb_suites_count; i++)
		printf("  0x%04X %-*s %s\n", sb_suites[i].code_point, w,
		       sb_suites[i].short_name, sb_suites[i].iana_name);
	printf("\n");
}

#define MAX_NOTES 64

struct notes {
	char text[MAX_NOTES][sizeof(struct sb_reason) + 32];
	unsigned count;
};

/* The footnote number for `text`: an existing one when the reason is the
 * same, so that one sentence is printed once. */
static unsigned note_number(struct notes *notes, const char *text)
{
	for (unsigned n = 0; n < notes->count; n++)
		if (strcmp(notes->text[n], text) == 0)
			return n + 1;
	if (notes->count == MAX_NOTES)
		return MAX_NOTES;
	snprintf(notes->text[notes->count], sizeof(notes->text[0]), "%s", text);
	return ++notes->count;
}

static bool both_roles(const struct sb_backend *b, enum sb_protocol protocol,
                       const struct sb_suite *suite, struct sb_reason *why)
{
	return b->supports(protocol, suite, SB_ROLE_CLIENT, why) &&
	       b->supports(protocol, suite, SB_ROLE_SERVER, why);
}

static void list_matrix(enum sb_protocol protocol)
{
	static struct notes notes;
	notes.count = 0;
	int w = name_width();
	printf("Support (%s)\n  %-*s", sb_protocol_name(protocol), w, "suite");
	for (size_t b = 0; sb_backends[b]; b++)
		printf(" %-11s", sb_backends[b]->name);
	printf("\n");
	for (size_t i = 0; i < sb_suites_count; i++) {
		printf("  %-*s", w, sb_suites[i].short_name);
		for (size_t b = 0; sb_backends[b]; b++) {
			struct sb_reason why = {{0}};
			if (both_roles(sb_backends[b], protocol, &sb_suites[i],
			               &why)) {
				printf(" %-11s", "yes");
				continue;
			}
			char text[sizeof(notes.text[0])], mark[16];
			snprintf(text, sizeof(text), "%s: %s",
			         sb_backends[b]->name, why.text);
			snprintf(mark, sizeof(mark), "no [%u]",
			         note_number(&notes, text));
			printf(" %-11s", mark);
		}
		printf("\n");
	}
	for (unsigned n = 0; n < notes.count; n++)
		sb_table_footnote(stdout, n + 1, notes.text[n]);
}

int cmd_list(int argc, char **argv)
{
	if (argc > 1 &&
	    (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf(
		    "usage: suitebench list\n\n"
		    "Prints the backends this build has with their runtime "
		    "versions,\nthe cipher-suite table, and the support matrix "
		    "with the reason\nfor every suite a library cannot run.\n");
		return SB_EXIT_OK;
	}
	if (argc > 1) {
		sb_cli_error("list: unexpected argument '%s'", argv[1]);
		return SB_EXIT_USAGE;
	}
	list_backends();
	list_suites();
	static const enum sb_protocol protocols[] = {
	    SB_PROTO_DTLS12, SB_PROTO_TLS12, SB_PROTO_DTLS13, SB_PROTO_TLS13};
	for (size_t p = 0; p < sizeof(protocols) / sizeof(protocols[0]); p++) {
		if (p > 0)
			printf("\n");
		list_matrix(protocols[p]);
	}
	return SB_EXIT_OK;
}
