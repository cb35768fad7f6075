package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	if got := median([]time.Duration{3, 1, 2}); got != 2 {
		t.Errorf("median of 3, 1, 2 = %v", got)
	}
	if got := median([]time.Duration{4, 1, 2, 3}); got != 2 {
		t.Errorf("median of 4, 1, 2, 3 = %v (integer halfway)", got)
	}
	if got := medianKB([]int64{10, 30, 20}); got != 20 {
		t.Errorf("medianKB = %v", got)
	}
}

func TestChartIsWellFormedSVG(t *testing.T) {
	res := &results{
		cfg:      config{counts: []int{100, 300}, latency: 50 * time.Millisecond},
		variants: []*variant{{key: "floor", label: "floor"}, {key: "ours", label: "ours <list>"}, {key: "get", label: "get & co"}},
		byCount:  map[int]map[string]*measurement{},
	}
	for _, n := range res.cfg.counts {
		res.byCount[n] = map[string]*measurement{
			"floor": {plans: []time.Duration{time.Second}, requests: []map[string]int64{{}}},
			"ours":  {plans: []time.Duration{time.Second}, requests: []map[string]int64{{"GET /accounts/{account_id}/calls/apps": 1}}},
			"get":   {plans: []time.Duration{2 * time.Second}, requests: []map[string]int64{{"GET /accounts/{account_id}/calls/apps/{app_id}": int64(n)}}},
		}
	}
	dec := xml.NewDecoder(bytes.NewReader(renderChart(res)))
	for {
		_, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("the chart is not well-formed XML: %v", err)
		}
	}
}
