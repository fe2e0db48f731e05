/*
 * table.h - results for a person at a terminal: one line per scenario
 * with the headline figures (medians), the CSV having everything.
 */
#ifndef SB_TABLE_H
#define SB_TABLE_H

#include <stdbool.h>
#include <stdio.h>

#include "output/results.h"

/*
 * Print one line per scenario of `results`: handshake bytes each way,
 * flights, handshake kilocycles (or kilo-instructions when `instructions`)
 * for client and server, record overhead, and encrypt/decrypt cost per
 * record at payload `payload`.
 */
void sb_table_print(FILE *f, const struct sb_results *results, long payload,
                    bool instructions);

#endif
