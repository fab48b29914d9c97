package schema

// ListedTableName is the table where loads from S3 record the days of key
// space they listed whole, so that an interrupted or repeated load need
// not list again the days that cannot change anymore and whose objects are
// all in the manifest.
const ListedTableName = "s3logs_listed"

// Listed declares the table of days listed: one row per day prefix, the
// last listing of it.
var Listed = &Table{
	Name:        ListedTableName,
	Description: "The days of S3 key space that loads listed whole: one row per day prefix, from its last listing.",
	Columns: []Column{
		{Name: "bucket", Type: String, Description: "The S3 bucket."},
		{Name: "base", Type: String, Description: "The key prefix before the date: a source bucket's folder (partitioned layout) or the folder of simple-layout keys."},
		{Name: "prefix", Type: String, Description: "The day's key prefix: base + YYYY/MM/DD/ or base + YYYY-MM-DD."},
		{Name: "day", Type: Timestamp, Description: "The day, its UTC midnight."},
		{Name: "objects", Type: BigInt, Description: "Objects listed under the prefix and handed to the load."},
		{Name: "listed_at", Type: Timestamp, Description: "When the listing of the day ended."},
	},
}
