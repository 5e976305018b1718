package storetest

// A large, deterministic directory and calendar for benchmarks and the load
// tool (cmd/ospod-bench): thousands of OSPOs and their events, inserted
// through the store's own write methods in one transaction, and cached as a
// file under os.TempDir() so that repeated benchmark runs build it once.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ospod/ospod/store"
)

// DatasetSize is the size of a benchmark data set.
type DatasetSize struct {
	OSPOs  int // directory entries (kind "followed")
	Events int // calendar entries, spread over the OSPOs
}

// Sizes of the benchmark data set: Full is what issue 6 measures against;
// Small keeps a CI run with -benchtime=1x quick.
var (
	FullDataset  = DatasetSize{OSPOs: 10000, Events: 200000}
	SmallDataset = DatasetSize{OSPOs: 500, Events: 10000}
)

// BenchDatasetSize is FullDataset when OSPOD_BENCH_FULL=1 and the run is not
// -short, else SmallDataset.
func BenchDatasetSize() DatasetSize {
	if os.Getenv("OSPOD_BENCH_FULL") == "1" && !(testing.Testing() && testing.Short()) {
		return FullDataset
	}
	return SmallDataset
}

// String names the size, e.g. "10000x200000".
func (d DatasetSize) String() string { return fmt.Sprintf("%dx%d", d.OSPOs, d.Events) }

// datasetVersion changes whenever the generator below changes what it writes.
const datasetVersion = "1"

// Word lists the generator draws from. Search benchmarks query these words,
// so some are rare (one OSPO in hundreds) and some common.
var (
	dsCountries = []string{"DE", "FR", "IT", "ES", "NL", "BE", "AT", "PL", "SE", "FI", "DK", "PT", "CZ", "IE", "GR",
		"RO", "HU", "SK", "SI", "HR", "LU", "EE", "LV", "LT", "BG", "NO", "CH", "GB", "US", "CA"}
	dsLangs  = []string{"de", "fr", "it", "es", "nl", "en", "de", "pl", "sv", "fi", "da", "pt", "cs", "en", "el"}
	dsCities = []string{"Aachen", "Amsterdam", "Antwerp", "Athens", "Barcelona", "Berlin", "Bologna", "Bordeaux",
		"Bratislava", "Brno", "Brussels", "Bucharest", "Budapest", "Cork", "Dresden", "Dublin", "Espoo", "Gdansk",
		"Ghent", "Graz", "Hamburg", "Helsinki", "Kaunas", "Krakow", "Leipzig", "Lille", "Lisbon", "Ljubljana",
		"Lyon", "Madrid", "Malmo", "Milan", "Munich", "Nantes", "Naples", "Oslo", "Porto", "Prague", "Riga",
		"Rotterdam", "Seville", "Sofia", "Stockholm", "Tallinn", "Tartu", "Toulouse", "Turin", "Utrecht",
		"Valencia", "Vienna", "Vilnius", "Warsaw", "Zagreb", "Zurich"}
	dsTopics = []string{"licensing", "procurement", "sovereignty", "interoperability", "security", "accessibility",
		"digital commons", "inner source", "compliance", "governance", "community", "funding", "standards",
		"cloud", "geodata", "education", "health records", "identity", "archiving", "translation"}
	dsKinds = []string{"City", "Region", "Ministry", "Agency", "University", "County", "Federal Office", "Institute"}

	dsLevels, dsAreas, dsCategories = store.GovernmentLevels(), store.SupportAreas(), store.EventCategories()
)

// DatasetOSPOID is the actor id of the i-th OSPO of a data set.
func DatasetOSPOID(i int) string { return fmt.Sprintf("https://ospo%d.bench.example/actor", i) }

// BuildDataset fills st with size.OSPOs directory entries and size.Events
// calendar entries in one transaction, about half of the events upcoming.
// Everything derives from a fixed seed; event times are relative to the day
// of the build.
func BuildDataset(ctx context.Context, st *store.Store, size DatasetSize) error {
	rng := rand.New(rand.NewPCG(6, 2026))
	now := time.Now().UTC().Truncate(24 * time.Hour)
	return st.InTx(ctx, func(tx *store.Tx) error {
		for i := range size.OSPOs {
			if err := tx.PutDirectoryEntry(ctx, datasetOSPO(rng, i)); err != nil {
				return fmt.Errorf("OSPO %d: %w", i, err)
			}
		}
		for j := range size.Events {
			owner := j % max(size.OSPOs, 1)
			c := datasetEvent(rng, j, owner, now)
			if err := tx.PutCalendarEntry(ctx, c); err != nil {
				return fmt.Errorf("event %d: %w", j, err)
			}
		}
		return nil
	})
}

