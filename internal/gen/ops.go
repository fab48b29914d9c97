package gen

import (
	"database/sql"
	"strconv"
	"strings"
)

// ops is the operation mix, per mille.
var ops = []struct {
	w  int
	fn func(g *Generator, r *Record, b *bucket)
}{
	{520, func(g *Generator, r *Record, b *bucket) { g.getObject(r, b, 0) }},
	{110, (*Generator).putObject},
	{100, (*Generator).headObject},
	{30, (*Generator).deleteObject},
	{25, (*Generator).batchDelete},
	{35, (*Generator).expire},
	{70, (*Generator).listBucket},
	{30, (*Generator).bucketConfig},
	{25, (*Generator).website},
	{5, (*Generator).checksum},
	{20, (*Generator).copyObject},
	{30, (*Generator).multipart},
}

// pickOp fills r with an operation drawn from ops.
func (g *Generator) pickOp(r *Record, b *bucket) {
	w := g.rng.IntN(1000)
	for _, op := range ops {
		if w < op.w {
			op.fn(g, r, b)
			return
		}
		w -= op.w
	}
	g.getObject(r, b, 0)
}

// request is how an HTTP request reached S3, decided before its URI is
// written.
type request struct {
	anon, presigned, pathStyle, accessPoint bool
}

// client fills the who and how of an HTTP request: remote address,
// requester, signature, TLS, host header, access point, aclRequired and the
// host ID. anonOK allows unauthenticated requests.
func (g *Generator) client(r *Record, b *bucket, anonOK, presignOK bool) request {
	var q request
	q.anon = anonOK && (b.public && g.permille(300) || g.permille(20))
	if !q.anon {
		p := g.principals[g.skewed(len(g.principals))]
		r.Requester = ns(p)
		if strings.HasPrefix(p, "svc:") && g.permille(500) {
			r.RemoteIP = sql.NullString{}
		} else {
			r.RemoteIP = ns(g.ips[g.skewed(len(g.ips))])
		}
		r.SignatureVersion = ns("SigV4")
		if g.permille(40) {
			r.SignatureVersion = ns("SigV2")
		}
		r.AuthenticationType = ns("AuthHeader")
		if presignOK && g.permille(30) {
			r.AuthenticationType = ns("QueryString")
			q.presigned = true
		}
		q.accessPoint = g.permille(30)
	} else {
		r.RemoteIP = ns(g.ips[g.skewed(len(g.ips))])
	}
	g.tls(r)
	switch {
	case q.accessPoint:
		r.HostHeader = ns(b.apHost)
		r.AccessPointARN = ns(b.apARN)
	case g.permille(150):
		q.pathStyle = true
		r.HostHeader = ns("s3." + b.region + ".amazonaws.com")
	default:
		r.HostHeader = ns(b.name + ".s3." + b.region + ".amazonaws.com")
	}
	if g.permille(20) {
		r.ACLRequired = ns("Yes")
	}
	g.hostID(&r.HostID)
	r.UserAgent = ns(userAgents[g.rng.IntN(len(userAgents))])
	if g.permille(60) {
		r.Referrer = ns(referrers[g.rng.IntN(len(referrers))])
	}
	return q
}

// tls draws the TLS version and a cipher suite negotiated with it, or
// neither for plain HTTP.
func (g *Generator) tls(r *Record) {
	w := g.rng.IntN(1000)
	for _, t := range tlsVersions {
		if w < t.w {
			r.TLSVersion = ns(t.v)
			cs := cipherSuites[t.v]
			r.CipherSuite = ns(cs[g.rng.IntN(len(cs))])
			return
		}
		w -= t.w
	}
}

// uri writes r.RequestURI: METHOD /[bucket/]path[?query] HTTP/1.x. The
// path is the arena span ka:kb (the key); query and then the arena span
// qa:qb are appended raw.
func (g *Generator) uri(r *Record, b *bucket, q request, method string, ka, kb int, query string, qa, qb int) {
	a := g.mark()
	g.buf = append(g.buf, method...)
	g.buf = append(g.buf, ' ', '/')
	if q.pathStyle {
		g.buf = append(g.buf, b.name...)
		if kb > ka || query == "" {
			g.buf = append(g.buf, '/')
		}
	}
	g.buf = append(g.buf, g.buf[ka:kb]...)
	g.buf = append(g.buf, query...)
	g.buf = append(g.buf, g.buf[qa:qb]...)
	if q.presigned {
		g.presign(r, b, query != "")
	}
	if g.permille(15) {
		g.buf = append(g.buf, " HTTP/1.0"...)
	} else {
		g.buf = append(g.buf, " HTTP/1.1"...)
	}
	g.done(a, &r.RequestURI)
}

