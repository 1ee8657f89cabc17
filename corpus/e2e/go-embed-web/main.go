// embedweb serves files compiled into the binary with go:embed, and has a
// -probe flag so the image's HEALTHCHECK needs neither curl nor a shell.
package main

import (
	"embed"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"net/http"
	"os"
	"time"
)

//go:embed web
var content embed.FS

func main() {
	probe := flag.Bool("probe", false, "GET /health on localhost and exit 0 if it answers ok")
	addr := flag.String("addr", "0.0.0.0:8080", "listen address")
	flag.Parse()

	if *probe {
		c := http.Client{Timeout: 2 * time.Second}
		resp, err := c.Get("http://127.0.0.1:8080/health")
		if err != nil || resp.StatusCode != http.StatusOK {
			os.Exit(1)
		}
		os.Exit(0)
	}

	web, err := fs.Sub(content, "web")
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") })
	mux.Handle("/", http.FileServer(http.FS(web)))
	log.Printf("listening on %s", *addr)
	log.Fatal(http.ListenAndServe(*addr, mux))
}
