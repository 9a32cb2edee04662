package lograte

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func lines(b *bytes.Buffer) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	b.Reset()
	return out
}

func TestLimit(t *testing.T) {
	var buf bytes.Buffer
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	text := slog.NewTextHandler(&buf, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}})
	h := New(text, Options{Burst: 2, Interval: time.Minute, Now: clk.now})
	log := slog.New(h)

	for range 5 {
		log.Warn("store unavailable", "err", "x")
	}
	log.Error("store unavailable") // another level is another line
	log.With("realm", "r").Warn("other message")
	want := []string{
		`level=WARN msg="store unavailable" err=x`,
		`level=WARN msg="store unavailable" err=x`,
		`level=ERROR msg="store unavailable"`,
		`level=WARN msg="other message" realm=r`,
	}
	if d := cmp.Diff(want, lines(&buf)); d != "" {
		t.Fatalf("first window (-want +got):\n%s", d)
	}

	// The window has ended: the next line of the same kind first reports what was held back.
	clk.t = clk.t.Add(time.Minute)
	log.Warn("store unavailable", "err", "y")
	want = []string{
		`level=WARN msg="store unavailable: suppressed 3 similar lines" suppressed=3`,
		`level=WARN msg="store unavailable" err=y`,
	}
	if d := cmp.Diff(want, lines(&buf)); d != "" {
		t.Fatalf("second window (-want +got):\n%s", d)
	}

	// Suppressed lines of a kind that does not come back are reported by any later
	// line once their window is over, or by Flush.
	log.Warn("store unavailable")
	log.Warn("store unavailable") // suppressed
	clk.t = clk.t.Add(2 * time.Minute)
	log.Info("unrelated")
	want = []string{
		`level=WARN msg="store unavailable"`,
		`level=WARN msg="store unavailable: suppressed 1 similar lines" suppressed=1`,
		`level=INFO msg=unrelated`,
	}
	if d := cmp.Diff(want, lines(&buf)); d != "" {
		t.Fatalf("sweep (-want +got):\n%s", d)
	}
	log.Info("unrelated")
	log.Info("unrelated")
	h.Flush(context.Background())
	want = []string{`level=INFO msg=unrelated`, `level=INFO msg="unrelated: suppressed 1 similar lines" suppressed=1`}
	if d := cmp.Diff(want, lines(&buf)); d != "" {
		t.Fatalf("flush (-want +got):\n%s", d)
	}
	if h.Enabled(context.Background(), slog.LevelDebug) {
		t.Error("debug enabled although the wrapped handler is at info")
	}
}
