package schema

import (
	"fmt"
	"strings"
)

// EnrichedViewName is the view that adds derived columns to every row of
// aws_s3serveraccess.
const EnrichedViewName = "aws_s3serveraccess_enriched"

// IntelCatalog is the in-memory catalog that holds what the intelligence
// files of one run (--ip-ranges, --geoip, --ip-list) say about addresses.
// It is attached anew by every process, so nothing of it is stored in the
// database file: a run without the files sees it empty. It is on every
// connection's search path after main.
const IntelCatalog = "s3logs_intel"

// Derived is a column of the enriched view: its declaration and the SQL
// expression that computes it, over the table's row (alias t) and its
// address facts (alias i, a row of IPInfo or NULLs).
type Derived struct {
	Column
	Expr string
	// Plain, when set, computes the column without the address facts: the
	// view is created without its join to IPInfo until a run loads
	// intelligence files, since the join costs every query on the view,
	// even one that reads none of these columns (a 1M-row count with a
	// filter took 4x the table's). "" means NULL.
	Plain *string
}

// intelOnly marks a column that is NULL without intelligence files.
var intelOnly = new(string)

// View is a view over a table: the table's columns, in order, then derived
// ones, in one SELECT over the table.
//
// Why one SELECT of one-argument macros over the table's columns: DuckDB
// binds every column of a view on every query, even one that reads none of
// them, at about 20 microseconds an expression node, and a macro is expanded
// with a copy of its argument for each use of its parameter (nullif and
// split_part are macros too). A subquery layer costs a copy of the table's
// 34 columns. So each derived column is one macro of the raw column, whose
// body names its parameter a few times and builds on no other macro; a
// piece two columns share (the first space of the request URI) is computed
// by each (DuckDB's common subexpression elimination runs an expression
// repeated in a SELECT once a row, but not inside a CASE). A filtered
// count of 1M rows over the view took 2.8x the table's with layers of
// shared pieces and nested macros, 2x now (BenchmarkEnrichedView).
type View struct {
	Name        string
	Description string
	Base        *Table
	Derived     []Derived
}

// Table returns the view's columns as a Table (base columns then derived
// ones), for descriptions and completion.
func (v *View) Table() *Table {
	cols := append([]Column{}, v.Base.Columns...)
	for _, d := range v.Derived {
		cols = append(cols, d.Column)
	}
	return &Table{Name: v.Name, Description: v.Description, Columns: cols}
}

// CreateSQL returns the statement that creates (or replaces) the view.
// With intel, the address facts are joined from IPInfo in IntelCatalog (an
// address without facts gets NULLs); without, the columns that need them
// are computed by their Plain expression.
func (v *View) CreateSQL(intel bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE OR REPLACE VIEW %s AS SELECT t.*", Quote(v.Name))
	for _, d := range v.Derived {
		expr := d.Expr
		switch {
		case intel || d.Plain == nil:
		case *d.Plain == "":
			expr = "CAST(NULL AS " + d.Type.DuckDB() + ")"
		default:
			expr = *d.Plain
		}
		fmt.Fprintf(&b, ",\n  %s AS %s", expr, Quote(d.Name))
	}
	fmt.Fprintf(&b, "\nFROM %s AS t", Quote(v.Base.Name))
	if intel {
		fmt.Fprintf(&b, " LEFT JOIN %s.main.%s AS i ON i.ip = t.remoteip", Quote(IntelCatalog), Quote(IPInfo.Name))
	}
	return b.String()
}

// CommentSQL returns the statements that attach the view's and its
// columns' descriptions, so that they show in duckdb_columns() and the
// shell's .schema as the table's do.
func (v *View) CommentSQL() []string {
	t := v.Table()
	out := []string{fmt.Sprintf("COMMENT ON VIEW %s IS %s", Quote(v.Name), Literal(v.Description))}
	for _, c := range t.Columns {
		out = append(out, fmt.Sprintf("COMMENT ON COLUMN %s.%s IS %s", Quote(v.Name), Quote(c.Name), Literal(c.Description)))
	}
	return out
}

// Macro is a DuckDB SQL macro s3logs defines in every database: the
// enriched view is built on them, and they work on any string in SQL.
type Macro struct {
	Name, Params, Body, Description string
}

