#include <criterion/criterion.h>

#include "backend_check.h"

Test(gnutls, placeholder)
{
	cr_assert_not_null(sb_backend_find("gnutls"));
}
