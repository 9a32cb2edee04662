package config

import (
	"strings"
	"testing"
)

// TestDatabaseURLLogged: only scheme, host, port and database name of a database URL
// are ever printed; credentials in the user info or the query, and URLs that do not
// parse, never are.
func TestDatabaseURLLogged(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"user and password", "postgres://gh:s3cret@db.internal:5432/gatehouse?sslmode=require", "postgres://db.internal:5432/gatehouse"},
		{"password parameter", "postgres://db.internal/gatehouse?user=gh&password=s3cret", "postgres://db.internal/gatehouse"},
		{"postgresql scheme, IPv6 host", "postgresql://gh:s3cret@[::1]:5433/g?password=s3cret", "postgresql://[::1]:5433/g"},
		{"fragment", "postgres://h/d#s3cret", "postgres://h/d"},
		{"unparsable", "postgres://gh:s3cret@db:port/x", "[unparsable URL]"},
		{"keyword form", "host=db password=s3cret dbname=g", "[unparsable URL]"},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := redactURL(tc.in); got != tc.want {
				t.Errorf("redactURL(%q) = %q, want %q", tc.in, got, tc.want)
			}
			c := Defaults()
			c.DatabaseURL = tc.in
			if strings.Contains(c.String(), "s3cret") {
				t.Errorf("String() shows the password: %s", c)
			}
		})
	}
}
