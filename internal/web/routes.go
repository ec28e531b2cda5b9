package web

import "net/http"

// access says who may call a route.
type access int

const (
	public   access = iota // anyone, signed in or not
	signedIn               // a session is required; others are sent to sign in
)

// route is one entry of the route table. The table registers the ServeMux
// and is ranged over by the tests (headers, isolation), which fail when a
// route has no case.
type route struct {
	method  string
	pattern string
	access  access
	handle  func(w http.ResponseWriter, r *http.Request, v *viewer) error
}

// routes lists every route the server answers.
func (s *Server) routes() []route {
	return []route{
		{"GET", "/{$}", public, s.home},
		{"GET", "/kirjaudu", public, s.signInForm},
		{"POST", "/kirjaudu", public, s.signIn},
		{"POST", "/kirjaudu-ulos", public, s.signOut},
		{"GET", "/kohteet", signedIn, s.sites},
		{"GET", "/kohteet/{site}", signedIn, s.site},
		{"GET", "/static/{file}", public, s.static},
		{"GET", "/healthz", public, s.health},
	}
}
