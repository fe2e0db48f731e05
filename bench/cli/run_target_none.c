/*
 * run_target_none.c - `run --target` in a build without Unicorn or the
 * ARM toolchain: it says what is missing.
 */
#include "cli/cli.h"

int sb_cli_target_dispatch(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	sb_cli_error("run --target: this build has no Cortex-M4 target: it "
	             "needs Unicorn (apt-get install libunicorn-dev) and "
	             "arm-none-eabi-gcc (gcc-arm-none-eabi "
	             "libnewlib-arm-none-eabi) when configured");
	return SB_EXIT_USAGE;
}
