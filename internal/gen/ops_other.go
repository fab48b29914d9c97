package gen

import "database/sql"

func (g *Generator) putObject(r *Record, b *bucket) {
	r.Operation = ns("REST.PUT.OBJECT")
	q := g.client(r, b, false, true)
	ka, kb := g.key(r)
	g.uri(r, b, q, "PUT", ka, kb, "", 0, 0)
	size := g.size()
	if g.outcome(r, putOutcomes) {
		r.ObjectSize = ni(size)
		if b.versioned {
			g.versionID(&r.VersionID)
		}
	}
	g.times(r, size)
}

func (g *Generator) headObject(r *Record, b *bucket) {
	r.Operation = ns("REST.HEAD.OBJECT")
	q := g.client(r, b, true, true)
	ka, kb := g.key(r)
	g.uri(r, b, q, "HEAD", ka, kb, "", 0, 0)
	if g.outcome(r, headOutcomes) {
		r.ObjectSize = ni(g.size())
	}
	g.times(r, 0)
}

func (g *Generator) deleteObject(r *Record, b *bucket) {
	r.Operation = ns("REST.DELETE.OBJECT")
	q := g.client(r, b, false, false)
	ka, kb := g.key(r)
	g.uri(r, b, q, "DELETE", ka, kb, "", 0, 0)
	if g.outcome(r, []outcome{{960, 204, ""}, {40, 403, "AccessDenied"}}) && b.versioned {
		g.versionID(&r.VersionID)
	}
	g.times(r, 0)
}

// batchDelete is one key of a multi-object delete: S3 logs it with a bare
// '-' Request-URI, Referer and User-Agent.
func (g *Generator) batchDelete(r *Record, b *bucket) {
	r.Operation = ns("BATCH.DELETE.OBJECT")
	g.client(r, b, false, false)
	g.key(r)
	r.Referrer, r.UserAgent = sql.NullString{}, sql.NullString{}
	r.BareDash = true
	r.HTTPStatus = ni(204)
	r.ObjectSize = ni(g.size())
}

// expire is a lifecycle expiration, performed by AmazonS3 itself.
func (g *Generator) expire(r *Record, b *bucket) {
	r.Operation = ns("S3.EXPIRE.OBJECT")
	r.Requester = ns("AmazonS3")
	g.key(r)
	if b.versioned {
		g.versionID(&r.VersionID)
	}
	r.ObjectSize = ni(g.size())
	g.hostID(&r.HostID)
}

// checksum is S3.COMPUTE.OBJECT.CHECKSUM, whose request ID is a UUID.
func (g *Generator) checksum(r *Record, b *bucket) {
	g.spans = g.spans[:0] // drop the hex request ID drawn by fill
	g.uuid(&r.RequestID)
	r.Operation = ns("S3.COMPUTE.OBJECT.CHECKSUM")
	r.Requester = ns(g.principals[g.rng.IntN(len(g.principals))])
	g.key(r)
	r.HTTPStatus = ni(200)
	r.ObjectSize = ni(g.size())
	g.hostID(&r.HostID)
}

func (g *Generator) listBucket(r *Record, b *bucket) {
	r.Operation = ns("REST.GET.BUCKET")
	q := g.client(r, b, true, false)
	queries := [...]string{
		"?list-type=2&prefix=data%2F&delimiter=%2F&encoding-type=url",
		"?prefix=logs%2F2026%2F01%2F&max-keys=1000&encoding-type=url",
		"?list-type=2&max-keys=100&start-after=images%2F2026",
		"?versions&prefix=",
	}
	query := queries[g.rng.IntN(len(queries))]
	if query == "?versions&prefix=" {
		r.Operation = ns("REST.GET.BUCKETVERSIONS")
	}
	a := g.mark()
	g.uri(r, b, q, "GET", a, a, query, 0, 0)
	if g.outcome(r, cfgOutcomes[:2]) {
		r.BytesSent = ni(400 + g.rng.Int64N(80_000))
	}
	g.times(r, 0)
}

