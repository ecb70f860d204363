package opp

import (
	"encoding/json"
	"net/http"
	"time"

	gen "github.com/betaalkit/betaalkit/gen/opp"
	"github.com/betaalkit/betaalkit/sandbox/sim"
)

// Orders are created with their transaction; the API retrieves, lists and
// updates them, always with the customer inline as the document shows.

func (s *Server) getOrder(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	o, ok := s.orders[r.PathValue("uid")]
	var out wireOrder
	if ok {
		out = wire(*o)
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, CodeNotFound, "order "+r.PathValue("uid")+" not found")
		return
	}
	sim.WriteJSON(w, http.StatusOK, out)
}

func (s *Server) listOrders(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	env := paginate(r, "/v1/orders", s.orderOrder, func(uid string) wireOrder { return wire(*s.orders[uid]) })
	s.mu.Unlock()
	sim.WriteJSON(w, http.StatusOK, env)
}

// updateOrder changes the fields sent and leaves the others; an empty text
// field counts as not sent, as the client's OrderUpdate documents.
func (s *Server) updateOrder(w http.ResponseWriter, r *http.Request) {
	// The house number may be a number on the wire; the client's model
	// sends text, the sandbox takes both.
	var body struct {
		gen.OrderUpdate
		Housenumber gen.Text `json:"housenumber"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, CodeInvalidRequest, "body: "+err.Error())
		return
	}
	in := body.OrderUpdate
	in.Housenumber = body.Housenumber.String()
	s.mu.Lock()
	o, ok := s.orders[r.PathValue("uid")]
	var out wireOrder
	if ok {
		now := time.Now().UTC()
		if in.Processed != nil {
			o.Processed = *in.Processed
		}
		set(&o.Street, in.Street)
		set(&o.Housenumber, gen.Text(in.Housenumber))
		set(&o.HousenumberAddition, in.HousenumberAddition)
		set(&o.Zipcode, in.Zipcode)
		set(&o.City, in.City)
		set(&o.State, in.State)
		set(&o.Country, in.Country)
		if c := in.Customer; c != (gen.CustomerUpdate{}) {
			cu := &o.Customer.Value
			if cu.UID == "" {
				*cu = gen.Customer{UID: "cus_" + sim.NewID(6), Object: "customer", Created: ts(now)}
			}
			set(&cu.Name.First, c.Name.First)
			set(&cu.Name.Last, c.Name.Last)
			cu.NameFirst, cu.NameLast = cu.Name.First, cu.Name.Last
			set(&cu.Birthdate, c.Birthdate)
			set(&cu.Emailaddress, c.Emailaddress)
			set(&cu.Company, c.Company)
			set(&cu.Phonenumber, gen.Text(c.Phonenumber))
			cu.Updated = ts(now)
		}
		o.Updated = ts(now)
		out = wire(*o)
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, CodeNotFound, "order "+r.PathValue("uid")+" not found")
		return
	}
	sim.WriteJSON(w, http.StatusOK, out)
}

// set replaces *dst with v when v is sent (not empty).
func set[T comparable](dst *T, v T) {
	var zero T
	if v != zero {
		*dst = v
	}
}
