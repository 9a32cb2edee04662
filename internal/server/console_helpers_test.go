package server_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
	"github.com/gatehouse/gatehouse/internal/httpapi/adminapi"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/server/servertest"
)

// admClock is a settable clock shared by a test server and its test.
type admClock struct{ ns atomic.Int64 }

func newAdmClock() *admClock {
	c := &admClock{}
	c.ns.Store(time.Now().Truncate(time.Second).UnixNano())
	return c
}
func (c *admClock) Now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *admClock) Add(d time.Duration) { c.ns.Add(int64(d)) }

// admGet sends GET path to the console listener with the given Authorization values.
func admGet(t *testing.T, in *servertest.Instance, path string, authz ...string) (*http.Request, *http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, in.URL(server.ConsoleListener)+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range authz {
		req.Header.Add("Authorization", a)
	}
	return admDo(t, req)
}

func admDo(t *testing.T, req *http.Request) (*http.Request, *http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return req, resp, body
}

// jws signs header and payload (raw JSON) with k, whatever the header says.
func jws(t testing.TB, k accesstoken.SigningKey, header, payload string) string {
	t.Helper()
	enc := base64.RawURLEncoding
	input := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload))
	d := sha256.Sum256([]byte(input))
	var sig []byte
	var err error
	switch k.Alg {
	case accesstoken.RS256:
		sig, err = k.Signer.Sign(rand.Reader, d[:], crypto.SHA256)
	case accesstoken.ES256:
		r, s, e := ecdsa.Sign(rand.Reader, k.Signer.(*ecdsa.PrivateKey), d[:])
		err = e
		if e == nil {
			sig = make([]byte, 64)
			r.FillBytes(sig[:32])
			s.FillBytes(sig[32:])
		}
	case accesstoken.EdDSA:
		sig, err = k.Signer.Sign(rand.Reader, []byte(input), crypto.Hash(0))
	}
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + enc.EncodeToString(sig)
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

var (
	admDocOnce   sync.Once
	admDocRouter routers.Router
	admDocErr    error
)

// admValidate checks a response of the console listener against the embedded OpenAPI
// document of the Administration API.
func admValidate(t *testing.T, req *http.Request, resp *http.Response, body []byte) {
	t.Helper()
	admDocOnce.Do(func() {
		doc, err := openapi3.NewLoader().LoadFromData(adminapi.OpenAPI)
		if err == nil {
			err = doc.Validate(context.Background())
		}
		if err != nil {
			admDocErr = err
			return
		}
		doc.Servers = nil
		admDocRouter, admDocErr = legacy.NewRouter(doc)
	})
	if admDocErr != nil {
		t.Fatal(admDocErr)
	}
	route, params, err := admDocRouter.FindRoute(req)
	if err != nil {
		t.Fatalf("no route for %s: %v", req.URL, err)
	}
	err = openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 resp.StatusCode, Header: resp.Header, Body: io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true},
	})
	if err != nil {
		t.Fatalf("%s → %d violates the OpenAPI document: %v\n%s", req.URL, resp.StatusCode, err, body)
	}
}

func containsAny(s string, subs ...string) bool {
	for _, x := range subs {
		if x != "" && strings.Contains(s, x) {
			return true
		}
	}
	return false
}
