package specs

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// harFile is the part of an HTTP Archive (HAR 1.2) that ReadHAR reads.
type harFile struct {
	Log *struct {
		Entries []struct {
			Request struct {
				Method   string      `json:"method"`
				URL      string      `json:"url"`
				Headers  []harHeader `json:"headers"`
				PostData *struct {
					MimeType string      `json:"mimeType"`
					Text     string      `json:"text"`
					Params   []harHeader `json:"params"`
				} `json:"postData"`
			} `json:"request"`
			Response struct {
				Status  int         `json:"status"`
				Headers []harHeader `json:"headers"`
				Content struct {
					Size     int     `json:"size"`
					Text     *string `json:"text"`
					Encoding string  `json:"encoding"`
				} `json:"content"`
			} `json:"response"`
		} `json:"entries"`
	} `json:"log"`
}

type harHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// IsHAR reports whether data looks like an HTTP Archive (a JSON object
// with a "log").
func IsHAR(data []byte) bool {
	var probe struct {
		Log json.RawMessage `json:"log"`
	}
	return json.Unmarshal(data, &probe) == nil && len(probe.Log) > 0 && probe.Log[0] == '{'
}

// ReadHAR reads the entries of an HTTP Archive (HAR 1.2, as browsers and
// proxies export it) as exchanges, in order; each Target is the entry's
// absolute URL. Bodies kept as base64 are decoded; HTTP/2 pseudo-headers
// (":authority") are dropped, and so is a response's Content-Encoding,
// because a HAR keeps the decoded text. A response whose body was not
// saved (size but no text), or that never came (status 0), is left out:
// only the request is checked.
func ReadHAR(data []byte) ([]Exchange, error) {
	var har harFile
	if err := json.Unmarshal(data, &har); err != nil {
		return nil, fmt.Errorf("specs: not a HAR file: %w", err)
	}
	if har.Log == nil {
		return nil, errors.New(`specs: not a HAR file: no "log"`)
	}
	out := make([]Exchange, 0, len(har.Log.Entries))
	for i, e := range har.Log.Entries {
		ex := Exchange{Method: e.Request.Method, Target: e.Request.URL, RequestHeader: harHeaders(e.Request.Headers)}
		if pd := e.Request.PostData; pd != nil {
			ex.RequestBody = []byte(pd.Text)
			if pd.Text == "" && len(pd.Params) > 0 {
				form := url.Values{}
				for _, p := range pd.Params {
					form.Add(p.Name, p.Value)
				}
				ex.RequestBody = []byte(form.Encode())
			}
			if ex.RequestHeader.Get("Content-Type") == "" && pd.MimeType != "" {
				ex.RequestHeader.Set("Content-Type", pd.MimeType)
			}
		}
		rsp := e.Response
		if rsp.Status != 0 && (rsp.Content.Text != nil || rsp.Content.Size <= 0) {
			ex.Status, ex.ResponseHeader = rsp.Status, harHeaders(rsp.Headers)
			ex.ResponseHeader.Del("Content-Encoding")
			if text := rsp.Content.Text; text != nil {
				ex.ResponseBody = []byte(*text)
				if rsp.Content.Encoding == "base64" {
					body, err := base64.StdEncoding.DecodeString(*text)
					if err != nil {
						return nil, fmt.Errorf("specs: HAR entry %d: response body: %w", i+1, err)
					}
					ex.ResponseBody = body
				}
			}
		}
		out = append(out, ex)
	}
	return out, nil
}

func harHeaders(list []harHeader) http.Header {
	h := http.Header{}
	for _, kv := range list {
		if !strings.HasPrefix(kv.Name, ":") {
			h.Add(kv.Name, kv.Value)
		}
	}
	return h
}
