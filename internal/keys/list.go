package keys

import (
	"context"
	"slices"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Info describes a key for listings; it holds no private material.
type Info struct {
	ID           string    `json:"kid"`
	Alg          string    `json:"alg"`
	State        string    `json:"state"`
	CreatedAt    time.Time `json:"createdAt"`
	ActivatedAt  time.Time `json:"activatedAt,omitzero"`
	RetiredAt    time.Time `json:"retiredAt,omitzero"`
	PublishUntil time.Time `json:"publishUntil,omitzero"`
}

// List returns the realm's keys, active first.
func (m *Manager) List(ctx context.Context, realm string) ([]Info, error) {
	ks, err := m.store.ListKeys(ctx, realm)
	if err != nil {
		return nil, err
	}
	ks = sorted(ks)
	out := make([]Info, len(ks))
	for i, k := range ks {
		out[i] = Info{ID: k.ID, Alg: k.Alg, State: string(k.State), CreatedAt: k.CreatedAt,
			ActivatedAt: k.ActivatedAt, RetiredAt: k.RetiredAt, PublishUntil: k.PublishUntil}
	}
	return out, nil
}

var stateRank = map[store.KeyState]int{store.KeyActive: 0, store.KeyNext: 1, store.KeyRetired: 2, store.KeyRevoked: 3}

// sorted returns ks in a stable order: active first, then next, retired, revoked;
// newest first within a state.
func sorted(ks []store.SigningKey) []store.SigningKey {
	ks = slices.Clone(ks)
	slices.SortStableFunc(ks, func(a, b store.SigningKey) int {
		if d := stateRank[a.State] - stateRank[b.State]; d != 0 {
			return d
		}
		return b.CreatedAt.Compare(a.CreatedAt)
	})
	return ks
}
