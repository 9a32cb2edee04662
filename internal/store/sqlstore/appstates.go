package sqlstore

import (
	"context"
	"database/sql"
	"maps"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Application states for the deny lists, read incrementally. Every write that changes
// whether an application exists or is enabled records the new state in app_changes
// under the revision its transaction set (bumpApp). Revisions are handed out under the
// revision row's lock, held to the commit, so changes become visible in revision order
// and "every change after revision r" is a complete answer. AppStates keeps each
// realm's states in memory and reads only those changes: at 50,000 applications and
// two writes a second the refresh of a replica's deny list fell from reading 50,000
// rows per write to reading one (docs/reliability.md).

// States in app_changes.
const (
	stateDeleted  = -1
	stateDisabled = 0
	stateEnabled  = 1
)

const (
	// changesKept is how long app_changes rows are kept; writes prune older ones.
	changesKept = 24 * time.Hour
	// statesFullReload is how often AppStates reads every application anyway: a safety
	// net for writers that do not record changes (a replica of an older version during
	// a rolling upgrade, a hand-made change in the database).
	statesFullReload = time.Minute
)

func stateOf(enabled bool) int {
	if enabled {
		return stateEnabled
	}
	return stateDisabled
}

// appStates is AppStates' memory: per realm, the states as of a revision.
type appStates struct {
	mu     sync.Mutex
	realms map[string]*realmStates
}

type realmStates struct {
	rev    int64                     // every change up to this revision is applied
	loaded time.Time                 // last full read
	states map[string]store.AppState // never modified once returned: a change makes a new map
}

// bumpApp bumps the revision and records the application's new state under it.
func (s *Store) bumpApp(ctx context.Context, tx *sql.Tx, realm, id string, state int, notBefore time.Time) error {
	if err := s.bump(ctx, tx); err != nil {
		return err
	}
	return s.recordApp(ctx, tx, realm, id, state, notBefore)
}

// recordApp records an application's new state under the revision the transaction
// set, then prunes changes older than changesKept.
func (s *Store) recordApp(ctx context.Context, tx *sql.Tx, realm, id string, state int, notBefore time.Time) error {
	now := s.now().UnixMilli()
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO app_changes (rev, realm, app_id, state, not_before, changed_at)
		SELECT value, ?, ?, ?, ?, ? FROM revision WHERE id = 1`), realm, id, state, ms(notBefore), now); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, s.q("DELETE FROM app_changes WHERE changed_at < ?"), now-changesKept.Milliseconds())
	return err
}

// AppStates returns every application id of realm with its enabled flag and
// not-before. The map is shared: callers must not modify it.
func (s *Store) AppStates(ctx context.Context, realm string) (map[string]store.AppState, error) {
	s.states.mu.Lock()
	defer s.states.mu.Unlock()
	if s.states.realms == nil {
		s.states.realms = map[string]*realmStates{}
	}
	c := s.states.realms[realm]
	if c == nil || s.now().Sub(c.loaded) >= statesFullReload {
		c, err := s.loadStates(ctx, realm)
		if err != nil {
			return nil, err
		}
		s.states.realms[realm] = c
		return c.states, nil
	}
	type change struct {
		rev       int64
		id        string
		state     int
		notBefore time.Time
	}
	changes, err := guarded(ctx, s, false, func(ctx context.Context) ([]change, error) {
		rows, err := s.r.QueryContext(ctx, s.q("SELECT rev, app_id, state, not_before FROM app_changes WHERE realm = ? AND rev > ? ORDER BY rev"), realm, c.rev)
		if err != nil {
			return nil, wrap("app states", err)
		}
		cs, err := collect(rows, func(sc scanner) (change, error) {
			var ch change
			err := sc.Scan(&ch.rev, &ch.id, &ch.state, msTime{&ch.notBefore})
			return ch, err
		})
		return cs, wrap("app states", err)
	})
	if err != nil || len(changes) == 0 {
		return c.states, err
	}
	next := maps.Clone(c.states)
	for _, ch := range changes {
		if ch.state == stateDeleted {
			delete(next, ch.id)
		} else {
			next[ch.id] = store.AppState{Enabled: ch.state == stateEnabled, NotBefore: ch.notBefore}
		}
		c.rev = ch.rev
	}
	c.states = next
	return next, nil
}

// loadStates reads every application of realm and the revision they are as of, in one
// snapshot; the revision is read first, so a change committed in between is read again
// as a change, which is harmless (changes carry the whole state).
func (s *Store) loadStates(ctx context.Context, realm string) (*realmStates, error) {
	c := &realmStates{loaded: s.now(), states: map[string]store.AppState{}}
	err := s.read(ctx, "app states", func(ctx context.Context, tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, s.q("SELECT value FROM revision WHERE id = 1")).Scan(&c.rev); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, s.q("SELECT id, enabled, not_before FROM apps WHERE realm = ?"), realm)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var st store.AppState
			if err := rows.Scan(&id, &st.Enabled, msTime{&st.NotBefore}); err != nil {
				return err
			}
			c.states[id] = st
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}
