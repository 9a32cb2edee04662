package web

import (
	"net/http"
	"net/url"
	"strconv"
)

// pageSize is how many rows a list page shows.
const pageSize = 50

type listNav struct {
	Total      int
	From, To   int
	Prev, Next string // links, "" when there is no such page
}

func pager(base string, q url.Values, offset, shown, total int) listNav {
	n := listNav{Total: total, From: offset + 1, To: offset + shown}
	if shown == 0 {
		n.From = 0
	}
	link := func(off int) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("offset", strconv.Itoa(off))
		return base + "?" + v.Encode()
	}
	if offset > 0 {
		n.Prev = link(max(0, offset-pageSize))
	}
	if offset+shown < total {
		n.Next = link(offset + shown)
	}
	return n
}

func offsetParam(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("offset"))
	if err != nil || n < 0 || n > 1_000_000_000 {
		return 0
	}
	return n
}

// parseForm reads a urlencoded form of at most 1 MiB.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		return invalidForm("The form could not be read; reload the page and try again.")
	}
	return nil
}

// formBool parses the POST form and reads one boolean field of it.
func formBool(w http.ResponseWriter, r *http.Request, name string) (bool, error) {
	if err := parseForm(w, r); err != nil {
		return false, err
	}
	on, err := strconv.ParseBool(r.PostFormValue(name))
	if err != nil {
		return false, invalidForm("The form could not be read; reload the page and try again.")
	}
	return on, nil
}
