package identity

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/throttle"
)

// Operator-chosen secrets are stored as argon2id, which costs tens of milliseconds
// and 19 MiB per check by design. The token endpoint must not pay that on every
// request, nor let wrong secrets make it pay without bound:
//   - after one successful argon2id verification (or when the secret was just set), a
//     keyed digest of the secret (HMAC-SHA256 under a random per-process key: no table
//     of plain SHA-256 digests that a leaked heap could be matched against) is kept per
//     secret id; later checks of that secret id compare digests and never run argon2id,
//     right or wrong;
//   - at most maxSlowHashes argon2id verifications run at once (the slow channel);
//   - each application has a budget of failed argon2id verifications (SlowPolicy),
//     whatever the source address: beyond it, checks wait with ErrSlowDown.

// SlowPolicy bounds failed argon2id verifications per application: 10 a minute, then a
// block of 10 s doubling to 5 min. The per-IP throttles of the surfaces cannot stop a
// guesser that rotates source addresses; this can.
var SlowPolicy = throttle.Policy{Threshold: 10, Window: time.Minute, Backoff: 10 * time.Second,
	MaxBackoff: 5 * time.Minute, Forget: time.Hour, MaxKeys: 100_000, MaxWait: 2 * time.Second}

// maxVerified bounds the verified digests kept (about 100 bytes each).
const maxVerified = 200_000

// ErrSlowDown: the application's budget of slow secret verifications is spent; the
// caller should answer 429 and retry after SlowDownError.RetryAfter.
var ErrSlowDown = errors.New("identity: too many failed verifications of this application's secret")

// SlowDownError carries how long to wait.
type SlowDownError struct{ RetryAfter time.Duration }

func (e *SlowDownError) Error() string {
	return fmt.Sprintf("%v; retry after %s", ErrSlowDown, e.RetryAfter)
}
func (e *SlowDownError) Is(target error) bool { return target == ErrSlowDown }

// chosenDigest is the keyed in-memory digest of an operator-chosen secret.
func (s *Service) chosenDigest(secret string) [32]byte {
	m := hmac.New(sha256.New, s.digestKey)
	m.Write([]byte(secret))
	var out [32]byte
	m.Sum(out[:0])
	return out
}

// remember records that secret is the right one for the secret id.
func (s *Service) remember(secretID, secret string) {
	sum := s.chosenDigest(secret)
	s.mu.Lock()
	if _, ok := s.verified[secretID]; !ok && len(s.verified) >= maxVerified {
		for k := range s.verified { // map order is random: one arbitrary entry goes
			delete(s.verified, k)
			break
		}
	}
	s.verified[secretID] = sum
	s.mu.Unlock()
}

// known returns the digest of the secret seen valid for the secret id, if any.
func (s *Service) known(secretID string) ([32]byte, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, ok := s.verified[secretID]
	return d, ok
}

// checkSlow verifies an operator-chosen secret of the application budgetKey names.
func (s *Service) checkSlow(ctx context.Context, budgetKey string, sec store.Secret, secret string) (bool, error) {
	sum := s.chosenDigest(secret)
	if known, ok := s.known(sec.ID); ok {
		return subtle.ConstantTimeCompare(sum[:], known[:]) == 1, nil
	}
	if ok, wait := s.slowBudget.Begin(ctx, budgetKey); !ok {
		return false, &SlowDownError{RetryAfter: wait}
	}
	select {
	case s.slow <- struct{}{}:
	case <-ctx.Done():
		s.slowBudget.Release(budgetKey)
		return false, ctx.Err()
	}
	// Concurrent first requests queue for a hashing slot: the first one's success is
	// usually there by the time the others get theirs.
	if known, ok := s.known(sec.ID); ok {
		<-s.slow
		s.slowBudget.Release(budgetKey)
		return subtle.ConstantTimeCompare(sum[:], known[:]) == 1, nil
	}
	s.slowRuns.Add(1)
	good, err := CheckPassword(string(sec.Hash), secret)
	<-s.slow
	if err != nil || !good {
		s.slowBudget.Fail(budgetKey)
		return false, nil
	}
	s.slowBudget.Succeed(budgetKey)
	s.remember(sec.ID, secret)
	return true, nil
}
