package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"
)

// healthcheck implements 'ospod healthcheck': exit 0 when the node on
// OSPO_LISTEN answers NodeInfo (for container health checks).
func (e *env) healthcheck(ctx context.Context, args []string) error {
	cfg, err := e.loadConfig("healthcheck", args, nil)
	if err != nil {
		return err
	}
	host, port, err := net.SplitHostPort(cfg.Listen)
	if err != nil {
		return err
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/.well-known/nodeinfo", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("node answered %d", resp.StatusCode)
	}
	fmt.Fprintln(e.stdout, "ok")
	return nil
}
