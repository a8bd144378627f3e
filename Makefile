# drsim — build, test, run, benchmark.
#
#   make deps     install the Debian packages drsim needs (apt-get; sudo when not root)
#   make          build ./drsim
#   make run      build, then measure the five DR strategies against the chapter's table
#   make reports  regenerate reports/ (strategies table, plots, SLA table) for a fixed seed
#   make test     build and run every test (unit, validation, bad input, CLI)
#   make asan     the tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   make bench    print kernel and end-to-end speed figures (never part of test)
#   make valgrind run one scenario under valgrind's leak checker
#   make install PREFIX=/usr/local

PKG_CONFIG ?= pkg-config
CC         ?= cc
PREFIX     ?= /usr/local
BUILD      ?= build
SANITIZE   ?=

# Debian packages: libraries, gnuplot for --plot, xmllint for tests of XML output.
DEB_PACKAGES = libgsl-dev libyaml-dev libcsv-dev libcmocka-dev librandom123-dev \
               gnuplot-nox pkg-config libxml2-utils

OPT        ?= -O2
CFLAGS     ?= $(OPT) -g
WARNINGS    = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
ALL_CFLAGS  = -std=c11 $(WARNINGS) $(CFLAGS) -pthread
# pkg-config runs when a recipe needs it (recursive '='), so 'make deps' can come first.
ALL_CPPFLAGS = -D_POSIX_C_SOURCE=200809L -Iinclude -MMD -MP $(CPPFLAGS) \
               -DDRSIM_DATADIR='"$(PREFIX)/share/drsim"' \
               $(shell $(PKG_CONFIG) --cflags gsl yaml-0.1 2>/dev/null)
LIBS        = $(shell $(PKG_CONFIG) --libs gsl yaml-0.1 2>/dev/null) -lcsv -lm
TEST_LIBS   = $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)
ALL_LDFLAGS = -pthread $(LDFLAGS)

ifneq ($(SANITIZE),)
ALL_CFLAGS  += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
ALL_LDFLAGS += -fsanitize=$(SANITIZE)
endif

# ---- MPI (issue 6; docs/cluster.md) -------------------------------------------------------
# `make MPI=1` builds $(MPI_BUILD)/drsim (objects in $(MPI_BUILD), default build/mpi) against
# Open MPI: -DDRSIM_MPI with the flags of `mpicc --showme`; Debian's libopenmpi-dev and
# openmpi-bin come from `make mpi-deps`.  ./drsim and build/ stay the single-process program,
# and `make test` never needs MPI.  `mpirun -np N build/mpi/drsim run ...` divides the trials
# among N processes and writes the same bytes as one process.  `make test-mpi` builds both
# and compares them (tests/mpi_test.sh).  This block sets BUILD, so it comes before the rules.
MPI              ?=
MPI_BUILD        ?= build/mpi
MPICC            ?= mpicc
MPI_DEB_PACKAGES  = libopenmpi-dev openmpi-bin

.PHONY: mpi-deps test-mpi

