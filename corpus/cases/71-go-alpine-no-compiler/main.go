package main

import (
	"fmt"
	"net/http"
	"sync/atomic"
)

var hits atomic.Int64

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hits %d\n", hits.Add(1))
	})
	_ = http.ListenAndServe(":9000", nil)
}
