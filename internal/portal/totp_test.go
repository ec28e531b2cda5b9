package portal

import (
	"bytes"
	"testing"
	"time"
)

// TestTOTPCode: RFC 6238 appendix B's SHA-1 vectors (eight digits there;
// the last six are the six-digit code).
func TestTOTPCode(t *testing.T) {
	secret := []byte("12345678901234567890")
	for _, tc := range []struct {
		unix int64
		want string
	}{{59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"}, {1234567890, "005924"}, {2000000000, "279037"}, {20000000000, "353130"}} {
		if got := TOTPCode(secret, TOTPStep(time.Unix(tc.unix, 0))); got != tc.want {
			t.Errorf("T=%d: got %s, want %s", tc.unix, got, tc.want)
		}
	}
}

func TestCheckTOTP(t *testing.T) {
	secret := []byte("12345678901234567890")
	now := time.Unix(1111111111, 0) // step 37037037
	step := TOTPStep(now)
	code := func(s int64) string { return TOTPCode(secret, s) }
	for _, tc := range []struct {
		name     string
		typed    string
		last     int64
		wantStep int64
		ok       bool
	}{
		{"current step", code(step), 0, step, true},
		{"with a space", code(step)[:3] + " " + code(step)[3:], 0, step, true},
		{"previous step (clock behind)", code(step - 1), 0, step - 1, true},
		{"next step (clock ahead)", code(step + 1), 0, step + 1, true},
		{"two steps old", code(step - 2), 0, 0, false},
		{"two steps ahead", code(step + 2), 0, 0, false},
		{"already used", code(step), step, 0, false},
		{"older than the last used", code(step - 1), step, 0, false},
		{"newer than the last used", code(step + 1), step, step + 1, true},
		{"letters", "12a456", 0, 0, false},
		{"too short", "12345", 0, 0, false},
		{"empty", "", 0, 0, false},
	} {
		got, ok := CheckTOTP(secret, tc.typed, now, tc.last)
		if ok != tc.ok || got != tc.wantStep {
			t.Errorf("%s: got %d %v, want %d %v", tc.name, got, ok, tc.wantStep, tc.ok)
		}
	}
}

func TestTOTPSecretText(t *testing.T) {
	secret := []byte("12345678901234567890")
	text := TOTPSecretText(secret)
	if text != "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ" {
		t.Errorf("text %q", text)
	}
	back, err := ParseTOTPSecret(" gezd gnbvgy3tqojqgezdgnbvgy3tqojq ")
	if err != nil || !bytes.Equal(back, secret) {
		t.Errorf("parse: %q %v", back, err)
	}
	if u := TOTPURI("Asiakassivu", "sari@example.fi", secret); u != "otpauth://totp/Asiakassivu:sari@example.fi?algorithm=SHA1&digits=6&issuer=Asiakassivu&period=30&secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" {
		t.Errorf("uri %s", u)
	}
}
