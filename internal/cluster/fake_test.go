package cluster

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/gatehouse/gatehouse/internal/store"
)

// memStore holds clusters in memory; every other store method panics.
type memStore struct {
	store.Store
	mu  sync.Mutex
	rev int64
	m   map[string]store.Cluster
}

func newMemStore() *memStore { return &memStore{m: map[string]store.Cluster{}} }

func (s *memStore) Revision(context.Context) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rev, nil
}

func (s *memStore) CreateCluster(_ context.Context, c store.Cluster) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[c.Realm+"/"+c.ID]; ok {
		return store.ErrAlreadyExists
	}
	s.m[c.Realm+"/"+c.ID] = c
	s.rev++
	return nil
}

func (s *memStore) GetCluster(_ context.Context, realm, id string) (store.Cluster, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.m[realm+"/"+id]
	if !ok {
		return store.Cluster{}, store.ErrNotFound
	}
	return c, nil
}

func (s *memStore) ListClusters(_ context.Context, realm string) ([]store.Cluster, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []store.Cluster
	for k, c := range s.m {
		if strings.HasPrefix(k, realm+"/") {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b store.Cluster) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

func (s *memStore) UpdateCluster(_ context.Context, realm, id string, fn func(store.Cluster) (store.Cluster, error)) (store.Cluster, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.m[realm+"/"+id]
	if !ok {
		return store.Cluster{}, store.ErrNotFound
	}
	n, err := fn(c)
	if err != nil {
		return store.Cluster{}, err
	}
	n.ID, n.Realm = id, realm
	s.m[realm+"/"+id] = n
	s.rev++
	return n, nil
}

func (s *memStore) DeleteCluster(_ context.Context, realm, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[realm+"/"+id]; !ok {
		return store.ErrNotFound
	}
	delete(s.m, realm+"/"+id)
	s.rev++
	return nil
}
