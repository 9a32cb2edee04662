package storetest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/gatehouse/gatehouse/internal/store"
)

var listTests = []test{
	{"List/AppsOrderPagingQuery", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		seed(t, s)
		// Name order (byte order), then id for equal names.
		for _, a := range [][2]string{
			{"a5", "beta"}, {"a2", "Alpha"}, {"a3", "gamma"}, {"a1", "alpha"}, {"a4", "beta"},
			{"a6", "100% real"}, {"a7", "1000 real"}, {"a8", "snake_case"}, {"a9", "snakeXcase"}, {"b1", `back\slash`},
		} {
			must(t, s.CreateApp(ctx, app("r1", a[0], "c-"+a[0], a[1])))
		}
		must(t, s.CreateApp(ctx, app("r2", "z1", "c-z1", "alpha")))
		all := []string{"a6", "a7", "a2", "a1", "b1", "a4", "a5", "a3", "a9", "a8"}

		for _, tc := range []struct {
			name      string
			opt       store.ListOptions
			want      []string
			wantTotal int
		}{
			{"all", store.ListOptions{}, all, 10},
			{"first page", store.ListOptions{Limit: 3}, all[:3], 10},
			{"middle page", store.ListOptions{Offset: 3, Limit: 3}, all[3:6], 10},
			{"past the end", store.ListOptions{Offset: 20, Limit: 3}, nil, 10},
			{"negative offset", store.ListOptions{Offset: -1, Limit: 2}, all[:2], 10},
			{"query case-insensitive", store.ListOptions{Query: "ALPHA"}, []string{"a2", "a1"}, 2},
			{"query substring", store.ListOptions{Query: "et"}, []string{"a4", "a5"}, 2},
			{"query paged", store.ListOptions{Query: "al", Limit: 1, Offset: 1}, []string{"a7"}, 4},
			{"percent literal", store.ListOptions{Query: "0%"}, []string{"a6"}, 1},
			{"underscore literal", store.ListOptions{Query: "e_c"}, []string{"a8"}, 1},
			{"backslash literal", store.ListOptions{Query: `k\s`}, []string{"b1"}, 1},
			{"no match", store.ListOptions{Query: "zzz"}, nil, 0},
		} {
			apps, total, err := s.ListApps(ctx, "r1", tc.opt)
			must(t, err)
			diff(t, tc.name, tc.want, ids(apps, appID))
			if total != tc.wantTotal {
				t.Errorf("%s: total = %d, want %d", tc.name, total, tc.wantTotal)
			}
		}
		apps, _, err := s.ListApps(ctx, "r1", store.ListOptions{Query: "gamma"})
		must(t, err)
		diff(t, "listed app is complete", []store.Application{app("r1", "a3", "c-a3", "gamma")}, apps)
		apps, total, err := s.ListApps(ctx, "nope", store.ListOptions{})
		must(t, err)
		if len(apps) != 0 || total != 0 {
			t.Errorf("unknown realm: %d apps, total %d", len(apps), total)
		}
	}},
	{"List/AppsQueryFollowsChanges", func(t *testing.T, s store.Store) {
		// The search sees renames, deletions and re-creations at once (an index kept
		// beside the table must follow it in the same transaction).
		ctx := t.Context()
		seed(t, s)
		for _, a := range [][2]string{{"a1", "Billing Export"}, {"a2", "Zeebe Worker"}, {"a3", "Ünïcode Käse"}} {
			must(t, s.CreateApp(ctx, app("r1", a[0], "c-"+a[0], a[1])))
		}
		search := func(what, q string, want ...string) {
			t.Helper()
			apps, total, err := s.ListApps(ctx, "r1", store.ListOptions{Query: q})
			must(t, err)
			diff(t, what, want, ids(apps, appID))
			if total != len(want) {
				t.Errorf("%s: total %d, want %d", what, total, len(want))
			}
		}
		search("initial", "EXPORT", "a1")
		search("non-ASCII", "NÏC", "a3")
		_, err := s.UpdateApp(ctx, "r1", "a1", func(a store.Application) (store.Application, error) {
			a.Name = "Invoice Worker"
			return a, nil
		})
		must(t, err)
		search("old name after rename", "export")
		search("new name after rename", "worker", "a1", "a2")
		must(t, s.DeleteApp(ctx, "r1", "a2"))
		search("after delete", "worker", "a1")
		must(t, s.CreateApp(ctx, app("r1", "a2", "c-a2", "Zeebe Worker")))
		search("after re-create", "zeebe w", "a2")
		must(t, s.CreateApp(ctx, app("r1", "a4", "c-a4", "Star*Mark?[x]")))
		for _, q := range []string{"*", "r*m", "?", "[x]", "[", "]"} {
			search("wildcard characters are literal: "+q, q, "a4")
		}
		search("a bracket class is literal", "[xy]")
		_, err = s.UpdateApp(ctx, "r1", "a4", func(a store.Application) (store.Application, error) {
			a.Name = "Plain"
			return a, nil
		})
		must(t, err)
		search("old wildcard name after rename", "r*m")
		search("new name", "plain", "a4")
		must(t, s.DeleteApp(ctx, "r1", "a4"))
		search("after delete", "plain")
	}},
	{"List/UsersOrderPagingQuery", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		seed(t, s)
		for _, u := range [][2]string{{"u3", "carol"}, {"u1", "Alice"}, {"u2", "bob"}, {"u4", "al_ice"}, {"u5", "alXice"}} {
			must(t, s.CreateUser(ctx, user("r1", u[0], u[1])))
		}
		must(t, s.CreateUser(ctx, user("r2", "u9", "alice")))
		for _, tc := range []struct {
			name      string
			opt       store.ListOptions
			want      []string
			wantTotal int
		}{
			{"all", store.ListOptions{}, []string{"u1", "u5", "u4", "u2", "u3"}, 5},
			{"page", store.ListOptions{Offset: 1, Limit: 2}, []string{"u5", "u4"}, 5},
			{"query", store.ListOptions{Query: "ALI"}, []string{"u1"}, 1},
			{"underscore literal", store.ListOptions{Query: "l_i"}, []string{"u4"}, 1},
		} {
			users, total, err := s.ListUsers(ctx, "r1", tc.opt)
			must(t, err)
			diff(t, tc.name, tc.want, ids(users, userID))
			if total != tc.wantTotal {
				t.Errorf("%s: total = %d, want %d", tc.name, total, tc.wantTotal)
			}
		}
		users, _, err := s.ListUsers(ctx, "r1", store.ListOptions{Query: "carol"})
		must(t, err)
		diff(t, "listed user is complete", []store.User{user("r1", "u3", "carol")}, users)
	}},
	{"List/Limits", func(t *testing.T, s store.Store) {
		// Limit 0 means 50; larger limits are clamped to 500.
		ctx := t.Context()
		seed(t, s)
		var want []string
		for i := range 501 {
			a := app("r1", nth("a", i), nth("c", i), nth("app ", i))
			a.Secrets = nil
			must(t, s.CreateApp(ctx, a))
			want = append(want, a.ID)
		}
		for i := range 51 {
			must(t, s.CreateUser(ctx, user("r1", nth("u", i), nth("user", i))))
		}
		for _, tc := range []struct {
			limit, want int
		}{{0, 50}, {-5, 50}, {10, 10}, {500, 500}, {100000, 500}} {
			apps, total, err := s.ListApps(ctx, "r1", store.ListOptions{Limit: tc.limit})
			must(t, err)
			if len(apps) != tc.want || total != 501 {
				t.Errorf("ListApps limit %d: %d apps, total %d; want %d, 501", tc.limit, len(apps), total, tc.want)
			}
			if !slices.Equal(ids(apps, appID), want[:len(apps)]) {
				t.Errorf("ListApps limit %d: wrong order", tc.limit)
			}
		}
		users, total, err := s.ListUsers(ctx, "r1", store.ListOptions{})
		must(t, err)
		if len(users) != 50 || total != 51 {
			t.Errorf("ListUsers default: %d users, total %d; want 50, 51", len(users), total)
		}
		apps, _, err := s.ListApps(ctx, "r1", store.ListOptions{Offset: 500, Limit: 500})
		must(t, err)
		diff(t, "last page", []string{fmt.Sprintf("a%03d", 500)}, ids(apps, appID))
	}},
}
