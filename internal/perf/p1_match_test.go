package perf

import (
	"bytes"
	"context"
	"testing"
)

// TestP1SameRequests proves each P1 pair compares like with like: every
// variant sends the client's method, target and body bytes (and, for
// static credentials, its exact auth header), every signed variant's
// signature verifies, and every call succeeds.
func TestP1SameRequests(t *testing.T) {
	for _, p := range p1Providers {
		t.Run(p.name, func(t *testing.T) {
			setup := p1Ops(t, p)
			ctx := context.Background()
			for _, op := range setup.ops {
				// Prime every variant (connections, access tokens).
				for _, v := range op.variants {
					if err := v.call(ctx); err != nil {
						t.Fatalf("%s/%s: %v", op.name, v.name, err)
					}
				}
				var ours seen
				for i, v := range op.variants {
					stop := setup.srv.recording()
					err := v.call(ctx)
					got := stop()
					if err != nil {
						t.Fatalf("%s/%s: %v", op.name, v.name, err)
					}
					if len(got) != 1 {
						t.Fatalf("%s/%s: %d requests, want 1", op.name, v.name, len(got))
					}
					if setup.verify != nil {
						if err := setup.verify(got[0]); err != nil {
							t.Errorf("%s/%s: signature: %v", op.name, v.name, err)
						}
					}
					if i == 0 {
						ours = got[0]
						continue
					}
					r := got[0]
					if r.Method != ours.Method || r.Target != ours.Target || !bytes.Equal(r.Body, ours.Body) {
						t.Errorf("%s/%s sends %s %s %q,\n client sends %s %s %q", op.name, v.name, r.Method, r.Target, r.Body, ours.Method, ours.Target, ours.Body)
					}
					for _, name := range []string{"Content-Type", "Accept", "Digest"} {
						if r.Header.Get(name) != ours.Header.Get(name) {
							t.Errorf("%s/%s: %s %q, client %q", op.name, v.name, name, r.Header.Get(name), ours.Header.Get(name))
						}
					}
					if v.sameAuth {
						for _, name := range []string{"Authorization", "Api_key"} {
							if r.Header.Get(name) != ours.Header.Get(name) {
								t.Errorf("%s/%s: %s differs from the client's", op.name, v.name, name)
							}
						}
					}
				}
			}
		})
	}
}
