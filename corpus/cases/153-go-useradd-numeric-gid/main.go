package main

import (
	"log"
	"net/http"
	"os"
	"os/user"
	"path/filepath"
)

// The queue lives under the account's home (HOME, from its /etc/passwd
// entry), and /whoami names the account: both need the entry to resolve.
func main() {
	home, err := os.UserHomeDir()
	if err != nil {
		log.Fatal(err)
	}
	u, err := user.Current()
	if err != nil {
		log.Fatal(err)
	}
	http.HandleFunc("/whoami", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(u.Username + " " + home + "\n"))
	})
	http.HandleFunc("/enqueue", func(w http.ResponseWriter, r *http.Request) {
		f, err := os.OpenFile(filepath.Join(home, "queue"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		defer f.Close()
		f.WriteString(r.URL.RawQuery + "\n")
	})
	log.Fatal(http.ListenAndServe(":8080", nil))
}