// presign appends the query of a presigned URL in the request's signature
// version.
func (g *Generator) presign(r *Record, b *bucket, more bool) {
	sep := byte('?')
	if more {
		sep = '&'
	}
	g.buf = append(g.buf, sep)
	if r.SignatureVersion.String == "SigV2" {
		g.buf = append(g.buf, "AWSAccessKeyId=AKIA"...)
		g.appendRand(16, hexUpper)
		g.buf = append(g.buf, "&Expires="...)
		g.buf = strconv.AppendInt(g.buf, r.Time.Unix()+3600, 10)
		g.buf = append(g.buf, "&Signature="...)
		g.appendRand(27, b64)
		g.buf = append(g.buf, "%3D"...)
		return
	}
	g.buf = append(g.buf, "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIA"...)
	g.appendRand(16, hexUpper)
	g.buf = append(g.buf, "%2F"...)
	g.appendDay(r)
	g.buf = append(g.buf, "%2F"...)
	g.buf = append(g.buf, b.region...)
	g.buf = append(g.buf, "%2Fs3%2Faws4_request&X-Amz-Date="...)
	g.appendDay(r)
	g.buf = append(g.buf, "T000000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature="...)
	g.appendRand(64, hexLower)
}

// appendDay appends the UTC day of r as YYYYMMDD.
func (g *Generator) appendDay(r *Record) {
	y, m, d := r.Time.Date()
	g.buf = strconv.AppendInt(g.buf, int64(y), 10)
	g.buf = append2(g.buf, int(m))
	g.buf = append2(g.buf, d)
}

// outcome is one response of a per-mille table: its weight, status and
// error code ("" for none; "-" for an error without a code or body, as HEAD
// responses have).
type outcome struct {
	w      int
	status int64
	code   string
}

var (
	getOutcomes  = []outcome{{850, 200, ""}, {30, 206, ""}, {30, 304, ""}, {40, 403, "AccessDenied"}, {40, 404, "NoSuchKey"}, {5, 500, "InternalError"}, {5, 503, "SlowDown"}}
	putOutcomes  = []outcome{{950, 200, ""}, {30, 403, "AccessDenied"}, {10, 400, "EntityTooSmall"}, {10, 503, "SlowDown"}}
	headOutcomes = []outcome{{880, 200, ""}, {40, 403, "-"}, {80, 404, "-"}}
	cfgOutcomes  = []outcome{{800, 200, ""}, {150, 403, "AccessDenied"}, {50, 404, "NoSuchBucketPolicy"}}
)

// outcome draws a status; it returns false for an error response, which
// sets bytessent to the size of the error document.
func (g *Generator) outcome(r *Record, table []outcome) bool {
	w := g.rng.IntN(1000)
	o := table[len(table)-1]
	for _, t := range table {
		if w < t.w {
			o = t
			break
		}
		w -= t.w
	}
	r.HTTPStatus = ni(o.status)
	if o.code != "" && o.code != "-" {
		r.ErrorCode = ns(o.code)
	}
	if o.status >= 400 {
		if o.code != "-" {
			r.BytesSent = ni(200 + g.rng.Int64N(200))
		}
		return false
	}
	return true
}

// times sets totaltime and (usually) turnaroundtime, growing with size.
func (g *Generator) times(r *Record, size int64) {
	total := 1 + size/2_000_000 + g.rng.Int64N(60)
	r.TotalTime = ni(total)
	if g.permille(900) {
		r.TurnAroundTime = ni(1 + g.rng.Int64N(total))
	}
}

