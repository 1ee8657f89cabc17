package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"example.com/wordcount"
)

// set at build time with -ldflags "-X main.version=..."
var version = "dev"

func main() {
	if len(os.Args) > 1 && os.Args[1] == "--version" {
		fmt.Println("textstat", version)
		return
	}
	if len(os.Args) > 1 {
		fmt.Println(wordcount.Count(strings.Join(os.Args[1:], " ")))
		return
	}
	n := 0
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		n += wordcount.Count(sc.Text())
	}
	fmt.Println(n)
}
