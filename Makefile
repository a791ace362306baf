# nsgsim: a thin alias layer; `go test ./...` stays the truth.

GO ?= go

.PHONY: build test bench fuzz clean

build:
	$(GO) build -o nsgsim ./cmd/nsgsim

test:
	$(GO) vet ./...
	$(GO) test ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -f nsgsim
