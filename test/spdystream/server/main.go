// A kubelet-style port-forward server on moby/spdystream, the SPDY library the kubelet and
// containerd serve port-forward with, so our client is tested against software we did not write.
// Built by the tests in GOPATH mode from Debian's golang-github-docker-spdystream-dev.
//
// What it does, after the kubelet (pkg/kubelet/cri/streaming/portforward/httpstream.go) and
// containerd's PortForward:
//   - answers "Upgrade: SPDY/3.1" + "X-Stream-Protocol-Version: portforward.k8s.io" with 101 and
//     serves the connection with spdystream (5 frame workers, unbuffered stream reads);
//   - checks each stream's "port" and "streamtype" headers (reset when invalid), replies, and pairs
//     error + data streams by "requestid" (derived from the stream id when absent), with a stream
//     creation timeout;
//   - per complete pair dials the pod port; on failure writes the error text on the error stream
//     and closes both streams WITHOUT ever reading the data stream (as the kubelet does);
//   - on success copies both ways with io.Copy (32 KiB DATA frames); when one direction ends it
//     waits up to -fin-grace (1 s in containerd) for the other, then closes the pod connection and
//     sends FIN on both streams.
//
// Dialling "the pod port": with the X-Kubefwd-Dial-Broker header (host:port) and X-Kubefwd-Pod
// (namespace/name), a line "namespace/name port\n" is sent to that broker, which answers "OK\n"
// and then carries the bytes, or "ERR <text>\n" (the simulated cluster plays the pod network
// namespace this way). Without the header it dials 127.0.0.1:<port>.
//
// POST /control/goaway makes every open connection send GOAWAY (spdystream Close: in-flight
// streams continue, the connection ends when they are done).
//
// Prints {"url":"http://127.0.0.1:PORT"} on stdout once listening; exits when stdin closes.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/moby/spdystream"
)

var (
	finGrace              = flag.Duration("fin-grace", time.Second, "wait for the other direction after one ends (containerd: 1s)")
	idleTimeout           = flag.Duration("idle-timeout", 4*time.Hour, "connection idle timeout (kubelet default 4h)")
	streamCreationTimeout = flag.Duration("stream-creation-timeout", 30*time.Second, "wait for both streams of a pair")
)

type server struct {
	mu    sync.Mutex
	conns map[*spdystream.Connection]struct{}
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	flag.Parse()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	s := &server{conns: map[*spdystream.Connection]struct{}{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/control/goaway", s.goAway)
	mux.HandleFunc("/", s.portForward)
	hello, _ := json.Marshal(map[string]string{"url": "http://" + ln.Addr().String()})
	fmt.Println(string(hello))
	// The parent owns us: when it goes away (stdin closes), so do we.
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	_ = http.Serve(ln, mux)
}

func (s *server) goAway(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	n := 0
	for c := range s.conns {
		_ = c.Close()
		n++
	}
	s.mu.Unlock()
	fmt.Fprintf(w, "%d\n", n)
}

func headerHas(h http.Header, name, want string) bool {
	for _, v := range h.Values(name) {
		for _, part := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(part), want) {
				return true
			}
		}
	}
	return false
}

func (s *server) portForward(w http.ResponseWriter, req *http.Request) {
	if !headerHas(req.Header, "Connection", "upgrade") || !headerHas(req.Header, "Upgrade", "SPDY/3.1") {
		http.Error(w, "unable to upgrade: missing upgrade headers in request", http.StatusBadRequest)
		return
	}
	if !headerHas(req.Header, "X-Stream-Protocol-Version", "portforward.k8s.io") {
		w.Header().Set("X-Accepted-Stream-Protocol-Versions", "portforward.k8s.io")
		http.Error(w, "unable to upgrade: unable to negotiate protocol", http.StatusForbidden)
		return
	}
	dialer := podDialer{broker: req.Header.Get("X-Kubefwd-Dial-Broker"), pod: req.Header.Get("X-Kubefwd-Pod")}
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "cannot hijack", http.StatusInternalServerError)
		return
	}
	w.Header().Set("X-Stream-Protocol-Version", "portforward.k8s.io")
	w.Header().Set("Connection", "Upgrade")
	w.Header().Set("Upgrade", "SPDY/3.1")
	w.WriteHeader(http.StatusSwitchingProtocols)
	netConn, bufrw, err := hj.Hijack()
	if err != nil {
		return
	}
	defer netConn.Close()
	var conn net.Conn = netConn
	if bufrw.Reader.Buffered() > 0 {
		conn = &prefixedConn{Conn: netConn, r: io.MultiReader(bufrw.Reader, netConn)}
	}
	spdyConn, err := spdystream.NewConnection(conn, true)
	if err != nil {
		return
	}
	s.mu.Lock()
	s.conns[spdyConn] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.conns, spdyConn)
		s.mu.Unlock()
	}()
	streams := make(chan *spdystream.Stream, 1)
	go spdyConn.Serve(func(st *spdystream.Stream) {
		if err := checkStream(st); err != nil {
			_ = st.Reset()
			return
		}
		_ = st.SendReply(http.Header{}, false)
		streams <- st
	})
	spdyConn.SetIdleTimeout(*idleTimeout)
	h := &handler{conn: spdyConn, dialer: dialer, pairs: map[string]*pair{}}
	for {
		select {
		case <-spdyConn.CloseChan():
			return
		case st := <-streams:
			h.add(st)
		}
	}
}

