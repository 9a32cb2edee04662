package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/outbound"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Usage is a cluster's usage in a time window (the Administration API's
// UsageMetricsForCluster).
type Usage struct {
	ID                string
	ProcessInstances  int64
	DecisionInstances int64
	TaskUsers         int64
	Assignees         []string
}

// ErrSourceDown means a usage-metrics source of the cluster did not answer usefully.
var ErrSourceDown = errors.New("cluster: usage metrics source unavailable")

// SourceError names the component whose usage-metrics endpoint failed; it wraps
// ErrSourceDown. Its text carries no URL.
type SourceError struct {
	Component string
	Err       error
}

func (e *SourceError) Error() string {
	return "cluster: usage metrics of component " + e.Component + ": " + e.Err.Error()
}
func (e *SourceError) Unwrap() []error { return []error{ErrSourceDown, e.Err} }

// Metrics fetches usage from Operate and Tasklist. The endpoints are the Actuator
// usage-metrics endpoints those components have served on their management port since
// 8.2 (deprecated in 8.8 in favour of /v2/system/usage-metrics, still served there):
//
//	Operate:  GET {actuator}/usage-metrics/process-instances?startTime=…&endTime=…   → {"total": n}
//	Operate:  GET {actuator}/usage-metrics/decision-instances?startTime=…&endTime=…  → {"total": n}
//	Tasklist: GET {actuator}/usage-metrics/assignees?startTime=…&endTime=…           → {"total": n, "assignees": […]}
//
// with times formatted yyyy-MM-dd'T'HH:mm:ss.SSSZZ. {actuator} is taken from the
// component's metrics or readiness URL (the prefix up to and including "/actuator",
// e.g. http://operate:9600/actuator from http://operate:9600/actuator/prometheus),
// else its readiness or public URL's origin + "/actuator".
type Metrics struct {
	Client   *http.Client     // default: Outbound's client
	Outbound *outbound.Policy // where fetches may go; default: no internal address (SSRF)
	Timeout  time.Duration    // whole fetch; default 5 s
}

// TimeLayout is Spring's yyyy-MM-dd'T'HH:mm:ss.SSSZZ.
const TimeLayout = "2006-01-02T15:04:05.000-0700"

// Fetch returns c's usage between start and end. A cluster without Operate and
// Tasklist has zero usage. Any failing source fails the whole fetch (SourceError).
func (m *Metrics) Fetch(ctx context.Context, c store.Cluster, start, end time.Time) (Usage, error) {
	client := m.Client
	if client == nil {
		pol := m.Outbound
		if pol == nil {
			pol = &outbound.Policy{}
		}
		client = noRedirects(pol)
	}
	timeout := m.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	q := url.Values{"startTime": {start.UTC().Format(TimeLayout)}, "endTime": {end.UTC().Format(TimeLayout)}}.Encode()

	type call struct {
		comp string
		url  string
		into *metricAnswer
	}
	var calls []call
	for _, comp := range c.Components {
		base := ActuatorBase(comp)
		if base == "" {
			continue
		}
		switch comp.Type {
		case TypeOperate:
			calls = append(calls,
				call{comp.ID, base + "/usage-metrics/process-instances?" + q, &metricAnswer{kind: "pi"}},
				call{comp.ID, base + "/usage-metrics/decision-instances?" + q, &metricAnswer{kind: "di"}})
		case TypeTasklist:
			calls = append(calls, call{comp.ID, base + "/usage-metrics/assignees?" + q, &metricAnswer{kind: "tu"}})
		}
	}
	errs := make([]error, len(calls))
	var wg sync.WaitGroup
	for i, cl := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := getMetric(ctx, client, cl.url, cl.into); err != nil {
				errs[i] = &SourceError{Component: cl.comp, Err: err}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return Usage{}, err
		}
	}
	u := Usage{ID: c.ID, Assignees: []string{}}
	var taskTotal int64
	listed := true
	for _, cl := range calls {
		a := cl.into
		switch a.kind {
		case "pi":
			u.ProcessInstances += a.Total
		case "di":
			u.DecisionInstances += a.Total
		case "tu":
			taskTotal += a.Total
			if a.Assignees == nil {
				listed = false // 8.8+ no longer lists the names
			}
			u.Assignees = append(u.Assignees, a.Assignees...)
		}
	}
	slices.Sort(u.Assignees)
	u.Assignees = slices.Compact(u.Assignees)
	// With names from every source, distinct names are the truth (several Tasklist
	// instances may report the same user); otherwise sum the totals.
	if listed && len(u.Assignees) > 0 {
		u.TaskUsers = int64(len(u.Assignees))
	} else {
		u.TaskUsers = taskTotal
	}
	return u, nil
}

type metricAnswer struct {
	kind      string
	Total     int64    `json:"total"`
	Assignees []string `json:"assignees"`
}

func getMetric(ctx context.Context, client *http.Client, u string, into *metricAnswer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			return ue.Err // the URL stays out of the message
		}
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		return fmt.Errorf("answered %s", resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, into); err != nil {
		return errors.New("answered with an unreadable body")
	}
	if into.Total < 0 {
		return errors.New("answered a negative total")
	}
	return nil
}

// ActuatorBase is the Spring Actuator base URL of a component ("" when it has no URL).
func ActuatorBase(c store.Component) string {
	for _, s := range []string{c.Metrics, c.Readiness} {
		u, err := url.Parse(s)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			continue
		}
		if i := strings.Index(u.Path, "/actuator"); i >= 0 {
			return u.Scheme + "://" + u.Host + u.Path[:i+len("/actuator")]
		}
	}
	for _, s := range []string{c.Readiness, c.URL} {
		u, err := url.Parse(s)
		if err == nil && u.Host != "" && (u.Scheme == "http" || u.Scheme == "https") {
			return u.Scheme + "://" + u.Host + "/actuator"
		}
	}
	return ""
}