// SQL returns the CREATE OR REPLACE MACRO statement.
func (m Macro) SQL() string {
	return fmt.Sprintf("CREATE OR REPLACE MACRO %s(%s) AS %s", m.Name, m.Params, m.Body)
}

// The macros are written for the binder as much as for the rows (see View):
// each names its parameter a few times, calls no other macro of its own (the
// view calls each with a column), and avoids DuckDB's macros nullif and
// split_part on anything but a column. The request URI's parts and the
// requester's names are regular expressions (RE2, compiled once a query):
// one expression per part instead of positions computed and passed down,
// with strpos and substr first where the usual shape of a value allows (a
// regular expression costs DuckDB several times as much a row). One that
// may not match ends in [1] on regexp_extract_all, NULL when it does not;
// (?s) lets '.' match a newline in a value. An IN
// list of many constants becomes a join that stays in the plan even when
// the column is not read, so ranges are written out.
var Macros = []Macro{
	{Name: "s3logs_requester_type", Params: "r", Description: "The kind of principal of a requester value.",
		Body: `CASE
  WHEN r IS NULL OR r = '' OR r = '-' THEN 'anonymous'
  WHEN starts_with(r, 'arn:') THEN CASE
    WHEN contains(r, ':assumed-role/') THEN 'assumed_role'
    WHEN contains(r, '::cloudfront:user/') THEN 'aws_service'
    WHEN contains(r, ':user/') THEN 'iam_user'
    WHEN contains(r, ':federated-user/') THEN 'federated_user'
    WHEN suffix(r, ':root') THEN 'root'
    WHEN contains(r, ':role/') THEN 'iam_role'
    ELSE 'other' END
  WHEN r = 'AmazonS3' THEN 's3'
  WHEN starts_with(r, 'svc:') THEN 'aws_service'
  WHEN length(r) = 64 AND ltrim(lower(r), '0123456789abcdef') = '' THEN 'canonical_user'
  ELSE 'other' END`},
	{Name: "s3logs_requester_account", Params: "r", Description: "The 12-digit AWS account ID of an ARN requester (its fifth field, when a sixth follows), else NULL.",
		Body: `regexp_extract_all(r, '^arn:[^:]*:[^:]*:[^:]*:([0-9]{12}):', 1)[1]`},
	{Name: "s3logs_requester_principal", Params: "r", Description: "The user, role, federated user or service name of a requester.",
		Body: `nullif(string_split(regexp_replace(r, '` + principalRE + `', ''), '/')[1], '')`},
	{Name: "s3logs_requester_session", Params: "r", Description: "The session name of an assumed-role requester.",
		Body: `CASE WHEN regexp_matches(r, '(?s)^arn:.*?:assumed-role/[^/]*/.*[^/]$') THEN regexp_extract(r, '[^/]+$') END`},
	{Name: "s3logs_http_method", Params: "u", Description: "The HTTP method at the start of a request URI: what precedes its first space.",
		Body: `CASE WHEN strpos(u, ' ') > 1 THEN left(u, strpos(u, ' ') - 1) END`},
	{Name: "s3logs_http_version", Params: "u", Description: "The HTTP version at the end of a request URI (HTTP/1.1): its last word when that starts with HTTP/ and a request target precedes it; else NULL.",
		Body: `CASE WHEN suffix(u, ' HTTP/1.1') AND strpos(u, ' ') < length(u) - 8 THEN 'HTTP/1.1'
  WHEN regexp_matches(u, '(?s)^[^ ]* .* HTTP/[^ ]*$') THEN regexp_extract(u, 'HTTP/[^ ]*$') END`},
	{Name: "s3logs_request_target", Params: "u", Description: "The request target (path and query) of a request URI: between its first space and the HTTP version.",
		Body: `regexp_extract_all(u, '(?s)^[^ ]* (.*?)(?: HTTP/[^ ]*)?$', 1)[1]`},
	{Name: "s3logs_request_path", Params: "u", Description: "The path of a request URI, as logged (URL-encoded): its request target up to the first '?'; NULL when empty.",
		Body: `CASE WHEN suffix(u, ' HTTP/1.1') AND strpos(u, ' ') < length(u) - 9 AND strpos(u, ' ?') <> strpos(u, ' ')
    THEN string_split(substr(u, strpos(u, ' ') + 1, length(u) - strpos(u, ' ') - 9), '?')[1]
  ELSE nullif(regexp_replace(u, '` + pathStrip + `', '', 'g'), '') END`},
	{Name: "s3logs_request_query", Params: "u", Description: "The query string of a request URI, after the first '?' of its request target, or NULL when it has none.",
		Body: `CASE WHEN NOT contains(u, '?') THEN NULL
  WHEN regexp_full_match(u, '` + commonURI + `') THEN regexp_extract(u, '^[^ ?]+ [^ ?]*\?([^ ]*) HTTP/', 1)
  ELSE nullif(regexp_replace(u, '` + queryStrip + `', '', 'g'), '')[2:] END`},
	{Name: "s3logs_url_decode", Params: "s", Description: "s with %XX sequences decoded; + is kept; NULL when the result is not UTF-8.",
		Body: `CASE WHEN contains(s, '%') THEN try(url_decode(s)) ELSE s END`},
	{Name: "s3logs_valid_ip_class", Params: "ip", Description: "private, loopback, link_local or public for a valid IPv4 or IPv6 address.",
		Body: `CASE
  WHEN regexp_matches(ip, '^(?:10\.|192\.168\.|172\.(?:1[6-9]|2[0-9]|3[01])\.|[fF][cCdD][^:]{2}:)') THEN 'private'
  WHEN ip = '::1' OR starts_with(ip, '127.') THEN 'loopback'
  WHEN regexp_matches(ip, '^(?:169\.254\.|[fF][eE][89abAB][^:]:)') THEN 'link_local'
  ELSE 'public' END`},
	{Name: "s3logs_ip_class", Params: "ip", Description: "private, loopback, link_local, public or invalid for a text address; none for NULL.",
		Body: `CASE
  WHEN ip IS NULL THEN 'none'
  WHEN strpos(ip, ':') > 0 AND NOT regexp_full_match(ip, '[0-9A-Fa-f:.]+') THEN 'invalid'
  WHEN strpos(ip, ':') = 0 AND NOT regexp_full_match(ip, '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}') THEN 'invalid'
  ELSE s3logs_valid_ip_class(ip) END`},
	{Name: "s3logs_request_class", Params: "op", Description: "How S3 bills a request of an operation: put (PUT, COPY, POST, LIST), get (GET, HEAD and the rest), free (DELETE, lifecycle).",
		Body: `CASE
  WHEN op IS NULL THEN 'get'
  WHEN starts_with(op, 'REST.DELETE.') OR starts_with(op, 'S3.') OR op = 'BATCH.DELETE.OBJECT' THEN 'free'
  WHEN starts_with(op, 'REST.PUT.') OR starts_with(op, 'REST.POST.') OR starts_with(op, 'REST.COPY.')
    OR op = 'REST.GET.BUCKET' OR op = 'REST.GET.BUCKETVERSIONS' OR op = 'REST.GET.UPLOADS' OR op = 'REST.GET.SERVICE' THEN 'put'
  ELSE 'get' END`},
	{Name: "s3logs_transfer_usd", Params: "bytes, price_gb", Description: "Dollars for bytes sent at price_gb dollars per GB (2^30 bytes), as the cost_* queries estimate them.",
		Body: `bytes / 1073741824 * price_gb`},
	{Name: "s3logs_requests_usd", Params: "gets, puts, price_get_1k, price_put_1k", Description: "Dollars for gets GET-class and puts PUT-class requests (s3logs_request_class) at the prices per 1,000, as the cost_* queries estimate them.",
		Body: `(gets * price_get_1k + puts * price_put_1k) / 1000`},
	{Name: "s3logs_useragent_class", Params: "ua", Description: "browser, sdk_cli, bot or other for a user agent.",
		Body: `CASE
  WHEN ua IS NULL OR ua = '' THEN 'other'
  WHEN starts_with(ua, 'aws-cli/') OR starts_with(ua, 'aws-sdk-') OR starts_with(ua, 'Boto3/') OR starts_with(ua, 'Botocore/')
    OR starts_with(ua, 'aws-internal/') OR starts_with(ua, '[S3Console') OR starts_with(ua, 'S3Console/') THEN 'sdk_cli'
  WHEN regexp_matches(ua, '(?i)` + botMarkers + `') THEN 'bot'
  WHEN starts_with(ua, 'Mozilla/') OR starts_with(ua, 'Opera/') THEN 'browser'
  WHEN regexp_matches(ua, '(?i)` + sdkMarkers + `') THEN 'sdk_cli'
  ELSE 'other' END`},
}

