# nsgsim: a thin alias layer; `go test ./...` stays the truth.

GO ?= go

.PHONY: build test bench fuzz clean

build:
	$(GO) build -o nsgsim ./cmd/nsgsim

test:
	$(GO) vet ./...
	$(GO) test ./...

# bench runs the Go benchmarks, then times `nsgsim simulate` end to end on
# generated topologies of 1k, 10k and 50k VMs (scripts/bench.sh).
bench: build
	$(GO) test -run '^$$' -bench . -benchmem $(BENCHFLAGS) ./...
	./scripts/bench.sh ./nsgsim

# Every fuzz target (go test -list 'Fuzz.*' ./...) for FUZZTIME each.
FUZZTIME ?= 30s
fuzz:
	FUZZTIME=$(FUZZTIME) scripts/fuzz.sh

clean:
	rm -f nsgsim
