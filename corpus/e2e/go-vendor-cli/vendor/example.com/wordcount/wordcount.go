// Package wordcount is a tiny third-party-style module, vendored because the
// build has no module proxy to fetch from.
package wordcount

import "strings"

// Count returns the number of whitespace-separated words in s.
func Count(s string) int { return len(strings.Fields(s)) }
