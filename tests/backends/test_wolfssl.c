#include <criterion/criterion.h>

#include "backend_check.h"

Test(wolfssl, psk_ccm8_works)
{
	static const struct check_suite s = {"psk-ccm8", 29};
	check_suite_works("wolfssl", "wolfssl", &s, false, true);
}
