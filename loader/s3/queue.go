package s3

import (
	"context"
	"sync"
)

// queue runs the listings of one pass on a fixed number of goroutines:
// the spans of key space and the folders found while listing are added as
// tasks, run in the order added, by at most n at once. A task may add
// tasks; wait returns when every task added has run, with the first error.
type queue struct {
	ctx    context.Context
	cancel context.CancelFunc
	n      int

	mu      sync.Mutex
	cond    *sync.Cond
	tasks   []func(context.Context) error
	pending int // queued or running
	err     error
}

func newQueue(ctx context.Context, n int) *queue {
	ctx, cancel := context.WithCancel(ctx)
	q := &queue{ctx: ctx, cancel: cancel, n: max(n, 1)}
	q.cond = sync.NewCond(&q.mu)
	return q
}

// add queues a task.
func (q *queue) add(t func(context.Context) error) {
	q.mu.Lock()
	q.tasks = append(q.tasks, t)
	q.pending++
	q.mu.Unlock()
	q.cond.Signal()
}

// idle reports whether a goroutine would be free for one more task.
func (q *queue) idle() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.pending < q.n
}

// wait runs the tasks and returns the first error (the others are then
// skipped: their context is cancelled).
func (q *queue) wait() error {
	var wg sync.WaitGroup
	for range q.n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q.work()
		}()
	}
	wg.Wait()
	q.cancel()
	return q.err
}

func (q *queue) work() {
	q.mu.Lock()
	defer q.mu.Unlock()
	for {
		for len(q.tasks) == 0 && q.pending > 0 {
			q.cond.Wait()
		}
		if q.pending == 0 {
			q.cond.Broadcast()
			return
		}
		t := q.tasks[0]
		q.tasks[0] = nil
		q.tasks = q.tasks[1:]
		var err error
		if q.err == nil {
			q.mu.Unlock()
			err = t(q.ctx)
			q.mu.Lock()
		}
		if err != nil && q.err == nil {
			q.err = err
			q.cancel()
		}
		q.pending--
		if q.pending == 0 {
			q.cond.Broadcast()
		}
	}
}
