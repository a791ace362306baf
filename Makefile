# nsgsim: a thin alias layer; `go test ./...` stays the truth.

GO ?= go

.PHONY: build test bench fuzz clean

build:
	$(GO) build -o nsgsim ./cmd/nsgsim

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
