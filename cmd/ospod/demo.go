package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ospod/ospod/api"
	"github.com/ospod/ospod/api/auth"
	"github.com/ospod/ospod/federation"
	"github.com/ospod/ospod/store"
)

// demo implements 'ospod demo': three OSPO nodes on loopback with fictional
// profiles and events, following each other, so a newcomer sees federation,
// the directory and the calendar at once.
func (e *env) demo(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("ospod demo", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	dataDir := fs.String("data", "", "keep the demo's data in this folder (default: a temporary folder, deleted at exit)")
	basePort := fs.Int("port", 8081, "first of three consecutive ports (a busy one is replaced by a free port; 0: any free ports)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return usageError{msg: err.Error()}
	}
	dir := *dataDir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "ospod-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()

	nodes := make([]*federation.Node, len(demoOSPOs))
	passwords := make([]string, len(demoOSPOs))
	for i, d := range demoOSPOs {
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", *basePort+i))
		if *basePort <= 0 || err != nil {
			if l, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
				return err
			}
		}
		base := "http://" + l.Addr().String()
		n, err := federation.Open(ctx, federation.OpenOptions{Dir: filepath.Join(dir, d.handle), Node: federation.Options{
			BaseURL: base, Handle: "ospo", AllowPrivateNetworks: true, Logger: log.With("node", d.handle),
			Delivery:  federation.DeliveryOptions{RetryBase: time.Second, Poll: 200 * time.Millisecond},
			Discovery: federation.DiscoveryOptions{Interval: time.Minute, Pause: time.Millisecond}}})
		if err != nil {
			return fmt.Errorf("%s: %w", d.handle, err)
		}
		defer n.Close()
		nodes[i] = n
		srv := api.New(n, api.Options{AdminTokenHash: api.HashToken("demo-" + d.handle), Logger: log})
		for _, run := range []func(context.Context) error{
			func(ctx context.Context) error { return srv.Serve(ctx, l) },
			n.RunDelivery, n.RunMaintenance, n.RunDiscovery,
		} {
			wg.Add(1)
			go func() { defer wg.Done(); _ = run(ctx) }()
		}
		if err := d.publish(ctx, n); err != nil {
			return fmt.Errorf("%s: %w", d.handle, err)
		}
		if passwords[i], err = demoAccount(ctx, n.Store()); err != nil {
			return fmt.Errorf("%s: %w", d.handle, err)
		}
	}
	for i, a := range nodes {
		for j, b := range nodes {
			if i != j {
				if _, _, err := a.Follow(ctx, b.Account()); err != nil {
					return fmt.Errorf("%s follows %s: %w", a.Account(), b.Account(), err)
				}
			}
		}
	}
	fmt.Fprintf(e.stdout, "\nospod demo: three fictional OSPOs, each on its own node, following each other.\n\n")
	for i, n := range nodes {
		fmt.Fprintf(e.stdout, "  %-46s %s/   (@%s, admin token demo-%s)\n", demoOSPOs[i].name, n.URLs.Base, n.Account(), demoOSPOs[i].handle)
		fmt.Fprintf(e.stdout, "  %-46s %s/admin/login   (user %s, password %s)\n", "", n.URLs.Base, demoUser, passwords[i])
	}
	fmt.Fprintf(e.stdout, "\nOpen %s/directory for the network directory and %s/calendar for the network calendar.\n",
		nodes[0].URLs.Base, nodes[0].URLs.Base)
	fmt.Fprintf(e.stdout, "Open data: %s/api/v1/directory, %s/calendar.ics. Data in %s. Ctrl-C stops.\n\n",
		nodes[0].URLs.Base, nodes[0].URLs.Base, dir)
	<-ctx.Done()
	return nil
}

// demoOSPO is one fictional OSPO of the demo.
type demoOSPO struct {
	handle, name string
	profile      store.Profile
	events       []demoEvent
}

type demoEvent struct {
	name, desc store.LangMap
	inDays     int
	hours      int
	tz         string
	place      *store.Place
	online     string
	lang       string
	tags       []string
	category   string
}

