package multisafepay

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMayBeUnsuccessful(t *testing.T) {
	for body, want := range map[string]bool{
		`{"success":true,"data":{}}`:                         false,
		`{"success":false,"data":{}}`:                        true,
		"{\"data\":{},\"success\" :\n\tfalse}":               true,
		`{"data":{"description":"success"},"success":false}`: true,
		`{"data":{"description":"success"},"success":true}`:  false,
		`{"data":{"note":"\"success\": false"}}`:             true, // a false alarm; decoding decides
		`{"success"`:                                         false,
		``:                                                   false,
	} {
		assert.Equal(t, want, mayBeUnsuccessful([]byte(body)), body)
	}
}

// FuzzMayBeUnsuccessful: the scan never misses a body whose success is false.
func FuzzMayBeUnsuccessful(f *testing.F) {
	f.Add([]byte(`{"success":false}`))
	f.Add([]byte(`{"success" : true, "data": []}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var head struct {
			Success *bool `json:"success"`
		}
		if json.Unmarshal(body, &head) == nil && head.Success != nil && !*head.Success && !mayBeUnsuccessful(body) {
			t.Fatalf("missed success=false in %q", body)
		}
	})
}
