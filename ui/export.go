package ui

import (
	"context"
	"database/sql/driver"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/duckdb/duckdb-go/v2"
)

// apiExport streams a result as a download: Parquet (through DuckDB's
// Arrow interface and pqarrow, a record batch at a time), CSV or NDJSON.
// The page posts a form with the query spec as JSON and the format; the
// export is written here in Go because the explorer's DuckDB may not write
// files.
func (s *Server) apiExport(w http.ResponseWriter, r *http.Request) {
	var spec querySpec
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := json.Unmarshal([]byte(r.PostForm.Get("spec")), &spec); err != nil {
		http.Error(w, "spec: "+err.Error(), http.StatusBadRequest)
		return
	}
	format := r.PostForm.Get("format")
	ext := map[string]string{"parquet": "parquet", "csv": "csv", "json": "ndjson"}[format]
	if ext == "" {
		http.Error(w, "format: want parquet, csv or json", http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	text, args, err := s.resolve(ctx, spec)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	h := w.Header()
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="s3logs-result.%s"`, ext))
	h.Set("Content-Type", "application/octet-stream")
	// Once the first bytes are out an error can only cut the download
	// short; before that it is an error response.
	ew := &errWriter{w: w}
	if format == "parquet" {
		err = s.writeParquet(ctx, ew, text, args)
	} else {
		err = s.writeText(ctx, ew, format, text, args)
	}
	if err != nil && !ew.wrote {
		h.Del("Content-Disposition")
		http.Error(w, err.Error(), http.StatusUnprocessableEntity)
	}
}

type errWriter struct {
	w     io.Writer
	wrote bool
}

func (e *errWriter) Write(p []byte) (int, error) {
	e.wrote = true
	return e.w.Write(p)
}

// writeParquet writes the result as Parquet (zstd), one row group per
// Arrow record batch, without holding the result in memory.
func (s *Server) writeParquet(ctx context.Context, w io.Writer, text string, args []any) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		ar, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
		if err != nil {
			return err
		}
		rr, err := ar.QueryContext(ctx, text, args...)
		if err != nil {
			return err
		}
		defer rr.Release()
		props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Zstd))
		fw, err := pqarrow.NewFileWriter(rr.Schema(), w, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
		if err != nil {
			return err
		}
		for rr.Next() {
			if err := fw.WriteBuffered(rr.RecordBatch()); err != nil {
				fw.Close()
				return err
			}
			fw.NewBufferedRowGroup()
		}
		if err := rr.Err(); err != nil {
			fw.Close()
			return err
		}
		return fw.Close()
	})
}

// writeText writes the result as CSV (a header, then one line per row) or
// NDJSON (one object per row), a row at a time.
func (s *Server) writeText(ctx context.Context, w io.Writer, format, text string, args []any) error {
	rows, err := s.db.QueryContext(ctx, text, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(names))
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	cw := csv.NewWriter(w)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if format == "csv" {
		cw.Write(names)
	}
	rec := make([]string, len(names))
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		if format == "csv" {
			for i, v := range vals {
				rec[i] = csvCell(jsonValue(v))
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
			continue
		}
		obj := make(orderedRow, len(names))
		for i, v := range vals {
			obj[i] = field{names[i], jsonValue(v)}
		}
		if err := enc.Encode(obj); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return rows.Err()
}

// csvCell writes NULL as an empty cell, lists and maps as JSON.
func csvCell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []any, map[string]any:
		b, _ := json.Marshal(x)
		return string(b)
	default:
		return fmt.Sprint(x)
	}
}

// orderedRow is a JSON object that keeps the result's column order.
type orderedRow []field

type field struct {
	k string
	v any
}

func (o orderedRow) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, f := range o {
		if i > 0 {
			b = append(b, ',')
		}
		k, err := json.Marshal(f.k)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(f.v)
		if err != nil {
			return nil, err
		}
		b = append(append(append(b, k...), ':'), v...)
	}
	return append(b, '}'), nil
}
