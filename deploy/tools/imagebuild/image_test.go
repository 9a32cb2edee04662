package main

import (
	"archive/tar"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// TestArchive builds a static gatehouse for this machine's architecture (or takes
// GATEHOUSE_IMAGE_BINARY), writes the image archive, then reads it back as `docker
// load` would and checks the configuration and that the binary inside runs.
func TestArchive(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("runs the linux binary from the image")
	}
	dir := t.TempDir()
	bin := os.Getenv("GATEHOUSE_IMAGE_BINARY")
	if bin == "" {
		bin = filepath.Join(dir, "gatehouse")
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -X main.version=v0.0.0-imagetest", "-o", bin, "./cmd/gatehouse")
		cmd.Dir = filepath.Join("..", "..", "..")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
	}
	archive := filepath.Join(dir, "image.tar")
	if err := write(options{binary: bin, arch: runtime.GOARCH, tag: "gatehouse:test", version: "test"}, archive); err != nil {
		t.Fatal(err)
	}

	img, err := tarball.ImageFromPath(archive, nil)
	if err != nil {
		t.Fatalf("read archive: %v", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	c := cf.Config
	if diff := cmp.Diff([]string{"/usr/local/bin/gatehouse", "serve"}, c.Entrypoint); diff != "" {
		t.Errorf("entrypoint (-want +got):\n%s", diff)
	}
	if c.User != "65532:65532" {
		t.Errorf("user = %q, want the unprivileged 65532:65532", c.User)
	}
	var got []string
	for p := range c.ExposedPorts {
		got = append(got, p)
	}
	slices.Sort(got)
	if diff := cmp.Diff([]string{"18080/tcp", "8070/tcp", "8080/tcp", "9100/tcp"}, got); diff != "" {
		t.Errorf("exposed ports (-want +got):\n%s", diff)
	}
	if _, ok := c.Volumes["/data"]; !ok || !slices.Contains(c.Env, "GATEHOUSE_DATA_DIR=/data") {
		t.Errorf("volumes %v, env %v: want /data as volume and data directory", c.Volumes, c.Env)
	}
	if cf.OS != "linux" || cf.Architecture != runtime.GOARCH {
		t.Errorf("platform %s/%s", cf.OS, cf.Architecture)
	}

	// The binary and /data as the container sees them.
	layers, err := img.Layers()
	if err != nil || len(layers) != 1 {
		t.Fatalf("layers: %d, %v", len(layers), err)
	}
	rc, err := layers[0].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	extracted := filepath.Join(dir, "gatehouse-from-image")
	var sawData bool
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch h.Name {
		case "data/":
			sawData = true
			if h.Uid != 65532 || h.Gid != 65532 {
				t.Errorf("/data owned by %d:%d, want 65532:65532 (writable by the image's user)", h.Uid, h.Gid)
			}
		case "usr/local/bin/gatehouse":
			if h.Mode&0o111 == 0 {
				t.Errorf("binary mode %o is not executable", h.Mode)
			}
			f, err := os.OpenFile(extracted, os.O_CREATE|os.O_WRONLY, 0o755)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.Copy(f, tr); err != nil {
				t.Fatal(err)
			}
			f.Close()
		}
	}
	if !sawData {
		t.Error("no /data directory in the image")
	}
	out, err := exec.Command(extracted, "version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "gatehouse ") {
		t.Fatalf("gatehouse version from the image: %v\n%s", err, out)
	}
	t.Logf("%s", strings.TrimSpace(string(out)))
}
