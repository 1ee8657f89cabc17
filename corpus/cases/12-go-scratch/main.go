package main

import (
	"log"
	"net/http"
	"os"
	"time"

	"gopkg.in/yaml.v3"
)

func main() {
	loc, err := time.LoadLocation(os.Getenv("TZ"))
	if err != nil {
		log.Fatal(err)
	}
	var cfg map[string]string
	_ = yaml.Unmarshal([]byte("target: https://hooks.example.com/in"), &cfg)
	for range time.Tick(time.Minute) {
		resp, err := http.Post(cfg["target"], "application/json", nil)
		if err == nil {
			resp.Body.Close()
		}
		log.Println(time.Now().In(loc))
	}
}
