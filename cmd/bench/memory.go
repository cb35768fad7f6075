package main

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// How the provider's peak memory is measured: Terraform starts the provider
// binary as a child process (go-plugin) for each phase of a command. While
// Terraform runs, every 10 ms the bench reads Terraform's children from
// /proc/<pid>/task/<tid>/children, keeps those named terraform-provider-*,
// and reads each one's VmHWM from /proc/<pid>/status. VmHWM is the kernel's
// own high-water mark of the process's resident set, so the sampling rate
// does not decide the peak: a reading at any time after the peak sees it.
// Only growth in the last 10 ms before a provider exits could be missed,
// and a provider does no work then. The result is the highest VmHWM of any
// provider process of the command, in KiB.

const pollInterval = 10 * time.Millisecond

func watchProviderMemory(terraformPID int, stop <-chan struct{}) int64 {
	peaks := map[int]int64{}
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		for _, pid := range childPIDs(terraformPID) {
			if _, known := peaks[pid]; !known && isProvider(pid) {
				peaks[pid] = 0
			}
		}
		for pid, peak := range peaks {
			if hwm, ok := vmHWM(pid); ok && hwm > peak {
				peaks[pid] = hwm
			}
		}
		select {
		case <-stop:
			var highest int64
			for _, p := range peaks {
				highest = max(highest, p)
			}
			return highest
		case <-tick.C:
		}
	}
}

// childPIDs lists the children of pid from every one of its threads' children files.
func childPIDs(pid int) []int {
	files, _ := filepath.Glob(filepath.Join("/proc", strconv.Itoa(pid), "task", "*", "children"))
	var pids []int
	for _, f := range files {
		data, err := os.ReadFile(f) //nolint:gosec // a /proc path built from a pid
		if err != nil {
			continue
		}
		for _, field := range strings.Fields(string(data)) {
			if child, err := strconv.Atoi(field); err == nil {
				pids = append(pids, child)
			}
		}
	}
	return pids
}

func isProvider(pid int) bool {
	comm, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "comm")) //nolint:gosec // a /proc path built from a pid
	// The kernel cuts a process name to 15 characters: terraform-provi.
	return err == nil && strings.HasPrefix(string(comm), "terraform-provi")
}

// vmHWM reads the peak resident set size of pid, in KiB.
func vmHWM(pid int) (int64, bool) {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status")) //nolint:gosec // a /proc path built from a pid
	if err != nil {
		return 0, false
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) >= 1 {
				kb, err := strconv.ParseInt(f[0], 10, 64)
				return kb, err == nil
			}
		}
	}
	return 0, false
}
