# hanok: Kubernetes in one binary.
GO        ?= go
BIN       := bin/hanok
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo v0.1.0-dev)
COMMIT    ?= $(shell git rev-parse HEAD 2>/dev/null)
BUILDDATE ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
PKG       := github.com/hanok-dev/hanok/internal/version
LDFLAGS   := -s -w -X $(PKG).Version=$(VERSION) -X $(PKG).Commit=$(COMMIT) -X $(PKG).BuildDate=$(BUILDDATE)
# Unit tests get a per-package timeout; e2e drives the built binary.
UNIT_TIMEOUT ?= 10m
E2E_TIMEOUT  ?= 20m

# The bundle's manifest is written last by scripts/build-bundle.sh; variables
# used in rule lines must be defined before them.
BUNDLE        := internal/bundle/assets/manifest.json
BUNDLE_INPUTS := go.mod go.sum scripts/build-bundle.sh \
	$(shell find internal/bundle/pause internal/bundle/manifest internal/bundle/mkbundle internal/imagebuild -name '*.go' -not -name '*_test.go' 2>/dev/null)

.PHONY: all build test unit e2e bench fuzz vet clean bundle bundle-clean

all: build

build: $(BIN)

$(BIN): $(shell find . -name '*.go' -not -path './test/*') go.mod go.sum $(BUNDLE)
	@mkdir -p bin
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) .

# The bundle embedded in hanok (internal/bundle): runc, the CNI plugins and
# the pause image, built before hanok. The script skips the work (about a
# second) when its inputs are unchanged, and always touches the manifest so
# make stops asking.
$(BUNDLE): $(BUNDLE_INPUTS)
	GO=$(GO) scripts/build-bundle.sh

bundle:
	GO=$(GO) scripts/build-bundle.sh

bundle-clean:
	find internal/bundle/assets -mindepth 1 -not -name README -exec rm -rf {} +

# The README's test command: unit tests, then the end-to-end tests against
# the built binary and real kubectl.
test: unit e2e

unit: $(BUNDLE)
	$(GO) vet ./...
	$(GO) test -timeout $(UNIT_TIMEOUT) ./internal/...

e2e: $(BIN)
	HANOK_BIN=$(CURDIR)/$(BIN) $(GO) test -count=1 -timeout $(E2E_TIMEOUT) -v ./test/e2e/...

# Benchmarks print figures; targets are read from them, never asserted.
bench: $(BIN)
	$(GO) test -run '^$$' -bench . -benchmem ./internal/apiserver/... ./internal/controlplane/... ./internal/scheduler/...
	HANOK_BIN=$(CURDIR)/$(BIN) $(GO) run ./test/bench/apiserver
	HANOK_BIN=$(CURDIR)/$(BIN) $(GO) run ./test/bench/scheduler --nodes 100 --pods 1000
	$(GO) test -run '^$$' -bench . ./internal/proxy/... ./internal/dns/...
	HANOK_BIN=$(CURDIR)/$(BIN) scripts/bench-node.sh
	HANOK_BIN=$(CURDIR)/$(BIN) HANOK_BENCH_NET=1 $(GO) test -count=1 -v -run TestMultiNodeThroughput ./test/e2e/

# A short run of every fuzz target (go test -fuzz runs one target at a time).
FUZZTIME ?= 30s
fuzz:
	scripts/fuzz.sh $(FUZZTIME)

vet:
	$(GO) vet ./...

clean:
	rm -rf bin