func (d demoOSPO) publish(ctx context.Context, fed *federation.Node) error {
	p := d.profile
	if err := fed.SetProfile(ctx, &p); err != nil {
		return err
	}
	for _, de := range d.events {
		loc, _ := time.LoadLocation(de.tz)
		day := time.Now().In(loc).AddDate(0, 0, de.inDays)
		start := time.Date(day.Year(), day.Month(), day.Day(), 10, 0, 0, 0, loc)
		ev := &store.Event{Name: de.name, Description: de.desc, StartTime: start.Format(time.RFC3339),
			EndTime: start.Add(time.Duration(de.hours) * time.Hour).Format(time.RFC3339), Timezone: de.tz,
			Location: de.place, Language: de.lang, Tags: de.tags, Category: de.category}
		if de.online != "" {
			ev.Online = &store.OnlineLocation{URL: de.online, Name: "Video room"}
		}
		if err := fed.CreateEvent(ctx, ev); err != nil {
			return err
		}
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

// demoOSPOs are clearly fictional: invented places, .example domains.
var demoOSPOs = []demoOSPO{
	{handle: "lumiere", name: "OSPO of the City of Lumière (fictional)",
		profile: store.Profile{
			Name:            store.LangMap{"fr": "OSPO de la Ville de Lumière (fictif)", "en": "OSPO of the City of Lumière (fictional)"},
			Summary:         store.LangMap{"fr": "Le bureau du logiciel libre d'une ville imaginaire.", "en": "The open source office of an imaginary city."},
			Mandate:         store.LangMap{"en": "A **demo** profile: it publishes the city's code, reviews licences and trains staff."},
			Language:        "fr",
			Country:         "FR",
			GovernmentLevel: "municipal",
			Founded:         "2023",
			SupportAreas:    []string{"strategy", "licensing", "training"},
			Website:         "https://opensource.lumiere.example",
			Email:           "ospo@lumiere.example",
			CodeForges:      []string{"https://code.lumiere.example"},
			Location: &store.Place{Name: "Hôtel de Ville", Latitude: ptr(45.76), Longitude: ptr(4.83),
				Address: &store.PostalAddress{AddressLocality: "Lumière", AddressCountry: "FR"}},
		},
		events: []demoEvent{
			{name: store.LangMap{"fr": "Atelier : choisir une licence", "en": "Workshop: choosing a licence"},
				desc:   store.LangMap{"fr": "Deux heures pour comprendre l'EUPL.", "en": "Two hours to understand the EUPL."},
				inDays: 7, hours: 2, tz: "Europe/Paris", lang: "fr", tags: []string{"licensing", "EUPL"}, category: "WORKSHOPS_SKILL_SHARING",
				place: &store.Place{Name: "Salle du conseil", Address: &store.PostalAddress{AddressLocality: "Lumière", AddressCountry: "FR"}}},
			{name: store.LangMap{"en": "Open source meetup for city staff"}, inDays: 21, hours: 1, tz: "Europe/Paris",
				lang: "en", online: "https://visio.lumiere.example/meetup", tags: []string{"community"}, category: "MEETING"},
		}},
	{handle: "nordmark", name: "Open Source Office of Nordmark (fictional)",
		profile: store.Profile{
			Name:            store.LangMap{"de": "Open-Source-Büro des Landes Nordmark (fiktiv)", "en": "Open Source Office of Nordmark (fictional)"},
			Summary:         store.LangMap{"de": "Ein erfundenes Land, das Open Source fördert.", "en": "An invented region that promotes open source."},
			Language:        "de",
			Country:         "DE",
			GovernmentLevel: "regional",
			Founded:         "2021-09-01",
			SupportAreas:    []string{"adoption", "development-release", "ecosystem-relations"},
			Website:         "https://opensource.nordmark.example",
			Email:           "ospo@nordmark.example",
		},
		events: []demoEvent{
			{name: store.LangMap{"de": "Webinar: Open Source in der Verwaltung", "en": "Webinar: open source in public administration"},
				inDays: 10, hours: 1, tz: "Europe/Berlin", lang: "de", online: "https://webinar.nordmark.example/1", category: "LEARNING"},
		}},
	{handle: "aurelia", name: "OSPO of the University of Aurelia (fictional)",
		profile: store.Profile{
			Name:            store.LangMap{"it": "OSPO dell'Università di Aurelia (fittizia)", "en": "OSPO of the University of Aurelia (fictional)"},
			Summary:         store.LangMap{"it": "Un ateneo immaginario che pubblica software libero.", "en": "An imaginary university that publishes free software."},
			Language:        "it",
			Country:         "IT",
			GovernmentLevel: "university",
			SupportAreas:    []string{"training", "key-applications"},
			Website:         "https://ospo.aurelia.example",
		},
		events: []demoEvent{
			{name: store.LangMap{"it": "Hackathon di primavera", "en": "Spring hackathon"}, inDays: 30, hours: 8,
				tz: "Europe/Rome", lang: "it", category: "SCIENCE_TECH", tags: []string{"hackathon"},
				place: &store.Place{Name: "Aula Magna", Address: &store.PostalAddress{AddressLocality: "Aurelia", AddressCountry: "IT"}}},
		}},
}

// demoUser is the staff account 'ospod demo' makes on each node.
const demoUser = "admin"

// demoAccount gives the node's demo account a new random password (making
// the account on first start) and returns the password.
func demoAccount(ctx context.Context, st *store.Store) (string, error) {
	password := "demo-" + auth.NewToken()[:16]
	hash, err := auth.HashPassword(password)
	if err != nil {
		return "", err
	}
	err = st.AddStaffAccount(ctx, &store.StaffAccount{Name: demoUser, Role: store.RoleAdmin, PasswordHash: hash})
	if errors.Is(err, store.ErrConflict) {
		err = st.ChangeStaffAccount(ctx, demoUser, store.StaffChange{PasswordHash: &hash})
	}
	return password, err
}
