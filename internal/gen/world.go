package gen

import (
	"database/sql"
	"fmt"
	"strconv"
)

// makeWorld draws the accounts, buckets, principals and addresses every
// line picks from, so that the same names recur as in a real account.
func (g *Generator) makeWorld() {
	accounts := make([]string, 3+g.opts.Buckets/10)
	owners := make([]string, len(accounts))
	for i := range accounts {
		accounts[i] = fmt.Sprintf("%012d", 100000000000+g.rng.Int64N(899999999999))
		owners[i] = g.hexString(64)
	}
	for i := 0; i < g.opts.Buckets; i++ {
		a := g.rng.IntN(len(accounts))
		region := regions[g.rng.IntN(len(regions))]
		name := bucketStems[i%len(bucketStems)]
		if i >= len(bucketStems) {
			name += "-" + strconv.Itoa(i/len(bucketStems))
		}
		name += "-" + accounts[a][8:]
		b := bucket{name: name, owner: owners[a], region: region, account: accounts[a],
			versioned: g.permille(400), public: g.permille(250)}
		b.apName = "ap-" + bucketStems[i%len(bucketStems)]
		b.apARN = "arn:aws:s3:" + region + ":" + accounts[a] + ":accesspoint/" + b.apName
		b.apHost = b.apName + "-" + accounts[a] + ".s3-accesspoint." + region + ".amazonaws.com"
		g.buckets = append(g.buckets, b)
	}
	for i := 0; i < g.opts.Principals; i++ {
		acct := accounts[g.rng.IntN(len(accounts))]
		var p string
		switch w := g.rng.IntN(100); {
		case w < 40:
			p = "arn:aws:iam::" + acct + ":user/" + iamUsers[g.rng.IntN(len(iamUsers))]
		case w < 75:
			p = "arn:aws:sts::" + acct + ":assumed-role/" + roleNames[g.rng.IntN(len(roleNames))] + "/" + g.sessionName()
		case w < 90:
			p = owners[g.rng.IntN(len(owners))]
		default:
			p = services[g.rng.IntN(len(services))]
		}
		g.principals = append(g.principals, p)
	}
	for i := 0; i < g.opts.IPs; i++ {
		g.ips = append(g.ips, g.ip())
	}
}

func (g *Generator) sessionName() string {
	switch g.rng.IntN(3) {
	case 0:
		return strconv.FormatInt(1579693334126446707+g.rng.Int64N(1e15), 10)
	case 1:
		return "i-0" + g.hexString(16)
	}
	return iamUsers[g.rng.IntN(len(iamUsers))]
}

func (g *Generator) ip() string {
	switch w := g.rng.IntN(100); {
	case w < 20:
		return fmt.Sprintf("2600:1f18:%x:%x:%x:%x:%x:%x", g.rng.IntN(0x10000), g.rng.IntN(0x10000),
			g.rng.IntN(0x10000), g.rng.IntN(0x10000), g.rng.IntN(0x10000), g.rng.IntN(0x10000))
	case w < 23:
		return fmt.Sprintf("2a02:%x::%x", g.rng.IntN(0x10000), g.rng.IntN(0x10000))
	case w < 35:
		return fmt.Sprintf("10.%d.%d.%d", g.rng.IntN(256), g.rng.IntN(256), 1+g.rng.IntN(254))
	case w < 45:
		return fmt.Sprintf("172.31.%d.%d", g.rng.IntN(256), 1+g.rng.IntN(254))
	}
	return fmt.Sprintf("%d.%d.%d.%d", 1+g.rng.IntN(223), g.rng.IntN(256), g.rng.IntN(256), 1+g.rng.IntN(254))
}

const (
	hexUpper = "0123456789ABCDEF"
	hexLower = "0123456789abcdef"
	b64      = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	alnum    = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._"
)

func (g *Generator) hexString(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = hexLower[g.rng.IntN(16)]
	}
	return string(b)
}

// appendRand appends n characters drawn from the 16- or 64-letter alphabet,
// using every bit of each random word.
func (g *Generator) appendRand(n int, alphabet string) {
	bits := 4
	if len(alphabet) == 64 {
		bits = 6
	}
	mask := uint64(len(alphabet) - 1)
	var x uint64
	left := 0
	for i := 0; i < n; i++ {
		if left < bits {
			x, left = g.rng.Uint64(), 64
		}
		g.buf = append(g.buf, alphabet[x&mask])
		x >>= bits
		left -= bits
	}
}

// hex16 sets dst to a request ID: 16 uppercase hex digits.
func (g *Generator) hex16(dst *sql.NullString) {
	a := g.mark()
	g.appendRand(16, hexUpper)
	g.done(a, dst)
}

// uuid sets dst to a random lowercase UUID (the request ID of some
// operations).
func (g *Generator) uuid(dst *sql.NullString) {
	a := g.mark()
	for i, n := range [...]int{8, 4, 4, 4, 12} {
		if i > 0 {
			g.buf = append(g.buf, '-')
		}
		g.appendRand(n, hexLower)
	}
	g.done(a, dst)
}

// hostID sets dst to an x-amz-id-2: base64, usually 76 characters.
func (g *Generator) hostID(dst *sql.NullString) {
	a := g.mark()
	if g.permille(850) {
		g.appendRand(75, b64)
		g.buf = append(g.buf, '=')
	} else {
		g.appendRand(64, b64)
	}
	g.done(a, dst)
}

// versionID sets dst to an object version ID: 32 characters.
func (g *Generator) versionID(dst *sql.NullString) {
	a := g.mark()
	g.appendRand(32, alnum)
	g.done(a, dst)
}

// appendKey appends a URL-encoded object key (no spaces, no quotes).
func (g *Generator) appendKey() {
	g.buf = append(g.buf, keyPrefixes[g.skewed(len(keyPrefixes))]...)
	g.buf = append(g.buf, '/')
	g.buf = append(g.buf, keyStems[g.rng.IntN(len(keyStems))]...)
	g.buf = strconv.AppendInt(g.buf, int64(g.skewed(100000)), 10)
	g.buf = append(g.buf, keyExts[g.rng.IntN(len(keyExts))]...)
}

// key sets r.Key and returns its arena span, for the Request-URI to repeat.
func (g *Generator) key(r *Record) (a, b int) {
	a = g.mark()
	g.appendKey()
	g.done(a, &r.Key)
	return a, len(g.buf)
}

// size draws an object size: mostly small, sometimes huge, rarely empty.
func (g *Generator) size() int64 {
	switch w := g.rng.IntN(1000); {
	case w < 10:
		return 0
	case w < 700:
		return 100 + g.rng.Int64N(200_000)
	case w < 970:
		return 200_000 + g.rng.Int64N(50_000_000)
	}
	return 50_000_000 + g.rng.Int64N(5_000_000_000)
}
