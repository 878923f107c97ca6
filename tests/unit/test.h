/*
 * test.h - the smallest test harness that does the job.
 *
 * A test file defines test functions and lists them in main() with
 * RUN(fn).  CHECK() records a failure with file and line and carries on,
 * so one run shows every broken expectation.  The process exits non-zero
 * when anything failed; tests/run counts files, not assertions.
 */
#ifndef NG_TEST_H
#define NG_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_failures;
static int test_checks;

#define CHECK(cond) do { \
	test_checks++; \
	if (!(cond)) { \
		test_failures++; \
		fprintf(stderr, "%s:%d: CHECK failed: %s\n", \
		    __FILE__, __LINE__, #cond); \
	} \
} while (0)

#define CHECK_EQ(a, b) do { \
	long long a_ = (long long)(a), b_ = (long long)(b); \
	test_checks++; \
	if (a_ != b_) { \
		test_failures++; \
		fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %lld, " \
		    "expected %s == %lld\n", __FILE__, __LINE__, \
		    #a, a_, #b, b_); \
	} \
} while (0)

#define CHECK_STR(a, b) do { \
	const char *a_ = (a), *b_ = (b); \
	test_checks++; \
	if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0) { \
		test_failures++; \
		fprintf(stderr, "%s:%d: CHECK_STR failed: \"%s\" != \"%s\"\n", \
		    __FILE__, __LINE__, a_ ? a_ : "(null)", \
		    b_ ? b_ : "(null)"); \
	} \
} while (0)

#define RUN(fn) do { \
	int before_ = test_failures; \
	fn(); \
	fprintf(stderr, "  %s %s\n", test_failures == before_ ? \
	    "ok  " : "FAIL", #fn); \
} while (0)

static inline int test_done(void)
{
	fprintf(stderr, "  %d checks, %d failed\n", test_checks,
	    test_failures);
	return test_failures ? 1 : 0;
}

#endif
