package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"syscall"

	"github.com/gatehouse/gatehouse/client"
)

// The errors below turn a failed call into a message that says what to change: which
// flag holds a malformed URL, which listener a 404 token endpoint suggests --server
// points at, which --permission names an API or a definition the server lacks.

// checkServerURL refuses a --server (or GATEHOUSE_SERVER, --token-url) that is not an
// absolute http(s) URL: "localhost:18080" parses as scheme "localhost", and the
// request would fail with a message about an unsupported protocol.
func checkServerURL(flagName, raw string) error {
	u, err := url.Parse(raw)
	if err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		return nil
	}
	if !strings.Contains(raw, "://") {
		return usagef("%s %q has no scheme: give http://%s (or https://…)", flagName, raw, strings.TrimPrefix(raw, "//"))
	}
	return usagef("%s %q is not an http(s) URL, e.g. %s", flagName, raw, defaultServer)
}

// explainCall adds what to do to an error of a call to server.
func explainCall(err error, server string) error {
	if err == nil {
		return nil
	}
	var te *client.TokenError
	switch {
	case errors.As(err, &te) && te.Status == 404:
		return fmt.Errorf("%w\n%s", err, wrongListener(server))
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("%w\nnothing listens at %s: is the server running, and is --server (env GATEHOUSE_SERVER) "+
			"its identity listener (default port 18080)?", err, server)
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return fmt.Errorf("%w\ncheck the host name in --server (env GATEHOUSE_SERVER): %s", err, server)
	}
	return err
}

// wrongListener is the hint for a token endpoint that answers 404.
func wrongListener(server string) string {
	hint := fmt.Sprintf("no token endpoint at %s: --server (env GATEHOUSE_SERVER) must be the identity listener "+
		"(default port 18080)", server)
	if u, err := url.Parse(server); err == nil {
		switch u.Port() {
		case "8080":
			hint += "; port 8080 is the console listener"
		case "8070":
			hint += "; port 8070 is the Web Modeler API listener"
		case "9100":
			hint += "; port 9100 is the management listener (health and metrics)"
		}
	}
	return hint + ". If the realm is not the default, give --realm."
}

// explainPermissions names the permissions of a refused request whose API or
// definition the realm does not have, and what exists instead. The server's answer
// says only that some item is wrong (it never echoes input).
func explainPermissions(ctx context.Context, m *client.Management, ps []client.Permission, err error) error {
	if !errors.Is(err, client.ErrBadRequest) || len(ps) == 0 {
		return err
	}
	apis, lerr := m.ListAPIs(ctx, client.ListOptions{Limit: 500})
	if lerr != nil {
		return err
	}
	var problems []string
	var audiences []string
	for _, a := range apis.Items {
		audiences = append(audiences, a.Audience)
	}
	slices.Sort(audiences)
	for _, p := range ps {
		i := slices.IndexFunc(apis.Items, func(a client.API) bool { return a.Audience == p.API })
		if i < 0 {
			problems = append(problems, fmt.Sprintf("permission %q: no API has the audience %q (APIs: %s; see 'gatehouse apis list')",
				p.String(), p.API, strings.Join(audiences, ", ")))
			continue
		}
		var defs []string
		for _, d := range apis.Items[i].Permissions {
			defs = append(defs, d.Definition)
		}
		if !slices.Contains(defs, p.Permission) {
			problems = append(problems, fmt.Sprintf("permission %q: API %s has no definition %q (it has: %s)",
				p.String(), p.API, p.Permission, strings.Join(defs, ", ")))
		}
	}
	if len(problems) == 0 {
		return err
	}
	return fmt.Errorf("%w\n%s", err, strings.Join(problems, "\n"))
}
