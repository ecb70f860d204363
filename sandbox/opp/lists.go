package opp

import (
	"net/http"
	"strconv"
)

// defaultPerPage is the page size when perpage is left out (the document's
// examples show items_per_page 10).
const defaultPerPage = 10

// list is OPP's list envelope.
type list[T any] struct {
	Livemode       bool   `json:"livemode"`
	Object         string `json:"object"`
	URL            string `json:"url"`
	HasMore        bool   `json:"has_more"`
	TotalItemCount int    `json:"total_item_count"`
	ItemsPerPage   int    `json:"items_per_page"`
	CurrentPage    int    `json:"current_page"`
	LastPage       int    `json:"last_page"`
	Data           []T    `json:"data"`
}

// paginate cuts the page the request asks for (page, perpage; the spec has
// already checked their ranges) out of uids, oldest first so that a walk
// is stable while new objects arrive. has_more is true only before the last
// page, unlike the document's examples. A page past the last is empty.
// The caller holds s.mu while render runs.
func paginate[S, T any](r *http.Request, url string, items []S, render func(S) T) list[T] {
	q := r.URL.Query()
	page, perPage := 1, defaultPerPage
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 0 {
		page = n
	}
	if n, err := strconv.Atoi(q.Get("perpage")); err == nil && n > 0 {
		perPage = n
	}
	total := len(items)
	last := max(1, (total+perPage-1)/perPage)
	out := list[T]{
		Object: "list", URL: url, HasMore: page < last,
		TotalItemCount: total, ItemsPerPage: perPage, CurrentPage: page, LastPage: last,
		Data: []T{},
	}
	// Compare page numbers, not offsets: a huge page must not overflow.
	if page-1 < (total+perPage-1)/perPage {
		from := (page - 1) * perPage
		to := min(from+perPage, total)
		for _, item := range items[from:to] {
			out.Data = append(out.Data, render(item))
		}
	}
	return out
}
