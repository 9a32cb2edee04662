package identity_test

import "net/url"

func parse(s string) (*url.URL, bool) {
	u, err := url.Parse(s)
	return u, err == nil
}
