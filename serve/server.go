package serve

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/nsgsim/nsgsim/topology"
)

// DefaultAddr is where the page is served unless --addr says otherwise:
// the loopback interface only.
const DefaultAddr = "127.0.0.1:7480"

// Options configure a server.
type Options struct {
	// Load reads the topology: any input kind the command line reads, or a
	// built-in scenario. It is called again when Watch changes on disk.
	Load func() (*topology.Topology, error)
	// Watch is the file to watch for changes ("" for a scenario).
	Watch string
	// Addr is the host:port to listen on; a host other than a loopback
	// address is also accepted in the Host header.
	Addr string
	// CollapseAbove is render.Options.CollapseAbove, as `render` takes it.
	CollapseAbove int
}

// Server serves the page and its API. It holds the file's topology, loaded
// and simulated, and nothing about any user.
type Server struct {
	opts  Options
	src   *source
	token string
	hosts map[string]bool // host names the Host header may carry
	mux   *http.ServeMux
	index *template.Template
}

//go:embed assets
var assets embed.FS

// Limits on a request: edits are a person's clicks, not a bulk format.
const (
	maxBody  = 1 << 20
	maxEdits = 2000
)

// New makes a server and loads the topology once, so that a file that does
// not load fails at start-up with the loader's messages.
func New(o Options) (*Server, error) {
	if o.Load == nil {
		return nil, errors.New("serve: no topology to load")
	}
	if o.Addr == "" {
		o.Addr = DefaultAddr
	}
	tok := make([]byte, 16)
	if _, err := rand.Read(tok); err != nil {
		return nil, fmt.Errorf("serve: making the token: %w", err)
	}
	s := &Server{
		opts:  o,
		src:   &source{load: o.Load, path: o.Watch},
		token: hex.EncodeToString(tok),
		hosts: map[string]bool{"localhost": true, "127.0.0.1": true, "::1": true},
		mux:   http.NewServeMux(),
	}
	if h, _, err := net.SplitHostPort(o.Addr); err == nil && h != "" {
		s.hosts[strings.ToLower(h)] = true
	}
	if b := s.src.get(); b.err != nil {
		return nil, b.err
	}
	var err error
	s.index, err = template.ParseFS(assets, "assets/index.html")
	if err != nil {
		return nil, err
	}
	s.mux.HandleFunc("GET /assets/{name}", s.handleAsset)
	s.mux.HandleFunc("GET /{$}", s.handleIndex)
	s.mux.HandleFunc("GET /api/version", s.handleVersion)
	s.mux.HandleFunc("GET /api/model", s.handleModel)
	s.mux.HandleFunc("POST /api/eval", s.handleEval)
	s.mux.HandleFunc("POST /api/findings", s.handleFindings)
	s.mux.HandleFunc("POST /api/diagram", s.handleDiagram)
	s.mux.HandleFunc("POST /api/trace", s.handleTrace)
	s.mux.HandleFunc("POST /api/emit", s.handleEmit)
	return s, nil
}

// csp allows the page's own script and style and nothing else: no inline
// script, no inline event handler, nothing from the network.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// ServeHTTP checks every request before it reaches a handler: the Host
// header must name this server (a DNS-rebinding page's host does not),
// a cross-origin request is refused, and the API wants the run's token.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "no-store")
	if !s.hostAllowed(r.Host) {
		http.Error(w, "nsgsim serve: unexpected Host header; open the address nsgsim printed", http.StatusForbidden)
		return
	}
	if o := r.Header.Get("Origin"); o != "" && o != "http://"+r.Host {
		http.Error(w, "nsgsim serve: cross-origin request refused", http.StatusForbidden)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/api/") {
		got := r.Header.Get("X-Nsgsim-Token")
		if subtle.ConstantTimeCompare([]byte(got), []byte(s.token)) != 1 {
			http.Error(w, "nsgsim serve: missing or wrong token; reload the page", http.StatusForbidden)
			return
		}
		if r.Method == http.MethodPost && !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			http.Error(w, "nsgsim serve: expected application/json", http.StatusUnsupportedMediaType)
			return
		}
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Server) hostAllowed(host string) bool {
	h, _, err := net.SplitHostPort(host)
	if err != nil {
		h = host
	}
	return s.hosts[strings.ToLower(strings.Trim(h, "[]"))]
}

// Token is the run's token, which the page reads from its own HTML and
// sends with every API request.
func (s *Server) Token() string { return s.token }

// Run listens on the options' address and serves until ctx ends. ready is
// called with the page's URL once the server listens.
func (s *Server) Run(ctx context.Context, ready func(url string)) error {
	ln, err := net.Listen("tcp", s.opts.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	if ready != nil {
		ready("http://" + ln.Addr().String() + "/")
	}
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// assetTypes are the page's files, by name, with their content types.
var assetTypes = map[string]string{
	"app.js":  "text/javascript; charset=utf-8",
	"app.css": "text/css; charset=utf-8",
}

func (s *Server) handleAsset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	typ, ok := assetTypes[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	data, err := assets.ReadFile("assets/" + name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", typ)
	w.Write(data)
}

func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	s.index.Execute(w, struct{ Token string }{s.token})
}

// request is what the page sends: the file version it is looking at, its
// edits, and what it asks about.
type request struct {
	Version string `json:"version"`
	Edits   []Edit `json:"edits"`
	Focus   string `json:"focus"`
	Flow    string `json:"flow"`
	Format  string `json:"format"`
}

// readRequest decodes a request and evaluates its edits against the
// current file. A page looking at an older version of the file gets 409 and
// loads the new one.
func (s *Server) readRequest(w http.ResponseWriter, r *http.Request, full bool) (*request, *evaluation, bool) {
	var req request
	dec := json.NewDecoder(io.LimitReader(r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		http.Error(w, "nsgsim serve: bad request: "+err.Error(), http.StatusBadRequest)
		return nil, nil, false
	}
	if len(req.Edits) > maxEdits {
		http.Error(w, fmt.Sprintf("nsgsim serve: %d edits; at most %d", len(req.Edits), maxEdits), http.StatusBadRequest)
		return nil, nil, false
	}
	b := s.src.get()
	if req.Version != b.version {
		http.Error(w, "nsgsim serve: the file changed; reloading", http.StatusConflict)
		return nil, nil, false
	}
	if b.err != nil {
		http.Error(w, b.err.Error(), http.StatusUnprocessableEntity)
		return nil, nil, false
	}
	return &req, evaluate(b, req.Edits, full), true
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.Encode(v)
}
