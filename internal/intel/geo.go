package intel

import (
	"fmt"
	"net/netip"
	"os"

	"github.com/oschwald/maxminddb-golang/v2"
)

// GeoDB is an open MaxMind database (GeoIP2 or GeoLite2 City, Country or
// ASN; any .mmdb with their field names). Close releases it.
type GeoDB struct {
	path string
	r    *maxminddb.Reader
}

// OpenGeo opens the .mmdb at path.
func OpenGeo(path string) (*GeoDB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("--geoip: %w", err)
	}
	r, err := maxminddb.Open(path)
	if err != nil {
		return nil, &FileError{File: path, Msg: "not a MaxMind .mmdb database: " + err.Error()}
	}
	return &GeoDB{path: path, r: r}, nil
}

// Close releases the database.
func (g *GeoDB) Close() error { return g.r.Close() }

// geoRecord holds the fields s3logs reads, as City, Country and ASN
// databases name them.
type geoRecord struct {
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"country"`
	RegisteredCountry struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"registered_country"`
	City struct {
		Names map[string]string `maxminddb:"names"`
	} `maxminddb:"city"`
	ASN   uint   `maxminddb:"autonomous_system_number"`
	ASOrg string `maxminddb:"autonomous_system_organization"`
}

// lookup adds what the database knows of addr to f (an earlier database's
// answer is kept).
func (g *GeoDB) lookup(addr netip.Addr, f *Facts) error {
	res := g.r.Lookup(addr)
	if err := res.Err(); err != nil {
		return &FileError{File: g.path, Msg: fmt.Sprintf("lookup %s: %v", addr, err)}
	}
	if !res.Found() {
		return nil
	}
	var rec geoRecord
	if err := res.Decode(&rec); err != nil {
		return &FileError{File: g.path, Msg: fmt.Sprintf("record of %s: %v", addr, err)}
	}
	country := rec.Country.ISOCode
	if country == "" {
		country = rec.RegisteredCountry.ISOCode
	}
	if f.Country == "" {
		f.Country = country
	}
	if f.City == "" {
		f.City = rec.City.Names["en"]
	}
	if f.ASN == 0 {
		f.ASN = int64(rec.ASN)
	}
	if f.ASOrg == "" {
		f.ASOrg = rec.ASOrg
	}
	return nil
}
