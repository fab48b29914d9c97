package main

import (
	"fmt"
	"io"
	"runtime"
	"slices"
	"time"
)

// Targets of issue 11, on the 2-core development machine.
const (
	targetScaling  = 1.7  // s3logs on all cores against s3logs on one, at least
	targetVsDIY    = 2.5  // DIY wall time over s3logs', all cores, at least
	targetCPU      = 0.4  // s3logs' CPU seconds over DIY's, at most
	targetMemory   = 1.25 // peak RSS for 4x the lines, at most
	baselineBPR    = 175  // bytes of database file per row before issue 11 (169-175 MB for 1,000,000 lines)
	targetFileRows = 100_000
)

// summarize makes a result of the medians of samples.
func summarize(samples []sample) result {
	med := func(f func(sample) int64) int64 {
		v := make([]int64, len(samples))
		for i, s := range samples {
			v[i] = f(s)
		}
		return median(v)
	}
	r := result{runs: len(samples)}
	r.wall = time.Duration(med(func(s sample) int64 { return int64(s.wall) }))
	r.cpu = time.Duration(med(func(s sample) int64 { return int64(s.cpu) }))
	r.peakRSS = med(func(s sample) int64 { return s.rss })
	r.fileBytes = med(func(s sample) int64 { return s.file })
	r.wallMin, r.wallMax = samples[0].wall, samples[0].wall
	for _, s := range samples {
		r.wallMin, r.wallMax = min(r.wallMin, s.wall), max(r.wallMax, s.wall)
	}
	last := samples[len(samples)-1]
	r.rows, r.unmatched, r.rejected = last.rows, last.unmatched, last.rejected
	return r
}

func report(w io.Writer, c *config, rr *runResults) {
	first := rr.s3
	fmt.Fprintf(w, "s3logs-bench: %d lines, %.1f MB generated (seed %d, trap rate %g); %d usable CPUs; %d runs of each load, taking turns: medians\n",
		first.lines, float64(first.bytes)/1e6, c.seed, c.trapRate, runtime.NumCPU(), c.runs)
	if rr.loadBefore != "" {
		fmt.Fprintf(w, "load average before: %s, after: %s (a busy machine makes every number noisy)\n", rr.loadBefore, rr.loadAfter)
	}
	fmt.Fprintln(w)
	const row = "%-52s %9s %8s %13s %8s %8s %9s %6s  %s\n"
	fmt.Fprintf(w, row, "step (each in its own process)", "lines", "wall", "(min-max)", "CPU", "MB/s", "peak RSS", "B/row", "file, rows")
	for _, r := range []*result{rr.s3, rr.s3one, rr.diy, rr.diyOne, rr.parse, rr.floor, rr.s3q, rr.s3x4} {
		if r == nil {
			continue
		}
		fmt.Fprintf(w, row, r.name, fmt.Sprint(r.lines), secs(r.wall), "("+secs(r.wallMin)+"-"+secs(r.wallMax)+")", secs(r.cpu),
			fmt.Sprintf("%.1f", float64(r.bytes)/1e6/r.wall.Seconds()), fmt.Sprintf("%.0f MB", float64(r.peakRSS)/1e6),
			bytesPerRow(r), fileAndRows(r))
	}
	fmt.Fprintln(w)
	targets(w, rr)
}

