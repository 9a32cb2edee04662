package server

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	_ "modernc.org/sqlite"             // SQLite driver "sqlite"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// SQLiteFile is the database file under the data directory.
const SQLiteFile = "gatehouse.db"

// OpenStore opens the configured store: PostgreSQL when a database URL is set, else the
// embedded SQLite database in the data directory (created 0700 if missing, tightened to
// 0700 if it exists with access for others).
func OpenStore(ctx context.Context, c config.Config) (*sqlstore.Store, error) {
	return openStore(ctx, c, slog.Default())
}

func openStore(ctx context.Context, c config.Config, log *slog.Logger) (*sqlstore.Store, error) {
	if c.DatabaseURL != "" {
		if !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
			return nil, fmt.Errorf("--database-url must be a postgres:// URL")
		}
		return sqlstore.Open(ctx, sqlstore.Postgres, c.DatabaseURL, limits(c)...)
	}
	if err := dataDir(c.DataDir, log); err != nil {
		return nil, err
	}
	return sqlstore.Open(ctx, sqlstore.SQLite, filepath.Join(c.DataDir, SQLiteFile), limits(c)...)
}

// limits gives every database call a deadline (--db-read-timeout, --db-write-timeout;
// 1 s and 3 s by default), and the store fails fast for a short back-off after
// repeated timeouts (sqlstore's breaker), so that a hung database answers 503 at once
// instead of queueing every request behind it.
func limits(c config.Config) []sqlstore.Option {
	return []sqlstore.Option{sqlstore.WithTimeouts(c.DBReadTimeout, c.DBWriteTimeout)}
}

// dataDir creates the data directory 0700, or takes group and other access away from an
// existing one: it holds the database and the master key file, and a directory others
// can enter lets them read a file created with a wider mode by another tool (a backup,
// an editor's copy). When the directory is not ours to change, a warning says so and
// start-up goes on: the files in it are still created 0600.
func dataDir(dir string, log *slog.Logger) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		if err := os.Chmod(dir, perm&^0o077); err != nil {
			log.Warn("the data directory is open to other users; make it 0700", "dir", dir, "mode", fmt.Sprintf("%o", perm), "err", err)
		} else {
			log.Info("data directory tightened to owner-only access", "dir", dir, "was", fmt.Sprintf("%o", perm))
		}
	}
	return nil
}
