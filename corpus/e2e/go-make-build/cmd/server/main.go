package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
)

// Notes are appended to data/notes.txt under the working directory.
func main() {
	file := filepath.Join("data", "notes.txt")
	http.HandleFunc("/health", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok built-by-make") })
	http.HandleFunc("/notes", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			body, _ := io.ReadAll(r.Body)
			_ = os.MkdirAll("data", 0o755)
			f, err := os.OpenFile(file, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
			if err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			defer f.Close()
			fmt.Fprintln(f, string(body))
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintln(w, "saved")
			return
		}
		data, _ := os.ReadFile(file)
		w.Write(data)
	})
	srv := &http.Server{Addr: ":8080"}
	go func() {
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGTERM)
		<-c
		srv.Close()
	}()
	_ = srv.ListenAndServe()
}
