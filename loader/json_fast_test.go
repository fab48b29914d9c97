package loader

import (
	"bytes"
	"math/rand"
	"testing"
)

// TestJSONFastAgreesMutated holds the fast path to the general one on
// generated records and the table's cases with random bytes changed,
// dropped and inserted (deterministically, unlike FuzzJSON).
func TestJSONFastAgreesMutated(t *testing.T) {
	_, js := textAndJSON(50, 9)
	lines := bytes.Split(bytes.TrimSpace(js), []byte("\n"))
	for _, tc := range jsonCases {
		if len(tc.line) < 4096 {
			lines = append(lines, []byte(tc.line))
		}
	}
	rng := rand.New(rand.NewSource(1))
	alpha := []byte("\"{}[],:\\ -0123456789.eEnulltruefalse\x00\x1f\x80\xffabc\t")
	for range 30000 {
		l := append([]byte(nil), lines[rng.Intn(len(lines))]...)
		for k := rng.Intn(4) + 1; k > 0; k-- {
			switch rng.Intn(3) {
			case 0:
				l[rng.Intn(len(l))] = alpha[rng.Intn(len(alpha))]
			case 1:
				i := rng.Intn(len(l))
				l = append(l[:i], l[min(len(l), i+rng.Intn(5)):]...)
				if len(l) == 0 {
					l = []byte("{")
				}
			case 2:
				i := rng.Intn(len(l))
				l = append(l[:i], append([]byte{alpha[rng.Intn(len(alpha))]}, l[i:]...)...)
			}
		}
		if !sameParse(t, l) {
			return
		}
	}
}
