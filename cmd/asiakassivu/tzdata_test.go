package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestStartsWithoutZoneDatabase builds the binary and runs it with ZONEINFO
// pointing nowhere and TZ=Europe/Helsinki; where user namespaces allow it,
// the system zone database (/usr/share/zoneinfo) is also hidden under an
// empty mount, so only the embedded copy (time/tzdata) can answer the load
// of Europe/Helsinki that every command does at start-up. The binary must
// print its version and migrate a fresh database.
func TestStartsWithoutZoneDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "asiakassivu")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	nowhere := filepath.Join(tmp, "no-such-zoneinfo.zip")
	data := filepath.Join(tmp, "data")
	hidden := false
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"version", []string{"version"}, "asiakassivu"},
		{"migrate", []string{"migrate", "--data-dir", data}, ""},
	} {
		argv := append([]string{bin}, c.args...)
		if _, err := exec.LookPath("unshare"); err == nil && exec.Command("unshare", "-rm", "true").Run() == nil {
			// Hide every place package time looks for a zone database.
			script := `for d in /usr/share/zoneinfo /usr/share/lib/zoneinfo /usr/lib/locale/TZ /etc/zoneinfo; do [ -d "$d" ] && mount -t tmpfs none "$d"; done; [ -n "$(ls /usr/share/zoneinfo 2>/dev/null)" ] && exit 97; exec "$@"`
			argv = append([]string{"unshare", "-rm", "sh", "-c", script, "sh"}, argv...)
			hidden = true
		}
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Env = append(os.Environ(), "ZONEINFO="+nowhere, "TZ=Europe/Helsinki", "GOROOT="+filepath.Join(tmp, "no-goroot"), "ASIAKASSIVU_DATABASE=")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), c.want) {
			t.Errorf("%s without a zone database: %v\n%s", c.name, err, out)
		}
	}
	if !hidden {
		t.Log("user namespaces unavailable: the system zone database stayed visible; only ZONEINFO pointed nowhere")
	}
}
