package main

/*
#include <unistd.h>
static long page_size(void) { return sysconf(_SC_PAGESIZE); }
*/
import "C"

import (
	"database/sql"
	"flag"
	"log"
	"net/http"

	_ "github.com/mattn/go-sqlite3"
)

func main() {
	path := flag.String("db", "notes.db", "sqlite file")
	flag.Parse()
	db, err := sql.Open("sqlite3", *path)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	log.Printf("page size %d", int(C.page_size()))
	log.Fatal(http.ListenAndServe(":7070", nil))
}