// commonURI is the shape of nearly every request URI: a method, a space, a
// path that is not empty, a query or none, a space and an HTTP version, no
// other space and no '?' outside the path and query. RE2 checks a full
// match with its DFA, and reads the query of such a URI with one group in
// one pass, a fraction of the time of the general case below (which a URI
// without a '?' never needs for its query). The path of a URI that ends in
// " HTTP/1.1" after a target that does not start with '?' is cut out with
// strpos and substr, faster still: a regular expression costs DuckDB about
// 0.2 us a row even as a DFA full match, a group 0.6 us, strpos nearly
// nothing (BenchmarkEnrichedColumns). The general case is inside a CASE,
// where DuckDB computes nullif's argument twice.
const commonURI = `[^ ?]+ [^ ?][^ ]* HTTP/[^ ?]*`

// pathStrip and queryStrip are what regexp_replace removes from a request
// URI to leave its path, or its query with the '?' (” when none). Each
// alternative is a piece to drop, tried left to right from the text's start
// (the first that matches at a position wins): a URI without a space; the
// method and its space; the query or the path; the HTTP version at the end.
// They have no groups, so RE2 runs its DFA (a group made these columns ten
// times slower on 1M rows).
const (
	pathStrip  = `(?s)^[^ ]*$|^[^ ]* |\?.*$| HTTP/[^ ]*$`
	queryStrip = `(?s)^[^ ]*$|^[^ ]* [^?]*?(?: HTTP/[^ ]*)?$|^[^ ]* [^?]*| HTTP/[^ ]*$`
)

