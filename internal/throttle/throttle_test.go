package throttle

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func TestBackoffAndReset(t *testing.T) {
	c := &clock{t: time.Unix(1_800_000_000, 0)}
	l := New(DefaultClientPolicy, c.now)
	fail := func() {
		ok, _ := l.Begin(context.Background(), "k")
		if !ok {
			t.Fatal("blocked too early")
		}
		l.Fail("k")
	}
	for i := 0; i < 10; i++ {
		fail()
	}
	ok, wait := l.Begin(context.Background(), "k")
	if ok || wait != time.Minute {
		t.Fatalf("after 10 failures: ok=%v wait=%v, want blocked 1m", ok, wait)
	}
	c.add(30 * time.Second)
	if ok, wait := l.Begin(context.Background(), "k"); ok || wait != 30*time.Second {
		t.Fatalf("mid-block: ok=%v wait=%v", ok, wait)
	}
	c.add(31 * time.Second)
	for i := 0; i < 10; i++ {
		fail()
	}
	if ok, wait := l.Begin(context.Background(), "k"); ok || wait != 2*time.Minute {
		t.Fatalf("second block: ok=%v wait=%v, want 2m", ok, wait)
	}
	for i := 0; i < 10; i++ { // blocks keep doubling but never pass the maximum
		c.add(16 * time.Minute)
		for j := 0; j < 10; j++ {
			fail()
		}
	}
	if ok, wait := l.Begin(context.Background(), "k"); ok || wait != 15*time.Minute {
		t.Fatalf("capped block: ok=%v wait=%v, want 15m", ok, wait)
	}
	c.add(15 * time.Minute)
	if ok, _ := l.Begin(context.Background(), "k"); !ok {
		t.Fatal("not allowed after the block expired: a lockout")
	}
	l.Succeed("k")
	for i := 0; i < 10; i++ {
		fail()
	}
	if ok, wait := l.Begin(context.Background(), "k"); ok || wait != time.Minute {
		t.Fatalf("after success the backoff must start afresh: ok=%v wait=%v", ok, wait)
	}
}

func TestWindowForgetsOldFailures(t *testing.T) {
	c := &clock{t: time.Unix(1_800_000_000, 0)}
	l := New(DefaultClientPolicy, c.now)
	for i := 0; i < 30; i++ {
		ok, _ := l.Begin(context.Background(), "k")
		if !ok {
			t.Fatalf("blocked at failure %d though failures were spread out", i)
		}
		l.Fail("k")
		c.add(7 * time.Second) // < 10 per minute
	}
}

// TestParallel is checklist A21: 50 parallel wrong attempts; at most Threshold are
// evaluated, every one is counted, and the rest are refused.
func TestParallel(t *testing.T) {
	l := New(DefaultClientPolicy, nil)
	var evaluated, refused atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if ok, _ := l.Begin(context.Background(), "k"); !ok {
				refused.Add(1)
				return
			}
			evaluated.Add(1)
			l.Fail("k")
		}()
	}
	close(start)
	wg.Wait()
	if e := evaluated.Load(); e != int32(DefaultClientPolicy.Threshold) {
		t.Fatalf("%d attempts evaluated, want exactly the threshold %d", e, DefaultClientPolicy.Threshold)
	}
	if evaluated.Load()+refused.Load() != 50 {
		t.Fatalf("lost attempts")
	}
	if ok, _ := l.Begin(context.Background(), "k"); ok {
		t.Fatal("not blocked after 50 parallel failures")
	}
}

// TestConcurrentSuccesses: more legitimate attempts in flight than the threshold wait
// for a slot and all succeed; none is refused.
func TestConcurrentSuccesses(t *testing.T) {
	l := New(DefaultClientPolicy, nil)
	var wg sync.WaitGroup
	var refused atomic.Int32
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ok, _ := l.Begin(context.Background(), "k"); !ok {
				refused.Add(1)
				return
			}
			l.Succeed("k")
		}()
	}
	wg.Wait()
	if n := refused.Load(); n != 0 {
		t.Fatalf("%d legitimate attempts refused", n)
	}
	if l.Len() != 0 {
		t.Fatalf("%d entries left after only successes", l.Len())
	}
}

// TestWaitBounded: an attempt that cannot get a slot is refused after MaxWait, not held.
func TestWaitBounded(t *testing.T) {
	p := DefaultClientPolicy
	p.Threshold, p.MaxWait = 1, 10*time.Millisecond
	l := New(p, nil)
	if ok, _ := l.Begin(context.Background(), "k"); !ok {
		t.Fatal("first attempt refused")
	}
	if ok, wait := l.Begin(context.Background(), "k"); ok || wait <= 0 {
		t.Fatalf("second attempt while the slot is held: ok=%v wait=%v", ok, wait)
	}
	l.Release("k")
	if ok, _ := l.Begin(context.Background(), "k"); !ok {
		t.Fatal("slot not given back by Release")
	}
}

func TestBounded(t *testing.T) {
	c := &clock{t: time.Unix(1_800_000_000, 0)}
	p := DefaultClientPolicy
	p.MaxKeys = 100
	l := New(p, c.now)
	for i := 0; i < 1000; i++ {
		k := string(rune(i + 1000))
		if ok, _ := l.Begin(context.Background(), k); ok {
			l.Fail(k)
		}
	}
	if n := l.Len(); n > 101 {
		t.Fatalf("%d keys tracked, bound 100", n)
	}
}
