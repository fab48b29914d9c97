// Package intel reads the local intelligence files s3logs can be given
// (never downloaded): AWS's published ip-ranges.json (--ip-ranges), MaxMind
// GeoIP2 or GeoLite2 databases (--geoip, City, Country or ASN .mmdb) and IP
// lists of addresses and networks with labels (--ip-list, as allow, deny or
// intel lists). Apply looks up every remote IP of aws_s3serveraccess in
// them and stores what they say in the in-memory catalog schema.IntelCatalog,
// where the enriched view and the detections read it.
//
// A file that is missing or malformed is an error naming the file and,
// where it has lines, the line.
package intel

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/s3logs/s3logs/internal/db"
	"github.com/s3logs/s3logs/schema"
)

// ErrFile is wrapped by every error about an intelligence file's content.
var ErrFile = errors.New("bad intelligence file")

// FileError is a problem in an intelligence file, at a line when it has one
// (Line 0 means the whole file). It prints as file:line: message.
type FileError struct {
	File string
	Line int
	Msg  string
}

func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Unwrap makes errors.Is(err, ErrFile) hold.
func (e *FileError) Unwrap() error { return ErrFile }

// Options name the files of one run; every field is optional.
type Options struct {
	IPRanges string     // AWS ip-ranges.json
	GeoIP    []string   // MaxMind .mmdb files (City, Country or ASN)
	IPLists  []ListFile // IP lists
}

// Empty reports whether no file is named.
func (o Options) Empty() bool {
	return o.IPRanges == "" && len(o.GeoIP) == 0 && len(o.IPLists) == 0
}

// Set is the content of the files of one run. Close releases the GeoIP
// databases.
type Set struct {
	ranges *Ranges
	geo    []*GeoDB
	lists  []Entry
}

// Load reads every file named by opts; the first failure is returned and
// nothing stays open.
func Load(opts Options) (*Set, error) {
	s := &Set{}
	var err error
	if opts.IPRanges != "" {
		if s.ranges, err = ReadRanges(opts.IPRanges); err != nil {
			return nil, err
		}
	}
	for _, p := range opts.GeoIP {
		g, err := OpenGeo(p)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.geo = append(s.geo, g)
	}
	for _, lf := range opts.IPLists {
		es, err := ReadList(lf)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.lists = append(s.lists, es...)
	}
	return s, nil
}

// Close releases the GeoIP databases.
func (s *Set) Close() error {
	var errs []error
	for _, g := range s.geo {
		errs = append(errs, g.Close())
	}
	s.geo = nil
	return errors.Join(errs...)
}

// Facts is what the files say about one address.
type Facts struct {
	AWS     *Prefix // nil when no ip-ranges prefix holds it
	Country string
	City    string
	ASN     int64 // 0 when unknown
	ASOrg   string
	Lists   []string // list kinds with an entry holding it, sorted, distinct
	Labels  []string // labels of those entries, in file order, distinct
}

func (f Facts) empty() bool {
	return f.AWS == nil && f.Country == "" && f.City == "" && f.ASN == 0 && f.ASOrg == "" && len(f.Lists) == 0
}

// Lookup returns the facts about addr.
func (s *Set) Lookup(addr netip.Addr) (Facts, error) {
	var f Facts
	addr = addr.Unmap()
	if s.ranges != nil {
		f.AWS = s.ranges.Lookup(addr)
	}
	for _, g := range s.geo {
		if err := g.lookup(addr, &f); err != nil {
			return f, err
		}
	}
	for _, e := range s.lists {
		if e.Network.Contains(addr) {
			if !slices.Contains(f.Lists, e.List) {
				f.Lists = append(f.Lists, e.List)
			}
			if e.Label != "" && !slices.Contains(f.Labels, e.Label) {
				f.Labels = append(f.Labels, e.Label)
			}
		}
	}
	slices.Sort(f.Lists)
	return f, nil
}

// Apply stores the files' content in d: the list entries in the iplist
// table, and the facts about every distinct remote IP of
// aws_s3serveraccess in the ipinfo table (both replaced), then makes the
// enriched view join them. Call it again after loading more logs.
func (s *Set) Apply(ctx context.Context, d *db.DB) error {
	tx, err := d.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	cat := schema.Quote(schema.IntelCatalog) + ".main."
	info, list := cat+schema.Quote(schema.IPInfo.Name), cat+schema.Quote(schema.IPList.Name)
	for _, t := range []string{info, list} {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+t); err != nil {
			return err
		}
	}
	var listRows [][]any
	for _, e := range s.lists {
		listRows = append(listRows, []any{e.Network.String(), nullString(e.Label), e.List, e.File, int64(e.Line)})
	}
	if err := insert(ctx, tx, list, len(schema.IPList.Columns), listRows); err != nil {
		return fmt.Errorf("ip lists: %w", err)
	}
	infoRows, err := s.facts(ctx, tx)
	if err != nil {
		return err
	}
	if err := insert(ctx, tx, info, len(schema.IPInfo.Columns), infoRows); err != nil {
		return fmt.Errorf("address facts: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	return d.UseIntel(ctx, true)
}

// facts looks up every distinct remote IP of the table and returns the
// ipinfo rows of those the files say something about.
func (s *Set) facts(ctx context.Context, tx queryer) ([][]any, error) {
	rows, err := tx.QueryContext(ctx, "SELECT DISTINCT remoteip FROM "+schema.Quote(schema.TableName)+" WHERE remoteip IS NOT NULL")
	if err != nil {
		return nil, err
	}
	var ips []string
	for rows.Next() {
		var ip string
		if err := rows.Scan(&ip); err != nil {
			rows.Close()
			return nil, err
		}
		ips = append(ips, ip)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out [][]any
	for _, ip := range ips {
		addr, err := netip.ParseAddr(strings.TrimSpace(ip))
		if err != nil {
			continue // not an address: nothing to look up
		}
		f, err := s.Lookup(addr)
		if err != nil {
			return nil, err
		}
		if f.empty() {
			continue
		}
		out = append(out, f.row(ip))
	}
	return out, nil
}

// row is f as a row of schema.IPInfo for the address logged as ip.
func (f Facts) row(ip string) []any {
	var svc, region, network any
	if f.AWS != nil {
		svc, region, network = f.AWS.Service, f.AWS.Region, f.AWS.Network.String()
	}
	var asn any
	if f.ASN != 0 {
		asn = f.ASN
	}
	var lists, labels any
	if len(f.Lists) > 0 {
		lists, labels = f.Lists, append([]string{}, f.Labels...)
	}
	return []any{ip, svc, region, network, nullString(f.Country), nullString(f.City), asn, nullString(f.ASOrg), lists, labels}
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