type prefixedConn struct {
	net.Conn
	r io.Reader
}

func (c *prefixedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

func checkStream(st *spdystream.Stream) error {
	port := st.Headers().Get("port")
	if port == "" {
		return errors.New(`"port" header is required`)
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || n < 1 {
		return fmt.Errorf("invalid port %q", port)
	}
	switch st.Headers().Get("streamtype") {
	case "error", "data":
		return nil
	}
	return errors.New("invalid stream type")
}

type pair struct {
	id       string
	data     *spdystream.Stream
	errs     *spdystream.Stream
	complete chan struct{}
}

type handler struct {
	conn   *spdystream.Connection
	dialer podDialer
	mu     sync.Mutex
	pairs  map[string]*pair
}

func (h *handler) add(st *spdystream.Stream) {
	kind := st.Headers().Get("streamtype")
	id := st.Headers().Get("requestid")
	if id == "" {
		// Old clients send no request id: error stream id, data stream id - 2.
		n := int(st.Identifier())
		if kind == "data" {
			n -= 2
		}
		id = strconv.Itoa(n)
	}
	h.mu.Lock()
	p, ok := h.pairs[id]
	if !ok {
		p = &pair{id: id, complete: make(chan struct{})}
		h.pairs[id] = p
		go h.monitor(p)
	}
	var problem string
	if kind == "error" {
		if p.errs != nil {
			problem = "error stream already assigned"
		} else {
			p.errs = st
		}
	} else if p.data != nil {
		problem = "data stream already assigned"
	} else {
		p.data = st
	}
	complete := problem == "" && p.errs != nil && p.data != nil
	if complete {
		close(p.complete)
	}
	errs := p.errs
	h.mu.Unlock()
	if problem != "" {
		if errs != nil {
			fmt.Fprintf(errs, "error processing stream for request %s: %s", id, problem)
		}
		return
	}
	if complete {
		go h.forward(p)
	}
}

func (h *handler) monitor(p *pair) {
	select {
	case <-time.After(*streamCreationTimeout):
		h.mu.Lock()
		errs := p.errs
		h.mu.Unlock()
		if errs != nil {
			fmt.Fprintf(errs, "(request=%s) timed out waiting for streams", p.id)
		}
	case <-p.complete:
	}
	h.mu.Lock()
	delete(h.pairs, p.id)
	h.mu.Unlock()
}

func (h *handler) forward(p *pair) {
	defer p.data.Close()
	defer p.errs.Close()
	port, _ := strconv.Atoi(p.data.Headers().Get("port"))
	pod, err := h.dialer.dial(port)
	if err != nil {
		// The data stream is never read: whatever the client sent on it stays with the frame worker.
		fmt.Fprint(p.errs, err.Error())
		return
	}
	defer pod.Close()
	done := make(chan error, 2)
	go func() {
		_, err := io.Copy(p.data, pod)
		done <- err
	}()
	go func() {
		_, err := io.Copy(pod, p.data)
		done <- err
	}()
	<-done
	select {
	case <-done:
	case <-time.After(*finGrace):
	}
}

type podDialer struct {
	broker string
	pod    string
}

func (d podDialer) dial(port int) (net.Conn, error) {
	if d.broker == "" {
		c, err := net.Dial("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			return nil, fmt.Errorf("error forwarding port %d to pod %s: %v", port, d.pod, err)
		}
		return c, nil
	}
	c, err := net.Dial("tcp", d.broker)
	if err != nil {
		return nil, fmt.Errorf("error forwarding port %d to pod %s: dial broker: %v", port, d.pod, err)
	}
	if _, err := fmt.Fprintf(c, "%s %d\n", d.pod, port); err != nil {
		c.Close()
		return nil, err
	}
	r := bufio.NewReader(c)
	line, err := r.ReadString('\n')
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("error forwarding port %d to pod %s: %v", port, d.pod, err)
	}
	line = strings.TrimRight(line, "\n")
	if line != "OK" {
		c.Close()
		return nil, errors.New(strings.TrimPrefix(line, "ERR "))
	}
	if r.Buffered() > 0 {
		return &prefixedConn{Conn: c, r: io.MultiReader(r, c)}, nil
	}
	return c, nil
}
