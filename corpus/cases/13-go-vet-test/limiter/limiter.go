package limiter

import "golang.org/x/time/rate"

// New returns a limiter allowing n events per second.
func New(n int) *rate.Limiter { return rate.NewLimiter(rate.Limit(n), n) }
