module example.com/ratelimiter

go 1.22

require golang.org/x/time v0.6.0
