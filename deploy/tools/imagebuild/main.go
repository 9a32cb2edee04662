// Command imagebuild assembles Gatehouse's container image from a static linux binary,
// without Docker or a registry: the same file system and configuration as the
// Dockerfile (binary at /usr/local/bin/gatehouse, CA certificates, /data owned by the
// unprivileged user 65532, entrypoint `gatehouse serve`, the four ports exposed),
// written as a docker-archive tar that both `docker load` and `podman load` read.
//
//	imagebuild -binary dist/gatehouse-linux-amd64 -arch amd64 -tag gatehouse:v1.2.0 -o gatehouse.tar
package main

import (
	"archive/tar"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// The image's fixed facts; the test checks the archive against them.
const (
	binaryPath = "/usr/local/bin/gatehouse"
	user       = "65532:65532"
	uid        = 65532
	dataDir    = "/data"
)

var ports = []string{"18080/tcp", "8080/tcp", "8070/tcp", "9100/tcp"}

func main() {
	var o options
	flag.StringVar(&o.binary, "binary", "", "static linux gatehouse binary (required)")
	flag.StringVar(&o.arch, "arch", "amd64", "its architecture: amd64 or arm64")
	flag.StringVar(&o.tag, "tag", "gatehouse:dev", "image name and tag recorded in the archive")
	flag.StringVar(&o.version, "version", "dev", "version label")
	flag.StringVar(&o.certs, "ca-certs", "/etc/ssl/certs/ca-certificates.crt", "CA bundle to include; empty: none")
	out := flag.String("o", "gatehouse-image.tar", "output archive")
	flag.Parse()
	if o.binary == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: imagebuild -binary FILE [-arch amd64|arm64] [-tag NAME:TAG] [-o FILE]")
		os.Exit(2)
	}
	if err := write(o, *out); err != nil {
		fmt.Fprintln(os.Stderr, "imagebuild:", err)
		os.Exit(1)
	}
}

type options struct {
	binary, arch, tag, version, certs string
	created                           time.Time
}

// write builds the image and writes it as a docker-archive tar to path.
func write(o options, path string) error {
	ref, err := name.NewTag(o.tag)
	if err != nil {
		return fmt.Errorf("tag: %w", err)
	}
	img, err := build(o)
	if err != nil {
		return err
	}
	return tarball.WriteToFile(path, ref, img)
}

func build(o options) (v1.Image, error) {
	bin, err := os.ReadFile(o.binary)
	if err != nil {
		return nil, err
	}
	var certs []byte
	if o.certs != "" {
		if certs, err = os.ReadFile(o.certs); err != nil {
			return nil, fmt.Errorf("CA certificates: %w", err)
		}
	}
	layerTar, err := rootfs(bin, certs)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerTar)), nil
	})
	if err != nil {
		return nil, err
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", o.arch
	cf.Created = v1.Time{Time: o.created}
	cf.Config = v1.Config{
		User:         user,
		Entrypoint:   []string{binaryPath, "serve"},
		Env:          []string{"GATEHOUSE_DATA_DIR=" + dataDir},
		WorkingDir:   "/",
		ExposedPorts: map[string]struct{}{},
		Volumes:      map[string]struct{}{dataDir: {}},
		Labels: map[string]string{
			"org.opencontainers.image.title":   "gatehouse",
			"org.opencontainers.image.version": o.version,
			"org.opencontainers.image.source":  "https://github.com/gatehouse/gatehouse",
		},
	}
	for _, p := range ports {
		cf.Config.ExposedPorts[p] = struct{}{}
	}
	return mutate.ConfigFile(img, cf)
}

// rootfs is the image's one layer: directories, the CA bundle, the binary and /data.
// Timestamps are zero so the same binary always gives the same layer digest.
func rootfs(bin, certs []byte) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dir := func(name string, owner int) error {
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: 0o755, Uid: owner, Gid: owner,
			ModTime: time.Unix(0, 0)})
	}
	file := func(name string, mode int64, data []byte) error {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(data)),
			ModTime: time.Unix(0, 0)}); err != nil {
			return err
		}
		_, err := tw.Write(data)
		return err
	}
	for _, d := range []string{"etc", "etc/ssl", "etc/ssl/certs", "usr", "usr/local", "usr/local/bin"} {
		if err := dir(d, 0); err != nil {
			return nil, err
		}
	}
	// tmp is world-writable with the sticky bit, as on any root file system; with a
	// read-only root, mount an emptyDir there if something needs it.
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: "tmp/", Mode: 0o1777, ModTime: time.Unix(0, 0)}); err != nil {
		return nil, err
	}
	if err := dir("data", uid); err != nil {
		return nil, err
	}
	if certs != nil {
		if err := file("etc/ssl/certs/ca-certificates.crt", 0o644, certs); err != nil {
			return nil, err
		}
	}
	if err := file(binaryPath[1:], 0o755, bin); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
