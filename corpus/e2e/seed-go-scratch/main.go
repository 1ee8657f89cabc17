// A tiny HTTP server that only needs the standard library: the classic
// "build static, ship on scratch" Go service.
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
)

func main() {
	addr := "0.0.0.0:" + getenv("PORT", "8080")
	mux := http.NewServeMux()
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "ok")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "hello from seed-go-scratch")
	})
	log.Printf("listening on %s", addr)
	log.Fatal(http.ListenAndServe(addr, mux))
}

func getenv(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
