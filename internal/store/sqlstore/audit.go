package sqlstore

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/internal/store"
)

// auditBatch bounds the rows of one INSERT (8 parameters each).
const auditBatch = 100

// AppendAudit stores events in one transaction; IDs are assigned in order.
// Audit does not change the revision.
func (s *Store) AppendAudit(ctx context.Context, events ...store.AuditEvent) error {
	if len(events) == 0 {
		return nil
	}
	return s.write(ctx, "append audit", func(ctx context.Context, tx *sql.Tx) error {
		var full *sql.Stmt // the statement of a whole chunk, prepared once per batch
		defer func() {
			if full != nil {
				full.Close()
			}
		}()
		for chunk := range slices.Chunk(events, auditBatch) {
			args := make([]any, 0, 8*len(chunk))
			for _, e := range chunk {
				detail, err := jsonMap(e.Detail)
				if err != nil {
					return err
				}
				args = append(args, e.Realm, ms(e.Time), e.Actor, e.Action, e.Target, e.Outcome, detail)
			}
			values := strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?), ", len(chunk)), ", ")
			query := s.q("INSERT INTO audit (realm, occurred_at, actor, action, target, outcome, detail) VALUES " + values)
			var err error
			switch {
			case len(chunk) < auditBatch:
				_, err = tx.ExecContext(ctx, query, args...)
			case full == nil:
				if full, err = tx.PrepareContext(ctx, query); err == nil {
					_, err = full.ExecContext(ctx, args...)
				}
			default:
				_, err = full.ExecContext(ctx, args...)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// purgeChunk bounds the rows one PurgeAudit transaction deletes, so a large backlog
// (the first run after retention is switched on) never holds the SQLite writer for long.
const purgeChunk = 5000

// PurgeAudit deletes events with occurred_at before the given time, in chunks of
// purgeChunk rows, each its own transaction. It stops early when ctx ends.
func (s *Store) PurgeAudit(ctx context.Context, before time.Time) (int, error) {
	query := s.q("DELETE FROM audit WHERE id IN (SELECT id FROM audit WHERE occurred_at < ? ORDER BY id LIMIT ?)")
	total := 0
	for {
		var n int64
		err := s.write(ctx, "purge audit", func(ctx context.Context, tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, query, before.UnixMilli(), purgeChunk)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		total += int(n)
		if err != nil || n < purgeChunk {
			return total, err
		}
	}
}

// ListAudit returns events matching q, newest (highest ID) first. Since is
// inclusive, Until exclusive; an Action ending in "." matches as a prefix.
func (s *Store) ListAudit(ctx context.Context, q store.AuditQuery) ([]store.AuditEvent, error) {
	return guarded(ctx, s, false, func(ctx context.Context) ([]store.AuditEvent, error) {
		var where []string
		var args []any
		eq := func(col, v string) {
			if v != "" {
				where, args = append(where, col+" = ?"), append(args, v)
			}
		}
		eq("realm", q.Realm)
		eq("actor", q.Actor)
		eq("target", q.Target)
		eq("outcome", q.Outcome)
		if strings.HasSuffix(q.Action, ".") {
			// substr counts characters in both dialects; no LIKE, so no escaping.
			where = append(where, "substr(action, 1, ?) = ?")
			args = append(args, utf8.RuneCountInString(q.Action), q.Action)
		} else {
			eq("action", q.Action)
		}
		if q.Exclude != "" {
			where, args = append(where, "action <> ?"), append(args, q.Exclude)
		}
		if !q.Since.IsZero() {
			where, args = append(where, "occurred_at >= ?"), append(args, q.Since.UnixMilli())
		}
		if !q.Until.IsZero() {
			where, args = append(where, "occurred_at < ?"), append(args, q.Until.UnixMilli())
		}
		if q.BeforeID > 0 {
			where, args = append(where, "id < ?"), append(args, q.BeforeID)
		}
		query := "SELECT id, realm, occurred_at, actor, action, target, outcome, detail FROM audit"
		if len(where) > 0 {
			query += " WHERE " + strings.Join(where, " AND ")
		}
		_, limit := page(0, q.Limit)
		rows, err := s.r.QueryContext(ctx, s.q(query+" ORDER BY id DESC LIMIT ?"), append(args, limit)...)
		if err != nil {
			return nil, wrap("list audit", err)
		}
		es, err := collect(rows, func(sc scanner) (store.AuditEvent, error) {
			var e store.AuditEvent
			err := sc.Scan(&e.ID, &e.Realm, msTime{&e.Time}, &e.Actor, &e.Action, &e.Target, &e.Outcome, jsonCol{&e.Detail})
			return e, err
		})
		return es, wrap("list audit", err)
	})
}
