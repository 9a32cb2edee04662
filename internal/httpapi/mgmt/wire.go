package mgmt

import "github.com/gatehouse/gatehouse/client"

// The wire types of the management API are the Go SDK's: package client defines them
// once, and this package answers and decodes exactly what the SDK sends and reads.
// Request types are decoded with unknown members refused, so a field the SDK sends is
// a field this API accepts.
type (
	Application           = client.Application
	SecretInfo            = client.SecretInfo
	ApplicationWithSecret = client.ApplicationWithSecret
	Permission            = client.Permission
	API                   = client.API
	PermissionDef         = client.PermissionDef
	User                  = client.User
	Cluster               = client.Cluster
	Component             = client.Component
	AuditEvent            = client.AuditEvent
	AuditPage             = client.AuditPage

	createAppRequest    = client.ApplicationCreate
	patchAppRequest     = client.ApplicationUpdate
	createAPIRequest    = client.APICreate
	patchAPIRequest     = client.APIUpdate
	createUserRequest   = client.UserCreate
	patchUserRequest    = client.UserUpdate
	clusterRequest      = client.ClusterCreate
	patchClusterRequest = client.ClusterUpdate
)

// List is the body of every list answer.
type List[T any] = client.Page[T]
