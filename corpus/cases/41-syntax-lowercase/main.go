package main

import (
	"log"
	"net/http"
	"os"

	"github.com/google/uuid"
)

func main() {
	http.HandleFunc("/new", func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte(uuid.NewString()[:8]))
	})
	log.Fatal(http.ListenAndServe(os.Getenv("SHORTY_ADDR"), nil))
}
