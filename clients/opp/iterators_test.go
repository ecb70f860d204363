package opp_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/clients/opp"
)

// pagedServer serves `pages` pages of two items each under path. hasMore
// and reportPage decide what each page claims; lastPage is reported as is.
func pagedServer(t *testing.T, path, prefix, object string, pages, lastPage int, hasMore func(n int) bool, reportPage func(n int) int) *server {
	return newServer(t, func(r *http.Request) (int, string) {
		if r.URL.Path != path {
			return http.StatusNotFound, `{"error":{"code":404,"message":"no such path"}}`
		}
		n, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if n < 1 {
			n = 1
		}
		var items []string
		if n <= pages {
			for i := 1; i <= 2; i++ {
				items = append(items, fmt.Sprintf(`{"uid":"%s_%d_%d","object":%q,"amount":"%d"}`, prefix, n, i, object, n*100+i))
			}
		}
		return http.StatusOK, fmt.Sprintf(`{"livemode":false,"object":"list","url":%q,"has_more":%t,"total_item_count":%d,"items_per_page":2,"current_page":%d,"last_page":%d,"data":[%s]}`,
			path, hasMore(n), pages*2, reportPage(n), lastPage, strings.Join(items, ","))
	})
}

func same(n int) int { return n }

func TestIteratorWalksThreePagesAndStops(t *testing.T) {
	s := pagedServer(t, "/v1/transactions", "tra", "transaction", 3, 3, func(n int) bool { return n < 3 }, same)
	var uids []string
	for tx, err := range s.client(t).Transactions(context.Background(), opp.TransactionListParams{
		ListParams: opp.ListParams{PerPage: 2},
		Expand:     []opp.Expand{opp.ExpandStatuses},
	}) {
		require.NoError(t, err)
		uids = append(uids, tx.UID)
	}
	assert.Equal(t, []string{"tra_1_1", "tra_1_2", "tra_2_1", "tra_2_2", "tra_3_1", "tra_3_2"}, uids)
	reqs := s.all()
	require.Len(t, reqs, 3, "one request per page, none after the last")
	for i, r := range reqs {
		assert.Equal(t, strconv.Itoa(i+1), r.query.Get("page"))
		assert.Equal(t, "2", r.query.Get("perpage"), "perpage is kept on every page")
		assert.Equal(t, []string{"statuses"}, r.query["expand[]"], "expand is kept on every page")
	}
}

// The document's own lists say has_more: true on their last page
// (current_page = last_page); last_page wins.
func TestIteratorStopsAtLastPageDespiteHasMore(t *testing.T) {
	s := pagedServer(t, "/v1/orders", "ord", "order", 3, 3, func(int) bool { return true }, same)
	n := 0
	for _, err := range s.client(t).Orders(context.Background(), opp.ListParams{}) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 6, n)
	assert.Len(t, s.all(), 3)
}

func TestIteratorStopsWhenHasMoreIsFalse(t *testing.T) {
	// last_page claims 26 but has_more says this is the end.
	s := pagedServer(t, "/v1/discountcodes", "dis", "discount_code", 26, 26, func(n int) bool { return n < 2 }, same)
	n := 0
	for _, err := range s.client(t).DiscountCodes(context.Background(), opp.ListParams{}) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 4, n)
	assert.Len(t, s.all(), 2)
}

func TestIteratorStopsWhenPageIsIgnored(t *testing.T) {
	// A server that always answers page 1 with has_more must not loop forever.
	s := pagedServer(t, "/v1/discountbatches", "dcb", "discount_batch", 50, 0, func(int) bool { return true }, func(int) int { return 1 })
	n := 0
	var walkErr error
	for _, err := range s.client(t).DiscountBatches(context.Background(), opp.ListParams{}) {
		if err != nil {
			walkErr = err
			continue
		}
		n++
	}
	assert.Equal(t, 2, n, "the items of page 1 once, no duplicates")
	assert.ErrorIs(t, walkErr, opp.ErrPageIgnored, "a partial list is not passed off as whole")
	assert.Len(t, s.all(), 2)
}

