/*
 * terminal.c: nothing crmshift prints can drive the terminal. Source ids,
 * values and file names reach messages, and an export can hold escape
 * sequences (ESC ] 0 ; ... BEL retitles a terminal, ESC [ 2 J clears it) or
 * carriage returns that overwrite what a line said. stdout and stderr are
 * replaced at start by streams that write every control character but
 * newline and tab as visible text (\x1b, \r, \u009b for the C1 controls of
 * UTF-8). --json output is unchanged by it: JSON escapes controls already.
 * Only the progress bar, which draws with \r and prints no data, writes to
 * the terminal directly (cli_progress_stream).
 */
#define _GNU_SOURCE
#include "compat.h"
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct escaping {
	int fd;
	int pending_c2; /* 0xC2 held back: a C1 control (U+0080..U+009F) may follow it */
};

static struct escaping out_state = {1, 0}, err_state = {2, 0};
static FILE *progress_stream;

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static ssize_t escaping_write(void *cookie, const char *buf, size_t size)
{
	struct escaping *e = cookie;
	char out[4096 + 8];
	size_t used = 0, i;

	for (i = 0; i < size; i++) {
		unsigned char c = (unsigned char)buf[i];
		if (used > sizeof(out) - 8) {
			if (write_all(e->fd, out, used))
				return -1;
			used = 0;
		}
		if (e->pending_c2) {
			e->pending_c2 = 0;
			if (c >= 0x80 && c <= 0x9f) {
				used += (size_t)snprintf(out + used, 8, "\\u%04x", c);
				continue;
			}
			out[used++] = (char)0xc2;
		}
		if (c == 0xc2)
			e->pending_c2 = 1;
		else if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			used += (size_t)snprintf(out + used, 8, c == '\r' ? "\\r" : "\\x%02x", c);
		else
			out[used++] = (char)c;
	}
	if (used && write_all(e->fd, out, used))
		return -1;
	return (ssize_t)size;
}

/* Closed: a 0xC2 held back and never followed goes out as it was. */
static int escaping_close(void *cookie)
{
	struct escaping *e = cookie;

	return e->pending_c2 ? write_all(e->fd, "\xc2", 1) : 0;
}

/* A stream on fd that escapes controls, buffered as the standard one was. */
static FILE *escaping_stream(struct escaping *e, int mode)
{
	cookie_io_functions_t io = {NULL, escaping_write, NULL, escaping_close};
	FILE *f = fopencookie(e, "w", io);

	if (f)
		setvbuf(f, NULL, mode, 0);
	return f;
}

void cli_output_install(void)
{
	FILE *out = escaping_stream(&out_state, isatty(1) ? _IOLBF : _IOFBF);
	FILE *err = escaping_stream(&err_state, _IONBF);

	/* without them (out of memory at start), the standard streams stay: output still works */
	if (out)
		stdout = out;
	if (err) {
		progress_stream = stderr;
		stderr = err;
	}
}

FILE *cli_progress_stream(void)
{
	return progress_stream ? progress_stream : stderr;
}
