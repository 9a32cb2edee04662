package identity

import "time"

// DenyStats describe a deny list's current view (metrics).
type DenyStats struct {
	Loaded   bool          // false until the first successful Refresh
	Revoked  int           // revoked token ids
	Apps     int           // applications whose enabled state the view knows
	Disabled int           // of them, disabled
	LoadTook time.Duration // the last full reload
	AsOf     time.Time     // the snapshot's time (moves forward on every refresh)
}

// Stats returns the deny list's current view in numbers.
func (d *DenyList) Stats() DenyStats {
	v := d.view.Load()
	if v == nil {
		return DenyStats{}
	}
	st := DenyStats{Loaded: true, Revoked: len(v.revoked), Apps: len(v.apps), LoadTook: v.took, AsOf: time.Unix(v.asOf, 0)}
	for _, a := range v.apps {
		if !a.Enabled {
			st.Disabled++
		}
	}
	return st
}
