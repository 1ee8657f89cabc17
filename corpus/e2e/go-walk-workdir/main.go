// recipes lists the recipe files shipped beside it. It never opens them:
// it only walks the folder, so nothing but filepath.WalkDir shows that it
// needs its working directory at run time.
package main

import (
	"fmt"
	"io/fs"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
)

func names() ([]string, error) {
	var out []string
	err := filepath.WalkDir("recipes", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".txt") {
			out = append(out, strings.TrimSuffix(filepath.Base(p), ".txt"))
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

func main() {
	http.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	http.HandleFunc("/recipes", func(w http.ResponseWriter, r *http.Request) {
		list, err := names()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "%d recipes: %s\n", len(list), strings.Join(list, ", "))
	})
	_ = http.ListenAndServe(":8080", nil)
}
