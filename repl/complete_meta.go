package repl

import (
	"os"
	"path/filepath"
	"strings"
)

// suggestMeta completes a meta-command line.
func (c *completer) suggestMeta(line string) ([]suggestion, string) {
	i := strings.LastIndexAny(line, metaSeparators)
	if i < 0 { // the command name itself
		var out []suggestion
		for _, m := range metaCommands {
			if strings.HasPrefix(m.name, line) && (m.hidden == nil || !m.hidden(c.s)) {
				out = append(out, suggestion{Text: m.name, Description: m.help})
			}
		}
		return out, line
	}
	word := line[i+1:]
	words := strings.Fields(line[:i+1])
	m, ok := lookupMeta(c.s, words[0])
	if !ok || m.complete == nil {
		return nil, word
	}
	cands := m.complete(c.s, append(words[1:], word))
	return filterPrefix(cands, word, false), word
}

// completePaths lists the files and folders that complete the last word
// (args[len(args)-1]) as a path; folders end with "/".
func completePaths(_ *Shell, args []string) []suggestion {
	word := args[len(args)-1]
	dir, base := filepath.Split(word)
	list := dir
	if strings.HasPrefix(list, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			list = filepath.Join(home, list[2:])
		}
	}
	if list == "" {
		list = "."
	}
	entries, err := os.ReadDir(list)
	if err != nil {
		return nil
	}
	var out []suggestion
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, base) || (strings.HasPrefix(name, ".") && !strings.HasPrefix(base, ".")) {
			continue
		}
		desc := "file"
		if e.IsDir() {
			name += "/"
			desc = "folder"
		}
		out = append(out, suggestion{Text: dir + name, Description: desc})
		if len(out) == 200 {
			break
		}
	}
	return out
}

// completeRun completes .run: a saved query's name, then its parameters
// as "key=" with their type and description.
func completeRun(s *Shell, args []string) []suggestion {
	if len(args) == 1 {
		var out []suggestion
		for _, q := range s.opts.Catalog.List() {
			out = append(out, suggestion{Text: q.Name, Description: q.Title})
		}
		return out
	}
	q, err := s.opts.Catalog.Get(args[0])
	if err != nil {
		return nil
	}
	given := map[string]bool{}
	for _, a := range args[1 : len(args)-1] {
		k, _, _ := strings.Cut(a, "=")
		given[k] = true
	}
	var out []suggestion
	for _, p := range q.Params {
		if given[p.Name] {
			continue
		}
		desc := p.Type.String()
		if p.Required {
			desc += ", required"
		} else if p.HasDefault {
			desc += ", default " + p.Default
		}
		out = append(out, suggestion{Text: p.Name + "=", Description: desc + ": " + p.Description})
	}
	return out
}

// completeExport completes the path of .export; the SQL after it is not
// completed.
func completeExport(s *Shell, args []string) []suggestion {
	if len(args) == 1 {
		return completePaths(s, args)
	}
	return nil
}
