/*
 * table.h - results for a person at a terminal: one line per scenario
 * with the headline figures (medians and their spread), the CSV having
 * everything.  Lines fit 100 columns; reasons are numbered footnotes.
 */
#ifndef SB_TABLE_H
#define SB_TABLE_H

#include <stdbool.h>
#include <stdio.h>

#include "output/results.h"

/*
 * Print one line per scenario of `results`, grouped under a "client →
 * server, protocol" line: handshake bytes each way, flights, handshake
 * kilocycles (or kilo-instructions when `instructions`) for client and
 * server, record overhead, and encrypt/decrypt cost per record at payload
 * `payload`; each timed median followed by its spread (±% of half the
 * p25..p75 range).  An unsupported or failed scenario shows its footnote
 * number; the reasons follow the table, each once.
 */
void sb_table_print(FILE *f, const struct sb_results *results, long payload,
                    bool instructions);

/*
 * Print "[number] text", wrapped at 100 columns, continuation lines
 * indented under the text.
 */
void sb_table_footnote(FILE *f, unsigned number, const char *text);

#endif
