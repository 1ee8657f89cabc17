// datadir checks that its data directory is its own: it prints the
// directory's owner and mode, writes a file there and reads it back.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

func main() {
	dir := "/var/lib/datadir"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	fi, err := os.Stat(dir)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	st := fi.Sys().(*syscall.Stat_t)
	fmt.Printf("dir %s owner %d:%d mode %s; running as uid %d\n", dir, st.Uid, st.Gid, fi.Mode().Perm(), os.Getuid())
	f := filepath.Join(dir, "cache", "probe.txt")
	if err := os.WriteFile(f, []byte("probe\n"), 0o600); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	b, err := os.ReadFile(f)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Printf("ok wrote and read %s (%d bytes)\n", f, len(b))
}
