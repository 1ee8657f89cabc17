package main

import (
	"log"
	"net/http"

	"example.com/ratelimiter/limiter"
)

func main() {
	l := limiter.New(100)
	http.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		if !l.Allow() {
			w.WriteHeader(http.StatusTooManyRequests)
		}
	})
	log.Fatal(http.ListenAndServe(":9090", nil))
}
