package multisafepay

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	client "github.com/betaalkit/betaalkit/clients/multisafepay"
	"github.com/betaalkit/betaalkit/flex"
	gen "github.com/betaalkit/betaalkit/gen/multisafepay"
	"github.com/betaalkit/betaalkit/sandbox/sim"
)

// storedToken is a customer's stored payment details, and the order that
// stored them (whose timeline shows what happens to the token).
type storedToken struct {
	gen.Token
	order string
}

// sandboxCard is the card the sandbox's customer pays with.
var sandboxCard = struct {
	last4, expiry, bin flex.String
}{"1111", "3012", "411111"}

func isCard(gw string) bool {
	switch gw {
	case client.GatewayVisa, client.GatewayMastercard, client.GatewayAmex, client.GatewayMaestro, client.GatewayCreditCard:
		return true
	}
	return false
}

// tokenizable reports whether a gateway can store a token (MultiSafepay's
// list: cards, iDEAL, SEPA Direct Debit, SOFORT and Bancontact).
func tokenizable(gw string) bool {
	switch gw {
	case client.GatewayIDEAL, client.GatewayDirectDebit, client.GatewaySofort, client.GatewayBancontact:
		return true
	}
	return isCard(gw)
}

// storeToken keeps a completed order's payment details under its customer
// reference. Call it with the lock held.
func (s *Server) storeToken(o *order, paid gen.PaymentDetails) gen.Token {
	t := gen.Token{Token: sim.NewID(11), Code: paid.Type, NameHolder: paid.AccountHolderName, Model: o.model}
	if isCard(paid.Type) {
		t.Display = "Card xxxx xxxx xxxx " + sandboxCard.last4.String()
		t.Bin, t.Last4, t.ExpiryDate = sandboxCard.bin, sandboxCard.last4, sandboxCard.expiry
	} else {
		iban := paid.AccountIban.String()
		t.Display = "Account xxx" + iban[len(iban)-4:]
	}
	s.tokens[o.reference] = append(s.tokens[o.reference], storedToken{Token: t, order: o.id()})
	s.rec.Action(o.id(), "token "+t.Token+" stored for customer "+o.reference)
	return t
}

// findToken returns a customer's token, or with reference "" any
// customer's (an order may charge a token without naming the customer).
func (s *Server) findToken(reference, token string) (*gen.Token, string) {
	if token == "" {
		return nil, ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for ref, list := range s.tokens {
		if reference != "" && ref != reference {
			continue
		}
		for _, t := range list {
			if t.Token.Token == token {
				return &t.Token, t.order
			}
		}
	}
	return nil, ""
}

// listTokens answers a page of a customer's tokens, or MultiSafepay's
// "Not found" when the page is empty.
func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) {
	limit, offset := 10, 0
	if v := r.URL.Query().Get("limit"); v != "" {
		limit, _ = strconv.Atoi(v) // the spec has checked it
	}
	if v := r.URL.Query().Get("offset"); v != "" {
		offset, _ = strconv.Atoi(v)
	}
	s.mu.Lock()
	all := slices.Clone(s.tokens[r.PathValue("reference")])
	s.mu.Unlock()
	if offset >= len(all) {
		writeError(w, http.StatusNotFound, client.CodeUnknown, "Not found")
		return
	}
	page := []gen.Token{}
	for _, t := range all[offset:min(offset+limit, len(all))] {
		page = append(page, t.Token)
	}
	writeData(w, http.StatusOK, gen.TokenList{Tokens: page})
}

func (s *Server) getToken(w http.ResponseWriter, r *http.Request) {
	t, order := s.findToken(r.PathValue("reference"), r.PathValue("token"))
	if t == nil {
		writeError(w, http.StatusNotFound, client.CodeUnknown, "Not found: token")
		return
	}
	sim.Attach(r.Context(), order)
	writeData(w, http.StatusOK, t)
}

func (s *Server) deleteToken(w http.ResponseWriter, r *http.Request) {
	reference, token := r.PathValue("reference"), r.PathValue("token")
	s.mu.Lock()
	list := s.tokens[reference]
	i := slices.IndexFunc(list, func(t storedToken) bool { return t.Token.Token == token })
	var order string
	if i >= 0 {
		order = list[i].order
		s.tokens[reference] = slices.Delete(slices.Clone(list), i, i+1)
	}
	s.mu.Unlock()
	if i < 0 {
		writeError(w, http.StatusNotFound, client.CodeUnknown, "Token not removed: no token "+strings.TrimSpace(token)+" for customer "+reference)
		return
	}
	sim.Attach(r.Context(), order)
	s.rec.Action(order, "token "+token+" deleted")
	writeData(w, http.StatusOK, gen.TokenDeleted{Removed: true})
}
