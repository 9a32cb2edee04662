package mgmt

import (
	"net/http"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/keys"
)

func (a *Handler) listKeys(w http.ResponseWriter, r *http.Request) {
	ks, err := a.keys.List(r.Context(), r.PathValue("realm"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, Items[keys.Info]{nonNil(ks)})
}

// rotateKey makes the realm's next key active now; the old one stays published until
// the tokens it signed have expired.
func (a *Handler) rotateKey(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, audit.ActionKeyRotate, "", func(ev *event) (int, any, error) {
		ev.Detail["trigger"] = "manual"
		if err := a.keys.Rotate(r.Context(), ev.Realm); err != nil {
			return 0, nil, err
		}
		return a.keysAfter(r, ev)
	})
}

// revokeKey withdraws a key in an emergency: it leaves the JWKS and verifies nothing
// more; if it was the active key the next one takes over.
func (a *Handler) revokeKey(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, "key.revoke", r.PathValue("kid"), func(ev *event) (int, any, error) {
		if err := a.keys.Revoke(r.Context(), ev.Realm, ev.Target); err != nil {
			return 0, nil, err
		}
		return a.keysAfter(r, ev)
	})
}

func (a *Handler) keysAfter(r *http.Request, ev *event) (int, any, error) {
	ks, err := a.keys.List(r.Context(), ev.Realm)
	if err != nil {
		return 0, nil, err
	}
	for _, k := range ks {
		if k.State == "active" {
			ev.Detail["active"] = k.ID
		}
	}
	return http.StatusOK, Items[keys.Info]{nonNil(ks)}, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