// targets prints the ratios the targets name, each with its target and
// whether it is met.
func targets(w io.Writer, rr *runResults) {
	s3, n := rr.s3, runtime.NumCPU()
	if one := rr.s3one; one != nil {
		sp := one.wall.Seconds() / s3.wall.Seconds()
		check(w, fmt.Sprintf("s3logs scaling, 1 CPU to %d: %.2fx faster", n, sp), sp >= targetScaling, fmt.Sprintf(">= %.1fx", targetScaling))
		if n > 1 {
			f := serialFraction(sp, n)
			fmt.Fprintf(w, "  serial fraction (Amdahl, from that speedup): %.0f%%; predicted speedup over 1 CPU on 4, 8, 16 CPUs: %.1fx, %.1fx, %.1fx\n",
				100*f, amdahl(f, 4), amdahl(f, 8), amdahl(f, 16))
		}
	}
	if d := rr.diy; d != nil {
		sp := d.wall.Seconds() / s3.wall.Seconds()
		check(w, fmt.Sprintf("s3logs vs DIY, all %d CPUs: %.2fx faster", n, sp), sp >= targetVsDIY, fmt.Sprintf(">= %.1fx", targetVsDIY))
		cpu := s3.cpu.Seconds() / d.cpu.Seconds()
		check(w, fmt.Sprintf("CPU seconds s3logs/DIY: %.2fx (%s against %s)", cpu, secs(s3.cpu), secs(d.cpu)), cpu <= targetCPU, fmt.Sprintf("<= %.1fx", targetCPU))
		fmt.Fprintf(w, "  peak memory s3logs/DIY: %.2fx\n", float64(s3.peakRSS)/float64(d.peakRSS))
	}
	if one, d := rr.s3one, rr.diyOne; one != nil && d != nil {
		fmt.Fprintf(w, "  on 1 CPU: s3logs %.2fx faster than DIY\n", d.wall.Seconds()/one.wall.Seconds())
	}
	if s3.rows >= targetFileRows {
		bpr := float64(s3.fileBytes) / float64(s3.rows)
		check(w, fmt.Sprintf("database file: %.0f bytes per row", bpr), bpr <= baselineBPR, fmt.Sprintf("<= %d, before issue 11", baselineBPR))
	}
	for _, p := range []struct {
		what       string
		small, big *result
	}{{"1/4 to 1x", rr.s3q, s3}, {"1x to 4x", s3, rr.s3x4}} {
		if p.small == nil || p.big == nil {
			continue
		}
		m := float64(p.big.peakRSS) / float64(p.small.peakRSS)
		check(w, fmt.Sprintf("s3logs peak memory, %s the lines: %.2fx (time %.2fx)", p.what, m, p.big.wall.Seconds()/p.small.wall.Seconds()),
			m <= targetMemory, fmt.Sprintf("<= %.2fx", targetMemory))
	}
}

func check(w io.Writer, what string, ok bool, target string) {
	verdict := "met"
	if !ok {
		verdict = "NOT MET"
	}
	fmt.Fprintf(w, "%-70s target %-22s %s\n", what, target, verdict)
}

// serialFraction is the share f of the one-CPU work that does not spread
// over n CPUs, given the speedup sp on n: sp = 1 / (f + (1-f)/n).
func serialFraction(sp float64, n int) float64 {
	f := (float64(n)/sp - 1) / float64(n-1)
	return min(1, max(0, f))
}

// amdahl is the speedup on n CPUs of work whose serial share is f.
func amdahl(f float64, n int) float64 { return 1 / (f + (1-f)/float64(n)) }

func secs(d time.Duration) string { return fmt.Sprintf("%.2fs", d.Seconds()) }

func bytesPerRow(r *result) string {
	if r.fileBytes == 0 || r.rows == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f", float64(r.fileBytes)/float64(r.rows))
}

func fileAndRows(r *result) string {
	s := ""
	if r.fileBytes > 0 {
		s = fmt.Sprintf("%.1f MB, ", float64(r.fileBytes)/1e6)
	}
	s += fmt.Sprint(r.rows)
	if r.unmatched > 0 {
		s += fmt.Sprintf(" (%d all-NULL: regex did not match)", r.unmatched)
	}
	if r.rejected > 0 {
		s += fmt.Sprintf(" (%d lines rejected)", r.rejected)
	}
	return s
}

// median is the middle of v, or the mean of its two middle values when
// their number is even; it sorts v.
func median(v []int64) int64 {
	slices.Sort(v)
	n := len(v)
	if n%2 == 0 {
		return (v[n/2-1] + v[n/2]) / 2
	}
	return v[n/2]
}
