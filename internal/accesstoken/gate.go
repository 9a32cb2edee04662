package accesstoken

import "runtime"

// gate bounds how many signatures run at once to the number of usable cores.
//
// Under saturation, more concurrent signatures than cores do not sign faster: the Go
// scheduler time-slices them, so each request's signature is interleaved with every
// other one and a few unlucky requests wait for many slices (RS256 p99 was 13× p50
// at 16 connections on 2 cores). Waiters on a full buffered channel are queued and
// woken in arrival order (the runtime's sudog queue is FIFO), so with the gate a
// request waits only for those that arrived before it and latency stays close to
// queue length × signing time for everyone.
var gate = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
