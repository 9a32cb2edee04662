package oidc

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"

	"github.com/gatehouse/gatehouse/internal/web"
)

//go:embed templates/*.html
var templateFS embed.FS

// formPostJS submits the form_post page's form; served as a file so the page's CSP
// allows no inline script.
const formPostJS = `document.addEventListener("DOMContentLoaded",function(){var f=document.getElementById("form-post");if(f){f.submit();}});`

// page is what every template sees. html/template escapes every value, so state,
// login_hint and error descriptions echoed here cannot inject markup.
type page struct {
	Title   string
	Realm   string // display name
	Heading string
	Error   string
	Detail  string
	Script  bool
	Data    any
}

type pages struct {
	t   map[string]*template.Template
	css []byte
}

func loadPages() (*pages, error) {
	ps := &pages{t: map[string]*template.Template{}, css: web.Stylesheet()}
	for _, name := range []string{"login", "message", "logout", "formpost"} {
		t, err := template.ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		ps.t[name] = t
	}
	return ps, nil
}

// csp: no inline script or style, nothing framed, nothing loaded from elsewhere.
const csp = "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; base-uri 'none'; frame-ancestors 'none'"

func (p *Provider) render(w http.ResponseWriter, status int, name string, pg *page) {
	var b bytes.Buffer
	if err := p.pages.t[name].ExecuteTemplate(&b, "layout", pg); err != nil {
		p.c.Log.Error("oidc: render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

func (p *Provider) errorPage(w http.ResponseWriter, _ *http.Request, rc Realm, status int, msg, detail string) {
	p.render(w, status, "message", &page{Title: "Sign-in error", Realm: display(rc), Heading: "We could not sign you in",
		Error: msg, Detail: detail})
}

func display(rc Realm) string {
	if rc.DisplayName != "" {
		return rc.DisplayName
	}
	return rc.Name
}