ifeq ($(MPI),1)
ifeq ($(origin BUILD),file)
BUILD := $(MPI_BUILD)
endif
ifeq ($(BUILD),build)
$(error MPI=1 builds into $(MPI_BUILD), not build/: ./drsim stays the single-process program)
endif
# recursive, as above: mpicc answers when a recipe runs, after mpi-deps
ALL_CPPFLAGS += -DDRSIM_MPI $(shell $(MPICC) --showme:compile 2>/dev/null)
LIBS         += $(shell $(MPICC) --showme:link 2>/dev/null)
all: mpi-deps
$(patsubst %.c,$(BUILD)/%.o,$(wildcard sim/*.c models/*.c)): | mpi-deps
endif

mpi-deps:
	@$(MAKE) --no-print-directory deps DEB_PACKAGES='$(MPI_DEB_PACKAGES)'

test-mpi: deps $(BUILD)/drsim
	$(MAKE) MPI=1 BUILD=$(MPI_BUILD) $(MPI_BUILD)/drsim
	@DRSIM=$(BUILD)/drsim DRSIM_MPI_BIN=$(MPI_BUILD)/drsim bash tests/mpi_test.sh

LIB_SRCS  = $(filter-out sim/main.c,$(wildcard sim/*.c)) $(wildcard models/*.c)
LIB_OBJS  = $(LIB_SRCS:%.c=$(BUILD)/%.o)
LIB       = $(BUILD)/libdrsim.a
# Each build has its own program; ./drsim is the default build's (SPEC §1),
# so a sanitizer or helper build never replaces it.
BIN       = $(BUILD)/drsim
TEST_SRCS = $(wildcard tests/test_*.c)
TEST_BINS = $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)
# The kernel's tests once more against a kernel whose calendar starts at 4
# pending events with 2 buckets each, so that every calendar path (rungs,
# refills, prefetching, compaction) runs in every test, not only the deep ones.
TEST_BINS += $(BUILD)/tests/test_des_small_calendar
SMALL_CALENDAR = -DDES_CALENDAR_FROM=4 -DDES_BUCKETS_PER_ENTRY=2
BENCH_SRCS = $(wildcard tests/bench/*.c)
BENCH_BINS = $(BENCH_SRCS:tests/bench/%.c=$(BUILD)/bench/%)

.PHONY: all deps run test asan ubsan bench valgrind reports install clean help
# test and bench objects are not throwaway intermediates: keep them for incremental builds
.SECONDARY:
.DEFAULT_GOAL := all

ifeq ($(BUILD),build)
all: deps drsim
else
all: deps $(BIN)
endif

# Installs only what is missing, so a machine that has everything pays one dpkg query.
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	  done); \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$(echo ' '$$missing)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(BIN): $(BUILD)/sim/main.o $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

drsim: build/drsim
	cp -f build/drsim drsim

ifneq ($(BUILD),build)
build/drsim:
	$(MAKE) BUILD=build build/drsim
endif

$(LIB): $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(TEST_LIBS)

$(BUILD)/small_calendar/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(SMALL_CALENDAR) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/test_des_small_calendar: $(BUILD)/small_calendar/tests/test_des.o $(BUILD)/small_calendar/sim/des.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(TEST_LIBS)

$(BUILD)/bench/%: $(BUILD)/tests/bench/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

run: deps drsim
	./drsim table strategies

# The committed reference set: same seed, same bytes (no dates, no timings).
reports: deps drsim
	./drsim table strategies --csv reports/strategies.csv --markdown reports/strategies.md --plot reports
	./drsim table sla --csv reports/sla.csv > reports/sla.txt

test: deps $(BIN) $(TEST_BINS)
	@DRSIM=$(BIN) BUILD=$(BUILD) tests/run_all.sh $(TEST_BINS)

asan:
	$(MAKE) BUILD=build/asan SANITIZE=address,undefined OPT=-O1 test

ubsan:
	$(MAKE) BUILD=build/ubsan SANITIZE=undefined OPT=-O1 test

# bench prints the figures of docs/performance.md (tests/bench/run.sh): the
# kernel and drsim against SimPy on the same models, thread scaling, profiles
# (with perf, when installed) and memory.  SimPy is Debian's python3-simpy
# (SimPy 2.3), installed for /usr/bin/python3 only, and peak memory comes
# from /usr/bin/time (Debian's time): bench-deps installs both.
BENCH_DEB_PACKAGES = python3-simpy time
.PHONY: bench-deps

bench: deps bench-deps $(BIN) $(BENCH_BINS)
	@DRSIM=$(BIN) PYTHON=/usr/bin/python3 tests/bench/run.sh $(BUILD)

bench-deps:
	@$(MAKE) --no-print-directory deps DEB_PACKAGES='$(BENCH_DEB_PACKAGES)'

valgrind: deps drsim
	valgrind --error-exitcode=3 --leak-check=full --errors-for-leak-kinds=definite,indirect \
	  ./drsim run scenarios/web-tier.yaml --trials 50 --threads 2 --quiet --csv $(BUILD)/valgrind-csv

install: deps drsim
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/drsim/scenarios/data \
	  $(DESTDIR)$(PREFIX)/share/drsim/scenarios/variants
	install -m 755 drsim $(DESTDIR)$(PREFIX)/bin/drsim
	install -m 644 scenarios/*.yaml $(DESTDIR)$(PREFIX)/share/drsim/scenarios
	install -m 644 scenarios/data/*.yaml $(DESTDIR)$(PREFIX)/share/drsim/scenarios/data
	install -m 644 scenarios/variants/*.yaml $(DESTDIR)$(PREFIX)/share/drsim/scenarios/variants

# ---- fuzzing (issue 6; docs/robustness.md) ------------------------------------------------
# `make fuzz` builds the libFuzzer harnesses in tests/fuzz/ with clang under
# AddressSanitizer + UndefinedBehaviorSanitizer (objects in $(FUZZ_BUILD)) and
# runs each for FUZZ_SECONDS, from seeds in the example and test corpora.
# clang is not in DEB_PACKAGES: only fuzzing needs it (`make fuzz-deps`).
FUZZ_CC          ?= clang-14
FUZZ_SECONDS     ?= 60
FUZZ_BUILD       ?= build/fuzz
FUZZ_DEB_PACKAGES = clang-14 libclang-rt-14-dev
FUZZ_TARGETS      = scenario duration dist experiment demand
FUZZ_BINS         = $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%)

.PHONY: fuzz fuzz-deps fuzz-build

fuzz: deps fuzz-deps
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) SANITIZE=fuzzer-no-link,address,undefined \
	  OPT=-O1 fuzz-build
	tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

fuzz-deps:
	@$(MAKE) --no-print-directory deps DEB_PACKAGES='$(FUZZ_DEB_PACKAGES)'

fuzz-build: $(FUZZ_BINS)

$(BUILD)/fuzz/%: $(BUILD)/tests/fuzz/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS)

clean:
	rm -rf build drsim

help:
	@sed -n '1,/^$$/p' Makefile | sed 's/^# \{0,1\}//'

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
