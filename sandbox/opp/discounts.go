package opp

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/betaalkit/betaalkit/flex"
	gen "github.com/betaalkit/betaalkit/gen/opp"
	"github.com/betaalkit/betaalkit/sandbox/sim"
)

// Discount codes and batches are plain in-memory CRUD. A batch's codes are
// ready at once (download_url serves them as CSV); the notification OPP posts
// when a batch is done has no documented type, so none is sent.

// checkDiscount applies the document's rules the spec cannot express.
func checkDiscount(discountType gen.DiscountType, amount int) error {
	if discountType == gen.DiscountTypePercentage && amount > 100 {
		return fmt.Errorf("amount: a percentage is 1 to 100, got %d", amount)
	}
	return nil
}

func (s *Server) createDiscountCode(w http.ResponseWriter, r *http.Request) {
	var in gen.DiscountCodeCreate
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, CodeInvalidRequest, "body: "+err.Error())
		return
	}
	// The table requires valid_from; the document's example sends date_started.
	from := firstTime(in.ValidFrom, in.DateStarted)
	if from.IsZero() {
		writeError(w, http.StatusBadRequest, CodeInvalidRequest, "Missing required valid_from")
		return
	}
	if err := checkDiscount(in.DiscountType, in.Amount); err != nil {
		writeError(w, http.StatusBadRequest, CodeInvalidRequest, err.Error())
		return
	}
	now := time.Now().UTC()
	code := &gen.DiscountCode{
		Object: "discount_code", Created: ts(now), Updated: ts(now),
		ValidFrom: from, ValidUntill: firstTime(in.ValidUntill, in.ValidUntil),
		Code: in.Code, CodeType: in.CodeType, CodeLimit: flex.Int(in.CodeLimit),
		Amount: flex.Int(in.Amount), DiscountType: in.DiscountType, AmountMinimum: in.MinimalAmount,
	}
	s.mu.Lock()
	for _, c := range s.codes {
		if strings.EqualFold(c.Code, in.Code) {
			s.mu.Unlock()
			writeError(w, http.StatusPaymentRequired, CodeDuplicateCode, fmt.Sprintf("code: discount code %q already exists", in.Code))
			return
		}
	}
	code.UID = newUID("dis", s.codes)
	s.codes[code.UID] = code
	s.codeOrder = append(s.codeOrder, code.UID)
	out := *code
	s.mu.Unlock()
	sim.WriteJSON(w, http.StatusOK, out)
}

func (s *Server) getDiscountCode(w http.ResponseWriter, r *http.Request) {
	getOne(s, w, s.codes, r.PathValue("uid"), "discount code")
}

func (s *Server) deleteDiscountCode(w http.ResponseWriter, r *http.Request) {
	deleteOne(s, w, s.codes, &s.codeOrder, r.PathValue("uid"), "discount code")
}

func (s *Server) listDiscountCodes(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	env := paginate(r, "/v1/discountcodes", s.codeOrder, func(uid string) gen.DiscountCode { return *s.codes[uid] })
	s.mu.Unlock()
	sim.WriteJSON(w, http.StatusOK, env)
}

func (s *Server) createDiscountBatch(w http.ResponseWriter, r *http.Request) {
	var in gen.DiscountBatchCreate
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, CodeInvalidRequest, "body: "+err.Error())
		return
	}
	if err := checkDiscount(in.DiscountType, in.Amount); err != nil {
		writeError(w, http.StatusBadRequest, CodeInvalidRequest, err.Error())
		return
	}
	now := time.Now().UTC()
	b := &gen.DiscountBatch{
		Object: "discount_batch", Created: ts(now), Updated: ts(now),
		ValidFrom: firstTime(in.ValidFrom), ValidUntill: firstTime(in.ValidUntill),
		Quantity: flex.Int(in.Quantity), DiscountType: in.DiscountType,
		Amount: flex.Int(in.Amount), CodeType: in.CodeType, CodeLimit: flex.Int(in.CodeLimit),
		MinimalAmount: in.MinimalAmount, CodePrefix: in.CodePrefix, DownloadType: "csv", NotifyURL: in.NotifyURL,
	}
	s.mu.Lock()
	b.UID = newUID("dcb", s.batches)
	b.DownloadURL = sim.Origin(r) + "/download/" + b.UID
	s.batches[b.UID] = b
	s.batchOrder = append(s.batchOrder, b.UID)
	out := *b
	s.mu.Unlock()
	sim.WriteJSON(w, http.StatusOK, out)
}

func (s *Server) getDiscountBatch(w http.ResponseWriter, r *http.Request) {
	getOne(s, w, s.batches, r.PathValue("uid"), "discount batch")
}

func (s *Server) deleteDiscountBatch(w http.ResponseWriter, r *http.Request) {
	deleteOne(s, w, s.batches, &s.batchOrder, r.PathValue("uid"), "discount batch")
}

func (s *Server) listDiscountBatches(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	env := paginate(r, "/v1/discountbatches", s.batchOrder, func(uid string) gen.DiscountBatch { return *s.batches[uid] })
	s.mu.Unlock()
	sim.WriteJSON(w, http.StatusOK, env)
}

// downloadBatch serves a batch's codes as CSV, one per line. The codes are
// derived from the batch uid, so every download of a batch is the same.
func (s *Server) downloadBatch(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	b, ok := s.batches[r.PathValue("uid")]
	var uid, prefix string
	var n int
	if ok {
		uid, prefix, n = b.UID, b.CodePrefix, int(b.Quantity)
	}
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/csv")
	w.Header().Set("Content-Disposition", `attachment; filename="`+uid+`.csv"`)
	var sb strings.Builder
	sb.WriteString("code\n")
	for i := 1; i <= n; i++ {
		sum := sha256.Sum256(fmt.Appendf(nil, "%s/%d", uid, i))
		// The index keeps codes unique; the hash keeps them unguessable in order.
		fmt.Fprintf(&sb, "%s%06d%s\n", prefix, i, strings.ToUpper(hex.EncodeToString(sum[:2])))
	}
	_, _ = w.Write([]byte(sb.String()))
}

// getOne answers one stored object or OPP's 404.
func getOne[T any](s *Server, w http.ResponseWriter, m map[string]*T, uid, what string) {
	s.mu.Lock()
	v, ok := m[uid]
	var out T
	if ok {
		out = *v
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, CodeNotFound, what+" "+uid+" not found")
		return
	}
	sim.WriteJSON(w, http.StatusOK, out)
}

// deleteOne removes a stored object and answers OPP's deletion receipt.
func deleteOne[T any](s *Server, w http.ResponseWriter, m map[string]*T, order *[]string, uid, what string) {
	s.mu.Lock()
	_, ok := m[uid]
	if ok {
		delete(m, uid)
		*order = slices.DeleteFunc(*order, func(u string) bool { return u == uid })
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, CodeNotFound, what+" "+uid+" not found")
		return
	}
	sim.WriteJSON(w, http.StatusOK, gen.Deleted{UID: uid, Deleted: true})
}

// firstTime is the first moment that is set (unix seconds, 0 when none) as
// a timestamp; an unset one is the zero timestamp, which is left out.
func firstTime(times ...gen.UnixSeconds) gen.Timestamp {
	for _, t := range times {
		if t != 0 {
			return ts(time.Unix(t, 0).UTC())
		}
	}
	return gen.Timestamp{}
}
