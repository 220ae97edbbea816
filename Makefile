# nbkey: `make demo` runs the main job end to end; `make test` runs every test. Every other entry
# point has a target here too (README.md, "Development"). ARGS passes options on, e.g.
# `make bench ARGS=--quick`, `make fuzz ARGS="--seconds 600 key-file"`.
.PHONY: demo test build release deps vectors bench fuzz fuzz-corpus check-paths clean docs format lint check-library

ARGS ?=

demo: deps release
	scripts/demo.sh

test:
	scripts/test.sh

deps:
	scripts/deps.sh build

build: deps
	swift build

release: deps
	swift build -c release

vectors:
	scripts/venv.sh
	vectors/generate/all.sh

bench: deps
	bench/run $(ARGS)

fuzz: deps
	scripts/fuzz.sh $(ARGS)

fuzz-corpus:
	python3 fuzz/make-corpus.py

check-paths:
	scripts/check-paths.sh

clean:
	rm -rf .build demo-out

# The DocC documentation of the library products, as static web sites under .build/docs/.
docs: deps
	scripts/docs.sh

# swift format with the committed .swift-format: `format` rewrites, `lint` fails on any violation.
format:
	swift format format --in-place --recursive --parallel Package.swift Sources Tests

lint:
	swift format lint --strict --recursive --parallel Package.swift Sources Tests

# The library products' shape: doc comments on every public declaration, no fuzz harness in a
# product, no process concerns in the libraries.
check-library:
	python3 scripts/check-library.py
