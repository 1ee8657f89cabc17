package main

import (
	"log"
	"net/http"
	"os"

	"github.com/joho/godotenv"
)

func main() {
	// Reads .env from the working directory.
	if err := godotenv.Load(); err != nil {
		log.Fatal("no .env: ", err)
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(os.Getenv("SHOP_NAME") + "\n"))
	})
	log.Fatal(http.ListenAndServe(":8080", nil))
}
