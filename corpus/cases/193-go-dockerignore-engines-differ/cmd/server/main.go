package main

import (
	"fmt"
	"net/http"
	"time"
)

// Reports the time in Paris and whether an HTTPS site answers.
func main() {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err)
	}
	resp, err := http.Get("https://example.com/")
	fmt.Println(time.Now().In(loc), resp != nil, err)
}
