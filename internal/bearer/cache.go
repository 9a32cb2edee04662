package bearer

import (
	"crypto/sha256"
	"sync"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
)

// DefaultCacheSize bounds the verified-token cache of one Authenticator.
const DefaultCacheSize = 10_000

const cacheShards = 16

// cache remembers tokens that passed verification, keyed by the SHA-256 of the token
// (the token itself is never kept), so a repeated token costs a hash instead of a
// signature check. An entry dies at the token's exp: after that the token goes through
// full verification again, which applies the leeway and refuses it once that has passed
// too. Entries also remember the key id that verified them, so a withdrawn key stops
// its tokens even while they are cached.
type cache struct {
	perShard int
	shards   [cacheShards]shard
}

type shard struct {
	mu sync.RWMutex
	m  map[[32]byte]entry
}

type entry struct {
	claims *accesstoken.Claims
	exp    int64 // unix seconds: the entry is usable while now < exp
	kid    string
}

func newCache(size int) *cache {
	if size <= 0 {
		return nil
	}
	per := (size + cacheShards - 1) / cacheShards
	c := &cache{perShard: per}
	for i := range c.shards {
		c.shards[i].m = make(map[[32]byte]entry, min(per, 256))
	}
	return c
}

func digest(token string) [32]byte { return sha256.Sum256([]byte(token)) }

func (c *cache) get(key [32]byte, now int64) (entry, bool) {
	s := &c.shards[key[0]%cacheShards]
	s.mu.RLock()
	e, ok := s.m[key]
	s.mu.RUnlock()
	if !ok || now >= e.exp {
		return entry{}, false
	}
	return e, true
}

func (c *cache) put(key [32]byte, e entry, now int64) {
	s := &c.shards[key[0]%cacheShards]
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.m) >= c.perShard {
		// Full: drop what has expired; if that frees nothing, drop an arbitrary half.
		for k, v := range s.m {
			if now >= v.exp {
				delete(s.m, k)
			}
		}
		if len(s.m) >= c.perShard {
			n := len(s.m) / 2
			for k := range s.m {
				if n == 0 {
					break
				}
				delete(s.m, k)
				n--
			}
		}
	}
	s.m[key] = e
}

func (c *cache) remove(key [32]byte) {
	s := &c.shards[key[0]%cacheShards]
	s.mu.Lock()
	delete(s.m, key)
	s.mu.Unlock()
}

func (c *cache) clear() {
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		clear(s.m)
		s.mu.Unlock()
	}
}

func (c *cache) len() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.RLock()
		n += len(s.m)
		s.mu.RUnlock()
	}
	return n
}
