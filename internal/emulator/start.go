package emulator

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"
)

// Running is an emulator serving on loopback, for tests.
type Running struct {
	*Server
	// URL is the API base, e.g. http://127.0.0.1:41234/client/v4.
	URL string
	// Close stops the server: it stops accepting, drops unused connections
	// and waits (at most a few seconds) for requests in flight. It may be
	// called more than once.
	Close func()
}

// Start builds a Server and serves it on a free port of 127.0.0.1.
func Start(opts Options) (*Running, error) {
	s, err := New(opts)
	if err != nil {
		return nil, err
	}
	ln, err := new(net.ListenConfig).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = Serve(ctx, ln, s) // returns when Close cancels ctx
	}()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			<-done
		})
	}
	return &Running{Server: s, URL: "http://" + ln.Addr().String() + APIPrefix, Close: stop}, nil
}

// ShutdownTimeout bounds how long Serve waits for requests in flight once its
// context is done.
const ShutdownTimeout = 5 * time.Second

// Serve serves h (normally a *Server, possibly wrapped) on ln until ctx is
// done, then shuts down gracefully and returns nil; it returns early with the
// error if serving fails. ln is closed on return.
//
// Unlike a bare http.Server.Shutdown, which waits up to five seconds for
// connections that were opened but never used, Serve closes those at once.
func Serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	var conns connTracker
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ConnState:         conns.track,
		// Requests carry ctx, so that a delay or latency ends at shutdown
		// instead of holding it up.
		BaseContext: func(net.Listener) context.Context {
			return context.WithValue(context.Background(), serveContextKey{}, ctx)
		},
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}

	sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(sctx) }()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		conns.closeUnused()
		select {
		case err := <-shut:
			if err != nil {
				srv.Close()
			}
			if err := <-served; !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		case <-tick.C:
		}
	}
}

type serveContextKey struct{}

// serving is done when the server serving r shuts down (never for a Server
// used outside Serve).
func serving(r *http.Request) <-chan struct{} {
	if ctx, ok := r.Context().Value(serveContextKey{}).(context.Context); ok {
		return ctx.Done()
	}
	return nil
}

// connTracker records the state of the server's connections.
type connTracker struct {
	mu    sync.Mutex
	conns map[net.Conn]http.ConnState
}

func (t *connTracker) track(c net.Conn, st http.ConnState) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.conns == nil {
		t.conns = make(map[net.Conn]http.ConnState)
	}
	switch st {
	case http.StateClosed, http.StateHijacked:
		delete(t.conns, c)
	default:
		t.conns[c] = st
	}
}

// closeUnused closes connections that have not started a request.
func (t *connTracker) closeUnused() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for c, st := range t.conns {
		if st == http.StateNew || st == http.StateIdle {
			c.Close()
			delete(t.conns, c)
		}
	}
}
