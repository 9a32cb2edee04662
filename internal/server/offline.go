package server

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/keys"
	"github.com/gatehouse/gatehouse/internal/store"
)

// openCore opens the store and the master key that seals its signing keys, and checks
// that the key opens them. New and Offline share it. On error nothing stays open.
func openCore(ctx context.Context, cfg config.Config, log *slog.Logger) (store.Store, *keys.KEK, error) {
	if cfg.DatabaseURL != "" && cfg.MasterKey == "" {
		if _, err := os.Stat(filepath.Join(cfg.DataDir, keys.MasterKeyFile)); err != nil {
			// Replicas sharing a database must share the master key: a file generated on
			// one host would make every other replica refuse to start later.
			return nil, nil, fmt.Errorf("with --database-url, set GATEHOUSE_MASTER_KEY (the same 32-byte key on every replica, e.g. `openssl rand -base64 32`)")
		}
	}
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return nil, nil, fmt.Errorf("open store: %w", err)
	}
	kek, err := openKEK(ctx, cfg, st, log)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, kek, nil
}

// openKEK loads (or, on first start, generates) the master key and checks that it opens
// the signing keys in st.
func openKEK(ctx context.Context, cfg config.Config, st store.Store, log *slog.Logger) (*keys.KEK, error) {
	kek, created, err := keys.LoadKEK(cfg.MasterKey, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	if created && log != nil {
		log.Warn("generated a new master key file; back it up with the database, and set GATEHOUSE_MASTER_KEY when running several replicas",
			"file", cfg.DataDir+"/"+keys.MasterKeyFile)
	}
	if err := kek.Check(ctx, st); err != nil {
		return nil, err
	}
	return kek, nil
}

// Offline is the store and the domain services of a command that works on the database
// without a running server and without listeners (`keys --local`, `import keycloak`).
// A running server sees its changes at its next revision poll (about a second).
type Offline struct {
	Store    store.Store
	Identity *identity.Service

	cfg config.Config
}

// OpenOffline opens the configured store (the same --data-dir or --database-url as
// `serve`) and builds the identity service over it. The master key is loaded only when
// Keys is called, so a command that touches no signing key never creates one.
// Close releases the store.
func OpenOffline(ctx context.Context, cfg config.Config) (*Offline, error) {
	st, err := OpenStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return &Offline{Store: st, Identity: identity.New(st, nil, 2), cfg: cfg}, nil
}

// Keys loads and checks the master key and returns the key manager of a stored realm.
func (o *Offline) Keys(ctx context.Context, realm string) (*keys.Manager, error) {
	r, err := o.Store.GetRealm(ctx, realm)
	if err != nil {
		return nil, fmt.Errorf("realm %q: %w", realm, err)
	}
	kek, err := openKEK(ctx, o.cfg, o.Store, nil)
	if err != nil {
		return nil, err
	}
	return keys.NewManager(o.Store, kek, nil, keys.Realm{Name: r.Name, Alg: r.SigningAlg, MaxLifetime: r.TokenLifetime}), nil
}

// Close releases the store.
func (o *Offline) Close() error { return o.Store.Close() }
