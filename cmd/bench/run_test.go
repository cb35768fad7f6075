package main

import (
	"regexp"
	"testing"
)

func TestAccountIDsAreValidAndDistinct(t *testing.T) {
	valid := regexp.MustCompile(`^[0-9a-f]{32}$`)
	seen := map[string]bool{}
	for _, n := range []int{100, 300, 1000} {
		for rep := range 5 {
			for _, key := range []string{"floor", "ours"} {
				id := accountID(n, rep, key)
				if !valid.MatchString(id) {
					t.Errorf("accountID(%d, %d, %q) = %q, not 32 lowercase hex characters", n, rep, key, id)
				}
				if seen[id] {
					t.Errorf("accountID(%d, %d, %q) = %q is used twice", n, rep, key, id)
				}
				seen[id] = true
			}
		}
	}
}

func TestDescribeRequestsNamesListsAndGETs(t *testing.T) {
	for _, tc := range []struct {
		counters map[string]int64
		want     string
	}{
		{nil, "0"},
		{map[string]int64{"GET /accounts/{account_id}/calls/apps": 1}, "1 list"},
		{map[string]int64{"GET /accounts/{account_id}/calls/apps/{app_id}": 1000}, "1,000 GET"},
		{map[string]int64{"GET /accounts/{account_id}/calls/apps": 1, "GET /accounts/{account_id}/calls/apps/{app_id}": 1}, "1 list + 1 GET"},
	} {
		if got := describeRequests(tc.counters); got != tc.want {
			t.Errorf("describeRequests(%v) = %q, want %q", tc.counters, got, tc.want)
		}
	}
}
