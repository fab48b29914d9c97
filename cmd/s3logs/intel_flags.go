package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/internal/intel"
)

// intelFlags are --ip-ranges, --geoip and --ip-list: local intelligence
// files (never downloaded) whose facts about the remote IPs fill the
// enriched view's remoteip_* columns and the s3logs.listed_ip detection.
// query, queries run, detect, export and repl take them.
type intelFlags struct {
	ranges *string
	geoip  geoipFlag
	lists  ipListFlag
}

// defineIntelFlags defines the intelligence file flags on fs.
func defineIntelFlags(fs *flag.FlagSet) *intelFlags {
	f := &intelFlags{}
	f.ranges = fs.String("ip-ranges", "", "AWS's ip-ranges.json `FILE`: remote IPs inside its prefixes get remoteip_class aws and their service and region")
	fs.Var(&f.geoip, "geoip", "MaxMind GeoIP2/GeoLite2 City, Country or ASN .mmdb `FILE` for remoteip_country, _city, _asn, _as_org (repeatable)")
	fs.Var(&f.lists, "ip-list", "`[allow=|deny=|intel=]FILE` of IP addresses or CIDRs, one a line with an optional label (default kind intel; repeatable)")
	return f
}

// options returns the files named.
func (f *intelFlags) options() intel.Options {
	return intel.Options{IPRanges: *f.ranges, GeoIP: f.geoip, IPLists: f.lists}
}

// apply reads the files, if any, and stores their facts in d; the
// returned reload applies them again (after more logs were loaded). With no
// file it does nothing and reload is a no-op.
func (f *intelFlags) apply(ctx context.Context, d *db.DB) (reload func(context.Context) error, closeFn func(), err error) {
	opts := f.options()
	if opts.Empty() {
		return func(context.Context) error { return nil }, func() {}, nil
	}
	set, err := intel.Load(opts)
	if err != nil {
		return nil, nil, err
	}
	reload = func(ctx context.Context) error { return set.Apply(ctx, d) }
	if err := reload(ctx); err != nil {
		set.Close()
		return nil, nil, fmt.Errorf("intelligence files: %w", err)
	}
	// Put the plain view back, so that the database file never keeps a
	// view of this process's in-memory facts.
	return reload, func() { set.Close(); d.UseIntel(context.Background(), false) }, nil
}

// geoipFlag collects --geoip files.
type geoipFlag []string

func (g *geoipFlag) String() string { return strings.Join(*g, ",") }

func (g *geoipFlag) Set(v string) error {
	if v == "" {
		return fmt.Errorf("empty file name")
	}
	*g = append(*g, v)
	return nil
}

// ipListFlag collects --ip-list files with their kinds.
type ipListFlag []intel.ListFile

func (l *ipListFlag) String() string {
	var parts []string
	for _, lf := range *l {
		parts = append(parts, lf.List+"="+lf.Path)
	}
	return strings.Join(parts, ",")
}

func (l *ipListFlag) Set(v string) error {
	lf, err := intel.ParseListFlag(v)
	if err != nil {
		return err
	}
	*l = append(*l, lf)
	return nil
}

// reloadAfter returns load followed by reload, so that the facts of the
// intelligence files cover the remote IPs of what .load added.
func reloadAfter(load func(context.Context, []string) (string, error), reload func(context.Context) error) func(context.Context, []string) (string, error) {
	return func(ctx context.Context, srcs []string) (string, error) {
		msg, err := load(ctx, srcs)
		if rerr := reload(ctx); rerr != nil && err == nil {
			err = fmt.Errorf("intelligence files: %w", rerr)
		}
		return msg, err
	}
}
