# nbkey: `make demo` runs the main job end to end; `make test` runs every test. Every other entry
# point has a target here too (README.md, "Development"). ARGS passes options on, e.g.
# `make bench ARGS=--quick`, `make fuzz ARGS="--seconds 600 key-file"`.
.PHONY: demo test build release deps vectors bench fuzz fuzz-corpus check-paths clean

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
