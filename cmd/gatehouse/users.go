package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/client"
)

var usersGroup = &group{
	name:    "users",
	summary: "Manage the realm's console users and their roles (management API: …/users).",
	verbs: []verb{
		{name: "list", summary: "list users, by name", max: 0, setup: usersList},
		{name: "get", args: "ID", summary: "show a user", min: 1, max: 1, setup: usersGet},
		{name: "create", args: "--username NAME (--password-stdin | --password PASSWORD) [--email E] [--first-name F] [--last-name L] [--role ROLE]...",
			summary: "create a user (the password is stored as argon2id)", max: 0, setup: usersCreate},
		{name: "update", args: "ID [--email E] [--first-name F] [--last-name L] [--password-stdin | --password PASSWORD]",
			summary: "change a user's names, email or password", min: 1, max: 1, setup: usersUpdate},
		{name: "enable", args: "ID", summary: "enable a user", min: 1, max: 1, setup: usersEnabled(true)},
		{name: "disable", args: "ID", summary: "disable a user", min: 1, max: 1, setup: usersEnabled(false)},
		{name: "delete", args: "ID", summary: "delete a user", min: 1, max: 1, setup: usersDelete},
		{name: "roles", args: "ID", summary: "list a user's roles", min: 1, max: 1, setup: usersRoles},
		{name: "add-roles", args: "ID ROLE...", summary: "give a user roles (idempotent); prints its roles then",
			min: 2, max: -1, setup: usersChangeRoles(true)},
		{name: "remove-roles", args: "ID ROLE...", summary: "take roles from a user; prints its roles then",
			min: 2, max: -1, setup: usersChangeRoles(false)},
	},
}

func usersList(fs *flag.FlagSet, s *session) action {
	opts := listFlags(fs)
	return s.withMgmt(func(ctx context.Context, m *client.Management, _ []string) error {
		p, err := m.ListUsers(ctx, *opts)
		if err != nil {
			return err
		}
		if s.json() {
			return s.printJSON(p)
		}
		rows := make([][]string, 0, len(p.Items))
		for _, u := range p.Items {
			rows = append(rows, []string{u.ID, u.Username, orDash(u.Email), orDash(strings.TrimSpace(u.FirstName + " " + u.LastName)),
				strconv.FormatBool(u.Enabled), list(u.Roles)})
		}
		if err := s.table([]string{"ID", "USERNAME", "EMAIL", "NAME", "ENABLED", "ROLES"}, rows); err != nil {
			return err
		}
		s.morePages(p.Total, p.Offset, len(p.Items))
		return nil
	})
}

func (s *session) printUser(u *client.User) error {
	if s.json() {
		return s.printJSON(u)
	}
	return s.fields([2]string{"ID", u.ID}, [2]string{"USERNAME", u.Username}, [2]string{"EMAIL", orDash(u.Email)},
		[2]string{"FIRST NAME", orDash(u.FirstName)}, [2]string{"LAST NAME", orDash(u.LastName)},
		[2]string{"ENABLED", strconv.FormatBool(u.Enabled)}, [2]string{"ROLES", list(u.Roles)},
		[2]string{"CREATED", ts(u.CreatedAt)}, [2]string{"UPDATED", ts(u.UpdatedAt)})
}

func usersGet(fs *flag.FlagSet, s *session) action {
	return s.withMgmt(func(ctx context.Context, m *client.Management, args []string) error {
		u, err := m.GetUser(ctx, args[0])
		if err != nil {
			return err
		}
		return s.printUser(u)
	})
}

// passwordFlags declares --password and --password-stdin; the returned function yields
// the password ("" when neither was given).
func passwordFlags(fs *flag.FlagSet) func() (string, error) {
	pw := fs.String("password", "", "the password (visible to other local users in the process list: prefer --password-stdin)")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	return func() (string, error) {
		if *fromStdin && *pw != "" {
			return "", usagef("--password and --password-stdin exclude each other")
		}
		if !*fromStdin {
			return *pw, nil
		}
		line, err := bufio.NewReader(stdin).ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			return "", fmt.Errorf("no password on standard input: %v", err)
		}
		return line, nil
	}
}

