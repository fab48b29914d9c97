package repl

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"
)

// guardTerminal saves the terminal state of stdin as the session starts and
// restores it when the returned stop is called, and also when SIGTERM or
// SIGHUP arrives, before calling Options.Exit(1): the shell may be at the
// prompt (raw mode) or running a query when it is killed.
func (s *Shell) guardTerminal() (stop func()) {
	f, ok := s.opts.Stdin.(*os.File)
	if !ok {
		return func() {}
	}
	fd := int(f.Fd())
	state, err := term.GetState(fd)
	if err != nil {
		return func() {}
	}
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		select {
		case <-done:
		case sig := <-ch:
			term.Restore(fd, state)
			fmt.Fprintf(s.opts.Stderr, "\ns3logs: %v: leaving the shell\n", sig)
			s.opts.Exit(1)
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
		term.Restore(fd, state)
	}
}

// notifyInterrupt calls fn on every SIGINT until restore is called.
func notifyInterrupt(fn func()) (restore func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-ch:
				fn()
			}
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
	}
}
