package opp

import (
	"context"
	"errors"
	"fmt"
	"iter"
)

// ErrPageIgnored is yielded when the provider answers a page request with
// another page: the list could not be walked to its end.
var ErrPageIgnored = errors.New("opp: the provider ignored the page parameter")

// This file is provider-neutral: it knows nothing of OPP and may move to an
// internal package when a second provider pages its lists the same way.

// page is one fetched page of a page-numbered list.
type page[T any] struct {
	items   []T
	hasMore bool
	// current and last are the page numbers the provider reported; 0 when absent.
	current, last int
}

// fetchFunc fetches page number n.
type fetchFunc[T any] func(ctx context.Context, n int) (page[T], error)

// walk returns an iterator over every item of a page-numbered list, from
// page first on, fetching each page only when the caller gets to it. An
// error is yielded once, with the zero T, and ends the walk; so does the
// caller breaking out of the loop.
func walk[T any](ctx context.Context, first int, fetch fetchFunc[T]) iter.Seq2[T, error] {
	if first < 1 {
		first = 1
	}
	return func(yield func(T, error) bool) {
		var zero T
		for n := first; ; n++ {
			if err := ctx.Err(); err != nil {
				yield(zero, err)
				return
			}
			p, err := fetch(ctx, n)
			if err != nil {
				yield(zero, err)
				return
			}
			// A provider that answers with another page than the one asked
			// for ignores the page parameter: going on would loop or repeat
			// items, and stopping quietly would pass a partial list off as
			// whole, so say so.
			if n > first && p.current > 0 && p.current != n {
				yield(zero, fmt.Errorf("%w: asked for page %d, got page %d", ErrPageIgnored, n, p.current))
				return
			}
			for _, item := range p.items {
				if !yield(item, nil) {
					return
				}
			}
			if !p.more(n) {
				return
			}
		}
	}
}

// more decides whether a page after n exists. has_more alone is not
// trusted: providers set it on the last page too, so a reported last page
// ends the walk, as does an empty page.
func (p page[T]) more(n int) bool {
	switch {
	case !p.hasMore, len(p.items) == 0:
		return false
	case p.last > 0 && n >= p.last:
		return false
	}
	return true
}
