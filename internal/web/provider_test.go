package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"asiakassivu/internal/store"
	"asiakassivu/internal/store/storetest"
)

var sequenceField = regexp.MustCompile(`name="sequence" value="(\d+)"`)

// sequenceOf reads the visit's sequence from the hidden field of a page.
func sequenceOf(t *testing.T, body string) string {
	t.Helper()
	m := sequenceField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no sequence field in:\n%s", body)
	}
	return m[1]
}

func TestMoveRequestAndProviderAnswer(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		maija, sari := e.client(t), e.client(t)
		e.signIn(t, maija, "maija@example.fi")
		e.signIn(t, sari, "sari@kotikulma.example")
		visit := visitPath(e.sites["koti"], e.visits["koti"])
		pvisit := e.srv.URL + providerPath(e.visits["koti"])

		// Bad input: nothing stored, what was typed stays, the error is
		// next to the field.
		long := strings.Repeat("a", 10000)
		past, first, second, third := isoDate(e.at(-27, 9, 0)), e.at(10, 10, 30), e.at(11, 12, 0), e.at(12, 9, 0)
		r := do(t, maija, "POST", e.srv.URL+visit+"/siirto", url.Values{"date1": {past}, "time1": {"09:00"}, "message": {"Hei"}})
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Aika on jo mennyt") ||
			!strings.Contains(r.body, `value="`+past+`"`) || !strings.Contains(r.body, ">Hei</textarea>") {
			t.Errorf("move to the past: %d\n%s", r.StatusCode, r.body)
		}
		r = do(t, maija, "POST", e.srv.URL+visit+"/siirto", url.Values{"date1": {isoDate(first)}, "time1": {"10:00"}, "message": {long}})
		// The summary and the field give the same limit.
		if r.StatusCode != http.StatusUnprocessableEntity || strings.Count(r.body, "enintään 1000 merkkiä") != 2 {
			t.Errorf("10 000-character message: %d\n%s", r.StatusCode, r.body)
		}
		if r := do(t, sari, "GET", e.srv.URL+"/tuottaja", nil); strings.Contains(r.body, "Siirtopyynnöt") {
			t.Error("a refused request reached the provider")
		}

		r = do(t, maija, "POST", e.srv.URL+visit+"/siirto", url.Values{"date1": {fiDate(first)}, "time1": {"10.30"},
			"date2": {isoDate(second)}, "time2": {"12:00"}, "message": {"Olen silloin lääkärissä"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("move request: %d\n%s", r.StatusCode, r.body)
		}
		r = do(t, maija, "GET", e.srv.URL+r.Header.Get("Location"), nil)
		if !strings.Contains(r.body, "Siirtopyyntö on lähetetty") || !strings.Contains(r.body, "odottaa vastausta") ||
			!strings.Contains(r.body, fiDate(first)+" klo 10.30") {
			t.Errorf("visit page after the request:\n%s", r.body)
		}

		// The staff member sees the request and answers it.
		r = do(t, sari, "GET", e.srv.URL+"/", nil)
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/tuottaja" {
			t.Errorf("staff front page: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		r = do(t, sari, "GET", e.srv.URL+"/tuottaja", nil)
		if !strings.Contains(r.body, "Siirtopyynnöt") || !strings.Contains(r.body, "Kohde koti") || strings.Contains(r.body, "Kohde pekka") {
			t.Errorf("staff schedule:\n%s", r.body)
		}
		r = do(t, sari, "GET", pvisit, nil)
		if !strings.Contains(r.body, "Olen silloin lääkärissä") || !strings.Contains(r.body, fiDate(second)+" klo 12.00") {
			t.Errorf("staff visit page:\n%s", r.body)
		}
		seq := sequenceOf(t, r.body)
		request := regexp.MustCompile(`name="request" value="(\d+)"`).FindStringSubmatch(r.body)
		if request == nil {
			t.Fatal("no request field")
		}
		// No option chosen: the page says so.
		r = do(t, sari, "POST", pvisit+"/siirtopyynto", url.Values{"sequence": {seq}, "request": {request[1]}, "decision": {"accept"}})
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Valitse yksi asiakkaan ehdottamista ajoista") {
			t.Errorf("accept without a choice: %d", r.StatusCode)
		}
		r = do(t, sari, "POST", pvisit+"/siirtopyynto", url.Values{"sequence": {seq}, "request": {request[1]}, "decision": {"accept"},
			"option": {"2"}, "answer": {"Sopii hyvin"}})
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != providerPath(e.visits["koti"])+"?ok=hyvaksytty" {
			t.Fatalf("accept: %d %s\n%s", r.StatusCode, r.Header.Get("Location"), r.body)
		}
		r = do(t, maija, "GET", e.srv.URL+visit, nil)
		if !strings.Contains(r.body, "hyväksyi siirtopyyntösi") || !strings.Contains(r.body, "Sopii hyvin") ||
			!strings.Contains(r.body, fiDate(second)) {
			t.Errorf("customer's page after acceptance:\n%s", r.body)
		}
		// A stale form is refused with the page shown again.
		r = do(t, sari, "POST", pvisit+"/siirra", url.Values{"sequence": {seq}, "date": {isoDate(third)}, "start": {"09:00"}, "end": {"11:00"}})
		if r.StatusCode != http.StatusConflict || !strings.Contains(r.body, "muuttuivat sillä välin") {
			t.Errorf("stale reschedule: %d", r.StatusCode)
		}
		r = do(t, sari, "GET", pvisit, nil)
		seq = sequenceOf(t, r.body)
		r = do(t, sari, "POST", pvisit+"/peru", url.Values{"sequence": {seq}, "reason": {" "}})
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Kenttä on tyhjä") {
			t.Errorf("cancel without a reason: %d", r.StatusCode)
		}
		r = do(t, sari, "POST", pvisit+"/peru", url.Values{"sequence": {seq}, "reason": {"Työntekijä on sairaana"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("cancel: %d\n%s", r.StatusCode, r.body)
		}
		r = do(t, maija, "GET", e.srv.URL+visit, nil)
		if !strings.Contains(r.body, "Työntekijä on sairaana") || strings.Contains(r.body, "Pyydä uutta aikaa</h2>") {
			t.Errorf("customer's page after the provider's cancellation:\n%s", r.body)
		}
		r = do(t, maija, "GET", e.srv.URL+sitePath(e.sites["koti"]), nil)
		// The acceptance and the cancellation each posted a system message
		// in the site's thread.
		if !strings.Contains(r.body, "2 lukematonta viestiä") {
			t.Errorf("dashboard's unread count:\n%s", r.body)
		}
	})
}

func TestProviderRepliesToFeedback(t *testing.T) {
	storetest.Each(t, nil, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, "")
		maija, sari := e.client(t), e.client(t)
		e.signIn(t, maija, "maija@example.fi")
		e.signIn(t, sari, "sari@kotikulma.example")
		r := do(t, sari, "GET", e.srv.URL+"/tuottaja/palaute", nil)
		if !strings.Contains(r.body, "Kiitos, koti on siisti") || !strings.Contains(r.body, "Vastaamatta") {
			t.Fatalf("provider feedback list:\n%s", r.body)
		}
		reply := e.srv.URL + "/tuottaja/palaute/" + strconv.FormatInt(e.feedback, 10) + "/vastaa"
		r = do(t, sari, "POST", reply, url.Values{"reply": {strings.Repeat("x", 501)}})
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.body, "liian pitkä") {
			t.Errorf("long reply: %d", r.StatusCode)
		}
		r = do(t, sari, "POST", reply, url.Values{"reply": {"Kiitos palautteesta, Sari"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("reply: %d\n%s", r.StatusCode, r.body)
		}
		r = do(t, maija, "GET", e.srv.URL+sitePath(e.sites["koti"])+"/palaute", nil)
		if !strings.Contains(r.body, "Kiitos palautteesta, Sari") {
			t.Errorf("the customer does not see the reply:\n%s", r.body)
		}
	})
}
