package fault

import (
	"log/slog"
)

// Log records err by its kind, the same way on every surface: a store that cannot
// answer as a warning, an error of no known kind as an error. The other kinds are the
// caller's input or the state it asked about, answered and not logged. surface names
// where it happened ("management API", "console"); attrs add request details.
func Log(log *slog.Logger, surface string, kind Kind, err error, attrs ...any) {
	switch kind {
	case Unavailable:
		log.Warn(surface+": store unavailable", append(attrs, "err", err)...)
	case Unknown:
		log.Error(surface+": unexpected error", append(attrs, "err", err)...)
	}
}
