// Package queries owns the SQL that s3logs ships and emits: Panther's Data
// Explorer macros (p_occurs_between, p_occurs_since), the catalog of saved
// investigation queries with their typed, bound parameters, and the
// detection engine that runs Panther's, Tailpipe's and s3logs' own rules over
// the aws_s3serveraccess table and groups matching events into alerts the way
// Panther does. It also owns reading SQL text: the one lexer (Lex, Tokens)
// and statement splitter (Buffer, Split, Complete) that the shell,
// s3logs query, macro expansion and parameter checks share, lexing as
// DuckDB does.
//
// Saved queries are .sql files with a strict comment header:
//
//	-- name: ips_for_bucket
//	-- title: Remote IPs that accessed a bucket
//	-- description: Ranks the distinct remote IPs that accessed one bucket in a time range.
//	-- tags: [access, ip]
//	-- param: bucket string required "Bucket name"
//	-- param: start timestamp default=now-30d "Start of the window"
//	SELECT remoteip, count(*) AS requests
//	FROM aws_s3serveraccess
//	WHERE bucket = $bucket AND p_occurs_between($start, now())
//	GROUP BY remoteip ORDER BY requests DESC
//
// Parameters are referenced as $name and are always bound as prepared
// statement arguments, never spliced into the SQL text. A param line reads
// NAME TYPE [required] [default=VALUE] [one_of=A|B] [min=N] [ipv4]
// ["description"]: min bounds an int or float (an int named limit has
// min=0 unless it says otherwise), ipv4 restricts a cidr to IPv4 networks.
//
// This package imports schema and never loader: it works on rows already in
// DuckDB.
package queries
