package identity_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/internal/identity"
)

func TestConsoleAccess(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		roles       []string
		read, write bool
	}{
		{nil, false, false},
		{[]string{"Operate", "Tasklist"}, false, false},
		{[]string{"read"}, true, false},
		{[]string{"Console"}, true, false},
		{[]string{"Identity"}, true, true},
		{[]string{"ADMIN"}, true, true},
		{[]string{"read", "write"}, true, true},
		{[]string{"administrator"}, false, false},
	} {
		if r, w := identity.ConsoleAccess(tt.roles); r != tt.read || w != tt.write {
			t.Errorf("ConsoleAccess(%v) = %v, %v; want %v, %v", tt.roles, r, w, tt.read, tt.write)
		}
	}
}