func usersCreate(fs *flag.FlagSet, s *session) action {
	var in client.UserCreate
	fs.StringVar(&in.Username, "username", "", "username (required; stored lowercase)")
	fs.StringVar(&in.Email, "email", "", "email address")
	fs.StringVar(&in.FirstName, "first-name", "", "first name")
	fs.StringVar(&in.LastName, "last-name", "", "last name")
	var roles repeated
	fs.Var(&roles, "role", "a role, e.g. Operate (repeatable)")
	password := passwordFlags(fs)
	return func(ctx context.Context, _ []string) error {
		if in.Username == "" {
			return usagef("--username is required")
		}
		pw, err := password()
		if err != nil {
			return err
		}
		if pw == "" {
			return usagef("give the password with --password-stdin or --password")
		}
		in.Password, in.Roles = pw, roles
		m, err := s.mgmt()
		if err != nil {
			return err
		}
		u, err := m.CreateUser(ctx, in)
		if err != nil {
			return err
		}
		return s.printUser(u)
	}
}

func usersUpdate(fs *flag.FlagSet, s *session) action {
	email := fs.String("email", "", "new email address")
	firstName := fs.String("first-name", "", "new first name")
	lastName := fs.String("last-name", "", "new last name")
	password := passwordFlags(fs)
	return func(ctx context.Context, args []string) error {
		var in client.UserUpdate
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if set["email"] {
			in.Email = email
		}
		if set["first-name"] {
			in.FirstName = firstName
		}
		if set["last-name"] {
			in.LastName = lastName
		}
		pw, err := password()
		if err != nil {
			return err
		}
		if pw != "" {
			in.Password = &pw
		}
		if in == (client.UserUpdate{}) {
			return usagef("nothing to change: give --email, --first-name, --last-name or a password")
		}
		m, err := s.mgmt()
		if err != nil {
			return err
		}
		u, err := m.UpdateUser(ctx, args[0], in)
		if err != nil {
			return err
		}
		return s.printUser(u)
	}
}

func usersEnabled(enabled bool) func(fs *flag.FlagSet, s *session) action {
	return func(fs *flag.FlagSet, s *session) action {
		return s.withMgmt(func(ctx context.Context, m *client.Management, args []string) error {
			u, err := m.UpdateUser(ctx, args[0], client.UserUpdate{Enabled: &enabled})
			if err != nil {
				return err
			}
			return s.printUser(u)
		})
	}
}

func usersDelete(fs *flag.FlagSet, s *session) action {
	return s.withMgmt(func(ctx context.Context, m *client.Management, args []string) error {
		if err := m.DeleteUser(ctx, args[0]); err != nil {
			return err
		}
		s.note("Deleted user %s.", args[0])
		return nil
	})
}

func (s *session) printRoles(roles []string) error {
	if s.json() {
		if roles == nil {
			roles = []string{}
		}
		return s.printJSON(roles)
	}
	rows := make([][]string, len(roles))
	for i, r := range roles {
		rows[i] = []string{r}
	}
	return s.table([]string{"ROLE"}, rows)
}

func usersRoles(fs *flag.FlagSet, s *session) action {
	return s.withMgmt(func(ctx context.Context, m *client.Management, args []string) error {
		roles, err := m.ListRoles(ctx, args[0])
		if err != nil {
			return err
		}
		return s.printRoles(roles)
	})
}

func usersChangeRoles(add bool) func(fs *flag.FlagSet, s *session) action {
	return func(fs *flag.FlagSet, s *session) action {
		return s.withMgmt(func(ctx context.Context, m *client.Management, args []string) error {
			change := m.RemoveRoles
			if add {
				change = m.AddRoles
			}
			roles, err := change(ctx, args[0], args[1:]...)
			if err != nil {
				return err
			}
			return s.printRoles(roles)
		})
	}
}
