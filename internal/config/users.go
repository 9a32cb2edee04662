package config

import (
	"fmt"
	"strings"
)

// User is a console user declared in configuration, in the shape of Camunda Identity's
// KEYCLOAK_USERS_<n>_* variables (or keycloak.users in the YAML file). Users belong to
// the default realm.
type User struct {
	Username  string   `yaml:"username"`
	Password  string   `yaml:"password"` // secret
	Email     string   `yaml:"email"`
	FirstName string   `yaml:"first-name"`
	LastName  string   `yaml:"last-name"`
	Roles     []string `yaml:"roles"`
}

// keycloakUsers reads KEYCLOAK_USERS_<n>_USERNAME, _PASSWORD, _EMAIL, _FIRST_NAME,
// _LAST_NAME and _ROLES_<m>, ordered by n (and roles by m).
func keycloakUsers(environ []string) ([]User, error) {
	groups, err := indexed(envMap(environ), "KEYCLOAK_USERS_")
	if err != nil {
		return nil, err
	}
	out := make([]User, 0, len(groups))
	for _, g := range groups {
		var u User
		roles := map[string]string{}
		for f, v := range g.fields {
			switch f {
			case "USERNAME":
				u.Username = v
			case "PASSWORD":
				u.Password = v
			case "EMAIL":
				u.Email = v
			case "FIRST_NAME", "FIRSTNAME":
				u.FirstName = v
			case "LAST_NAME", "LASTNAME":
				u.LastName = v
			default:
				if !strings.HasPrefix(f, "ROLES_") {
					return nil, fmt.Errorf("KEYCLOAK_USERS_%d_%s: unknown user field (expected USERNAME, PASSWORD, EMAIL, FIRST_NAME, LAST_NAME or ROLES_<m>)", g.n, f)
				}
				roles[f] = v
			}
		}
		rs, err := indexed(roles, "ROLES_")
		if err != nil {
			return nil, fmt.Errorf("KEYCLOAK_USERS_%d: unknown user field (expected ROLES_<m>): %w", g.n, err)
		}
		for _, r := range rs {
			if v := r.fields[""]; v != "" && len(r.fields) == 1 {
				u.Roles = append(u.Roles, v)
			} else if len(r.fields) != 1 {
				return nil, fmt.Errorf("KEYCLOAK_USERS_%d_ROLES_%d: unknown user field", g.n, r.n)
			}
		}
		if u.Username == "" || u.Password == "" {
			return nil, fmt.Errorf("KEYCLOAK_USERS_%d needs both USERNAME and PASSWORD", g.n)
		}
		out = append(out, u)
	}
	return out, nil
}
