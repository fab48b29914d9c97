package schema

// ManifestTableName is the table where each load records the objects it
// read, so that loading them again adds nothing and an interrupted load is
// finished by the next one.
const ManifestTableName = "s3logs_manifest"

// Column positions in Manifest.
const (
	ManID = iota
	ManName
	ManSize
	ManMTime
	ManETag
	ManBytes
	ManLines
	ManRows
	ManRejected
	ManBlank
	ManFiltered
	ManStatus
	ManError
	ManChecksum
	ManLabel
	ManLoadedAt
	ManWindows
	ManReplaced
)

// Manifest declares the manifest: one row per object loaded, whose rows,
// rejected, blank and filtered add up to lines.
var Manifest = &Table{
	Name:        ManifestTableName,
	Description: "The objects s3logs has loaded: one row per file or S3 object, with what was read of it.",
	Columns: []Column{
		{Name: "id", Type: String, Description: "The object's stable identity: absolute path, s3://bucket/key, or stdin:<sha256>."},
		{Name: "name", Type: String, Description: "The object's name as shown to the user."},
		{Name: "size", Type: BigInt, Description: "Bytes as stored (compressed when gzipped), -1 when unknown."},
		{Name: "mtime", Type: Timestamp, Description: "Modification time, when known."},
		{Name: "etag", Type: String, Description: "S3 entity tag (or the content hash of standard input)."},
		{Name: "bytes", Type: BigInt, Description: "Bytes consumed after decompression: where a grown file resumes."},
		{Name: "lines", Type: BigInt, Description: "Lines read: rows + rejected + blank + filtered."},
		{Name: "rows", Type: BigInt, Description: "Lines loaded into aws_s3serveraccess."},
		{Name: "rejected", Type: BigInt, Description: "Lines in aws_s3serveraccess_rejects."},
		{Name: "blank", Type: BigInt, Description: "Empty lines."},
		{Name: "filtered", Type: BigInt, Description: "Lines outside --since/--until."},
		{Name: "status", Type: String, Description: "loaded, partial (still being read at the last commit, as after an interrupted load: its counts are of what is committed; reloaded next time), error (reloaded next time; also a file that shrank while it was read) or refused (not a log, or damaged: skipped while unchanged)."},
		{Name: "error", Type: String, Description: "What went wrong, for status error."},
		{Name: "checksum", Type: String, Description: "Hash of the first and last 4 KiB before bytes, to check a grown file."},
		{Name: "label", Type: String, Description: "p_source_label of the object's rows."},
		{Name: "loaded_at", Type: Timestamp, Description: "When this row was written."},
		{Name: "windows", Type: String, Description: "The --since/--until windows the object's rows were kept in, as since/until pairs in RFC 3339 (an empty side: no bound) joined by commas; NULL when every row was kept. A later load with a window outside these reads the object again."},
		{Name: "replaced", Type: BigInt, Description: "Rows (of rows) with bytes that are not valid UTF-8, written as U+FFFD; s3logs_replaced lists their values. NULL for objects loaded before s3logs counted them."},
	},
}
