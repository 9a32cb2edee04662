package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/client"
)

func token(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("gatehouse token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	id := fs.String("client-id", "", "client id (env GATEHOUSE_CLIENT_ID or ZEEBE_CLIENT_ID)")
	secret := fs.String("client-secret", "", "client secret (env GATEHOUSE_CLIENT_SECRET or ZEEBE_CLIENT_SECRET)")
	audience := fs.String("audience", "", "requested audience (optional)")
	scope := fs.String("scope", "", "requested scope (optional)")
	tokenURL := fs.String("token-url", "", "token endpoint (env GATEHOUSE_TOKEN_URL or CAMUNDA_OAUTH_URL; default: the realm's endpoint on --server)")
	server := fs.String("server", "", "base URL of the identity listener (env GATEHOUSE_SERVER; default "+defaultServer+")")
	realm := fs.String("realm", client.DefaultRealm, "realm of the token endpoint on --server")
	output := fs.String("output", "token", "what to print: token (the access token) or json (the whole response)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gatehouse token [flags]\n\nRequests an access token with the client_credentials grant and prints it.\n"+
			"The endpoint is --token-url; else, when --server or --realm is given, the realm's endpoint on that server;\n"+
			"else GATEHOUSE_TOKEN_URL, CAMUNDA_OAUTH_URL, or the realm's endpoint on GATEHOUSE_SERVER (default "+defaultServer+").\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if wantsHelp(args) {
		fs.SetOutput(stdout)
		fs.Usage()
		return errHelp
	}
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		return usagef("%v\nRun 'gatehouse token -h' for usage.", err)
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	explicit := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { explicit[f.Name] = true })
	cid := first(*id, getenv("GATEHOUSE_CLIENT_ID"), getenv("ZEEBE_CLIENT_ID"))
	csec := first(*secret, getenv("GATEHOUSE_CLIENT_SECRET"), getenv("ZEEBE_CLIENT_SECRET"))
	onServer := client.TokenURL(first(*server, getenv("GATEHOUSE_SERVER"), defaultServer), *realm)
	u := first(*tokenURL, getenv("GATEHOUSE_TOKEN_URL"), getenv("CAMUNDA_OAUTH_URL"), onServer)
	if *tokenURL == "" && (explicit["server"] || explicit["realm"]) {
		u = onServer
	}
	if cid == "" || csec == "" {
		return usagef("--client-id and --client-secret are required")
	}
	if *output != "token" && *output != "json" {
		return usagef("--output must be token or json")
	}
	checked := u
	if u == onServer {
		checked = first(*server, getenv("GATEHOUSE_SERVER"), defaultServer)
	}
	if err := checkServerURL(tokenURLSource(*tokenURL, u, onServer), checked); err != nil {
		return err
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {cid}, "client_secret": {csec}}
	if *audience != "" {
		form.Set("audience", *audience)
	}
	if *scope != "" {
		form.Set("scope", *scope)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return usagef("--token-url: %v", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return explainCall(fmt.Errorf("token request: %w", err), u)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("token response: %w", err)
	}
	var tr struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if resp.StatusCode == http.StatusNotFound {
		return fmt.Errorf("token endpoint %s answered %s\n%s", u, resp.Status, wrongListener(checked))
	}
	if err := json.Unmarshal(body, &tr); err != nil {
		return fmt.Errorf("token endpoint %s answered %s with a body that is not JSON: is it the identity listener "+
			"(default port 18080)?", u, resp.Status)
	}
	if resp.StatusCode != http.StatusOK || tr.AccessToken == "" {
		return fmt.Errorf("token endpoint answered %s: %s", resp.Status, strings.TrimSuffix(tr.Error+": "+tr.Description, ": "))
	}
	if *output == "json" {
		_, err = fmt.Fprintln(stdout, strings.TrimSpace(string(body)))
		return err
	}
	_, err = fmt.Fprintln(stdout, tr.AccessToken)
	return err
}

// tokenURLSource names where the token URL came from, for an error about it.
func tokenURLSource(flagURL, u, onServer string) string {
	switch {
	case flagURL != "":
		return "--token-url"
	case u == onServer:
		return "--server (env GATEHOUSE_SERVER)"
	}
	return "the token URL (env GATEHOUSE_TOKEN_URL or CAMUNDA_OAUTH_URL)"
}
