package limiter

import "testing"

func TestNew(t *testing.T) {
	if !New(5).Allow() {
		t.Fatal("first event must pass")
	}
}