// bucketConfigs are bucket and object settings calls: rare, and what
// detections look for.
var bucketConfigs = []struct{ op, method, query string }{
	{"REST.PUT.BUCKETPOLICY", "PUT", "?policy"},
	{"REST.GET.BUCKETPOLICY", "GET", "?policy"},
	{"REST.DELETE.BUCKETPOLICY", "DELETE", "?policy"},
	{"REST.PUT.ACL", "PUT", "?acl"},
	{"REST.GET.ACL", "GET", "?acl"},
	{"REST.PUT.PUBLIC_ACCESS_BLOCK", "PUT", "?publicAccessBlock"},
	{"REST.DELETE.PUBLIC_ACCESS_BLOCK", "DELETE", "?publicAccessBlock"},
	{"REST.GET.VERSIONING", "GET", "?versioning"},
	{"REST.PUT.VERSIONING", "PUT", "?versioning"},
	{"REST.GET.LOCATION", "GET", "?location"},
	{"REST.GET.LOGGING_STATUS", "GET", "?logging"},
	{"REST.PUT.LOGGING_STATUS", "PUT", "?logging"},
	{"REST.GET.ENCRYPTION", "GET", "?encryption"},
	{"REST.PUT.LIFECYCLE", "PUT", "?lifecycle"},
}

func (g *Generator) bucketConfig(r *Record, b *bucket) {
	c := bucketConfigs[g.rng.IntN(len(bucketConfigs))]
	r.Operation = ns(c.op)
	q := g.client(r, b, false, false)
	ka, kb := g.mark(), g.mark()
	if c.op == "REST.PUT.ACL" && g.permille(500) {
		ka, kb = g.key(r) // an object ACL
	}
	if c.op == "REST.PUT.ACL" && g.permille(500) {
		r.ACLRequired = ns("Yes")
	}
	g.uri(r, b, q, c.method, ka, kb, c.query, 0, 0)
	table := cfgOutcomes[:2]
	if c.op == "REST.GET.BUCKETPOLICY" {
		table = cfgOutcomes
	}
	ok := g.outcome(r, table)
	switch {
	case ok && c.method == "DELETE":
		r.HTTPStatus = ni(204)
	case ok && c.method == "GET":
		r.BytesSent = ni(100 + g.rng.Int64N(3000))
	}
	g.times(r, 0)
}

// website is an anonymous browser request to the static website endpoint,
// over plain HTTP.
func (g *Generator) website(r *Record, b *bucket) {
	r.Operation = ns("WEBSITE.GET.OBJECT")
	r.RemoteIP = ns(g.ips[g.skewed(len(g.ips))])
	ka, kb := g.key(r)
	g.uri(r, b, request{anon: true}, "GET", ka, kb, "", 0, 0)
	r.HostHeader = ns(b.name + ".s3-website-" + b.region + ".amazonaws.com")
	r.UserAgent = ns(userAgents[browserAgents[g.rng.IntN(len(browserAgents))]])
	if g.permille(600) {
		r.Referrer = ns(referrers[1+g.rng.IntN(3)])
	}
	g.hostID(&r.HostID)
	size := g.size()
	if g.outcome(r, getOutcomes[:5]) && r.HTTPStatus.Int64 == 200 {
		r.BytesSent, r.ObjectSize = nz(size), ni(size)
	}
	g.times(r, size)
}

func (g *Generator) copyObject(r *Record, b *bucket) {
	r.Operation = ns("REST.COPY.OBJECT")
	q := g.client(r, b, false, false)
	ka, kb := g.key(r)
	g.uri(r, b, q, "PUT", ka, kb, "", 0, 0)
	size := g.size()
	if g.outcome(r, putOutcomes) {
		r.BytesSent, r.ObjectSize = ni(234+g.rng.Int64N(30)), ni(size)
	}
	g.times(r, size)
}

func (g *Generator) multipart(r *Record, b *bucket) {
	q := g.client(r, b, false, false)
	ka, kb := g.key(r)
	qa := g.mark()
	g.appendRand(64, b64[:64])
	qb := g.mark()
	switch g.rng.IntN(4) {
	case 0:
		r.Operation = ns("REST.POST.UPLOADS")
		g.uri(r, b, q, "POST", ka, kb, "?uploads", 0, 0)
	case 1:
		r.Operation = ns("REST.POST.UPLOAD")
		g.uri(r, b, q, "POST", ka, kb, "?uploadId=", qa, qb)
	default:
		r.Operation = ns("REST.PUT.PART")
		g.uri(r, b, q, "PUT", ka, kb, "?partNumber=3&uploadId=", qa, qb)
	}
	size := g.size()
	if g.outcome(r, putOutcomes) && r.Operation.String != "REST.PUT.PART" {
		r.BytesSent = ni(300 + g.rng.Int64N(200))
	}
	if r.Operation.String == "REST.PUT.PART" {
		r.ObjectSize = ni(size)
	}
	g.times(r, size)
}
