// Package perf holds the side-by-side benchmarks behind `make bench`: each
// figure pairs our code with a hand-written baseline measured in the same
// run (P1 a typical call through each provider's client against raw
// net/http + encoding/json over one shared keep-alive transport, P2 Buckaroo
// HMAC signing against the bare MD5/HMAC/base64 primitives, P3 iDEAL 2.0
// signing and verification against bare RSA, P4 the throughput of every
// stateful sandbox), so that internal/cmd/benchtable can print ratios that
// do not depend on the machine; the …/paired leaves alternate ours and the
// baseline call by call, so that load from other processes falls on both
// alike. The package has no non-test code; P5, the wall time of
// `go generate ./...`, is measured by benchtable itself.
package perf
