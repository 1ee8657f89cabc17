// notes: a tiny note board started with `go run`. It reads its banner from
// templates/ (relative to the working directory) and appends notes to
// data/notes.txt, so both reads and writes depend on where it starts.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", ":8080", "listen address")
	dataDir := flag.String("data", "data", "folder the notes are written to")
	flag.Parse()

	banner, err := os.ReadFile(filepath.Join("templates", "banner.txt"))
	if err != nil {
		log.Fatalf("banner: %v", err)
	}
	if err := os.MkdirAll(*dataDir, 0o755); err != nil {
		log.Fatalf("data folder: %v", err)
	}
	store := filepath.Join(*dataDir, "notes.txt")
	var mu sync.Mutex

	mux := http.NewServeMux()
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s", banner)
	})
	mux.HandleFunc("GET /notes", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		b, err := os.ReadFile(store)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		n := strings.Count(string(b), "\n")
		fmt.Fprintf(w, "%d notes\n%s", n, b)
	})
	mux.HandleFunc("POST /notes", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1024))
		if err != nil || len(strings.TrimSpace(string(body))) == 0 {
			http.Error(w, "empty note", http.StatusBadRequest)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		f, err := os.OpenFile(store, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer f.Close()
		line := strings.ReplaceAll(strings.TrimSpace(string(body)), "\n", " ")
		fmt.Fprintln(f, line)
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, "saved: %s\n", line)
	})

	srv := &http.Server{Addr: *addr, Handler: mux}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Printf("notes listening on %s", *addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
	log.Print("notes stopped")
}