// principalRE is what regexp_replace removes from the start of a requester
// to leave its name: the prefix of the requester_type with a name (in
// s3logs_requester_type's order, the first that matches winning: svc:; an
// ARN up to its first ':assumed-role/', '::cloudfront:user/', an IAM user's
// last '/', ':federated-user/', an IAM role's last '/'), or all of a root or
// any other value. What follows a '/' is then cut (the session of an
// assumed role; AWS allows no '/' in the other names) with string_split: a
// global replace that also removed it took twice the time.
const principalRE = `(?s)^(?:svc:|arn:.*?:assumed-role/|arn:.*?::cloudfront:user/|arn:.*?:user/(?:.*/)?|` +
	`arn:.*?:federated-user/|arn:.*:root$|arn:.*?:role/(?:.*/)?|.*$)`

// botMarkers and sdkMarkers are the lower-case user-agent substrings of the
// bot and SDK-or-CLI classes. The order of the tests: a user agent that
// starts as AWS's SDKs, CLI and console do is sdk_cli (no regular expression
// runs for the most common clients of S3); then bot markers (crawlers often
// say Mozilla too); then Mozilla/ or Opera/ is a browser; then SDK markers.
const (
	botMarkers = `bot\b|bot/|crawl|spider|slurp|scanner|nmap|nuclei|masscan|zgrab|sqlmap|nikto|gobuster|dirbuster|censys|shodan|headless`
	sdkMarkers = `aws-cli|aws-sdk|boto|aws-internal|s3console|aws-toolkit|aws-powershell|awstools|s3cmd|rclone|cyberduck|` +
		`minio|hadoop|^curl/|^wget/|python-requests|python-urllib|go-http-client|okhttp|^java/|apache-httpclient|` +
		`^axios/|node-fetch|libwww-perl|powershell|^aws |^s3 `
)

var plainIPClass = "CASE WHEN t.remoteip IS NULL THEN 'none' WHEN coalesce(len(t.p_any_ip_addresses), 0) = 0 THEN 'invalid' ELSE s3logs_valid_ip_class(t.remoteip) END"

