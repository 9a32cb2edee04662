package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Admin is a typed client for the Administration API (Self-Managed) that Gatehouse serves
// on its console listener: /admin-api/clusters and /admin-api/usage-metrics. Its token
// needs the audience console-api (or an alias) with read:* or write:*. Safe for
// concurrent use.
type Admin struct{ r *rest }

// NewAdmin returns an Administration API client for the console listener at consoleURL,
// e.g. http://localhost:8080. src supplies the tokens; nil sends none.
func NewAdmin(consoleURL string, src *TokenSource, opts ...ClientOption) *Admin {
	return &Admin{r: newRest(consoleURL, src, opts)}
}

// AdminCluster is a cluster with the live health of its apps.
type AdminCluster struct {
	UUID       string     `json:"uuid"`
	Name       string     `json:"name"`
	Namespace  string     `json:"namespace"`
	Status     string     `json:"status"` // healthy, unhealthy or unknown
	Generation string     `json:"generation"`
	Type       string     `json:"type"` // automation or management
	Apps       []AdminApp `json:"apps"`
}

// AdminApp is an app of a cluster and its health.
type AdminApp struct {
	Type       string `json:"type"`
	ID         string `json:"id"`
	Status     string `json:"status"` // healthy, unhealthy or unknown
	URL        string `json:"url"`
	Generation string `json:"generation"` // version
	Readiness  string `json:"readiness,omitempty"`
	Metrics    string `json:"metrics,omitempty"`
}

// UsageMetrics is the usage of one cluster in a time window.
type UsageMetrics struct {
	ID                string     `json:"id"`
	ProcessInstances  UsageTotal `json:"processInstances"`
	DecisionInstances UsageTotal `json:"decisionInstances"`
	TaskUsers         TaskUsers  `json:"taskUsers"`
}

// UsageTotal is a count.
type UsageTotal struct {
	Total int64 `json:"total"`
}

// TaskUsers counts the distinct assignees of user tasks.
type TaskUsers struct {
	Total     int64    `json:"total"`
	Assignees []string `json:"assignees"`
}

// Clusters answers every cluster of the installation with the live health of its apps.
func (a *Admin) Clusters(ctx context.Context) ([]AdminCluster, error) {
	var cs []AdminCluster
	return cs, a.r.do(ctx, http.MethodGet, "/admin-api/clusters", nil, nil, &cs)
}

// UsageMetrics answers the usage of the cluster with this uuid between start and end.
func (a *Admin) UsageMetrics(ctx context.Context, clusterID string, start, end time.Time) (*UsageMetrics, error) {
	q := url.Values{"id": {clusterID}, "start": {strconv.FormatInt(start.UnixMilli(), 10)},
		"end": {strconv.FormatInt(end.UnixMilli(), 10)}}
	var u UsageMetrics
	return &u, a.r.do(ctx, http.MethodGet, "/admin-api/usage-metrics", q, nil, &u)
}
