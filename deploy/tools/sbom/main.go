// Command sbom writes a CycloneDX 1.5 JSON software bill of materials for a Go binary
// from the module information the Go toolchain embeds in it (the same data as
// `go version -m BINARY`), so a release needs no network tool to describe what it
// contains.
//
//	go run ./sbom -o gatehouse.cdx.json dist/gatehouse-linux-amd64
package main

import (
	"crypto/rand"
	"debug/buildinfo"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"
)

func main() {
	out := flag.String("o", "", "output file (default standard output)")
	version := flag.String("version", "", "version of the main component (default: from the binary)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: sbom [-o FILE] [-version V] BINARY")
		os.Exit(2)
	}
	info, err := buildinfo.ReadFile(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "sbom:", err)
		os.Exit(1)
	}
	var w io.Writer = os.Stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintln(os.Stderr, "sbom:", err)
			os.Exit(1)
		}
		defer f.Close()
		w = f
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(document(info, *version, time.Now().UTC())); err != nil {
		fmt.Fprintln(os.Stderr, "sbom:", err)
		os.Exit(1)
	}
}

// CycloneDX 1.5 types, only the fields written here.
type (
	bom struct {
		Format       string       `json:"bomFormat"`
		Spec         string       `json:"specVersion"`
		Serial       string       `json:"serialNumber"`
		Version      int          `json:"version"`
		Metadata     metadata     `json:"metadata"`
		Components   []component  `json:"components"`
		Dependencies []dependency `json:"dependencies"`
	}
	metadata struct {
		Timestamp string    `json:"timestamp"`
		Component component `json:"component"`
		Props     []prop    `json:"properties,omitempty"`
	}
	component struct {
		Ref     string `json:"bom-ref"`
		Type    string `json:"type"`
		Name    string `json:"name"`
		Version string `json:"version,omitempty"`
		PURL    string `json:"purl,omitempty"`
		Hashes  []hash `json:"hashes,omitempty"`
	}
	hash struct {
		Alg     string `json:"alg"`
		Content string `json:"content"`
	}
	prop struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	dependency struct {
		Ref       string   `json:"ref"`
		DependsOn []string `json:"dependsOn"`
	}
)

func purl(path, version string) string {
	return "pkg:golang/" + path + "@" + version
}

func document(info *buildinfo.BuildInfo, version string, now time.Time) bom {
	if version == "" {
		version = info.Main.Version
	}
	main := component{Type: "application", Name: info.Main.Path, Version: version, PURL: purl(info.Main.Path, version)}
	main.Ref = main.PURL
	var props []prop
	props = append(props, prop{"go:version", info.GoVersion})
	for _, s := range info.Settings {
		if strings.HasPrefix(s.Key, "-") || s.Key == "GOOS" || s.Key == "GOARCH" || s.Key == "CGO_ENABLED" {
			props = append(props, prop{"go:build:" + s.Key, s.Value})
		}
	}
	comps := []component{}
	refs := []string{}
	for _, d := range info.Deps {
		m := d
		if d.Replace != nil {
			m = d.Replace
		}
		c := component{Type: "library", Name: m.Path, Version: m.Version, PURL: purl(m.Path, m.Version)}
		c.Ref = c.PURL
		if h := sumHash(m); h != nil {
			c.Hashes = []hash{*h}
		}
		comps = append(comps, c)
		refs = append(refs, c.Ref)
	}
	return bom{
		Format: "CycloneDX", Spec: "1.5", Serial: "urn:uuid:" + uuid(), Version: 1,
		Metadata:     metadata{Timestamp: now.Format(time.RFC3339), Component: main, Props: props},
		Components:   comps,
		Dependencies: []dependency{{Ref: main.Ref, DependsOn: refs}},
	}
}

// sumHash turns a go.sum "h1:" hash (SHA-256 of the module's file list, base64) into
// a CycloneDX hash; CycloneDX wants hex, so the base64 is decoded.
func sumHash(m *debug.Module) *hash {
	b64, ok := strings.CutPrefix(m.Sum, "h1:")
	if !ok {
		return nil
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) != 32 {
		return nil
	}
	return &hash{Alg: "SHA-256", Content: fmt.Sprintf("%x", raw)}
}

func uuid() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
