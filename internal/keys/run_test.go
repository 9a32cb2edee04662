package keys

import (
	"context"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// memStore keeps key sets in memory.
type memStore struct {
	mu   sync.Mutex
	sets map[string][]store.SigningKey
}

func (m *memStore) ListKeys(_ context.Context, realm string) ([]store.SigningKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.sets[realm]), nil
}

func (m *memStore) UpdateKeys(_ context.Context, realm string, fn func([]store.SigningKey) ([]store.SigningKey, error)) ([]store.SigningKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ks, err := fn(slices.Clone(m.sets[realm]))
	if err != nil {
		return nil, err
	}
	m.sets[realm] = ks
	return slices.Clone(ks), nil
}

// TestRun: the schedule prepares the next key shortly after start and rotates a key
// once it has been active for Rotate, reporting the rotation.
func TestRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		kek, err := NewKEK(make([]byte, 32))
		if err != nil {
			t.Fatal(err)
		}
		st := &memStore{sets: map[string][]store.SigningKey{}}
		m := NewManager(st, kek, nil, Realm{Name: "r", Alg: "ES256", MaxLifetime: 5 * time.Minute})
		ctx, cancel := context.WithCancel(t.Context())
		if err := m.Ensure(ctx, "r"); err != nil {
			t.Fatal(err)
		}
		first, err := m.Signer("r")
		if err != nil {
			t.Fatal(err)
		}
		rotated := make(chan string, 4)
		done := make(chan error)
		go func() {
			done <- m.Run(ctx, Schedule{Rotate: time.Hour, Every: time.Minute, First: 5 * time.Second,
				Rotated: func(realm string) { rotated <- realm }})
		}()

		time.Sleep(6 * time.Second)
		synctest.Wait()
		ks, _ := st.ListKeys(ctx, "r")
		if _, ok := find(ks, store.KeyNext); !ok {
			t.Errorf("no next key after the first round: %v", ks)
		}
		if len(rotated) != 0 {
			t.Fatal("rotated before the key was due")
		}

		time.Sleep(time.Hour)
		synctest.Wait()
		if len(rotated) != 1 || <-rotated != "r" {
			t.Fatal("no scheduled rotation after an hour")
		}
		now, err := m.Signer("r")
		if err != nil || now.ID == first.ID {
			t.Errorf("active key after rotation: %v %v (was %s)", now.ID, err, first.ID)
		}

		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}
