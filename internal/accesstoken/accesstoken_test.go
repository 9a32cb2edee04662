package accesstoken

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const iss = "http://localhost:18080/auth/realms/camunda-platform"

var now = time.Unix(1_800_000_000, 0)

type keyMap map[string]PublicKey

func (m keyMap) Key(kid string) (PublicKey, bool) { k, ok := m[kid]; return k, ok }

func newKey(t testing.TB, alg, id string) (SigningKey, PublicKey) {
	t.Helper()
	var s crypto.Signer
	var err error
	switch alg {
	case RS256:
		s, err = rsa.GenerateKey(rand.Reader, 2048)
	case ES256:
		s, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case EdDSA:
		_, s, err = ed25519.GenerateKey(rand.Reader)
	}
	if err != nil {
		t.Fatal(err)
	}
	return SigningKey{ID: id, Alg: alg, Signer: s}, PublicKey{ID: id, Alg: alg, Issuer: iss, Key: s.Public()}
}

func claims() *Claims {
	return &Claims{ExpiresAt: NumericDate(now.Add(5 * time.Minute).Unix()), IssuedAt: NumericDate(now.Unix()),
		ID: "6b3c7d0e-0000-4000-8000-000000000001", Issuer: iss, Audience: Audience{"console-api"},
		Subject: "f5b8d544-7c28-4f44-b1ff-c2a6ca7a9567", Type: "Bearer", AuthorizedParty: "job", Scope: "email profile",
		ClientID: "job", PreferredUsername: "service-account-job", Permissions: map[string][]string{"console-api": {"read:*"}}}
}

func TestRoundTrip(t *testing.T) {
	for _, alg := range []string{RS256, ES256, EdDSA} {
		t.Run(alg, func(t *testing.T) {
			sk, pk := newKey(t, alg, "k1")
			want := claims()
			for _, typ := range []string{TypeJWT, TypeAtJWT} {
				tok, err := Mint(sk, typ, want)
				if err != nil {
					t.Fatal(err)
				}
				v := &Verifier{Issuer: iss, Keys: keyMap{"k1": pk}, Leeway: time.Minute, Now: func() time.Time { return now }}
				got, err := v.Verify(tok, "console-api")
				if err != nil {
					t.Fatalf("verify: %v", err)
				}
				if d := cmp.Diff(want, got); d != "" {
					t.Errorf("claims differ (-want +got):\n%s", d)
				}
			}
		})
	}
}

func TestAudienceEncoding(t *testing.T) {
	for _, tc := range []struct {
		aud  Audience
		want string
	}{
		{Audience{"a"}, `"a"`},
		{Audience{"a", "b"}, `["a","b"]`},
		{Audience{}, `[]`},
	} {
		b, _ := json.Marshal(tc.aud)
		if string(b) != tc.want {
			t.Errorf("marshal %v = %s, want %s", tc.aud, b, tc.want)
		}
		var back Audience
		if err := json.Unmarshal(b, &back); err != nil || !cmp.Equal([]string(back), []string(tc.aud)) {
			t.Errorf("unmarshal %s = %v, %v", b, back, err)
		}
	}
}

// forge builds a token with an arbitrary header and payload, signed by sign.
func forge(header, payload string, sig func([]byte) []byte) string {
	in := b64.EncodeToString([]byte(header)) + "." + b64.EncodeToString([]byte(payload))
	return in + "." + b64.EncodeToString(sig([]byte(in)))
}

