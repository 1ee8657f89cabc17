package main

import (
	"log"
	"net/http"

	_ "golang.org/x/net/http2"
)

func main() {
	log.Fatal(http.ListenAndServeTLS(":8443", "/tls/cert.pem", "/tls/key.pem", nil))
}
