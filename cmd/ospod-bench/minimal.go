package main

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"time"
)

// serveMinimal is the comparison server: a bare net/http handler writing a
// fixed body (the node's actor document) with the same content type. It runs
// in its own process, like the node, so both are measured the same way.
func serveMinimal(ctx context.Context, addr, bodyFile string) error {
	body, err := os.ReadFile(bodyFile)
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/activity+json")
		_, _ = w.Write(body)
	})}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.Serve(l); err != http.ErrServerClosed {
		return err
	}
	return nil
}

// startMinimal runs this program again as the minimal server on a free
// loopback address and waits until it answers.
func startMinimal(ctx context.Context, bodyFile string) (*child, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "-serve-minimal", addr, "-minimal-body", bodyFile)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &child{cmd: cmd, url: "http://" + addr, host: addr, exited: make(chan error, 1)}
	go func() { c.exited <- cmd.Wait() }()
	for range 5000 {
		if resp, err := http.Get(c.url + "/"); err == nil {
			resp.Body.Close()
			return c, nil
		}
		select {
		case <-ctx.Done():
			c.stop()
			return nil, ctx.Err()
		case err := <-c.exited:
			return nil, err
		case <-time.After(2 * time.Millisecond):
		}
	}
	c.stop()
	return nil, context.DeadlineExceeded
}
