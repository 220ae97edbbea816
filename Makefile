# nbkey: `make demo` runs the main job end to end; `make test` runs every test.
.PHONY: demo test build release deps vectors clean

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

clean:
	rm -rf .build demo-out
