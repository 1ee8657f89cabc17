package main

import (
	"fmt"

	"github.com/acme-corp/money"
)

func main() {
	fmt.Println(money.FromCents(1999))
}
