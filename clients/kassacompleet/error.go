package kassacompleet

import (
	"fmt"

	gen "github.com/betaalkit/betaalkit/gen/kassacompleet"
	"github.com/betaalkit/betaalkit/internal/apiclient"
)

// Error is an answer from Kassa Compleet other than success: the error
// envelope {"error": {"status", "type", "value"}} when there is one, and the
// raw body always (an HTML 502 from a proxy included).
type Error struct {
	StatusCode int
	// Type and Value come from the error envelope ("", when the body had none).
	Type  string
	Value string
	// Status is the envelope's own status field, which may be missing.
	Status  string
	RawBody []byte
}

func (e *Error) Error() string {
	if e.Type != "" || e.Value != "" {
		return fmt.Sprintf("kassacompleet: HTTP %d: %s: %s", e.StatusCode, e.Type, e.Value)
	}
	return fmt.Sprintf("kassacompleet: HTTP %d: %s", e.StatusCode, apiclient.Snippet(e.RawBody))
}

func toError(r *apiclient.Response) error {
	e := &Error{StatusCode: r.StatusCode, RawBody: r.Body}
	if env := apiclient.DecodeErrorBody[gen.ErrorResponse](r); env != nil {
		e.Type, e.Value = env.Error.Type, env.Error.Value
		if env.Error.Status != nil {
			e.Status = env.Error.Status.String()
		}
	}
	return e
}
