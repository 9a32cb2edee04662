package sqlstore

import (
	"database/sql"
	"net/url"
	"strconv"
	"strings"
)

// Dialect names the SQL database behind a Store.
type Dialect uint8

const (
	// SQLite is modernc.org/sqlite (pure Go), registered as driver "sqlite".
	SQLite Dialect = iota + 1
	// Postgres is PostgreSQL through github.com/jackc/pgx/v5/stdlib, driver "pgx".
	Postgres
)

// String returns the dialect's name, as used in configuration.
func (d Dialect) String() string {
	switch d {
	case SQLite:
		return "sqlite"
	case Postgres:
		return "postgres"
	}
	return "Dialect(" + strconv.Itoa(int(d)) + ")"
}

// DriverName is the database/sql driver name the dialect's driver registers.
func (d Dialect) DriverName() string {
	switch d {
	case SQLite:
		return "sqlite"
	case Postgres:
		return "pgx"
	}
	return ""
}

// dialect holds everything that differs between the databases; statements are
// otherwise shared and written with ? placeholders.
type dialect struct {
	Dialect
	dollar     bool           // rebind ? to $n
	lockUpdate string         // suffix that write-locks the selected row
	lockShare  string         // suffix that share-locks the selected row
	readOpts   *sql.TxOptions // multi-statement reads: one snapshot
	migrations string         // folder in migrationsFS
	// appSearch is the condition of an application search (?q=): on SQLite through the
	// trigram index of migration 0005 (FTS5, GLOB); on PostgreSQL the plain LIKE, which a
	// pg_trgm index serves when the extension exists.
	appSearch textSearch
}

func dialectOf(d Dialect) (*dialect, bool) {
	switch d {
	case SQLite:
		// One writer connection and BEGIN IMMEDIATE serialize writers; a
		// deferred read transaction sees one WAL snapshot.
		return &dialect{
			Dialect:    d,
			readOpts:   &sql.TxOptions{ReadOnly: true},
			migrations: "migrations/sqlite",
			appSearch:  textSearch{`id IN (SELECT app_id FROM apps_name_fts WHERE name_fold GLOB ?)`, containsGlob},
		}, true
	case Postgres:
		// NO KEY UPDATE excludes other writers of the row without blocking
		// inserts of rows that reference it (FOR KEY SHARE).
		return &dialect{
			Dialect:    d,
			dollar:     true,
			lockUpdate: " FOR NO KEY UPDATE",
			lockShare:  " FOR SHARE",
			readOpts:   &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead},
			migrations: "migrations/postgres",
			appSearch:  textSearch{`name_fold LIKE ? ESCAPE '\'`, containsPattern},
		}, true
	}
	return nil, false
}

// rebind rewrites ? placeholders to $1, $2, … outside quoted text.
func rebind(q string) string {
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	var quote byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// SQLiteDSN is the data source name for the single writer connection of the
// SQLite database file at path: WAL journal, full fsync, enforced foreign keys,
// a 5 s busy timeout, and BEGIN IMMEDIATE for every read-write transaction so
// that writers in other processes queue on the lock instead of failing on upgrade.
func SQLiteDSN(path string) string {
	return sqliteDSN(path, false)
}

// SQLiteReadDSN is SQLiteDSN for the read pool: the same pragmas plus
// query_only, so that a stray write through the read pool fails.
func SQLiteReadDSN(path string) string {
	return sqliteDSN(path, true)
}

func sqliteDSN(path string, readOnly bool) string {
	v := url.Values{}
	v.Add("_pragma", "busy_timeout(5000)")
	v.Add("_pragma", "journal_mode(WAL)")
	v.Add("_pragma", "synchronous(FULL)")
	v.Add("_pragma", "foreign_keys(1)")
	v.Set("_txlock", "immediate")
	if readOnly {
		v.Set("_query_only", "1")
	}
	// The file: form lets SQLite read the path percent-decoded; the driver
	// consumes the underscore keys itself.
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + v.Encode()
}
