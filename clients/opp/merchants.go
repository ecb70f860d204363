package opp

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/betaalkit/betaalkit"
	gen "github.com/betaalkit/betaalkit/gen/opp"
	"github.com/betaalkit/betaalkit/internal/apiclient"
)

// OPP is a marketplace platform: every transaction pays a merchant, and a
// merchant is paid out once OPP's compliance requirements are met (a
// verified bank account first). These calls onboard and manage merchants.

// CreateMerchant creates a consumer or business merchant (POST /merchants).
// It starts pending; send it to Compliance.OverviewURL, or add a bank
// account (CreateBankAccount) and send it to that account's
// VerificationURL. Before sending, it checks what OPP requires: country
// (three letters), emailaddress and notify_url, and coc_nr for a business
// (*betaalkit.FieldError on the field, nothing sent).
func (c *Client) CreateMerchant(ctx context.Context, m MerchantCreate) (*Merchant, error) {
	call := apiclient.Call{Provider: provider, Op: "create merchant"}
	if err := validateMerchant(m); err != nil {
		return nil, call.Wrap(err)
	}
	r, err := call.Read(c.api.CreateMerchant(ctx, m))
	if err != nil {
		return nil, err
	}
	return apiclient.Expect[Merchant](r, toError, okStatus...)
}

// GetMerchant retrieves a merchant (GET /merchants/{uid}), with its status
// and the compliance requirements it has yet to meet.
func (c *Client) GetMerchant(ctx context.Context, uid string) (*Merchant, error) {
	call := apiclient.Call{Provider: provider, Op: "get merchant"}
	if err := validateUID("uid", uid); err != nil {
		return nil, call.Wrap(err)
	}
	r, err := call.Read(c.api.GetMerchant(ctx, uid))
	if err != nil {
		return nil, err
	}
	return apiclient.Expect[Merchant](r, toError, http.StatusOK)
}

// ListMerchants fetches one page of merchants (GET /merchants); Merchants
// walks them all.
func (c *Client) ListMerchants(ctx context.Context, p ListParams) (*MerchantList, error) {
	call := apiclient.Call{Provider: provider, Op: "list merchants"}
	if err := p.validate(); err != nil {
		return nil, call.Wrap(err)
	}
	params := &gen.ListMerchantsParams{Page: p.Page, Perpage: p.PerPage}
	r, err := call.Read(c.api.ListMerchants(ctx, params))
	if err != nil {
		return nil, err
	}
	return apiclient.Expect[MerchantList](r, toError, http.StatusOK)
}

// UpdateMerchant changes the fields set in update (POST /merchants/{uid});
// the others stay unchanged. Status suspends a merchant
// (MerchantUpdateStatusSuspended) or ends it for good
// (MerchantUpdateStatusTerminated).
func (c *Client) UpdateMerchant(ctx context.Context, uid string, update MerchantUpdate) (*Merchant, error) {
	call := apiclient.Call{Provider: provider, Op: "update merchant"}
	if err := validateUID("uid", uid); err != nil {
		return nil, call.Wrap(err)
	}
	if update.Status != "" && !update.Status.Valid() {
		return nil, call.Wrap(&betaalkit.FieldError{Field: "status", Reason: fmt.Sprintf("%q is not suspended or terminated", clip(string(update.Status)))})
	}
	r, err := call.Read(c.api.UpdateMerchant(ctx, uid, update))
	if err != nil {
		return nil, err
	}
	return apiclient.Expect[Merchant](r, toError, http.StatusOK)
}

