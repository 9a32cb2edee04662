package identity

import (
	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/store"
)

// An audit event's target is an id; these add who the target is (name, client id,
// username, audience) so the trail reads without looking ids up, also after the target
// is gone. A name the change itself set (a rename) is kept.

func describeApp(c *audit.Change, app store.Application) {
	if app.ID == "" {
		return
	}
	if _, ok := c.Detail["name"]; !ok {
		c.Detail["name"] = app.Name
	}
	c.Detail["clientId"] = app.ClientID
}

func describeAPI(c *audit.Change, x store.API) {
	if x.ID == "" {
		return
	}
	if _, ok := c.Detail["name"]; !ok {
		c.Detail["name"] = x.Name
	}
	c.Detail["audience"] = x.Audience
}

func describeUser(c *audit.Change, u store.User) {
	if u.ID != "" {
		c.Detail["username"] = u.Username
	}
}
