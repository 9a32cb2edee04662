// Package observe owns what every listener records about the requests it serves: HTTP
// metrics labelled by listener and ServeMux route pattern (never the request path, so a
// client cannot create series), and the optional JSON access log. It never records a
// path, a query string, a header or a body, so no secret or token reaches a metric or
// the log.
package observe
