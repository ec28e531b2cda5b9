package httpx

import (
	"net/http"
	"regexp"
	"testing"

	"asiakassivu/internal/httpx/httpxtest"
)

// TestClassify checks the table itself; the front ends' tests check that
// the pages and the API answer each case as it says.
func TestClassify(t *testing.T) {
	refs := map[string]bool{}
	for _, c := range httpxtest.Cases() {
		f := Classify(c.Err)
		h := http.Header{}
		f.SetRetryAfter(h)
		if f.Status != c.Status || f.Code != c.Code || h.Get("Retry-After") != c.RetryAfter || f.Logged != c.Logged {
			t.Errorf("%s: got %d %s Retry-After %q logged %v, want %d %s %q %v", c.Name, f.Status, f.Code,
				h.Get("Retry-After"), f.Logged, c.Status, c.Code, c.RetryAfter, c.Logged)
		}
		if f.Logged != (f.Ref != "") {
			t.Errorf("%s: logged %v but reference %q", c.Name, f.Logged, f.Ref)
		}
		if f.Ref != "" {
			if !regexp.MustCompile(`^[0-9a-f]{12}$`).MatchString(f.Ref) || refs[f.Ref] {
				t.Errorf("%s: reference %q is not a fresh 12-hex-digit id", c.Name, f.Ref)
			}
			refs[f.Ref] = true
		}
		if f.Status != 0 && f.Message == "" {
			t.Errorf("%s: no message", c.Name)
		}
	}
}
