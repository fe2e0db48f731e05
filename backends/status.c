#include "status.h"

const char *sb_strerror(int status)
{
	if (status == 0)
		return "success";
	switch ((enum sb_status)status) {
#define SB_CASE(name, value, message)                                          \
	case name:                                                             \
		return message;
		SB_ERRORS(SB_CASE)
#undef SB_CASE
	}
	return "unknown status";
}
