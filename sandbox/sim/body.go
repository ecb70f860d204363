package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// MaxBody bounds a request body a simulator reads: the providers' largest
// requests are a few KiB.
const MaxBody = 1 << 20

// ReadBody is the one place a simulator reads a request's body, before
// anything else looks at it (authentication, spec validation, the
// handler). It refuses a body larger than MaxBody with 413 before reading
// it whole (by its Content-Length when it gives one, else after MaxBody
// bytes), and a JSON body followed by anything but white space
// (`{…}}{x`) with 400; a body that is not JSON at all is left to the spec
// validation to describe. On success it returns the body, and r.Body reads
// the same bytes again for every reader after it. On failure it returns the
// status to answer with and why, for the simulator to write in its
// provider's error format.
func ReadBody(w http.ResponseWriter, r *http.Request) (body []byte, status int, err error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, 0, nil
	}
	if r.ContentLength > MaxBody {
		return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("body: %d bytes, larger than %d", r.ContentLength, MaxBody)
	}
	body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	_ = r.Body.Close()
	if err != nil {
		if errors.As(err, new(*http.MaxBytesError)) {
			return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("body: larger than %d bytes", MaxBody)
		}
		return nil, http.StatusBadRequest, fmt.Errorf("body: unreadable: %v", err)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	if isJSON(r) {
		if err := OneJSONValue(body); err != nil {
			return nil, http.StatusBadRequest, err
		}
	}
	return body, 0, nil
}

// isJSON reports a body to be read as JSON: anything but a form (the APIs
// take JSON; iDEAL 2.0's token request is the one form).
func isJSON(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt != "application/x-www-form-urlencoded" && !strings.HasPrefix(mt, "multipart/")
}

// OneJSONValue refuses a body that holds a JSON value followed by anything
// but white space. A body that does not start with a whole JSON value is
// not refused here: the spec validation says what is wrong with it.
func OneJSONValue(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	var v json.RawMessage
	if dec.Decode(&v) != nil {
		return nil
	}
	if rest := bytes.TrimLeft(body[dec.InputOffset():], " \t\r\n"); len(rest) > 0 {
		return fmt.Errorf("body: unexpected data after the JSON value at byte %d", len(body)-len(rest))
	}
	return nil
}
