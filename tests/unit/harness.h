/*
 * harness.h: the unit-test harness (after Redis's testhelp.h). A test file
 * defines static void test_module__case(void) functions, lists them in
 * TESTS, and ends with HARNESS_MAIN. A failed check prints file:line, the
 * expression, and expected and actual values; the case goes on, so one run
 * shows every failure. The last line is "<file>: N passed, N failed".
 */
#ifndef CRM_HARNESS_H
#define CRM_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int harness_case_failed;

/* Writes (text, len) to a new file /tmp/crm-test-XXXXXX, its name in path (64 bytes); 0, or -1. */
static inline int harness_temp_file(const char *text, size_t len, char path[64])
{
	int fd;

	snprintf(path, 64, "/tmp/crm-test-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	if (write(fd, text, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	return close(fd);
}

#define CHECK(expr)                                                                                                    \
	do {                                                                                                           \
		if (!(expr)) {                                                                                         \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #expr);                       \
			harness_case_failed = 1;                                                                       \
		}                                                                                                      \
	} while (0)

#define CHECK_INT(actual, expected)                                                                                    \
	do {                                                                                                           \
		long long a_ = (long long)(actual), e_ = (long long)(expected);                                        \
		if (a_ != e_) {                                                                                        \
			fprintf(stderr, "%s:%d: %s: expected %lld, got %lld\n", __FILE__, __LINE__, #actual, e_, a_);  \
			harness_case_failed = 1;                                                                       \
		}                                                                                                      \
	} while (0)

#define CHECK_STR(actual, expected)                                                                                    \
	do {                                                                                                           \
		const char *a_ = (actual), *e_ = (expected);                                                           \
		if (!a_ || strcmp(a_, e_) != 0) {                                                                      \
			fprintf(stderr, "%s:%d: %s: expected '%s', got '%s'\n", __FILE__, __LINE__, #actual, e_,       \
				a_ ? a_ : "(null)");                                                                   \
			harness_case_failed = 1;                                                                       \
		}                                                                                                      \
	} while (0)

/* (ptr, len) against a C string */
#define CHECK_MEM(ptr, len, expected)                                                                                  \
	do {                                                                                                           \
		const char *e_ = (expected);                                                                           \
		size_t l_ = (len);                                                                                     \
		if (l_ != strlen(e_) || memcmp((ptr), e_, l_) != 0) {                                                  \
			fprintf(stderr, "%s:%d: %s: expected '%s', got '%.*s'\n", __FILE__, __LINE__, #ptr, e_,        \
				(int)l_, (const char *)(ptr));                                                         \
			harness_case_failed = 1;                                                                       \
		}                                                                                                      \
	} while (0)

/* a substring check, for error messages */
#define CHECK_CONTAINS(haystack, needle)                                                                               \
	do {                                                                                                           \
		const char *h_ = (haystack), *n_ = (needle);                                                           \
		if (!h_ || !strstr(h_, n_)) {                                                                          \
			fprintf(stderr, "%s:%d: %s: expected to contain '%s', got '%s'\n", __FILE__, __LINE__,         \
				#haystack, n_, h_ ? h_ : "(null)");                                                    \
			harness_case_failed = 1;                                                                       \
		}                                                                                                      \
	} while (0)

struct harness_test {
	const char *name;
	void (*fn)(void);
};

#define TEST(fn)                                                                                                       \
	{                                                                                                              \
#fn, fn                                                                                                \
	}

#define HARNESS_MAIN                                                                                                   \
	int main(void)                                                                                                 \
	{                                                                                                              \
		size_t i, passed = 0, failed = 0;                                                                      \
		for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {                                               \
			harness_case_failed = 0;                                                                       \
			tests[i].fn();                                                                                 \
			if (harness_case_failed) {                                                                     \
				failed++;                                                                              \
				fprintf(stderr, "FAIL %s\n", tests[i].name);                                           \
			} else {                                                                                       \
				passed++;                                                                              \
			}                                                                                              \
		}                                                                                                      \
		printf("%s: %zu passed, %zu failed\n", __FILE__, passed, failed);                                      \
		return failed ? 1 : 0;                                                                                 \
	}

#endif
