package main

import (
	"net/http"
	"os"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		f, err := os.OpenFile("hits.log", os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			f.WriteString(r.URL.Path + "\n")
			f.Close()
		}
		w.Write([]byte("ok\n"))
	})
	http.ListenAndServe(":8080", nil)
}
