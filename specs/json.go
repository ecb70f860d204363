package specs

import (
	"bytes"
	"encoding/json"
)

// jsonDecoder keeps numbers exact (json.Number), as kin-openapi accepts them.
func jsonDecoder(body []byte) *json.Decoder {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	return dec
}
