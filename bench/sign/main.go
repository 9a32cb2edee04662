// Command sign measures one RSA-2048 PKCS#1 v1.5 SHA-256 signature (RS256), one
// ECDSA P-256 signature (ES256) and one Ed25519 signature (EdDSA) with whatever crypto
// backend the binary was built with: run.sh builds it twice, pure Go and with
// GOEXPERIMENT=boringcrypto, and puts OpenSSL's own figure (`openssl speed`) beside
// them. It signs for a bounded time per algorithm on one goroutine and on GOMAXPROCS.
package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"flag"
	"fmt"
	"log"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	d := flag.Duration("for", 3*time.Second, "time per algorithm and mode")
	flag.Parse()
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		log.Fatal(err)
	}
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	_, dk, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	digest := sha256.Sum256([]byte("header.payload"))
	algs := []struct {
		name string
		sign func() error
	}{
		{"RS256", func() error { _, err := rk.Sign(rand.Reader, digest[:], crypto.SHA256); return err }},
		{"ES256", func() error { _, err := ecdsa.SignASN1(rand.Reader, ek, digest[:]); return err }},
		{"EdDSA", func() error { _, err := dk.Sign(rand.Reader, []byte("header.payload"), crypto.Hash(0)); return err }},
	}
	fmt.Printf("%-6s %12s %12s %14s\n", "alg", "µs/sign", "signs/s (1)", fmt.Sprintf("signs/s (%d)", runtime.GOMAXPROCS(0)))
	for _, a := range algs {
		one := run(a.sign, 1, *d)
		all := run(a.sign, runtime.GOMAXPROCS(0), *d)
		fmt.Printf("%-6s %12.1f %12.0f %14.0f\n", a.name, 1e6/one, one, all)
	}
}

// run signs on n goroutines for d and returns signatures per second.
func run(sign func() error, n int, d time.Duration) float64 {
	var count atomic.Int64
	stop := time.Now().Add(d)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for time.Now().Before(stop) {
				if err := sign(); err != nil {
					log.Fatal(err)
				}
				count.Add(1)
			}
		})
	}
	wg.Wait()
	return float64(count.Load()) / d.Seconds()
}
