// Command abuse measures checklist A20 and A22 against a running Gatehouse on loopback:
//
//	A20: median latency of token requests for an unknown client, a known client with a
//	     wrong secret and (if given) a disabled client with its right secret, interleaved,
//	     each from its own 127.x source address so the throttle never answers instead.
//	A22: p99 of a legitimate client alone, then while a flood of bad secrets from many
//	     source addresses runs at a fixed rate; and what the flood was answered.
//
// Every loop is bounded in count and time; only 127.0.0.0/8 is contacted.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	tokenURL := flag.String("url", "http://127.0.0.1:18080/auth/realms/camunda-platform/protocol/openid-connect/token", "token endpoint (loopback only)")
	id := flag.String("client-id", "", "a client with a generated secret")
	secret := flag.String("client-secret", "", "its secret")
	disabledID := flag.String("disabled-id", "", "a disabled client (optional)")
	disabledSecret := flag.String("disabled-secret", "", "its right secret")
	samples := flag.Int("samples", 5000, "A20 samples per category")
	floodRate := flag.Int("flood-rate", 1000, "A22 bad requests per second")
	floodFor := flag.Duration("flood-for", 10*time.Second, "A22 flood duration")
	flag.Parse()
	u, err := url.Parse(*tokenURL)
	if err != nil || !strings.HasPrefix(u.Hostname(), "127.") && u.Hostname() != "localhost" {
		log.Fatal("-url must be a loopback address")
	}
	if *id == "" || *secret == "" {
		log.Fatal("-client-id and -client-secret are required")
	}
	timing(*tokenURL, *id, *secret, *disabledID, *disabledSecret, *samples)
	flood(*tokenURL, *id, *secret, *floodRate, *floodFor)
}

var srcSeq atomic.Uint32

// client returns an HTTP client whose connections come from a fresh 127.a.b.c address.
func client() *http.Client {
	n := srcSeq.Add(1)
	src := net.IPv4(127, byte(1+n>>16%250), byte(n>>8), byte(n))
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: src}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}}
}

func post(c *http.Client, u, id, secret string) (int, time.Duration) {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}.Encode()
	start := time.Now()
	resp, err := c.Post(u, "application/x-www-form-urlencoded", strings.NewReader(form))
	if err != nil {
		return 0, time.Since(start)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, time.Since(start)
}

func pct(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[int(float64(len(s)-1)*p)]
}

func timing(u, id, secret, disabledID, disabledSecret string, n int) {
	cats := []struct{ name, id, secret string }{
		{"unknown client", "no-such-client-" + fmt.Sprint(time.Now().UnixNano()), secret},
		{"wrong secret", id, secret + "x"},
	}
	if disabledID != "" {
		cats = append(cats, struct{ name, id, secret string }{"disabled client", disabledID, disabledSecret})
	}
	lat := make([][]time.Duration, len(cats))
	codes := make([]map[int]int, len(cats))
	for i := range codes {
		codes[i] = map[int]int{}
	}
	deadline := time.Now().Add(3 * time.Minute)
	for s := 0; s < n && time.Now().Before(deadline); s++ {
		for i, c := range cats { // interleaved, so drift hits every category alike
			code, d := post(client(), u, c.id, c.secret)
			codes[i][code]++
			if code == 401 {
				lat[i] = append(lat[i], d)
			}
		}
	}
	fmt.Println("A20 timing (401 answers only, one source address per request):")
	for i, c := range cats {
		fmt.Printf("  %-16s n=%d median %v p90 %v answers %v\n", c.name, len(lat[i]), pct(lat[i], .5).Round(time.Microsecond), pct(lat[i], .9).Round(time.Microsecond), codes[i])
	}
	base := pct(lat[0], .5)
	for i := 1; i < len(cats); i++ {
		d := pct(lat[i], .5) - base
		fmt.Printf("  median(%s) - median(unknown client) = %v\n", cats[i].name, d.Round(time.Microsecond))
	}
}

func flood(u, id, secret string, rate int, dur time.Duration) {
	measure := func(d time.Duration) ([]time.Duration, map[int]int) {
		c := &http.Client{Timeout: 10 * time.Second}
		var lat []time.Duration
		codes := map[int]int{}
		end := time.Now().Add(d)
		for time.Now().Before(end) {
			code, l := post(c, u, id, secret)
			codes[code]++
			lat = append(lat, l)
		}
		return lat, codes
	}
	base, bcodes := measure(dur / 2)
	ctx, cancel := context.WithTimeout(context.Background(), dur)
	defer cancel()
	var mu sync.Mutex
	fcodes := map[int]int{}
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / time.Duration(rate))
	go func() {
		defer tick.Stop()
		sem := make(chan struct{}, 256)
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			select {
			case sem <- struct{}{}:
			default:
				mu.Lock()
				fcodes[-1]++ // could not even send: the generator's own limit
				mu.Unlock()
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				code, _ := post(client(), u, fmt.Sprintf("flood-%d", srcSeq.Load()%50), "bad-secret")
				mu.Lock()
				fcodes[code]++
				mu.Unlock()
			}()
		}
	}()
	under, ucodes := measure(dur)
	cancel()
	wg.Wait()
	fmt.Printf("A22 flood of %d bad requests/s for %v from many 127.x addresses:\n", rate, dur)
	fmt.Printf("  legitimate alone:       n=%d p50 %v p99 %v answers %v\n", len(base), pct(base, .5).Round(time.Microsecond), pct(base, .99).Round(time.Microsecond), bcodes)
	fmt.Printf("  legitimate under flood: n=%d p50 %v p99 %v answers %v\n", len(under), pct(under, .5).Round(time.Microsecond), pct(under, .99).Round(time.Microsecond), ucodes)
	fmt.Printf("  p99 ratio under flood / alone = %.2f\n", float64(pct(under, .99))/float64(pct(base, .99)))
	fmt.Printf("  flood answers (status: count; -1 = not sent, generator saturated): %v\n", fcodes)
}
