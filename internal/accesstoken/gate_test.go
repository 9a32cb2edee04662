package accesstoken

import (
	"runtime"
	"sync"
	"testing"
	"time"
)

// TestGateManyMinters: more concurrent minters than gate slots all get their token,
// and every slot is given back.
func TestGateManyMinters(t *testing.T) {
	sk, pk := newKey(t, ES256, "k1")
	v := &Verifier{Issuer: iss, Keys: keyMap{"k1": pk}, Now: func() time.Time { return now }}
	var wg sync.WaitGroup
	errs := make(chan error, 8*runtime.GOMAXPROCS(0))
	for range cap(errs) {
		wg.Go(func() {
			tok, err := Mint(sk, TypeJWT, claims())
			if err == nil {
				_, err = v.Verify(tok, "console-api")
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if len(gate) != 0 {
		t.Errorf("%d gate slots still held", len(gate))
	}
}
