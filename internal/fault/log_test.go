package fault

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestLog(t *testing.T) {
	for _, tc := range []struct {
		kind Kind
		want string // "" for no line
	}{
		{Unavailable, "level=WARN msg=\"api: store unavailable\" path=/x err=boom"},
		{Unknown, "level=ERROR msg=\"api: unexpected error\" path=/x err=boom"},
		{Invalid, ""},
		{NotFound, ""},
		{Conflict, ""},
	} {
		var buf bytes.Buffer
		log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		}}))
		Log(log, "api", tc.kind, errors.New("boom"), "path", "/x")
		if got := strings.TrimSpace(buf.String()); got != tc.want {
			t.Errorf("kind %v: logged %q, want %q", tc.kind, got, tc.want)
		}
	}
}
