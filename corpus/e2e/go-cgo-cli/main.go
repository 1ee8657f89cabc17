// cgocrc: a CLI that calls a little C function through cgo. Built with the
// golang image's defaults (CGO_ENABLED=1, gcc present) it is linked
// dynamically against glibc, so it cannot run on scratch or distroless/static.
package main

/*
#include <stdint.h>
#include <string.h>
#include <stdlib.h>

static uint32_t adler32(const char *s) {
	uint32_t a = 1, b = 0;
	size_t n = strlen(s);
	for (size_t i = 0; i < n; i++) {
		a = (a + (unsigned char)s[i]) % 65521;
		b = (b + a) % 65521;
	}
	return (b << 16) | a;
}
*/
import "C"

import (
	"fmt"
	"os"
	"unsafe"
)

const version = "cgocrc 1.0.0"

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: cgocrc --version | cgocrc WORD...")
		os.Exit(2)
	}
	if os.Args[1] == "--version" {
		fmt.Println(version, "(cgo)")
		return
	}
	for _, w := range os.Args[1:] {
		cs := C.CString(w)
		sum := C.adler32(cs)
		C.free(unsafe.Pointer(cs))
		fmt.Printf("%08x  %s\n", uint32(sum), w)
	}
}
