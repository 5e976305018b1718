// Command ospod runs an OSPO node: its profile and events published over
// ActivityPub, a public website and open data, all from one binary and one
// SQLite file.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"syscall"

	"github.com/ospod/ospod/store"
	_ "time/tzdata" // IANA time zones even where the system has none (containers)
)

func main() {
	// No heap profile unless the profiler is on (serve.go): its sampling
	// tables are a third of a MiB of an idle node's memory.
	runtime.MemProfileRate = 0
	// Before any file is opened: the data folder holds the node's key.
	privateUmask()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// env is the process environment, passed in so tests can run commands in isolation.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		return usageError{msg: usage}
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return e.serve(ctx, rest)
	case "init":
		return e.initNode(ctx, rest)
	case "demo":
		return e.demo(ctx, rest)
	case "profile":
		return e.profile(ctx, rest)
	case "event", "events":
		return e.event(ctx, rest)
	case "follow":
		return e.follow(ctx, rest)
	case "unfollow":
		return e.unfollow(ctx, rest)
	case "following":
		return e.relations(ctx, "following", store.Following, rest)
	case "followers":
		return e.relations(ctx, "followers", store.Followers, rest)
	case "peers":
		return e.peers(ctx, rest)
	case "discover":
		return e.discover(ctx, rest)
	case "block", "unblock", "blocks":
		return e.block(ctx, cmd, rest)
	case "report", "reports":
		return e.report(ctx, rest)
	case "import":
		return e.importList(ctx, rest)
	case "backup":
		return e.backup(ctx, rest)
	case "restore":
		return e.restore(ctx, rest)
	case "token":
		return e.token(ctx, rest)
	case "user":
		return e.user(ctx, rest)
	case "healthcheck":
		return e.healthcheck(ctx, rest)
	case "config":
		return e.config(rest)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "ospod", version())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return usageError{msg: fmt.Sprintf("unknown command %q\n\n%s", cmd, usage)}
}

const usage = `ospod: a node of the federated network of public-sector OSPOs.

Usage:
  ospod demo                       three fictional OSPO nodes on this machine, federating
  ospod serve                      run the node (HTTP server); creates the data folder
  ospod init                       create the data folder and the node's key without serving
  ospod profile show               print the OSPO profile (JSON)
  ospod profile set FILE           replace the profile with FILE (JSON, - for stdin)
  ospod event list [-when W]       list events (W: upcoming, past, all)
  ospod event add FILE             publish a new event from FILE (JSON)
  ospod event show ID              print one event
  ospod event update ID FILE       replace an event
  ospod event delete ID            delete an event
  ospod follow HANDLE|URL          follow another OSPO (e.g. ospo@city.example)
  ospod unfollow ID                stop following (IDs from 'ospod following')
  ospod following | followers      list follow relations
  ospod peers                      list known OSPOs with their state
  ospod discover                   run one discovery round now
  ospod block DOMAIN [-reason R]   refuse a domain and purge its data
  ospod unblock DOMAIN | blocks    lift a block | list blocks
  ospod report list [-state S]     list the reports other servers sent (S: open, resolved, dismissed)
  ospod report resolve|dismiss ID [-note N] [-block DOMAIN]   answer a report
  ospod import ospometa FILE|URL   list the OSPOs of an OSPOmeta (FLOSS-PSO) file
  ospod backup FILE                a checked copy of the database while the node runs (file 0600)
  ospod restore FILE [-force]      put a backup into the empty data folder of a stopped node
  ospod token reset                make a new admin token and print it once
  ospod user add NAME --role R     add a staff account (R: admin or editor; password on stdin)
  ospod user list                  list staff accounts
  ospod user disable|enable|remove NAME   change a staff account (its sessions end)
  ospod healthcheck                exit 0 when the local node answers
  ospod config                     print the effective configuration
  ospod version                    print the version

Every command takes the configuration flags (see 'ospod config -h');
OSPO_* environment variables set the same options, flags win.
`

// usageError is a command-line mistake: exit code 2.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func exitCode(err error, stderr io.Writer) int {
	if err == nil || errors.Is(err, errHelp) {
		return 0
	}
	fmt.Fprintln(stderr, "ospod:", err)
	if _, ok := err.(usageError); ok {
		return 2
	}
	return 1
}
