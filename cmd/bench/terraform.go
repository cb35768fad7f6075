package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// terraformRunner runs the Terraform CLI for a variant.
type terraformRunner struct {
	cfg     config
	baseEnv []string
}

// result is one finished Terraform command.
type result struct {
	wall     time.Duration
	exitCode int
	stdout   string
	stderr   string
	// peakKB is the provider's peak resident memory (KiB) when polled.
	peakKB int64
}

// tail is the end of the command's output, for error messages.
func (r result) tail() string {
	out := strings.TrimSpace(r.stdout + "\n" + r.stderr)
	if len(out) > 4000 {
		out = "..." + out[len(out)-4000:]
	}
	return out
}

// run runs terraform with args in dir and times it from start to exit. With
// poll, the provider processes Terraform starts are watched for their peak
// memory while it runs. A non-zero exit is not an error; a failure to run is.
func (t *terraformRunner) run(ctx context.Context, v *variant, dir string, poll bool, args ...string) (result, error) {
	ctx, cancel := context.WithTimeout(ctx, t.cfg.planTimout)
	defer cancel()
	//nolint:gosec // runs the Terraform CLI the bench was pointed at
	cmd := exec.CommandContext(ctx, t.cfg.terraform, args...)
	cmd.Dir = dir
	cmd.Env = append(append(append([]string{}, t.baseEnv...), "TF_CLI_CONFIG_FILE="+v.tfrc), v.env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr

	start := time.Now()
	if err := cmd.Start(); err != nil {
		return result{}, fmt.Errorf("starting terraform: %w", err)
	}
	var stop chan struct{}
	var peak chan int64
	if poll {
		stop, peak = make(chan struct{}), make(chan int64, 1)
		go func() { peak <- watchProviderMemory(cmd.Process.Pid, stop) }()
	}
	err := cmd.Wait()
	res := result{wall: time.Since(start), stdout: stdout.String(), stderr: stderr.String()}
	if poll {
		close(stop)
		res.peakKB = <-peak
	}

	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr) && ctx.Err() == nil:
		res.exitCode = exitErr.ExitCode()
	default:
		return res, fmt.Errorf("terraform %s in %s: %w\n%s", args[0], dir, err, res.tail())
	}
	return res, nil
}
