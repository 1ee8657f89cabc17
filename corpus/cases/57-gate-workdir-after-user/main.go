package main

import (
	"fmt"
	"os"
)

func main() {
	f, err := os.OpenFile("visits.log", os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	defer f.Close()
	fmt.Fprintln(f, "visit")
}
