package opp

import (
	"context"
	"iter"
)

func pageOf[T any](data []T, hasMore bool, current, last int) page[T] {
	return page[T]{items: data, hasMore: hasMore, current: current, last: last}
}

// walkFrom validates the params once, then walks the pages from p.Page.
func walkFrom[T any](ctx context.Context, p ListParams, fetch func(ctx context.Context, p ListParams) (page[T], error)) iter.Seq2[T, error] {
	if err := p.validate(); err != nil {
		return func(yield func(T, error) bool) {
			var zero T
			yield(zero, err)
		}
	}
	return walk(ctx, p.Page, func(ctx context.Context, n int) (page[T], error) {
		p.Page = n
		return fetch(ctx, p)
	})
}

// Transactions iterates over every transaction, page after page, from
// p.Page (the first page when 0):
//
//	for tx, err := range c.Transactions(ctx, opp.TransactionListParams{}) {
//		if err != nil { return err }
//		...
//	}
func (c *Client) Transactions(ctx context.Context, p TransactionListParams) iter.Seq2[Transaction, error] {
	return walkFrom(ctx, p.ListParams, func(ctx context.Context, lp ListParams) (page[Transaction], error) {
		l, err := c.ListTransactions(ctx, TransactionListParams{ListParams: lp, Expand: p.Expand})
		if err != nil {
			return page[Transaction]{}, err
		}
		return pageOf(l.Data, l.HasMore, l.CurrentPage, l.LastPage), nil
	})
}

// Refunds iterates over every refund of a transaction.
func (c *Client) Refunds(ctx context.Context, transactionUID string, p ListParams) iter.Seq2[Refund, error] {
	return walkFrom(ctx, p, func(ctx context.Context, lp ListParams) (page[Refund], error) {
		l, err := c.ListRefunds(ctx, transactionUID, lp)
		if err != nil {
			return page[Refund]{}, err
		}
		return pageOf(l.Data, l.HasMore, l.CurrentPage, l.LastPage), nil
	})
}

// Orders iterates over every order.
func (c *Client) Orders(ctx context.Context, p ListParams) iter.Seq2[Order, error] {
	return walkFrom(ctx, p, func(ctx context.Context, lp ListParams) (page[Order], error) {
		l, err := c.ListOrders(ctx, lp)
		if err != nil {
			return page[Order]{}, err
		}
		return pageOf(l.Data, l.HasMore, l.CurrentPage, l.LastPage), nil
	})
}

// DiscountCodes iterates over every single discount code.
func (c *Client) DiscountCodes(ctx context.Context, p ListParams) iter.Seq2[DiscountCode, error] {
	return walkFrom(ctx, p, func(ctx context.Context, lp ListParams) (page[DiscountCode], error) {
		l, err := c.ListDiscountCodes(ctx, lp)
		if err != nil {
			return page[DiscountCode]{}, err
		}
		return pageOf(l.Data, l.HasMore, l.CurrentPage, l.LastPage), nil
	})
}

// DiscountBatches iterates over every discount batch.
func (c *Client) DiscountBatches(ctx context.Context, p ListParams) iter.Seq2[DiscountBatch, error] {
	return walkFrom(ctx, p, func(ctx context.Context, lp ListParams) (page[DiscountBatch], error) {
		l, err := c.ListDiscountBatches(ctx, lp)
		if err != nil {
			return page[DiscountBatch]{}, err
		}
		return pageOf(l.Data, l.HasMore, l.CurrentPage, l.LastPage), nil
	})
}

// Merchants iterates over every merchant.
func (c *Client) Merchants(ctx context.Context, p ListParams) iter.Seq2[Merchant, error] {
	return walkFrom(ctx, p, func(ctx context.Context, lp ListParams) (page[Merchant], error) {
		l, err := c.ListMerchants(ctx, lp)
		if err != nil {
			return page[Merchant]{}, err
		}
		return pageOf(l.Data, l.HasMore, l.CurrentPage, l.LastPage), nil
	})
}

// BankAccounts iterates over every bank account of a merchant.
func (c *Client) BankAccounts(ctx context.Context, merchantUID string, p ListParams) iter.Seq2[BankAccount, error] {
	return walkFrom(ctx, p, func(ctx context.Context, lp ListParams) (page[BankAccount], error) {
		l, err := c.ListBankAccounts(ctx, merchantUID, lp)
		if err != nil {
			return page[BankAccount]{}, err
		}
		return pageOf(l.Data, l.HasMore, l.CurrentPage, l.LastPage), nil
	})
}