// Enriched declares aws_s3serveraccess_enriched: every column of the table
// plus columns that answer what investigators otherwise work out by hand.
var Enriched = &View{
	Name: EnrichedViewName,
	Description: "aws_s3serveraccess with derived columns: the request URI's parts, the decoded key, who the requester is, " +
		"the source region, the class of the remote IP and, with --ip-ranges, --geoip and --ip-list, what those files say of it.",
	Base: S3ServerAccess,
	Derived: []Derived{
		{Column{Name: "http_method", Type: String, Description: "The HTTP method of the request: requesturi up to its first space (GET, PUT, HEAD...)."}, "s3logs_http_method(t.requesturi)", nil},
		{Column{Name: "request_path", Type: String, Description: "The path of the request URI, as logged (URL-encoded): what lies between the method and '?' or the HTTP version."}, "s3logs_request_path(t.requesturi)", nil},
		{Column{Name: "request_query", Type: String, Description: "The query string of the request URI, after the first '?' (empty when the URI ends in '?'); NULL when it has none."}, "s3logs_request_query(t.requesturi)", nil},
		{Column{Name: "http_version", Type: String, Description: "The HTTP version at the end of the request URI (HTTP/1.1): its last word when that starts with HTTP/ and follows the request target; NULL otherwise."}, "s3logs_http_version(t.requesturi)", nil},
		{Column{Name: "key_decoded", Type: String, Description: "The key with its %XX sequences decoded once (key keeps the raw value). A '+' stays '+': S3 writes a space in a key as %20, and '+' in a URL path is a literal plus. NULL when the key is NULL or decodes to bytes that are not UTF-8."}, "s3logs_url_decode(t.key)", nil},
		{Column{Name: "requester_type", Type: String, Description: "What the requester is: iam_user, assumed_role, federated_user, root, iam_role, aws_service (svc:... or a CloudFront origin access identity), canonical_user (a 64-hex canonical user ID), anonymous (no requester), s3 (AmazonS3, S3 itself: lifecycle), or other."}, "s3logs_requester_type(t.requester)", nil},
		{Column{Name: "requester_account_id", Type: String, Description: "The 12-digit AWS account ID of the requester's ARN (its fifth field, as p_any_aws_account_ids has it), or NULL (canonical IDs, services, anonymous)."}, "coalesce(t.p_any_aws_account_ids[1], s3logs_requester_account(t.requester))", nil},
		{Column{Name: "requester_principal", Type: String, Description: "The requester's name: the user name of an IAM user (without its path), the role of an assumed role, the name of a federated user or IAM role, the service of svc:SERVICE or a CloudFront origin access identity, up to a '/' (AWS allows none in these names but a path's); NULL otherwise."}, "s3logs_requester_principal(t.requester)", nil},
		{Column{Name: "requester_session", Type: String, Description: "The session name of an assumed role (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION), else NULL."}, "s3logs_requester_session(t.requester)", nil},
		{Column{Name: "source_region", Type: String, Description: "The Source Region S3 appends as the 27th field since 2026 (additionalFields[1]), or NULL when the line has none."}, "CASE WHEN t.additionalFields[1] NOT IN ('-', '') THEN t.additionalFields[1] END", nil},
		{Column{Name: "remoteip_class", Type: String, Description: "The kind of remote IP: private (RFC 1918 10/8, 172.16/12, 192.168/16; IPv6 fc00::/7), loopback (127/8, ::1), link_local (169.254/16, fe80::/10), aws (inside a prefix of the --ip-ranges file), public (any other address), invalid (not an IP address), none (no remote IP)."}, "CASE WHEN t.remoteip IS NULL THEN 'none' WHEN coalesce(len(t.p_any_ip_addresses), 0) = 0 THEN 'invalid' WHEN i.aws_service IS NOT NULL AND s3logs_valid_ip_class(t.remoteip) = 'public' THEN 'aws' ELSE s3logs_valid_ip_class(t.remoteip) END", &plainIPClass},
		{Column{Name: "remoteip_aws_service", Type: String, Description: "With --ip-ranges: the AWS service of the most specific prefix holding the remote IP (EC2, S3, CLOUDFRONT...; AMAZON only when no other service lists it)."}, "i.aws_service", intelOnly},
		{Column{Name: "remoteip_aws_region", Type: String, Description: "With --ip-ranges: the region of that prefix (us-east-1, GLOBAL...)."}, "i.aws_region", intelOnly},
		{Column{Name: "remoteip_aws_network", Type: String, Description: "With --ip-ranges: that prefix (3.5.0.0/19)."}, "i.aws_network", intelOnly},
		{Column{Name: "remoteip_country", Type: String, Description: "With a --geoip City or Country database: the ISO 3166 country code of the remote IP."}, "i.country", intelOnly},
		{Column{Name: "remoteip_city", Type: String, Description: "With a --geoip City database: the English name of the remote IP's city."}, "i.city", intelOnly},
		{Column{Name: "remoteip_asn", Type: BigInt, Description: "With a --geoip ASN database: the autonomous system number of the remote IP."}, "i.asn", intelOnly},
		{Column{Name: "remoteip_as_org", Type: String, Description: "With a --geoip ASN database: the organisation of that autonomous system."}, "i.as_org", intelOnly},
		{Column{Name: "remoteip_lists", Type: StringList, Description: "With --ip-list: the lists (allow, deny, intel) with an entry that holds the remote IP; NULL when none does."}, "i.lists", intelOnly},
		{Column{Name: "remoteip_labels", Type: StringList, Description: "With --ip-list: the labels of those entries (the text after the address on its line)."}, "i.labels", intelOnly},
		{Column{Name: "useragent_class", Type: String, Description: "The kind of client: sdk_cli (starting as AWS's SDKs, CLI and console do: aws-cli/, aws-sdk-, Boto3/...), else bot (crawler and scanner markers), else browser (Mozilla/ or Opera/), else sdk_cli (S3 tools, HTTP libraries, curl, wget), else other (no user agent too)."}, "s3logs_useragent_class(t.useragent)", nil},
	},
}

