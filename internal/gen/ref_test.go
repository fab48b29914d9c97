package gen

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/s3logs/s3logs/schema"
)

// refSplit is the test's own, deliberately simple splitter for lines
// without quote or requester traps: fields are separated by single spaces,
// the bracketed time is one field, and a quoted field ends at the first '"'
// followed by a space or the end of the line. It is independent of the
// generator's renderer, so agreeing with it checks that renderer.
func refSplit(line string) ([]string, error) {
	var fields []string
	for i := 0; i < len(line); {
		var end int
		switch line[i] {
		case '[':
			end = strings.IndexByte(line[i:], ']')
			if end < 0 {
				return nil, fmt.Errorf("unclosed [ at %d", i)
			}
			end += i + 1
		case '"':
			end = -1
			for j := i + 1; j < len(line); j++ {
				if line[j] == '"' && (j+1 == len(line) || line[j+1] == ' ') {
					end = j + 1
					break
				}
			}
			if end < 0 {
				return nil, fmt.Errorf("unclosed quote at %d", i)
			}
		default:
			end = strings.IndexByte(line[i:], ' ')
			if end < 0 {
				end = len(line)
			} else {
				end += i
			}
		}
		fields = append(fields, line[i:end])
		if end < len(line) && line[end] != ' ' {
			return nil, fmt.Errorf("field %d not followed by a space", len(fields))
		}
		i = end + 1
	}
	return fields, nil
}

// refValues converts split fields into the values the columns must hold,
// in the types Record.Column uses.
func refValues(fields []string) ([]any, error) {
	vals := make([]any, schema.NumLogFields+1)
	for i, f := range fields {
		if i >= schema.NumLogFields {
			extra, _ := vals[schema.ColAdditionalFields].([]string)
			vals[schema.ColAdditionalFields] = append(extra, f)
			continue
		}
		if f == "-" || f == `"-"` {
			continue
		}
		switch i {
		case schema.ColTime:
			t, err := time.Parse("[02/Jan/2006:15:04:05 -0700]", f)
			if err != nil {
				return nil, err
			}
			vals[i] = t.UTC()
		case schema.ColHttpstatus, schema.ColBytessent, schema.ColObjectsize, schema.ColTotaltime, schema.ColTurnaroundtime:
			n, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("column %d: %w", i, err)
			}
			vals[i] = n
		case schema.ColRequesturi, schema.ColReferrer, schema.ColUseragent:
			if len(f) < 2 || f[0] != '"' || f[len(f)-1] != '"' {
				return nil, fmt.Errorf("column %d not quoted: %s", i, f)
			}
			vals[i] = f[1 : len(f)-1]
		default:
			vals[i] = f
		}
	}
	if vals[schema.ColTime] == nil {
		return nil, fmt.Errorf("no time")
	}
	return vals, nil
}