func TestVerifyRejects(t *testing.T) {
	sk, pk := newKey(t, RS256, "k1")
	esk, epk := newKey(t, ES256, "e1")
	other, otherPub := newKey(t, RS256, "k2")
	otherPub.Issuer = "http://localhost:18080/auth/realms/other"
	keys := keyMap{"k1": pk, "e1": epk, "k2": otherPub}
	v := &Verifier{Issuer: iss, Keys: keys, Leeway: time.Minute, Now: func() time.Time { return now }}
	good := claims()
	payload := func(mod func(m map[string]any)) string {
		b, _ := json.Marshal(good)
		var m map[string]any
		json.Unmarshal(b, &m)
		mod(m)
		out, _ := json.Marshal(m)
		return string(out)
	}
	rsSign := func(in []byte) []byte { s, _ := signBytes(sk, in); return s }
	pubDER, _ := x509.MarshalPKIXPublicKey(pk.Key)
	hs := func(in []byte) []byte { m := hmac.New(sha256.New, pubDER); m.Write(in); return m.Sum(nil) }
	okPayload := payload(func(map[string]any) {})
	mint := func(k SigningKey, c *Claims) string { s, _ := Mint(k, TypeJWT, c); return s }
	tamper := func(c func(*Claims)) *Claims { x := *claims(); c(&x); return &x }
	validTok := mint(sk, good)
	parts := strings.Split(validTok, ".")
	flipped := []byte(parts[2])
	if flipped[5] == 'A' {
		flipped[5] = 'B'
	} else {
		flipped[5] = 'A'
	}
	tests := []struct {
		name, tok, aud string
	}{
		{"alg none", forge(`{"alg":"none","typ":"JWT","kid":"k1"}`, okPayload, func([]byte) []byte { return nil }), ""},
		{"alg None with junk sig", forge(`{"alg":"None","typ":"JWT","kid":"k1"}`, okPayload, func([]byte) []byte { return []byte("x") }), ""},
		{"HS256 with the public key", forge(`{"alg":"HS256","typ":"JWT","kid":"k1"}`, okPayload, hs), ""},
		{"RS384 header on RS256 key", forge(`{"alg":"RS384","typ":"JWT","kid":"k1"}`, okPayload, rsSign), ""},
		{"ES256 header on RSA key", forge(`{"alg":"ES256","typ":"JWT","kid":"k1"}`, okPayload, rsSign), ""},
		{"ES256 r=s=0", forge(`{"alg":"ES256","typ":"JWT","kid":"e1"}`, okPayload, func([]byte) []byte { return make([]byte, 64) }), ""},
		{"unknown kid", forge(`{"alg":"RS256","typ":"JWT","kid":"nope"}`, okPayload, rsSign), ""},
		{"missing kid", forge(`{"alg":"RS256","typ":"JWT"}`, okPayload, rsSign), ""},
		{"kid injection", forge(`{"alg":"RS256","typ":"JWT","kid":"' OR 1=1--"}`, okPayload, rsSign), ""},
		{"jwk header ignored", forge(`{"alg":"RS256","typ":"JWT","kid":"zz","jwk":{"kty":"RSA"}}`, okPayload, rsSign), ""},
		{"another issuer's key", mint(other, good), ""},
		{"expired beyond leeway", mint(sk, tamper(func(c *Claims) { c.ExpiresAt = NumericDate(now.Add(-61 * time.Second).Unix()) })), ""},
		{"exp missing", forge(`{"alg":"RS256","typ":"JWT","kid":"k1"}`, payload(func(m map[string]any) { delete(m, "exp") }), rsSign), ""},
		{"exp string", forge(`{"alg":"RS256","typ":"JWT","kid":"k1"}`, payload(func(m map[string]any) { m["exp"] = "1900000000" }), rsSign), ""},
		{"exp float", forge(`{"alg":"RS256","typ":"JWT","kid":"k1"}`, payload(func(m map[string]any) { m["exp"] = 1900000000.5 }), rsSign), ""},
		{"nbf in future", mint(sk, tamper(func(c *Claims) { c.NotBefore = NumericDate(now.Add(2 * time.Minute).Unix()) })), ""},
		{"iat in future", mint(sk, tamper(func(c *Claims) { c.IssuedAt = NumericDate(now.Add(2 * time.Minute).Unix()) })), ""},
		{"issuer trailing slash", mint(sk, tamper(func(c *Claims) { c.Issuer = iss + "/" })), ""},
		{"issuer https", mint(sk, tamper(func(c *Claims) { c.Issuer = "https" + iss[4:] })), ""},
		{"wrong audience", mint(sk, good), "web-modeler-public-api"},
		{"audience array without us", mint(sk, tamper(func(c *Claims) { c.Audience = Audience{"a", "b"} })), ""},
		{"empty audience array", mint(sk, tamper(func(c *Claims) { c.Audience = Audience{} })), ""},
		{"empty audience string", mint(sk, tamper(func(c *Claims) { c.Audience = Audience{""} })), ""},
		{"typ header missing", forge(`{"alg":"RS256","kid":"k1"}`, okPayload, rsSign), ""},
		{"typ header id token", forge(`{"alg":"RS256","typ":"ID","kid":"k1"}`, okPayload, rsSign), ""},
		{"payload typ ID", mint(sk, tamper(func(c *Claims) { c.Type = "ID" })), ""},
		{"crit header", forge(`{"alg":"RS256","typ":"JWT","kid":"k1","crit":["exp"]}`, okPayload, rsSign), ""},
		{"duplicate aud", forge(`{"alg":"RS256","typ":"JWT","kid":"k1"}`, strings.Replace(okPayload, `"aud":"console-api"`, `"aud":"x","aud":"console-api"`, 1), rsSign), ""},
		{"duplicate header alg", forge(`{"alg":"none","alg":"RS256","typ":"JWT","kid":"k1"}`, okPayload, rsSign), ""},
		{"payload tampered", parts[0] + "." + b64.EncodeToString([]byte(strings.Replace(okPayload, "read:*", "write:*", 1))) + "." + parts[2], ""},
		{"signature bit flipped", parts[0] + "." + parts[1] + "." + string(flipped), ""},
		{"two segments", parts[0] + "." + parts[1], ""},
		{"five segments (JWE)", validTok + ".a.b", ""},
		{"JSON serialization", `{"payload":"` + parts[1] + `"}`, ""},
		{"dots only", strings.Repeat(".", 100), ""},
		{"oversized", "a." + strings.Repeat("b", MaxTokenSize) + ".c", ""},
		{"padded base64", parts[0] + "=." + parts[1] + "." + parts[2], ""},
		{"ES key used by RS token header kid", mint(esk, good)[:10] + "x", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			aud := tc.aud
			if aud == "" {
				aud = "console-api"
			}
			c, err := v.Verify(tc.tok, aud)
			if err == nil {
				t.Fatalf("verified: %+v", c)
			}
			if !IsVerification(err) {
				t.Fatalf("error %v is not a verification error", err)
			}
			if strings.Contains(err.Error(), tc.tok) && len(tc.tok) > 20 {
				t.Errorf("error quotes the token")
			}
		})
	}
	if _, err := v.Verify(validTok, "console-api"); err != nil {
		t.Fatalf("control: %v", err)
	}
}