// IPInfo declares the facts about remote IPs that intelligence files give,
// one row per address of aws_s3serveraccess with any fact. It lives in
// IntelCatalog and is filled by the commands given those files.
var IPInfo = &Table{
	Name:        "s3logs_ipinfo",
	Description: "What the --ip-ranges, --geoip and --ip-list files of this run say about each remote IP of aws_s3serveraccess.",
	Columns: []Column{
		{Name: "ip", Type: String, Description: "The remote IP as logged."},
		{Name: "aws_service", Type: String, Description: "The AWS service of the most specific ip-ranges prefix holding it."},
		{Name: "aws_region", Type: String, Description: "The region of that prefix."},
		{Name: "aws_network", Type: String, Description: "That prefix."},
		{Name: "country", Type: String, Description: "The ISO 3166 country code (GeoIP City or Country)."},
		{Name: "city", Type: String, Description: "The English city name (GeoIP City)."},
		{Name: "asn", Type: BigInt, Description: "The autonomous system number (GeoIP ASN)."},
		{Name: "as_org", Type: String, Description: "The autonomous system's organisation (GeoIP ASN)."},
		{Name: "lists", Type: StringList, Description: "The IP lists with an entry holding the address (allow, deny, intel)."},
		{Name: "labels", Type: StringList, Description: "The labels of those entries."},
	},
}

// IPList declares the entries of the --ip-list files of a run, for SQL. It
// lives in IntelCatalog, which every connection has on its search path, so
// SQL names it (and IPInfo) unqualified.
var IPList = &Table{
	Name:        "s3logs_iplist",
	Description: "The entries of the --ip-list files given to this run: one address or network per line, with its label.",
	Columns: []Column{
		{Name: "network", Type: String, Description: "The network in CIDR form (a single address is a /32 or /128)."},
		{Name: "label", Type: String, Description: "The text after the address on its line, or NULL."},
		{Name: "list", Type: String, Description: "The kind of list: allow, deny or intel."},
		{Name: "file", Type: String, Description: "The file the entry was read from."},
		{Name: "line", Type: BigInt, Description: "Its line number in the file."},
	},
}
