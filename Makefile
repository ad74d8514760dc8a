# Thin wrapper around CMake so that a fresh clone needs one command per job.
#   make demo   install deps, build (release), run the demo estate
#   make test   install deps, build under AddressSanitizer + UBSan, run the
#               whole ctest suite; also compiles the release build, whose
#               optimiser sees warnings the debug build does not
#   make debug  the same suite on a plain debug build (faster to iterate)
#   make bench  build release + benchmark tools, run bench/run.sh
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: deps build demo test debug bench fuzz clean

deps:
	@scripts/install-deps.sh

build: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

demo: build
	@build/release/vigil demo

test: deps
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)
	@ctest --preset asan

debug: deps
	@cmake --preset debug >/dev/null
	@cmake --build --preset debug -j $(JOBS)
	@ctest --preset debug

bench: build
	@scripts/install-deps.sh --bench
	@bench/run.sh

fuzz: deps
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS)

clean:
	rm -rf build
