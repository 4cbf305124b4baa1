# crmshift: one plain Makefile. `make` builds build/crmshift, `make check`
# runs every test, `make check-asan` runs them again under AddressSanitizer
# and UndefinedBehaviorSanitizer, `make bench` measures, `make demo` runs the
# sample migration in examples/sample.

PKGS := sqlite3 libpq libsodium libcrypto libxxhash libutf8proc libpcre2-8 inih jansson
CC ?= cc
BUILD ?= build
SAN ?=
OPT ?= -O2 -g

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS := $(shell pkg-config --libs $(PKGS))

WARNINGS := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wvla -Wformat=2 -Werror
CFLAGS_ALL := -std=c11 -pthread $(OPT) $(WARNINGS) $(SAN) -Isrc $(PKG_CFLAGS) -MMD -MP $(CFLAGS)
LDFLAGS_ALL := -pthread $(SAN) $(LDFLAGS)
LIBS := $(PKG_LIBS) -lm

ifeq ($(V),1)
Q :=
else
Q := @
endif

LIB_SRC := $(sort $(wildcard src/*/*.c))
CLI_SRC := $(sort $(wildcard cli/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/test-*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_BIN := $(BUILD)/bench/gen
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz-*.c))
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_SECONDS ?= 60

all: $(BUILD)/crmshift

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS_ALL) -Icli -c $< -o $@

$(BUILD)/libcrmshift.a: $(LIB_OBJ)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(BUILD)/crmshift: $(CLI_OBJ) $(BUILD)/libcrmshift.a
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $(CLI_OBJ) $(BUILD)/libcrmshift.a $(LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(BUILD)/libcrmshift.a
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $< $(BUILD)/libcrmshift.a $(LIBS)

$(BUILD)/bench/gen: $(BUILD)/bench/gen.o
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $< $(LIBS)

check: $(BUILD)/crmshift $(BENCH_BIN) $(TEST_BIN)
	$(Q)BUILD=$(BUILD) tests/run-all.sh $(TEST_BIN)

# Under the sanitizers, each unit case also runs once per allocation it
# makes, that one failing (tests/unit/harness.h): no crash, no leak.
check-asan:
	$(Q)UNIT_ALLOC_SWEEP=1 $(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
		SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" check

# The harnesses are built with clang and libFuzzer in build-fuzz, the
# library instrumented for coverage and checked by ASan and UBSan.
fuzz:
	$(Q)$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang OPT="-O1 -g -fno-omit-frame-pointer" \
		SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all" fuzz-run

fuzz-run: $(FUZZ_BIN)
	$(Q)tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BIN)

$(BUILD)/fuzz/%: $(BUILD)/tests/fuzz/%.o $(BUILD)/libcrmshift.a
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS_ALL) -fsanitize=fuzzer -o $@ $< $(BUILD)/libcrmshift.a $(LIBS)

# The kill matrix with many more kills (SOAK_KILLS per command and fault
# point, SOAK_SEED), on the embedded target.
SOAK_KILLS ?= 25
SOAK_SEED ?= $(shell date +%s)
soak: $(BUILD)/crmshift $(BENCH_BIN)
	$(Q)CRMSHIFT=$(CURDIR)/$(BUILD)/crmshift ROOT=$(CURDIR) KILL_MATRIX_KILLS=$(SOAK_KILLS) \
		KILL_MATRIX_SEED=$(SOAK_SEED) bash tests/cli/scenarios/kill-matrix.sh

demo: $(BUILD)/crmshift
	$(Q)rm -rf $(BUILD)/demo && cp -r examples/sample $(BUILD)/demo
	$(Q)$(BUILD)/crmshift -C $(BUILD)/demo plan
	$(Q)$(BUILD)/crmshift -C $(BUILD)/demo migrate

bench: $(BUILD)/crmshift $(BENCH_BIN)
	$(Q)BUILD=$(BUILD) bench/run.sh

lint:
	$(Q)clang-format --dry-run -Werror $(LIB_SRC) $(CLI_SRC) $(wildcard src/*/*.h cli/*.h)
	$(Q)cppcheck --quiet --error-exitcode=1 --std=c11 -Isrc $(LIB_SRC) $(CLI_SRC)
	$(Q)! grep -nE '\b(strcpy|strcat|sprintf|vsprintf|strtok|atoi|atol|atof|gmtime|localtime)\(' $(LIB_SRC) $(CLI_SRC)
	$(Q)! grep -nE '\b(printf|fprintf\(std(out|err)|puts|exit)\(' $(LIB_SRC)

clean:
	rm -rf build build-asan build-fuzz

.PHONY: all check check-asan fuzz fuzz-run soak demo bench lint clean
.SECONDARY:
-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_SRC:%.c=$(BUILD)/%.d) $(FUZZ_SRC:%.c=$(BUILD)/%.d) $(BUILD)/bench/gen.d
