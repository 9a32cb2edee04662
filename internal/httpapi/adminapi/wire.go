package adminapi

import (
	"math"
	"net/url"
	"strconv"
	"time"

	"github.com/gatehouse/gatehouse/internal/cluster"
)

// Wire shapes of spec §3.2 (every object additionalProperties: false).
type appOut struct {
	Type       string `json:"type"`
	ID         string `json:"id"`
	Status     string `json:"status"`
	URL        string `json:"url"`
	Generation string `json:"generation"`
	Readiness  string `json:"readiness,omitempty"`
	Metrics    string `json:"metrics,omitempty"`
}

type clusterOut struct {
	UUID       string   `json:"uuid"`
	Name       string   `json:"name"`
	Namespace  string   `json:"namespace"`
	Status     string   `json:"status"`
	Generation string   `json:"generation"`
	Type       string   `json:"type"`
	Apps       []appOut `json:"apps"`
}

type total struct {
	Total int64 `json:"total"`
}

type taskUsers struct {
	Total     int64    `json:"total"`
	Assignees []string `json:"assignees"`
}

type usageOut struct {
	ID                string    `json:"id"`
	ProcessInstances  total     `json:"processInstances"`
	DecisionInstances total     `json:"decisionInstances"`
	TaskUsers         taskUsers `json:"taskUsers"`
}

func clustersJSON(v *cluster.View) []clusterOut {
	out := make([]clusterOut, 0, len(v.Clusters))
	for _, c := range v.Clusters {
		co := clusterOut{UUID: c.UUID, Name: c.Name, Namespace: c.Namespace, Status: string(c.Status),
			Generation: c.Generation, Type: c.Type, Apps: make([]appOut, 0, len(c.Apps))}
		for _, a := range c.Apps {
			co.Apps = append(co.Apps, appOut{Type: a.Type, ID: a.ID, Status: string(a.Status), URL: a.URL,
				Generation: a.Generation, Readiness: a.Readiness, Metrics: a.Metrics})
		}
		out = append(out, co)
	}
	return out
}

func usageJSON(u cluster.Usage) usageOut {
	as := u.Assignees
	if as == nil {
		as = []string{}
	}
	return usageOut{ID: u.ID, ProcessInstances: total{u.ProcessInstances}, DecisionInstances: total{u.DecisionInstances},
		TaskUsers: taskUsers{Total: u.TaskUsers, Assignees: as}}
}

type usageQuery struct {
	id         string
	start, end time.Time
}

// maxMillis is the largest Unix millisecond time accepted (year 275760, JavaScript's
// Date range), so conversion never overflows.
const maxMillis = 8.64e15

// parseUsageQuery reads id, start and end (Unix milliseconds, numbers as the spec's
// number/double allows: "1700000000000", "1.7e12"). It returns a problem detail that
// names the parameter at fault, never echoing its value.
func parseUsageQuery(raw string) (usageQuery, string) {
	vals, err := url.ParseQuery(raw)
	if err != nil {
		return usageQuery{}, "The query string is malformed."
	}
	one := func(name string) (string, string) {
		v := vals[name]
		switch {
		case len(v) == 0 || v[0] == "":
			return "", "The query parameter '" + name + "' is required."
		case len(v) > 1:
			return "", "The query parameter '" + name + "' must be given once."
		}
		return v[0], ""
	}
	var q usageQuery
	id, d := one("id")
	if d != "" {
		return q, d
	}
	if len(id) > 256 {
		return q, "The query parameter 'id' is too long."
	}
	q.id = id
	ms := func(name string) (time.Time, string) {
		s, d := one(name)
		if d != "" {
			return time.Time{}, d
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > maxMillis {
			return time.Time{}, "The query parameter '" + name + "' must be a Unix time in milliseconds (a non-negative number)."
		}
		return time.UnixMilli(int64(f)).UTC(), ""
	}
	if q.start, d = ms("start"); d != "" {
		return q, d
	}
	if q.end, d = ms("end"); d != "" {
		return q, d
	}
	if q.start.After(q.end) {
		return q, "The query parameter 'start' must not be after 'end'."
	}
	return q, ""
}
