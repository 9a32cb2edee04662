package web

// Stylesheet is the console's CSS, which the login page of package oidc shares so
// that people see one product.
func Stylesheet() []byte {
	b, _ := assetFS.ReadFile("assets/style.css")
	return b
}
