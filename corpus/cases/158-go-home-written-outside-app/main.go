// homestate keeps its state under its account's home directory, as many
// tools do (~/.local/state): it answers who it runs as, where HOME is and
// who owns it, and saves and reads back a value kept there.
package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/user"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// stateFile is under HOME, as the XDG state directory is.
func stateFile() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".local", "state", "homestate", "value"), nil
}

func describe(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return "missing (" + err.Error() + ")"
	}
	st := fi.Sys().(*syscall.Stat_t)
	return fmt.Sprintf("owner %d:%d mode %s", st.Uid, st.Gid, fi.Mode().Perm())
}

func health(w http.ResponseWriter, _ *http.Request) {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username + " home " + u.HomeDir
	}
	home := os.Getenv("HOME")
	fmt.Fprintf(w, "ok uid %d gid %d user %s HOME %s %s\n", os.Getuid(), os.Getgid(), name, home, describe(home))
}

// home lists the home directory's entries (the skeleton files useradd put
// there) with their owners and modes.
func home(w http.ResponseWriter, _ *http.Request) {
	dir := os.Getenv("HOME")
	entries, err := os.ReadDir(dir)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var lines []string
	for _, e := range entries {
		lines = append(lines, e.Name()+" "+describe(filepath.Join(dir, e.Name())))
	}
	sort.Strings(lines)
	fmt.Fprintf(w, "%s: %s\n", dir, strings.Join(lines, "; "))
}

func state(w http.ResponseWriter, r *http.Request) {
	f, err := stateFile()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	switch r.Method {
	case http.MethodPost:
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1024))
		if err := os.MkdirAll(filepath.Dir(f), 0o700); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if err := os.WriteFile(f, body, 0o600); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, "saved %d bytes to %s\n", len(body), f)
	default:
		b, err := os.ReadFile(f)
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		fmt.Fprintf(w, "%s holds %q, %s\n", f, b, describe(f))
	}
}

func main() {
	http.HandleFunc("/health", health)
	http.HandleFunc("/home", home)
	http.HandleFunc("/state", state)
	if err := http.ListenAndServe(":8080", nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
