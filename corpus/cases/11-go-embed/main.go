package main

import (
	"embed"
	"io/fs"
	"log"
	"net/http"
)

//go:embed web
var content embed.FS

func main() {
	site, err := fs.Sub(content, "web")
	if err != nil {
		log.Fatal(err)
	}
	http.Handle("/", http.FileServer(http.FS(site)))
	log.Fatal(http.ListenAndServe(":8000", nil))
}
