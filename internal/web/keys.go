package web

import (
	"net/http"
	"strings"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/keys"
)

type keysData struct {
	Keys  []keys.Info
	Realm string
	JWKS  string
}

func (h *Handler) keysList(w http.ResponseWriter, r *http.Request, v *viewer) {
	ks, err := h.o.Keys.List(r.Context(), h.o.Realm)
	if err != nil {
		h.fail(w, r, v, err)
		return
	}
	h.render(w, r, http.StatusOK, "keys", &page{Title: "Signing keys", Nav: "keys", User: v,
		Data: keysData{Keys: ks, Realm: h.o.Realm, JWKS: strings.TrimSuffix(h.o.RealmTokenURL, "/token") + "/certs"}})
}

// keysRotate makes the next key active now; the old one stays published until the
// tokens it signed have expired (the management API's POST keys/rotate).
func (h *Handler) keysRotate(w http.ResponseWriter, r *http.Request, v *viewer) {
	ev := h.event(v, audit.ActionKeyRotate, "")
	ev.Detail["trigger"] = "manual"
	err := h.o.Keys.Rotate(r.Context(), h.o.Realm)
	if err == nil {
		if ks, lerr := h.o.Keys.List(r.Context(), h.o.Realm); lerr == nil {
			for _, k := range ks {
				if k.State == "active" {
					ev.Detail["active"] = k.ID
				}
			}
		}
	}
	h.finish(r, ev, err)
	if err != nil {
		h.fail(w, r, v, err)
		return
	}
	h.redirect(w, r, v, "/keys", "Signing key rotated: new tokens are signed with the new key; the old key stays published until its tokens expire.")
}
