# nsgsim: a thin alias layer; `go test ./...` stays the truth.

GO ?= go

# VERSION, when set, is stamped into `nsgsim --version` (release builds:
# make build VERSION=v1.2.3); otherwise the version comes from the build
# information the go command records.
VERSION ?=
LDFLAGS = $(if $(VERSION),-ldflags "-X main.version=$(VERSION)")

.PHONY: build install test bench fuzz clean

# build leaves the binary in ./nsgsim.
build:
	$(GO) build $(LDFLAGS) -o nsgsim ./cmd/nsgsim

# install puts nsgsim in $(go env GOBIN), else $(go env GOPATH)/bin.
install:
	$(GO) install $(LDFLAGS) ./cmd/nsgsim

test:
	$(GO) vet ./...
	$(GO) test ./...

# bench runs the Go benchmarks, then times `nsgsim simulate` end to end on
# generated topologies of 1k, 10k and 50k VMs and on 50k VMs with 2,000
# NSGs of 200 rules: wall, CPU, peak memory and time per stage
# (scripts/bench.sh; BENCH_RUNS, BENCH_SHAPES).
bench: build
	$(GO) test -run '^$$' -bench . -benchmem $(BENCHFLAGS) ./...
	./scripts/bench.sh ./nsgsim

# Every fuzz target (go test -list 'Fuzz.*' ./...) for FUZZTIME each.
FUZZTIME ?= 30s
fuzz:
	FUZZTIME=$(FUZZTIME) scripts/fuzz.sh

clean:
	rm -f nsgsim
