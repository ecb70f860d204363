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
	var out *gen.Order
	if ok {
		out = cloneOrder(o)
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
	env := paginate(r, "/v1/orders", s.orderOrder, func(uid string) *gen.Order { return cloneOrder(s.orders[uid]) })
	s.mu.Unlock()
	sim.WriteJSON(w, http.StatusOK, env)
}

// updateOrder changes the fields sent and leaves the others. Fields get new
// pointers rather than new values behind old ones: rendered copies share them.
func (s *Server) updateOrder(w http.ResponseWriter, r *http.Request) {
	var in gen.OrderUpdate
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, CodeInvalidRequest, "body: "+err.Error())
		return
	}
	s.mu.Lock()
	o, ok := s.orders[r.PathValue("uid")]
	var out *gen.Order
	if ok {
		now := time.Now().UTC()
		set(&o.Processed, in.Processed)
		set(&o.Street, in.Street)
		set(&o.Housenumber, in.Housenumber)
		set(&o.HousenumberAddition, in.HousenumberAddition)
		set(&o.Zipcode, in.Zipcode)
		set(&o.City, in.City)
		set(&o.State, in.State)
		set(&o.Country, in.Country)
		if c := in.Customer; c != nil {
			cu := cloneOrder(o).Customer
			if cu == nil || cu.UID == nil {
				cu = &gen.Customer{UID: ptr("cus_" + sim.NewID(6)), Object: ptr("customer"), Created: ts(now)}
			}
			if c.Name != nil {
				name := gen.CustomerName{}
				if cu.Name != nil {
					name = *cu.Name
				}
				set(&name.First, c.Name.First)
				set(&name.Last, c.Name.Last)
				cu.Name, cu.NameFirst, cu.NameLast = &name, name.First, name.Last
			}
			set(&cu.Birthdate, c.Birthdate)
			set(&cu.Emailaddress, c.Emailaddress)
			set(&cu.Company, c.Company)
			if c.Phonenumber != nil {
				cu.Phonenumber = ptr(gen.Text(*c.Phonenumber))
			}
			cu.Updated = ts(now)
			o.Customer = cu
		}
		o.Updated = ts(now)
		out = cloneOrder(o)
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, CodeNotFound, "order "+r.PathValue("uid")+" not found")
		return
	}
	sim.WriteJSON(w, http.StatusOK, out)
}

// set replaces *dst with a fresh copy of *v when v is sent.
func set[T any](dst **T, v *T) {
	if v != nil {
		c := *v
		*dst = &c
	}
}