func TestIteratorStopsOnEmptyPage(t *testing.T) {
	s := pagedServer(t, "/v1/transactions/tra_1/refunds", "ref", "refund", 1, 0, func(int) bool { return true }, same)
	n := 0
	for r, err := range s.client(t).Refunds(context.Background(), "tra_1", opp.ListParams{}) {
		require.NoError(t, err)
		assert.Equal(t, "refund", r.Object)
		n++
	}
	assert.Equal(t, 2, n)
	assert.Len(t, s.all(), 2, "page 2 is empty: stop")
}

func TestIteratorStartsAtPage(t *testing.T) {
	s := pagedServer(t, "/v1/transactions", "tra", "transaction", 3, 3, func(n int) bool { return n < 3 }, same)
	var uids []string
	for tx, err := range s.client(t).Transactions(context.Background(), opp.TransactionListParams{ListParams: opp.ListParams{Page: 2}}) {
		require.NoError(t, err)
		uids = append(uids, tx.UID)
	}
	assert.Equal(t, []string{"tra_2_1", "tra_2_2", "tra_3_1", "tra_3_2"}, uids)
}

func TestIteratorBreakFetchesNoMore(t *testing.T) {
	s := pagedServer(t, "/v1/transactions", "tra", "transaction", 3, 3, func(n int) bool { return n < 3 }, same)
	for tx, err := range s.client(t).Transactions(context.Background(), opp.TransactionListParams{}) {
		require.NoError(t, err)
		if tx.UID == "tra_1_2" {
			break
		}
	}
	assert.Len(t, s.all(), 1)
}

func TestIteratorYieldsErrorOnceAndStops(t *testing.T) {
	s := newServer(t, func(r *http.Request) (int, string) {
		if r.URL.Query().Get("page") == "2" {
			return http.StatusConflict, `{"error":{"code":409,"message":"Concurrent request"}}`
		}
		return http.StatusOK, `{"object":"list","has_more":true,"current_page":1,"last_page":3,"data":[{"uid":"tra_1","object":"transaction"}]}`
	})
	var uids []string
	var errs []error
	for tx, err := range s.client(t).Transactions(context.Background(), opp.TransactionListParams{}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		uids = append(uids, tx.UID)
	}
	assert.Equal(t, []string{"tra_1"}, uids)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], opp.ErrConcurrentRequest)
	assert.Len(t, s.all(), 4, "page 1, then page 2 in three attempts (409 is retried for a GET)")
}

func TestIteratorInvalidParams(t *testing.T) {
	s := fixed(t, http.StatusOK, `{}`)
	var errs []error
	for _, err := range s.client(t).Orders(context.Background(), opp.ListParams{PerPage: 500}) {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0].Error(), "perpage")
	assert.Zero(t, s.hits.Load())
}

func TestIteratorHonoursContext(t *testing.T) {
	s := pagedServer(t, "/v1/orders", "ord", "order", 3, 3, func(n int) bool { return n < 3 }, same)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var err error
	n := 0
	for _, e := range s.client(t).Orders(ctx, opp.ListParams{}) {
		if e != nil {
			err = e
			break
		}
		n++
		cancel() // the next page is never requested
	}
	assert.True(t, errors.Is(err, context.Canceled), "got %v", err)
	assert.Equal(t, 2, n)
	assert.Len(t, s.all(), 1)
}

// Merchants and a merchant's bank accounts page like transactions, and
// catch a server that ignores the page parameter the same way.
func TestMerchantAndBankAccountIterators(t *testing.T) {
	s := pagedServer(t, "/v1/merchants", "mer", "merchant", 2, 2, func(n int) bool { return n < 2 }, same)
	var uids []string
	for m, err := range s.client(t).Merchants(context.Background(), opp.ListParams{PerPage: 2}) {
		require.NoError(t, err)
		uids = append(uids, m.UID)
	}
	assert.Equal(t, []string{"mer_1_1", "mer_1_2", "mer_2_1", "mer_2_2"}, uids)

	s = pagedServer(t, "/v1/merchants/mer_1/bank_accounts", "bnk", "bank_account", 50, 0, func(int) bool { return true }, func(int) int { return 1 })
	n := 0
	var walkErr error
	for _, err := range s.client(t).BankAccounts(context.Background(), "mer_1", opp.ListParams{}) {
		if err != nil {
			walkErr = err
			continue
		}
		n++
	}
	assert.Equal(t, 2, n)
	assert.ErrorIs(t, walkErr, opp.ErrPageIgnored)
}
