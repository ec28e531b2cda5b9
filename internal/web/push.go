package web

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"time"

	"asiakassivu/internal/app"
	"asiakassivu/internal/portal"
)

// pushSection is the profile's notifications section: the key the page's
// script subscribes with (static/push.js), this account's devices and the
// kinds of notification.
type pushSection struct {
	PublicKey string
	Devices   []pushDevice
	Kinds     []pushKind
	Error     string // text key of a refusal
}

type pushDevice struct {
	ID int64
	// Name is the browser and system in a few words (deviceName).
	Name string
	// Hash is the SHA-256 of the device's endpoint: the script marks the
	// device it runs on by it.
	Hash  string
	Since time.Time
}

type pushKind struct {
	Kind  string
	Label string // text key
	On    bool
}

func (s *Server) pushSection(r *http.Request, v *viewer) (pushSection, error) {
	l := s.texts(r, v)
	ps, err := s.app.PushSettings(r.Context(), v.Viewer)
	if err != nil {
		return pushSection{}, err
	}
	out := pushSection{PublicKey: ps.PublicKey}
	for _, d := range ps.Devices {
		out.Devices = append(out.Devices, pushDevice{ID: d.ID, Name: deviceName(l, d.UserAgent), Hash: d.EndpointHash, Since: d.Since})
	}
	for _, k := range ps.Kinds {
		out.Kinds = append(out.Kinds, pushKind{Kind: string(k.Kind), Label: "profile.push.kind." + string(k.Kind), On: k.On})
	}
	return out, nil
}

// pushRefused shows the profile again with a refusal in the notifications
// section.
func (s *Server) pushRefused(w http.ResponseWriter, r *http.Request, v *viewer, key string) error {
	p, err := s.profileData(r, v, partNotifications)
	if err != nil {
		return err
	}
	p.Push.Error = key
	return s.render(w, r, http.StatusUnprocessableEntity, "profile", p)
}

// subscribeJSON is PushSubscription.toJSON(), the body static/push.js
// posts; nothing else is accepted.
type subscribeJSON struct {
	Endpoint       string   `json:"endpoint"`
	ExpirationTime *float64 `json:"expirationTime"`
	Keys           struct {
		P256dh string `json:"p256dh"`
		Auth   string `json:"auth"`
	} `json:"keys"`
}

// subscribePush stores this device's push subscription, posted as JSON by
// the page's script. It answers JSON: {"id": …}, or {"error": text} with
// 422 for a refusal. A form posted without the script (there is no
// subscription to send then) gets the profile with the explanation.
func (s *Server) subscribePush(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return s.pushRefused(w, r, v, "error.push.unsupported")
	}
	var in subscribeJSON
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(&in)
	if err == nil && dec.Decode(&struct{}{}) != io.EOF {
		err = errors.New("more than one JSON value")
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return s.pushJSON(w, r, v, http.StatusUnprocessableEntity, "error.push.form", 0)
	}
	id, err := s.app.SubscribePush(r.Context(), v.Viewer, app.PushSubscriptionInput{Endpoint: in.Endpoint,
		P256dh: in.Keys.P256dh, Auth: in.Keys.Auth, UserAgent: r.UserAgent()})
	var bad app.InvalidInput
	if errors.As(err, &bad) {
		return s.pushJSON(w, r, v, http.StatusUnprocessableEntity, bad[0].Key, 0)
	}
	if err != nil {
		return err
	}
	return s.pushJSON(w, r, v, http.StatusCreated, "", id)
}

// pushJSON answers the script: the subscription's id, or the refusal's
// text in the page's language.
func (s *Server) pushJSON(w http.ResponseWriter, r *http.Request, v *viewer, status int, errKey string, id int64) error {
	body := map[string]any{"id": id}
	if errKey != "" {
		body = map[string]any{"error": s.texts(r, v).T(errKey)}
	}
	return writeJSON(w, status, body)
}

// unsubscribePush stops notifications to one of the account's devices.
func (s *Server) unsubscribePush(w http.ResponseWriter, r *http.Request, v *viewer) error {
	id, err := pathID(r, "subscription")
	if err != nil {
		return err
	}
	if err := s.app.UnsubscribePush(r.Context(), v.Viewer, id); err != nil {
		return err
	}
	redirectNotice(w, r, profilePath(partNotifications), "ilmoitukset-poistettu")
	return nil
}

// saveNotificationKinds stores which kinds are on: a ticked box (value
// "on") per kind. Any other field or value refuses the form.
func (s *Server) saveNotificationKinds(w http.ResponseWriter, r *http.Request, v *viewer) error {
	return s.postForm(w, r, v, formFlow{
		Run: func(in url.Values) (string, string, error) {
			var on []portal.NotificationKind
			for name, vals := range in {
				k := portal.NotificationKind(name)
				if !k.Valid() || len(vals) != 1 || vals[0] != "on" {
					return "", "", app.InvalidInput{{Key: "error.push.form"}}
				}
				on = append(on, k)
			}
			return profilePath(partNotifications), "ilmoitukset", s.app.SetNotificationKinds(r.Context(), v.Viewer, on)
		},
		Page: func(f form, status int) error {
			p, err := s.profileData(r, v, partNotifications)
			if err != nil {
				return err
			}
			// Whatever the use case found, the section says the form was refused.
			p.Push.Error = "error.push.form"
			return s.render(w, r, status, "profile", p)
		},
	})
}
