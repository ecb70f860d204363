package opp

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The walker is provider-neutral: any item type and any page source.
func TestWalkIsGeneric(t *testing.T) {
	pages := map[int][]string{1: {"a", "b"}, 2: {"c"}, 3: {"d"}}
	var asked []int
	fetch := func(_ context.Context, n int) (page[string], error) {
		asked = append(asked, n)
		return page[string]{items: pages[n], hasMore: n < 3, current: n, last: 3}, nil
	}
	var got []string
	for s, err := range walk(context.Background(), 0, fetch) {
		require.NoError(t, err)
		got = append(got, s)
	}
	assert.Equal(t, []string{"a", "b", "c", "d"}, got)
	assert.Equal(t, []int{1, 2, 3}, asked)
}

func TestWalkError(t *testing.T) {
	boom := errors.New("boom")
	calls := 0
	for _, err := range walk(context.Background(), 1, func(context.Context, int) (page[int], error) {
		calls++
		return page[int]{}, boom
	}) {
		assert.ErrorIs(t, err, boom)
	}
	assert.Equal(t, 1, calls)
}

func TestPageMore(t *testing.T) {
	items := []int{1}
	for _, tc := range []struct {
		name string
		p    page[int]
		n    int
		want bool
	}{
		{"has more", page[int]{items: items, hasMore: true, current: 1, last: 3}, 1, true},
		{"no current or last reported", page[int]{items: items, hasMore: true}, 1, true},
		{"has_more false", page[int]{items: items, current: 1, last: 3}, 1, false},
		{"last page despite has_more", page[int]{items: items, hasMore: true, current: 3, last: 3}, 3, false},
		{"empty page", page[int]{hasMore: true, current: 2, last: 3}, 2, false},
	} {
		assert.Equal(t, tc.want, tc.p.more(tc.n), tc.name)
	}
}

// A source that ignores the page number must not make the walk repeat its
// first page or run forever, and must say the list is incomplete.
func TestWalkStopsWhenPageIsIgnored(t *testing.T) {
	calls := 0
	var got []int
	var walkErr error
	for v, err := range walk(context.Background(), 1, func(context.Context, int) (page[int], error) {
		calls++
		return page[int]{items: []int{1, 2}, hasMore: true, current: 1}, nil
	}) {
		if err != nil {
			walkErr = err
			continue
		}
		got = append(got, v)
	}
	assert.Equal(t, []int{1, 2}, got, "page 1 once, no duplicates")
	assert.ErrorIs(t, walkErr, ErrPageIgnored)
	assert.Equal(t, 2, calls)
}

// Starting mid-list is not a mismatch: the first page may be any page.
func TestWalkFromLaterPage(t *testing.T) {
	var got []int
	for v, err := range walk(context.Background(), 5, func(_ context.Context, n int) (page[int], error) {
		return page[int]{items: []int{n}, hasMore: true, current: n, last: 6}, nil
	}) {
		require.NoError(t, err)
		got = append(got, v)
	}
	assert.Equal(t, []int{5, 6}, got)
}
