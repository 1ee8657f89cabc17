package main

import (
	"log"
	"net/http"

	"github.com/go-chi/chi/v5"
)

func main() {
	r := chi.NewRouter()
	r.Get("/items", func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("[]"))
	})
	log.Fatal(http.ListenAndServe(":8080", r))
}
