package observe

// UnknownRealm is the realm label of a request for a realm that is not configured: the
// realm comes from the URL, and each made-up name would otherwise be a new series.
const UnknownRealm = "unknown"

// Realms bounds the realm label to the configured realms.
type Realms map[string]bool

// NewRealms lists the configured realms.
func NewRealms(names ...string) Realms {
	r := Realms{}
	for _, n := range names {
		r[n] = true
	}
	return r
}

// Label is name if it is configured, else UnknownRealm.
func (r Realms) Label(name string) string {
	if r[name] {
		return name
	}
	return UnknownRealm
}