func TestLeeway(t *testing.T) {
	sk, pk := newKey(t, ES256, "k1")
	c := claims()
	c.ExpiresAt = NumericDate(now.Unix())
	tok, _ := Mint(sk, TypeJWT, c)
	for _, tc := range []struct {
		after time.Duration
		ok    bool
	}{{0, true}, {59 * time.Second, true}, {60 * time.Second, true}, {61 * time.Second, false}, {time.Hour, false}} {
		v := &Verifier{Issuer: iss, Keys: keyMap{"k1": pk}, Leeway: time.Minute, Now: func() time.Time { return now.Add(tc.after) }}
		_, err := v.Verify(tok, "console-api")
		if (err == nil) != tc.ok {
			t.Errorf("after %s: err=%v, want ok=%v", tc.after, err, tc.ok)
		}
		if !tc.ok && !errors.Is(err, ErrExpired) {
			t.Errorf("after %s: err=%v, want ErrExpired", tc.after, err)
		}
	}
}

func TestCheckKeyAlg(t *testing.T) {
	_, rs := newKey(t, RS256, "r")
	_, es := newKey(t, ES256, "e")
	_, ed := newKey(t, EdDSA, "d")
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	for _, tc := range []struct {
		alg string
		key crypto.PublicKey
		ok  bool
	}{
		{RS256, rs.Key, true}, {ES256, es.Key, true}, {EdDSA, ed.Key, true},
		{RS256, es.Key, false}, {ES256, rs.Key, false}, {EdDSA, rs.Key, false},
		{RS256, small.Public(), false}, {ES256, p384.Public(), false}, {"HS256", rs.Key, false},
	} {
		if err := CheckKeyAlg(tc.alg, tc.key); (err == nil) != tc.ok {
			t.Errorf("CheckKeyAlg(%s, %T) = %v, want ok=%v", tc.alg, tc.key, err, tc.ok)
		}
	}
}

func FuzzVerify(f *testing.F) {
	sk, pk := newKey(f, ES256, "k1")
	tok, _ := Mint(sk, TypeJWT, claims())
	f.Add(tok)
	f.Add("a.b.c")
	f.Add("....")
	f.Add(strings.Repeat(".", 1000))
	f.Add(forge(`{"alg":"none","typ":"JWT","kid":"k1"}`, `{}`, func([]byte) []byte { return nil }))
	v := &Verifier{Issuer: iss, Keys: keyMap{"k1": pk}, Leeway: time.Minute, Now: func() time.Time { return now }}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := v.Verify(s, "console-api")
		if err == nil && s != tok {
			// Any other accepted input must still carry our issuer and audience.
			if c.Issuer != iss || !c.Audience.Contains("console-api") {
				t.Fatalf("accepted foreign token %q", s)
			}
		}
		if err != nil && !IsVerification(err) {
			t.Fatalf("non-verification error %v", err)
		}
	})
}

func benchKeys(b *testing.B, alg string) (SigningKey, *Verifier) {
	sk, pk := newKey(b, alg, "k1")
	return sk, &Verifier{Issuer: iss, Keys: keyMap{"k1": pk}, Leeway: time.Minute, Now: func() time.Time { return now }}
}

func BenchmarkMint(b *testing.B) {
	for _, alg := range []string{RS256, ES256, EdDSA} {
		b.Run(alg, func(b *testing.B) {
			sk, _ := benchKeys(b, alg)
			c := claims()
			for b.Loop() {
				if _, err := Mint(sk, TypeJWT, c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	for _, alg := range []string{RS256, ES256, EdDSA} {
		b.Run(alg, func(b *testing.B) {
			sk, v := benchKeys(b, alg)
			tok, _ := Mint(sk, TypeJWT, claims())
			for b.Loop() {
				if _, err := v.Verify(tok, "console-api"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