// getObject is REST.GET.OBJECT, the bulk of real traffic, and the carrier of
// the quote and requester traps.
func (g *Generator) getObject(r *Record, b *bucket, trap Trap) {
	r.Operation = ns("REST.GET.OBJECT")
	q := g.client(r, b, trap != TrapSpaceInRequester, trap == 0 || trap == TrapQuoteInURI)
	if trap == TrapQuoteInURI {
		g.quoteURI(r, b, q)
	} else {
		ka, kb := g.key(r)
		va, vb := 0, 0
		if trap == 0 && b.versioned && g.permille(20) {
			va = g.mark()
			g.versionID(&r.VersionID)
			vb = len(g.buf)
		}
		switch trap {
		case TrapQuoteInReferrer:
			r.Referrer = ns(quotedReferers[g.rng.IntN(len(quotedReferers))])
		case TrapQuoteInUserAgent:
			g.quoteUA(r)
		case TrapSpaceInRequester:
			r.Requester = ns(oaiRequesters[g.rng.IntN(len(oaiRequesters))])
			r.UserAgent = ns("Amazon CloudFront")
			r.SignatureVersion, r.AuthenticationType = ns("SigV4"), ns("AuthHeader")
		}
		if vb > va {
			g.uri(r, b, q, "GET", ka, kb, "?versionId=", va, vb)
		} else {
			g.uri(r, b, q, "GET", ka, kb, "", 0, 0)
		}
	}
	size := g.size()
	if g.outcome(r, getOutcomes) {
		switch r.HTTPStatus.Int64 {
		case 200:
			r.BytesSent = nz(size)
		case 206:
			r.BytesSent = nz(size/4 + 1)
		}
		r.ObjectSize = ni(size)
	}
	g.times(r, r.BytesSent.Int64)
}

// nz is n, or NULL when n is zero (S3 prints '-' for zero bytes sent).
func nz(n int64) sql.NullInt64 {
	if n == 0 {
		return sql.NullInt64{}
	}
	return ni(n)
}

// quoteURI writes a key and a Request-URI holding an unescaped quote in one
// of the forms the grammar settles (see TrapQuoteInURI).
func (g *Generator) quoteURI(r *Record, b *bucket, q request) {
	form := g.rng.IntN(3)
	if form == 2 && q.anon {
		form = 1
	}
	switch form {
	case 0: // "GET /" HTTP/1.1": the token after the false close is HTTP/1.1"
		r.Key = ns("%22")
		a := g.mark()
		g.buf = append(g.buf, '"')
		g.uri(r, b, q, "GET", a, a+1, "", 0, 0)
	case 1: // a quote inside the path, followed by a letter
		a := g.mark()
		g.buf = append(g.buf, keyPrefixes[g.rng.IntN(len(keyPrefixes))]...)
		g.buf = append(g.buf, "/file%22name"...)
		g.buf = strconv.AppendInt(g.buf, int64(g.rng.IntN(1000)), 10)
		g.buf = append(g.buf, ".txt"...)
		g.done(a, &r.Key)
		p := g.mark()
		g.buf = append(g.buf, g.buf[a:p]...)
		raw := g.buf[p:]
		i := strings.Index(string(raw), "%22")
		g.buf = append(g.buf[:p+i], append([]byte{'"'}, raw[i+3:]...)...)
		g.uri(r, b, q, "GET", p, len(g.buf), "", 0, 0)
	case 2: // presigned download with filename="..." in the query
		ka, kb := g.key(r)
		q.presigned = true
		r.SignatureVersion, r.AuthenticationType = ns("SigV4"), ns("QueryString")
		g.uri(r, b, q, "GET", ka, kb, `?response-content-disposition=attachment%3B%20filename%3D"report.json"`, 0, 0)
	}
}

// quoteUA sets a User-Agent with unescaped quotes, none followed by a space.
func (g *Generator) quoteUA(r *Record) {
	ua := userAgents[browserAgents[g.rng.IntN(len(browserAgents))]]
	a := g.mark()
	switch g.rng.IntN(3) {
	case 0: // rendered ""Mozilla/...
		g.buf = append(g.buf, '"')
		g.buf = append(g.buf, ua...)
	case 1: // rendered ...Safari/604.1""
		g.buf = append(g.buf, ua...)
		g.buf = append(g.buf, '"')
	default:
		g.buf = append(g.buf, `Mozilla/5.0 (compatible; "evil"scanner/1.0; +http://x.example/"bot")`...)
	}
	g.done(a, &r.UserAgent)
}
