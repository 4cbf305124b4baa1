/*
 * harness.h: the unit-test harness (after Redis's testhelp.h). A test file
 * defines static void test_module__case(void) functions, lists them in
 * TESTS, and ends with HARNESS_MAIN. A failed check prints file:line, the
 * expression, and expected and actual values; the case goes on, so one run
 * shows every failure. The last line is "<file>: N passed, N failed".
 */
#ifndef CRM_HARNESS_H
#define CRM_HARNESS_H

#include "util/alloc.h"
#include "../scratch.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int harness_case_failed;

/* The folder of this process's files (scratch.h), under /tmp. */
static inline const char *harness_scratch(void)
{
	return scratch_dir("/tmp", "crm-test");
}

/* Writes (text, len) to a new file in harness_scratch(), its name in path (64 bytes); 0, or -1. */
static inline int harness_temp_file(const char *text, size_t len, char path[64])
{
	int fd;

	if (snprintf(path, 64, "%s/t-XXXXXX", harness_scratch()) >= 64)
		return -1;
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	if (write(fd, text, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* Writes text to path, replacing what it held; 0, or -1. */
static inline int harness_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	int rc;

	if (!f)
		return -1;
	rc = fputs(text, f) < 0 ? -1 : 0;
	return fclose(f) || rc ? -1 : 0;
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

/*
 * A check the rest of the case depends on (a setup step: a file opened, a
 * value parsed): when it fails, the case goes to its label "cleanup",
 * which releases what the case holds (every release function takes what
 * was never set up), instead of going on with what is not there. Under
 * HARNESS_ALLOC_SWEEP that is how a case ends whose allocation failed, and
 * under AddressSanitizer a leak is then the library's, not the case's.
 */
#define REQUIRE(expr)                                                                                                  \
	do {                                                                                                           \
		if (!(expr)) {                                                                                         \
			fprintf(stderr, "%s:%d: required: %s\n", __FILE__, __LINE__, #expr);                           \
			harness_case_failed = 1;                                                                       \
			goto cleanup;                                                                                  \
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

/* field i of a record (or of any value with fields and count): there, and as expected */
#define CHECK_FIELD(rec, i, expected)                                                                                  \
	do {                                                                                                           \
		size_t i_ = (size_t)(i);                                                                               \
		if (i_ >= (rec).count) {                                                                               \
			fprintf(stderr, "%s:%d: %s: field %zu of %zu: expected '%s', got none\n", __FILE__, __LINE__,  \
				#rec, i_, (size_t)(rec).count, (expected));                                            \
			harness_case_failed = 1;                                                                       \
		} else {                                                                                               \
			CHECK_MEM((rec).fields[i_].ptr, (rec).fields[i_].len, (expected));                             \
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
	int unswept; /* the sweep runs it once, as it is */
};

#define TEST(fn)                                                                                                       \
	{                                                                                                              \
#fn, fn, 0                                                                                             \
	}

/*
 * A case that repeats other cases' work many times over (every example of a
 * document): sweeping it would cost the square of its allocations and find
 * nothing the other cases' sweeps do not, so the sweep runs it once.
 */
#define TEST_UNSWEPT(fn)                                                                                               \
	{                                                                                                              \
#fn, fn, 1                                                                                             \
	}

/*
 * HARNESS_ALLOC_SWEEP=1: each case runs again once per allocation it makes,
 * that allocation and every one after it failing (crm_alloc_fail_after), in
 * a child process: its checks may fail (an error came back), but it must
 * not crash, and under AddressSanitizer nothing may leak (LeakSanitizer
 * fails the child's exit). Returns the cases with a finding; *points gets
 * the allocation points injected.
 */
static inline size_t harness_alloc_sweep(void (*fn)(void), const char *name, size_t *points)
{
	long n;

	for (n = 0;; n++) {
		int status, null_fd;
		pid_t pid;
		fflush(NULL);
		pid = fork();
		if (pid < 0)
			return 1;
		if (pid == 0) {
			null_fd = open("/dev/null", O_WRONLY);
			if (null_fd >= 0) {
				dup2(null_fd, 1);
				dup2(null_fd, 2);
			}
			crm_alloc_fail_after(n);
			fn();
			exit(crm_alloc_failed() ? 0 : 10);
		}
		if (waitpid(pid, &status, 0) != pid)
			return 1;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 10)
			return 0; /* the case made fewer than n + 1 allocations: all were tried */
		(*points)++;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "FAIL %s: with allocation %ld failing, %s %d\n", name, n + 1,
				WIFSIGNALED(status) ? "killed by signal"
						    : "exit", /* a sanitizer report, a leak too, exits 1 */
				WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
			return 1;
		}
	}
}

/*
 * HARNESS_ALLOC_FAIL_AT=N HARNESS_CASE=name: that case alone, in this
 * process, with its N-th allocation and every one after failing: the sweep's
 * finding "with allocation N failing", to run under a debugger.
 */
static inline int harness_alloc_replay(const struct harness_test *tests, size_t count)
{
	const char *at = getenv("HARNESS_ALLOC_FAIL_AT"), *name = getenv("HARNESS_CASE");
	size_t i;

	for (i = 0; i < count; i++)
		if (!name || strcmp(name, tests[i].name) == 0) {
			crm_alloc_fail_after(atol(at) - 1);
			tests[i].fn();
			crm_alloc_fail_after(-1);
		}
	return 0;
}

#define HARNESS_MAIN                                                                                                   \
	int main(void)                                                                                                 \
	{                                                                                                              \
		size_t i, passed = 0, failed = 0, points = 0;                                                          \
		if (getenv("HARNESS_ALLOC_FAIL_AT"))                                                                   \
			return harness_alloc_replay(tests, sizeof(tests) / sizeof(tests[0]));                          \
		if (getenv("HARNESS_ALLOC_SWEEP")) {                                                                   \
			for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {                                       \
				harness_case_failed = 0;                                                               \
				if (tests[i].unswept)                                                                  \
					tests[i].fn();                                                                 \
				if (harness_case_failed ||                                                             \
				    (!tests[i].unswept && harness_alloc_sweep(tests[i].fn, tests[i].name, &points)))   \
					failed++;                                                                      \
				else                                                                                   \
					passed++;                                                                      \
			}                                                                                              \
			printf("%s: %zu allocation points injected\n", __FILE__, points);                              \
			printf("%s: %zu passed, %zu failed\n", __FILE__, passed, failed);                              \
			return failed ? 1 : 0;                                                                         \
		}                                                                                                      \
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
