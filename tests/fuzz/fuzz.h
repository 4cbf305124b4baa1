/*
 * fuzz.h: what every libFuzzer harness shares. crmshift's parsers read
 * files by path, as they read exports, so a harness writes its input to a
 * file in a scratch directory of its own (under $TMPDIR, removed at exit)
 * and hands the parser that path. Each harness defines
 * LLVMFuzzerTestOneInput and nothing else; make fuzz builds and runs them
 * (tests/fuzz/run.sh).
 */
#ifndef CRM_FUZZ_H
#define CRM_FUZZ_H

#define _GNU_SOURCE
#include "../scratch.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The harness's scratch directory (scratch.h), under $TMPDIR. */
static inline const char *fuzz_dir(void)
{
	return scratch_dir(NULL, "crm-fuzz");
}

/* dir/name, in a static buffer of its own per call site's slot (0..3). */
static inline const char *fuzz_path(int slot, const char *name)
{
	static char paths[4][512];

	snprintf(paths[slot], sizeof(paths[slot]), "%s/%s", fuzz_dir(), name);
	return paths[slot];
}

/* Writes (data, size) to the file dir/name (directories made as needed) and returns its path. */
static inline const char *fuzz_write(int slot, const char *name, const void *data, size_t size)
{
	const char *path = fuzz_path(slot, name);
	char dir[512];
	char *slash;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s", path);
	for (slash = strchr(dir + strlen(fuzz_dir()) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(dir, 0700);
		*slash = '/';
	}
	f = fopen(path, "wb");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f))
		abort();
	return path;
}

/* A text copy of (data, size), NUL-terminated (free()). */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
