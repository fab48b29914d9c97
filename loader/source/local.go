package source

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// LocalLister returns the Lister of one command-line argument that is not
// an s3:// URL: "-" for stdin (read from stdin), a folder (every file in it,
// recursively), a glob pattern (when arg has *, ? or [ and is not an
// existing file), or a file. Problems (a missing file, an empty folder)
// are returned by List, naming the argument.
func LocalLister(arg string, stdin io.Reader) Lister {
	switch {
	case arg == "-":
		return &StdinLister{R: stdin}
	case strings.ContainsAny(arg, "*?["):
		if _, err := os.Stat(arg); err != nil {
			return GlobLister(arg)
		}
	}
	return PathLister(arg)
}

// PathLister lists a file, or every file under a folder recursively, in
// lexical order. Hidden files and folders (names starting with ".") inside
// a folder are skipped; a hidden path given explicitly is read. Links are
// followed, to files and to folders (a linked folder given as the path
// too), each folder walked once: a link back to a folder being walked is a
// loop and is skipped. One file reached by two paths is listed once (see
// Object.FileKey). An entry that cannot be read (a dangling link, a folder
// without permission) is listed as an Object whose Open fails, so that the
// load names it and goes on.
type PathLister string

// List implements Lister.
func (p PathLister) List(ctx context.Context, fn func(Object) error) error {
	path := string(p)
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, unwrapPathError(err))
	}
	if !st.IsDir() {
		if !st.Mode().IsRegular() && st.Mode()&fs.ModeNamedPipe == 0 && st.Mode()&fs.ModeCharDevice == 0 {
			return fmt.Errorf("%s: not a regular file", path)
		}
		return fn(fileObject(path, st))
	}
	w := walker{ctx: ctx, fn: fn, walking: map[string]bool{}, files: map[string]bool{}}
	entries, err := os.ReadDir(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, unwrapPathError(err))
	}
	if err := w.walk(path, st, entries); err != nil {
		return err
	}
	if w.n == 0 {
		return fmt.Errorf("%s: folder has no files: %w", path, ErrNoLogs)
	}
	return nil
}

// walker lists the files under a folder, following links.
type walker struct {
	ctx     context.Context
	fn      func(Object) error
	walking map[string]bool // fileKey of the folders being walked: a link to one is a loop
	files   map[string]bool // fileKey of the files listed
	n       int             // objects listed
}

