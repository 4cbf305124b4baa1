/* utf8.c: see utf8.h. */
#include "compat.h"
#include "util/utf8.h"

int crm_utf8_below_u0300(const char *p, size_t len)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i;

	for (i = 0; i < len; i++) {
		if (u[i] < 0x80)
			continue;
		if (u[i] < 0xC2 || u[i] > 0xCB || i + 1 == len || (u[i + 1] & 0xC0) != 0x80)
			return 0;
		i++;
	}
	return 1;
}
