package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/lograte"
	"github.com/gatehouse/gatehouse/internal/server"
)

// loadConfig parses config flags (plus extra flags the caller added to fs).
func loadConfig(fs *flag.FlagSet, args []string, getenv env, environ []string) (config.Config, error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return config.Config{}, errHelp
		}
		return config.Config{}, usagef("%v", err)
	}
	if fs.NArg() > 0 {
		return config.Config{}, usagef("unexpected argument %q", fs.Arg(0))
	}
	c, err := config.Load(fs, getenv, environ)
	if err != nil {
		return config.Config{}, usagef("%v", err)
	}
	return c, nil
}

// newLogger returns the server's logger; repeated lines (one per rejected request
// during an outage) are rate-limited with a count of the suppressed ones.
func newLogger(c config.Config, w io.Writer) (*slog.Logger, *lograte.Handler) {
	var lvl slog.Level
	lvl.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: lvl}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if c.LogFormat == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	lr := lograte.New(h, lograte.Options{})
	return slog.New(lr), lr
}

func serve(ctx context.Context, args []string, getenv env, environ []string, stdout, stderr io.Writer) error {
	fs := config.FlagSet("gatehouse serve", stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: gatehouse serve [flags]\n\nEvery flag can also be set with its GATEHOUSE_* environment variable or in the YAML file of --config;\nflags win over the environment, which wins over the file.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	c, err := loadConfig(fs, args, getenv, environ)
	if err != nil {
		return err
	}
	log, limiter := newLogger(c, stderr)
	defer limiter.Flush(context.WithoutCancel(ctx))
	log.Info("starting gatehouse", "version", version, "config", c.String())
	srv, err := server.New(ctx, c, server.Options{Log: log, Stdout: stdout})
	if err != nil {
		return err
	}
	return srv.Run(ctx)
}
