# Quick start: `make demo` and `make test`. Each installs what is missing and builds first.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= 2

.PHONY: all deps configure build test demo fuzz format clean

all: build

deps:
	@scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# The default suite: everything but the `fuzz` and `slow` labels.
test: build
	@cd $(BUILD_DIR) && ctest -j $(JOBS) --output-on-failure -LE 'fuzz|slow'

demo: build
	@scripts/demo.sh $(BUILD_DIR)

# The loader fuzzer (needs clang); FUZZ_SECONDS sets how long it runs.
fuzz: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -L fuzz

format:
	@clang-format -i $$(git ls-files '*.cpp' '*.h')

clean:
	@rm -rf $(BUILD_DIR)
