package sqlstore

import (
	"context"
	"database/sql"

	"github.com/gatehouse/gatehouse/internal/store"
)

const clusterCols = "id, realm, name, namespace, version, tags, components, source, created_at, updated_at"

// componentJSON fixes the stored field names of store.Component.
type componentJSON struct {
	ID        string `json:"id"`
	Name      string `json:"name,omitempty"`
	Type      string `json:"type,omitempty"`
	Version   string `json:"version,omitempty"`
	URL       string `json:"url,omitempty"`
	Readiness string `json:"readiness,omitempty"`
	Metrics   string `json:"metrics,omitempty"`
}

func scanCluster(sc scanner) (store.Cluster, error) {
	var c store.Cluster
	var comps []componentJSON
	err := sc.Scan(&c.ID, &c.Realm, &c.Name, &c.Namespace, &c.Version, jsonCol{&c.Tags}, jsonCol{&comps}, &c.Source,
		msTime{&c.CreatedAt}, msTime{&c.UpdatedAt})
	for _, comp := range comps {
		c.Components = append(c.Components, store.Component(comp))
	}
	return c, err
}

func clusterArgs(c store.Cluster) ([]any, error) {
	tags, err := jsonList(c.Tags)
	if err != nil {
		return nil, err
	}
	cs := make([]componentJSON, len(c.Components))
	for i, comp := range c.Components {
		cs[i] = componentJSON(comp)
	}
	comps, err := jsonList(cs)
	if err != nil {
		return nil, err
	}
	return []any{c.Name, c.Namespace, c.Version, tags, comps, c.Source, ms(c.CreatedAt), ms(c.UpdatedAt)}, nil
}

// CreateCluster stores a new cluster.
func (s *Store) CreateCluster(ctx context.Context, c store.Cluster) error {
	args, err := clusterArgs(c)
	if err != nil {
		return wrap("create cluster", err)
	}
	return s.write(ctx, "create cluster", func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q("INSERT INTO clusters (id, realm, name, namespace, version, tags, components, source, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
			append([]any{c.ID, c.Realm}, args...)...)
		if err != nil {
			return err
		}
		return s.bump(ctx, tx)
	})
}

// GetCluster returns a cluster of realm by id.
func (s *Store) GetCluster(ctx context.Context, realm, id string) (store.Cluster, error) {
	return guarded(ctx, s, false, func(ctx context.Context) (store.Cluster, error) {
		c, err := scanCluster(s.r.QueryRowContext(ctx, s.q("SELECT "+clusterCols+" FROM clusters WHERE realm = ? AND id = ?"), realm, id))
		if err != nil {
			return store.Cluster{}, wrap("get cluster", err)
		}
		return c, nil
	})
}

// ListClusters returns realm's clusters ordered by name, id.
func (s *Store) ListClusters(ctx context.Context, realm string) ([]store.Cluster, error) {
	return guarded(ctx, s, false, func(ctx context.Context) ([]store.Cluster, error) {
		rows, err := s.r.QueryContext(ctx, s.q("SELECT "+clusterCols+" FROM clusters WHERE realm = ? ORDER BY name, id"), realm)
		if err != nil {
			return nil, wrap("list clusters", err)
		}
		cs, err := collect(rows, scanCluster)
		return cs, wrap("list clusters", err)
	})
}

// UpdateCluster changes a cluster in one transaction. ID and Realm cannot change.
func (s *Store) UpdateCluster(ctx context.Context, realm, id string, fn func(store.Cluster) (store.Cluster, error)) (store.Cluster, error) {
	load := func(ctx context.Context, tx *sql.Tx) (store.Cluster, error) {
		return scanCluster(tx.QueryRowContext(ctx, s.q("SELECT "+clusterCols+" FROM clusters WHERE realm = ? AND id = ?"+s.d.lockUpdate), realm, id))
	}
	save := func(ctx context.Context, tx *sql.Tx, c store.Cluster) error {
		args, err := clusterArgs(c)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE clusters SET name = ?, namespace = ?, version = ?, tags = ?,
			components = ?, source = ?, created_at = ?, updated_at = ? WHERE id = ?`), append(args, id)...)
		return err
	}
	return update(ctx, s, "update cluster", load, fn, save)
}

// DeleteCluster removes a cluster.
func (s *Store) DeleteCluster(ctx context.Context, realm, id string) error {
	return s.deleteRow(ctx, "delete cluster", "DELETE FROM clusters WHERE realm = ? AND id = ?", realm, id)
}
