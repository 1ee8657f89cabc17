// pinger: an ordinary net/http service built WITHOUT CGO_ENABLED=0. The
// golang image has gcc, so cgo is on and the net package links the glibc
// resolver: the binary is dynamically linked even though the code has no C.
package main

import (
	"fmt"
	"log"
	"net"
	"net/http"
	"os/user"
)

func main() {
	http.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "ok")
	})
	http.HandleFunc("/whoami", func(w http.ResponseWriter, r *http.Request) {
		u, err := user.Current()
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		addrs, _ := net.LookupHost("localhost")
		fmt.Fprintf(w, "%s %v\n", u.Username, addrs)
	})
	log.Fatal(http.ListenAndServe("0.0.0.0:9000", nil))
}
