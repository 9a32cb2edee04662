package server

import (
	"context"
	"fmt"
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
// embedded SQLite database in the data directory (created if missing).
func OpenStore(ctx context.Context, c config.Config) (*sqlstore.Store, error) {
	if c.DatabaseURL != "" {
		if !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
			return nil, fmt.Errorf("--database-url must be a postgres:// URL")
		}
		return sqlstore.Open(ctx, sqlstore.Postgres, c.DatabaseURL)
	}
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	return sqlstore.Open(ctx, sqlstore.SQLite, filepath.Join(c.DataDir, SQLiteFile))
}
