package main

import (
	"flag"
	"log"
	"net/http"
	"os"
	"path/filepath"
)

func main() {
	dir := flag.String("dir", ".", "log directory")
	flag.Parse()
	http.HandleFunc("/log", func(w http.ResponseWriter, r *http.Request) {
		f, err := os.OpenFile(filepath.Join(*dir, "audit.log"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		defer f.Close()
		f.WriteString(r.URL.RawQuery + "\n")
	})
	log.Fatal(http.ListenAndServe(":7000", nil))
}
