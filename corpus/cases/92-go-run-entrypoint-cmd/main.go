package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	name := flag.String("name", "world", "who")
	flag.Parse()
	fmt.Fprintf(os.Stdout, "tally for %s\n", *name)
}