// walk lists the entries of the folder dir (whose info is st).
func (w *walker) walk(dir string, st fs.FileInfo, entries []fs.DirEntry) error {
	key := fileKey(st)
	if key != "" {
		w.walking[key] = true
		defer delete(w.walking, key)
	}
	for _, de := range entries {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		if strings.HasPrefix(de.Name(), ".") {
			continue
		}
		name := filepath.Join(dir, de.Name())
		var info fs.FileInfo
		var err error
		switch {
		case de.Type()&fs.ModeSymlink != 0:
			info, err = os.Stat(name)
			if err == nil && info.IsDir() && fileKey(info) == "" {
				continue // no way to tell a loop: linked folders are not followed here
			}
		case de.IsDir(), de.Type().IsRegular():
			info, err = de.Info()
		default:
			continue
		}
		if err != nil { // a dangling link, say: reported when opened, the rest still listed
			if err := w.emit(failedObject(name, err)); err != nil {
				return err
			}
			continue
		}
		switch {
		case info.IsDir():
			if k := fileKey(info); k != "" && w.walking[k] {
				continue // a link back to a folder being walked
			}
			sub, err := os.ReadDir(name)
			if err != nil { // an unreadable subfolder: reported, the rest still listed
				if err := w.emit(failedObject(name, err)); err != nil {
					return err
				}
				continue
			}
			if err := w.walk(name, info, sub); err != nil {
				return err
			}
		case info.Mode().IsRegular():
			if k := fileKey(info); k != "" {
				if w.files[k] {
					continue // reached before by another path
				}
				w.files[k] = true
			}
			if err := w.emit(fileObject(name, info)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *walker) emit(o Object) error {
	w.n++
	return w.fn(o)
}

// GlobLister lists the files (and the files under the folders) matching a
// filepath.Match pattern, in lexical order of the matches.
type GlobLister string

// List implements Lister.
func (g GlobLister) List(ctx context.Context, fn func(Object) error) error {
	matches, err := filepath.Glob(string(g))
	if err != nil {
		return fmt.Errorf("%s: bad pattern: %w", string(g), err)
	}
	if len(matches) == 0 {
		return fmt.Errorf("%s: pattern matches no file: %w", string(g), ErrNoLogs)
	}
	sort.Strings(matches)
	for _, m := range matches {
		if err := PathLister(m).List(ctx, fn); err != nil {
			return err
		}
	}
	return nil
}

// fileObject describes the local file at path.
func fileObject(path string, st fs.FileInfo) Object {
	id, err := filepath.Abs(path)
	if err != nil {
		id = path
	}
	size := st.Size()
	if !st.Mode().IsRegular() {
		size = -1
	}
	return Object{
		Name:     path,
		ID:       id,
		FileKey:  fileKey(st),
		Unstable: !st.Mode().IsRegular(),
		Size:     size,
		ModTime:  st.ModTime().UTC(),
		Open: func(context.Context) (io.ReadCloser, error) {
			f, err := os.Open(path)
			if err != nil {
				return nil, unwrapPathError(err)
			}
			return f, nil
		},
	}
}

// failedObject is an entry of a folder that cannot be read: listing it
// lets the load report it by name and go on with the others.
func failedObject(path string, err error) Object {
	id, aerr := filepath.Abs(path)
	if aerr != nil {
		id = path
	}
	err = unwrapPathError(err)
	return Object{Name: path, ID: id, Size: -1,
		Open: func(context.Context) (io.ReadCloser, error) { return nil, err }}
}

// unwrapPathError drops the *fs.PathError wrapper, whose text repeats the
// path our own messages already start with.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// StdinLister lists standard input as one object. Because standard input
// has no name, its bytes are first copied to a temporary file while being
// hashed: the object's ID is "stdin:" and the first 16 hex digits of the
// SHA-256 of its bytes, so that loading the same input twice adds nothing
// and p_row_id stays unique. The temporary file is unlinked at once; its
// space is freed when the object's reader is closed (or at exit when the
// object is never opened).
//
// An input that is not a log must not be read to its end (yes | s3logs
// load -, or cat /dev/urandom, never ends): when Judge is set, it is
// given the input's first JudgeBytes before the rest is read, and an error
// from it ends List with that error, the rest unread.
type StdinLister struct {
	R     io.Reader
	Judge func(head []byte) error
}

// JudgeBytes is how much of standard input StdinLister.Judge is given: as
// much as an Input can Peek, what the load judges a larger file by.
const JudgeBytes = MaxPeek

// List implements Lister.
func (s *StdinLister) List(ctx context.Context, fn func(Object) error) error {
	if s.R == nil {
		return errors.New("-: no standard input")
	}
	tmp, err := os.CreateTemp("", "s3logs-stdin-*")
	if err != nil {
		return fmt.Errorf("-: buffering standard input: %w", err)
	}
	os.Remove(tmp.Name())
	h := sha256.New()
	w := io.MultiWriter(tmp, h)
	r := &ctxReader{ctx: ctx, r: s.R}
	head := make([]byte, JudgeBytes)
	n, err := io.ReadFull(r, head)
	if err == nil && s.Judge != nil {
		if err := s.Judge(head); err != nil {
			tmp.Close()
			return fmt.Errorf("-: %w", err)
		}
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF { // all of it is in head
		err = nil
	}
	if err == nil {
		_, err = w.Write(head[:n])
	}
	size := int64(n)
	if err == nil && n == JudgeBytes {
		var more int64
		more, err = io.Copy(w, r)
		size += more
	}
	if err != nil {
		tmp.Close()
		return fmt.Errorf("-: reading standard input: %w", err)
	}
	if size == 0 {
		tmp.Close()
		return fmt.Errorf("-: standard input is empty: %w", ErrNoLogs)
	}
	sum := hex.EncodeToString(h.Sum(nil))[:16]
	return fn(Object{
		Name: "-",
		ID:   "stdin:" + sum,
		Size: size,
		ETag: sum,
		Open: func(context.Context) (io.ReadCloser, error) {
			return spooled{io.NewSectionReader(tmp, 0, size), tmp}, nil
		},
	})
}

// spooled reads the spooled standard input; closing it frees the file.
type spooled struct {
	*io.SectionReader
	f *os.File
}

func (s spooled) Close() error { return s.f.Close() }

// ctxReader stops reading when ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
