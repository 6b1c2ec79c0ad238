# The two commands the README promises: `make demo` and `make test`.
# Everything else here serves them (or developers: build, bench, format,
# format-check, fuzz, test-asan).
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
# `make fuzz [SECONDS=60] [FUZZ_TARGETS="ingest image"]`: fuzz/README.md.
FUZZ_BUILD ?= build-fuzz
SECONDS ?= 60
FUZZ_TARGETS ?=
# `make test-asan`: every test (units, CLI, fuzz replays) under ASan+UBSan.
ASAN_BUILD ?= build-asan
SANITIZER_ENV = ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=0 \
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:suppressions=$(CURDIR)/fuzz/ubsan.supp
# `make test-asan-ci`: what .ci/run runs under ASan+UBSan (fuzz/README.md):
# every test but `faces`, whose accuracy run over the labelled photos takes
# ~19 min under ASan (the face code still runs there through cli-test's
# registry and face search), and `web_e2e`, the browser test, which `make
# test` runs (the server's code runs under ASan through server_test,
# fuzz_http and cli-test; a browser waiting on a server several times slower
# is a timing test, not a memory one).
ASAN_CI_EXCLUDE = ^faces$$|^web_e2e$$
# `make crash-test [KILLS=100] [SEED=n]`: SIGKILLs `vigil scan` at KILLS random
# points; every resume must end equal to a clean run (fuzz/README.md).
KILLS ?= 100
SEED ?=

.PHONY: demo test deps build bench format format-check clean fuzz test-asan test-asan-ci crash-test

deps:
	./scripts/install-deps

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)
	./scripts/build-web

# The tests run beside a throwaway PostgreSQL and redis-server
# (scripts/with-services), stopped when they end.
test: build
	cd $(BUILD) && $(CURDIR)/scripts/with-services ctest --output-on-failure -j $(JOBS)

demo: build
	./scripts/demo $(BUILD)/apps/vigil/vigil

bench: build
	./scripts/bench $(BUILD)

fuzz:
	./scripts/install-deps fuzz
	JOBS=$(JOBS) ./scripts/fuzz $(FUZZ_BUILD) $(SECONDS) $(FUZZ_TARGETS)

# Asserts stay on (no -DNDEBUG); -O1 keeps the sanitized tests quick to build.
$(ASAN_BUILD)/CMakeCache.txt:
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g" \
	  -DVIGIL_SANITIZE=ON -DVIGIL_BUILD_BENCH=OFF $(CMAKE_FLAGS)

test-asan: deps $(ASAN_BUILD)/CMakeCache.txt
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	./scripts/build-web
	cd $(ASAN_BUILD) && $(SANITIZER_ENV) $(CURDIR)/scripts/with-services ctest --output-on-failure -j $(JOBS)

test-asan-ci: deps $(ASAN_BUILD)/CMakeCache.txt
	cmake -S . -B $(ASAN_BUILD) > /dev/null  # an older build dir may lack newer targets
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	./scripts/build-web
	cd $(ASAN_BUILD) && $(SANITIZER_ENV) $(CURDIR)/scripts/with-services ctest --output-on-failure -j $(JOBS) -E '$(ASAN_CI_EXCLUDE)'

crash-test: build
	./scripts/crash-test $(BUILD)/apps/vigil/vigil $(KILLS) $(SEED)

# The repo's own .clang-format (Google base, 100 columns) over every tracked
# C++ file; format-check fails on any file that `make format` would change.
format:
	clang-format -i $$(git ls-files '*.h' '*.cc')

format-check: deps
	clang-format --dry-run -Werror $$(git ls-files '*.h' '*.cc')

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD) $(ASAN_BUILD) demo-out