// CreateBankAccount adds a bank account to a merchant (POST
// /merchants/{uid}/bank_accounts). It starts new: send the merchant to its
// VerificationURL, after which OPP approves (or disapproves) it and posts
// bank_account.status.changed to NotifyURL. ReturnURL is required.
func (c *Client) CreateBankAccount(ctx context.Context, merchantUID string, account BankAccountCreate) (*BankAccount, error) {
	call := apiclient.Call{Provider: provider, Op: "create bank account"}
	if err := validateUID("merchant_uid", merchantUID); err != nil {
		return nil, call.Wrap(err)
	}
	if strings.TrimSpace(account.ReturnURL) == "" {
		return nil, call.Wrap(&betaalkit.FieldError{Field: "return_url", Reason: "is empty; OPP sends the merchant back there after the verification"})
	}
	r, err := call.Read(c.api.CreateBankAccount(ctx, merchantUID, account))
	if err != nil {
		return nil, err
	}
	return apiclient.Expect[BankAccount](r, toError, okStatus...)
}

// ListBankAccounts fetches one page of a merchant's bank accounts (GET
// /merchants/{uid}/bank_accounts); BankAccounts walks them all.
func (c *Client) ListBankAccounts(ctx context.Context, merchantUID string, p ListParams) (*BankAccountList, error) {
	call := apiclient.Call{Provider: provider, Op: "list bank accounts"}
	if err := validateUID("merchant_uid", merchantUID); err != nil {
		return nil, call.Wrap(err)
	}
	if err := p.validate(); err != nil {
		return nil, call.Wrap(err)
	}
	params := &gen.ListBankAccountsParams{Page: p.Page, Perpage: p.PerPage}
	r, err := call.Read(c.api.ListBankAccounts(ctx, merchantUID, params))
	if err != nil {
		return nil, err
	}
	return apiclient.Expect[BankAccountList](r, toError, http.StatusOK)
}

// GetBankAccount retrieves one of a merchant's bank accounts (GET
// /merchants/{uid}/bank_accounts/{bank_account_uid}).
func (c *Client) GetBankAccount(ctx context.Context, merchantUID, bankAccountUID string) (*BankAccount, error) {
	call := apiclient.Call{Provider: provider, Op: "get bank account"}
	if err := validateUID("merchant_uid", merchantUID); err != nil {
		return nil, call.Wrap(err)
	}
	if err := validateUID("bank_account_uid", bankAccountUID); err != nil {
		return nil, call.Wrap(err)
	}
	r, err := call.Read(c.api.GetBankAccount(ctx, merchantUID, bankAccountUID))
	if err != nil {
		return nil, err
	}
	return apiclient.Expect[BankAccount](r, toError, http.StatusOK)
}

// APIStatus asks whether OPP's API is online (GET /status). OPP serves it at
// the host's root, outside /v1: the client sends it to its base URL
// without a trailing /v1.
func (c *Client) APIStatus(ctx context.Context) (*APIStatus, error) {
	call := apiclient.Call{Provider: provider, Op: "api status"}
	r, err := call.Read(c.root.GetStatus(ctx))
	if err != nil {
		return nil, err
	}
	return apiclient.Expect[APIStatus](r, toError, http.StatusOK)
}

// validateMerchant checks what OPP requires of a new merchant.
func validateMerchant(m MerchantCreate) error {
	if m.Type != "" && !m.Type.Valid() {
		return &betaalkit.FieldError{Field: "type", Reason: fmt.Sprintf("%q is not consumer or business", clip(string(m.Type)))}
	}
	if !isAlpha3(m.Country) {
		return &betaalkit.FieldError{Field: "country", Reason: fmt.Sprintf("%q is not a three-letter country code such as nld", clip(m.Country))}
	}
	if strings.TrimSpace(m.Emailaddress) == "" {
		return &betaalkit.FieldError{Field: "emailaddress", Reason: "is empty"}
	}
	if strings.TrimSpace(m.NotifyURL) == "" {
		return &betaalkit.FieldError{Field: "notify_url", Reason: "is empty; OPP posts the merchant's status changes there"}
	}
	if m.Type == MerchantTypeBusiness && strings.TrimSpace(m.CocNr) == "" {
		return &betaalkit.FieldError{Field: "coc_nr", Reason: "is required for a business merchant"}
	}
	return nil
}
