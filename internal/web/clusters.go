package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/internal/cluster"
	"github.com/gatehouse/gatehouse/internal/store"
)

type clustersData struct {
	Clusters  []cluster.Cluster
	RefreshMS int64
	Realm     string
}

func (h *Handler) view() *cluster.View {
	if h.o.Clusters == nil {
		return &cluster.View{}
	}
	return h.o.Clusters.View()
}

func (h *Handler) clustersList(w http.ResponseWriter, r *http.Request, v *viewer) {
	h.render(w, r, http.StatusOK, "clusters", &page{Title: "Clusters", Nav: "clusters", User: v,
		Data: clustersData{Clusters: h.view().Clusters, RefreshMS: h.o.HealthRefresh.Milliseconds(), Realm: h.o.Realm}})
}

type healthJSON struct {
	At       time.Time       `json:"at"`
	Clusters []clusterHealth `json:"clusters"`
}

type clusterHealth struct {
	UUID   string      `json:"uuid"`
	Status string      `json:"status"`
	Apps   []appHealth `json:"apps"`
}

type appHealth struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

// clustersHealth is what the clusters pages poll to refresh health by themselves.
func (h *Handler) clustersHealth(w http.ResponseWriter, r *http.Request, v *viewer) {
	out := healthJSON{At: h.now().UTC(), Clusters: []clusterHealth{}}
	for _, c := range h.view().Clusters {
		ch := clusterHealth{UUID: c.UUID, Status: string(c.Status), Apps: []appHealth{}}
		for _, a := range c.Apps {
			ch.Apps = append(ch.Apps, appHealth{ID: a.ID, Status: string(a.Status)})
		}
		out.Clusters = append(out.Clusters, ch)
	}
	b, _ := json.Marshal(out)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b)
}

type usageData struct {
	Period   string
	From, To string // YYYY-MM-DD
	Start    time.Time
	End      time.Time
	Usage    *cluster.Usage
	Error    string
}

type clusterDetailData struct {
	Cluster   cluster.Cluster
	Record    store.Cluster
	RefreshMS int64
	Usage     usageData
	Periods   []graceOption
}

var periods = []graceOption{
	{"24h", "Last 24 hours", false},
	{"7d", "Last 7 days", false},
	{"30d", "Last 30 days", true},
	{"month", "This month", false},
	{"custom", "Custom dates", false},
}

// usagePeriod reads the chosen period: a preset, or from/to dates (UTC, to inclusive).
func usagePeriod(r *http.Request, now time.Time) (usageData, error) {
	q := r.URL.Query()
	d := usageData{Period: q.Get("period"), From: q.Get("from"), To: q.Get("to")}
	if d.Period == "" {
		d.Period = "30d"
	}
	now = now.UTC()
	switch d.Period {
	case "24h":
		d.Start, d.End = now.Add(-24*time.Hour), now
	case "7d":
		d.Start, d.End = now.AddDate(0, 0, -7), now
	case "30d":
		d.Start, d.End = now.AddDate(0, 0, -30), now
	case "month":
		d.Start, d.End = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC), now
	case "custom":
		from, err1 := time.Parse("2006-01-02", d.From)
		to, err2 := time.Parse("2006-01-02", d.To)
		if err1 != nil || err2 != nil {
			return d, invalidForm("Enter both dates of the custom period (from and to).")
		}
		if to.Before(from) {
			return d, invalidForm("The custom period ends before it starts; swap the dates.")
		}
		if to.Sub(from) > 366*24*time.Hour {
			return d, invalidForm("Choose a custom period of at most one year.")
		}
		d.Start, d.End = from, to.Add(24*time.Hour)
	default:
		d.Period = "30d"
		d.Start, d.End = now.AddDate(0, 0, -30), now
	}
	if d.From == "" {
		d.From = d.Start.Format("2006-01-02")
	}
	if d.To == "" {
		d.To = d.End.Format("2006-01-02")
	}
	return d, nil
}

func (h *Handler) clusterDetail(w http.ResponseWriter, r *http.Request, v *viewer) {
	view := h.view()
	id := r.PathValue("id")
	var c *cluster.Cluster
	for i := range view.Clusters {
		if view.Clusters[i].UUID == id {
			c = &view.Clusters[i]
		}
	}
	if c == nil {
		h.renderError(w, r, v, http.StatusNotFound, "There is no such cluster.",
			"Go back to the clusters page; it lists the clusters Gatehouse knows now.")
		return
	}
	rec, _ := view.Record(id)
	d := clusterDetailData{Cluster: *c, Record: rec, RefreshMS: h.o.HealthRefresh.Milliseconds(), Periods: periods}
	u, err := usagePeriod(r, h.now())
	if err != nil {
		u.Error = err.Error()
	} else {
		usage, err := h.o.Clusters.Usage(r.Context(), id, u.Start, u.End)
		var se *cluster.SourceError
		switch {
		case errors.As(err, &se):
			u.Error = "Usage metrics could not be read from component “" + se.Component + "” (" + se.Err.Error() +
				"). Check that its metrics URL is reachable from Gatehouse, then reload."
		case err != nil:
			u.Error = "Usage metrics could not be read; try again in a few seconds."
			h.log.Warn("console: usage metrics", "cluster", id, "err", err)
		default:
			u.Usage = &usage
		}
	}
	d.Usage = u
	h.render(w, r, http.StatusOK, "cluster", &page{Title: c.Name, Nav: "clusters", User: v, Data: d})
}
