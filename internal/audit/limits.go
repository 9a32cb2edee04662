package audit

import (
	"maps"
	"slices"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Field limits of a stored event. Values come partly from unauthenticated requests (a
// client id that failed to authenticate becomes the actor), so every field is bounded
// where events enter the recorder: no caller can make one row large.
const (
	MaxField       = 255  // realm, actor, action, target, outcome (bytes)
	MaxDetailKeys  = 32   // detail entries kept (batching may add "count" and "last")
	MaxDetailKey   = 64   // bytes of a detail key
	MaxDetailValue = 1024 // bytes of a detail value
)

// Cap returns e with every field within the limits above. Over-long text is cut at a
// character boundary; surplus detail keys go in sorted order, so the same event always
// keeps the same keys. An event within the limits comes back unchanged.
func Cap(e store.AuditEvent) store.AuditEvent {
	e.Realm, e.Actor, e.Action = cut(e.Realm, MaxField), cut(e.Actor, MaxField), cut(e.Action, MaxField)
	e.Target, e.Outcome = cut(e.Target, MaxField), cut(e.Outcome, MaxField)
	if !detailFits(e.Detail) {
		keys := slices.Sorted(maps.Keys(e.Detail))
		d := make(map[string]string, min(len(keys), MaxDetailKeys))
		for _, k := range keys {
			if len(d) == MaxDetailKeys {
				break
			}
			d[cut(k, MaxDetailKey)] = cut(e.Detail[k], MaxDetailValue)
		}
		e.Detail = d
	}
	return e
}

func detailFits(d map[string]string) bool {
	if len(d) > MaxDetailKeys {
		return false
	}
	for k, v := range d {
		if len(k) > MaxDetailKey || len(v) > MaxDetailValue {
			return false
		}
	}
	return true
}

// cut shortens s to at most n bytes without splitting a UTF-8 sequence.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 {
		r, size := utf8.DecodeLastRuneInString(s)
		if r != utf8.RuneError || size > 1 {
			break
		}
		s = s[:len(s)-1]
	}
	return s
}
