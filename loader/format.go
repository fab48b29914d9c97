package loader

import "fmt"

// Format is the format of an input's records.
type Format uint8

// The formats s3logs reads. FormatAuto (the zero value) means "detect".
const (
	FormatAuto    Format = iota // detect from the content (Decode)
	FormatText                  // S3's space-separated text lines
	FormatJSON                  // one JSON record per line (AWS's CloudWatch Logs format)
	FormatParquet               // a Parquet file of AWS's records
)

// formatNames are the formats' names, as --format takes them.
var formatNames = [...]string{FormatAuto: "auto", FormatText: "text", FormatJSON: "json", FormatParquet: "parquet"}

// String returns the format's name, such as "json".
func (f Format) String() string {
	if int(f) < len(formatNames) {
		return formatNames[f]
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// ParseFormat returns the format called name ("auto", "text", "json" or
// "parquet").
func ParseFormat(name string) (Format, error) {
	for f, n := range formatNames {
		if n == name {
			return Format(f), nil
		}
	}
	return 0, fmt.Errorf("unknown format %q: want auto, text, json or parquet", name)
}