func datasetOSPO(rng *rand.Rand, i int) *store.DirectoryEntry {
	country := dsCountries[rng.IntN(len(dsCountries))]
	city := dsCities[rng.IntN(len(dsCities))]
	lang := dsLangs[rng.IntN(len(dsLangs))]
	kind := dsKinds[rng.IntN(len(dsKinds))]
	topic := dsTopics[rng.IntN(len(dsTopics))]
	areas := []string{}
	for _, a := range dsAreas {
		if rng.IntN(3) == 0 {
			areas = append(areas, a)
		}
	}
	lat, lon := 35+rng.Float64()*30, -10+rng.Float64()*40
	p := &store.Profile{
		Name:            store.LangMap{lang: fmt.Sprintf("%s of %s OSPO %d", kind, city, i)},
		Summary:         store.LangMap{lang: fmt.Sprintf("The open source programme office of the %s of %s: %s and %s.", strings.ToLower(kind), city, topic, dsTopics[rng.IntN(len(dsTopics))])},
		Mandate:         store.LangMap{lang: "Help public services share code, with a focus on " + topic + "."},
		Language:        lang,
		Country:         country,
		GovernmentLevel: dsLevels[rng.IntN(len(dsLevels))],
		SupportAreas:    areas,
		Website:         fmt.Sprintf("https://www.ospo%d.bench.example/", i),
		Location: &store.Place{Name: city + " town hall", Latitude: &lat, Longitude: &lon,
			Address: &store.PostalAddress{AddressLocality: city, AddressCountry: country}},
	}
	if rng.IntN(4) == 0 {
		p.Name["en"] = fmt.Sprintf("%s of %s open source office %d", kind, city, i)
	}
	p.Normalize()
	return &store.DirectoryEntry{ID: DatasetOSPOID(i), Kind: store.KindFollowed,
		Host: fmt.Sprintf("ospo%d.bench.example", i), Account: fmt.Sprintf("ospo@ospo%d.bench.example", i),
		Profile: p, Source: DatasetOSPOID(i)}
}

func datasetEvent(rng *rand.Rand, j, owner int, now time.Time) *store.CalendarEntry {
	start := now.Add(time.Duration(rng.IntN(730*24)-365*24) * time.Hour)
	end := start.Add(time.Duration(1+rng.IntN(8)) * time.Hour)
	topic := dsTopics[rng.IntN(len(dsTopics))]
	city := dsCities[rng.IntN(len(dsCities))]
	lang := dsLangs[rng.IntN(len(dsLangs))]
	e := &store.Event{
		Name:        store.LangMap{lang: fmt.Sprintf("%s meetup in %s #%d", strings.ToUpper(topic[:1])+topic[1:], city, j)},
		Description: store.LangMap{lang: fmt.Sprintf("Public-sector open source: %s, %s and %s.", topic, dsTopics[rng.IntN(len(dsTopics))], dsTopics[rng.IntN(len(dsTopics))])},
		StartTime:   start.Format(time.RFC3339),
		EndTime:     end.Format(time.RFC3339),
		Timezone:    "UTC",
		Status:      "scheduled",
		Language:    lang,
		Tags:        []string{"ospo", strings.ReplaceAll(topic, " ", "")},
		Category:    dsCategories[rng.IntN(len(dsCategories))],
		Start:       start,
		End:         end,
	}
	if rng.IntN(3) == 0 {
		e.Online = &store.OnlineLocation{URL: fmt.Sprintf("https://meet.bench.example/%d", j)}
	} else {
		e.Location = &store.Place{Name: city + " library",
			Address: &store.PostalAddress{AddressLocality: city, AddressCountry: dsCountries[rng.IntN(len(dsCountries))]}}
	}
	id := fmt.Sprintf("https://ospo%d.bench.example/events/%d", owner, j)
	return &store.CalendarEntry{ID: id, OSPOID: DatasetOSPOID(owner), Event: e, URL: id}
}

// CachedDataset returns the path of a database file holding the data set of
// the given size, building it on first use under os.TempDir(). The file name
// carries the schema's hash and the generator's version, so a new migration
// or generator builds a new file. Callers must not open it directly: copy it
// (CopyDataset) since opening a database may write to it.
func CachedDataset(ctx context.Context, size DatasetSize) (string, error) {
	key, err := schemaKey(ctx)
	if err != nil {
		return "", err
	}
	path := filepath.Join(os.TempDir(), fmt.Sprintf("ospod-bench-%s-v%s-%s.db", key, datasetVersion, size))
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	// Build in a private folder and rename into place: concurrent builders
	// (go test runs packages in parallel) each produce a complete file.
	dir, err := os.MkdirTemp("", "ospod-bench-build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	tmp := filepath.Join(dir, "ospod.db")
	st, err := store.Open(ctx, store.Options{Path: tmp})
	if err != nil {
		return "", err
	}
	if err := BuildDataset(ctx, st, size); err != nil {
		st.Close()
		return "", err
	}
	if err := st.Close(); err != nil { // checkpoints the WAL into the file
		return "", err
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", err
	}
	return path, nil
}

// CopyDataset copies the cached data set of the given size to
// dir/ospod.db (the file name the node uses) and returns that path.
func CopyDataset(ctx context.Context, size DatasetSize, dir string) (string, error) {
	src, err := CachedDataset(ctx, size)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", err
	}
	dst := filepath.Join(dir, "ospod.db")
	in, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return "", err
	}
	return dst, out.Close()
}

// OpenDataset opens a private copy of the data set in a temporary folder of tb.
func OpenDataset(tb testing.TB, size DatasetSize) *store.Store {
	tb.Helper()
	path, err := CopyDataset(context.Background(), size, tb.TempDir())
	if err != nil {
		tb.Fatalf("storetest: data set %s: %v", size, err)
	}
	return OpenWith(tb, store.Options{Path: path})
}

// schemaKey hashes the schema an empty database gets from the migrations.
func schemaKey(ctx context.Context) (string, error) {
	dir, err := os.MkdirTemp("", "ospod-schema-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	st, err := store.Open(ctx, store.Options{Path: filepath.Join(dir, "s.db")})
	if err != nil {
		return "", err
	}
	defer st.Close()
	schema, err := st.Schema(ctx)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(schema))
	return hex.EncodeToString(sum[:6]), nil
}
