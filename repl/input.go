package repl

import (
	"bufio"
	"io"
	"strings"

	prompt "github.com/elk-language/go-prompt"

	"github.com/s3logs/s3logs/queries"
)

// scriptReader reads statements from a non-terminal stdin, line by line,
// through a queries.Buffer; an unterminated last statement is still returned.
type scriptReader struct {
	r   *bufio.Reader
	buf queries.Buffer
	eof bool
}

func newScriptReader(r io.Reader) *scriptReader {
	return &scriptReader{r: bufio.NewReaderSize(r, 64<<10)}
}

// next returns the next statement, or io.EOF after the last.
func (sr *scriptReader) next() (queries.Statement, error) {
	for {
		if st, ok := sr.buf.Next(); ok {
			return st, nil
		}
		if sr.eof {
			if st, ok := sr.buf.Flush(); ok {
				return st, nil
			}
			return queries.Statement{}, io.EOF
		}
		line, err := sr.r.ReadString('\n')
		sr.buf.Write(line)
		if err == io.EOF {
			sr.eof = true
		} else if err != nil {
			return queries.Statement{}, err
		}
	}
}

// promptText is the prompt of the interactive shell; go-prompt shows
// continuation lines with dots under it.
const promptText = "s3logs> "

// promptReader reads one complete input at a time from the terminal with
// go-prompt: Enter executes when the text holds complete statements
// (Complete), and otherwise opens a new line of the same input, so a
// statement can be typed over several lines and edited as a whole. Pasted
// text arrives whole; Enter after it runs every statement it holds.
type promptReader struct {
	p       *prompt.Prompt
	entered bool // Enter (not Ctrl-D) ended the last read
}

func newPromptReader(s *Shell, hist *history) *promptReader {
	pr := &promptReader{}
	opts := []prompt.Option{
		prompt.WithPrefix(promptText),
		prompt.WithCompleter(s.comp.complete),
		prompt.WithExecuteOnEnterCallback(func(p *prompt.Prompt, indentSize int) (int, bool) {
			text := p.Buffer().Text()
			if strings.TrimSpace(text) == "" || queries.Complete(text) {
				pr.entered = true
				return 0, true
			}
			return 0, false
		}),
		prompt.WithCustomHistory(hist),
		prompt.WithMaxSuggestion(8),
		prompt.WithReader(&enterReader{Reader: prompt.NewStdinReader()}),
	}
	pr.p = prompt.New(func(string) {}, opts...)
	s.comp.prompt = pr.p
	return pr
}

// read returns the next input (possibly several lines and statements), or
// io.EOF after Ctrl-D on an empty line. Ctrl-C at the prompt clears the
// input and go-prompt keeps reading.
func (pr *promptReader) read() (string, error) {
	for {
		pr.entered = false
		text := pr.p.Input()
		if !pr.entered {
			return "", io.EOF
		}
		if strings.TrimSpace(text) != "" {
			return text, nil
		}
	}
}

// enterReader makes a final Enter that arrives in the same read as the
// text before it (a paste ending in a newline, fast typing, or text typed
// while a query ran, which the terminal's line discipline ends with "\n")
// a separate key press. go-prompt inserts a multi-byte read as text,
// newlines included, so without this the statements would wait for another
// Enter; with it, Enter runs them if they are complete.
type enterReader struct {
	prompt.Reader
	pending []byte
}

// Read returns a held-back Enter first, else reads, holding back a final
// "\r" or "\n" of a longer read for the next call (as "\r").
func (r *enterReader) Read(p []byte) (int, error) {
	if len(r.pending) > 0 {
		n := copy(p, r.pending)
		r.pending = r.pending[n:]
		return n, nil
	}
	n, err := r.Reader.Read(p)
	if n > 1 && (p[n-1] == '\r' || p[n-1] == '\n') {
		r.pending = append(r.pending[:0], '\r')
		return n - 1, err
	}
	return n, err
}
