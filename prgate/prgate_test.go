package prgate

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/nsgsim/nsgsim/topology"
)

// fakeGitHub is an httptest stub of the issue-comments API: it keeps the
// comments of one pull request in memory, pages them two at a time (so the
// client must follow Link headers), and records every call.
type fakeGitHub struct {
	t        *testing.T
	mu       sync.Mutex
	repo     string
	pr       int
	nextID   int64
	comments []Comment
	calls    []string
	forbid   bool
}

func newFakeGitHub(t *testing.T, repo string, pr int) (*fakeGitHub, *httptest.Server) {
	f := &fakeGitHub{t: t, repo: repo, pr: pr, nextID: 100}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeGitHub) add(user, kind, body string) {
	f.nextID++
	c := Comment{ID: f.nextID, Body: body}
	c.User.Login, c.User.Type = user, kind
	f.comments = append(f.comments, c)
}

func (f *fakeGitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, r.Method+" "+r.URL.Path)
	if r.Header.Get("Authorization") != "Bearer tok" || r.Header.Get("X-GitHub-Api-Version") == "" {
		http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
		return
	}
	if f.forbid && r.Method != http.MethodGet {
		http.Error(w, `{"message":"Resource not accessible by integration"}`, http.StatusForbidden)
		return
	}
	list := fmt.Sprintf("/repos/%s/issues/%d/comments", f.repo, f.pr)
	one := fmt.Sprintf("/repos/%s/issues/comments/", f.repo)
	var body struct {
		Body string `json:"body"`
	}
	switch {
	case r.URL.Path == list && r.Method == http.MethodGet:
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if page == 0 {
			page = 1
		}
		const per = 2
		lo, hi := (page-1)*per, page*per
		lo, hi = min(lo, len(f.comments)), min(hi, len(f.comments))
		if hi < len(f.comments) {
			w.Header().Set("Link", fmt.Sprintf(`<http://%s%s?per_page=100&page=%d>; rel="next", <http://%s%s?page=9>; rel="last"`, r.Host, list, page+1, r.Host, list))
		}
		json.NewEncoder(w).Encode(f.comments[lo:hi])
	case r.URL.Path == list && r.Method == http.MethodPost:
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if utf8.RuneCountInString(body.Body) > MaxComment {
			http.Error(w, `{"message":"body is too long (maximum is 65536 characters)"}`, http.StatusUnprocessableEntity)
			return
		}
		f.add("github-actions[bot]", "Bot", body.Body)
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(f.comments[len(f.comments)-1])
	case strings.HasPrefix(r.URL.Path, one):
		id, err := strconv.ParseInt(strings.TrimPrefix(r.URL.Path, one), 10, 64)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		for i := range f.comments {
			if f.comments[i].ID != id {
				continue
			}
			switch r.Method {
			case http.MethodPatch:
				if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
					http.Error(w, err.Error(), http.StatusBadRequest)
					return
				}
				f.comments[i].Body = body.Body
				json.NewEncoder(w).Encode(f.comments[i])
			case http.MethodDelete:
				f.comments = append(f.comments[:i], f.comments[i+1:]...)
				w.WriteHeader(http.StatusNoContent)
			default:
				http.Error(w, "method", http.StatusMethodNotAllowed)
			}
			return
		}
		http.NotFound(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeGitHub) mine() []Comment {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Comment
	for _, c := range f.comments {
		if ours(c) {
			out = append(out, c)
		}
	}
	return out
}

// repo makes a git repository whose base commit holds base as topo.yaml and
// whose work tree holds head, and returns its directory and base commit.
func repo(t *testing.T, base, head string) (string, string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	run("init", "-q")
	write(t, filepath.Join(dir, "net", "topo.yaml"), base)
	run("add", ".")
	run("commit", "-q", "-m", "base")
	sha := run("rev-parse", "HEAD")
	write(t, filepath.Join(dir, "net", "topo.yaml"), head)
	return dir, sha
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func scenario(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "scenarios", name+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func inputs(dir, base string) Inputs {
	return Inputs{
		Dir: dir, Files: []string{"net/topo.yaml"}, Base: base,
		Load: topology.Load,
	}
}

// TestGateLifecycle runs the gate as the action does on successive pushes
// to one pull request: a change that breaks SSH/RDP creates the comment and
// fails; the same change again leaves it alone; a different change updates
// it in place; reverting the change deletes it. A person's comment quoting
// the marker is never touched.
func TestGateLifecycle(t *testing.T) {
	ref := scenario(t, "reference")
	broken := scenario(t, "omit-ssh-rdp-outbound")
	dir, base := repo(t, ref, broken)
	fake, srv := newFakeGitHub(t, "contoso/net", 7)
	fake.add("alice", "User", Marker+" quoted by a person")
	fake.add("bob", "User", "looks good")
	client := &Client{API: srv.URL, Token: "tok", Repo: "contoso/net"}
	ev := Event{Number: 7, BaseSHA: base, Repo: "contoso/net", HeadRepo: "contoso/net"}
	summary := filepath.Join(t.TempDir(), "summary.md")
	sarif := filepath.Join(t.TempDir(), "nsgsim.sarif")
	var log strings.Builder
	check := func() int {
		t.Helper()
		c := &Check{Inputs: inputs(dir, base), Summary: summary, SARIF: sarif, Post: true, Event: ev, Client: client, Log: &log}
		n, err := c.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	if n := check(); n == 0 {
		t.Fatal("omitting the SSH/RDP outbound rule broke no required flow")
	}
	mine := fake.mine()
	if len(mine) != 1 {
		t.Fatalf("after the first run: %d gate comments, want 1", len(mine))
	}
	first := mine[0]
	for _, want := range []string{"required Bastion flows break", "| input | flow |", "```mermaid", "<details>", "/ssh/"} {
		if !strings.Contains(first.Body, want) {
			t.Errorf("comment lacks %q:\n%s", want, first.Body)
		}
	}
	if !strings.HasPrefix(strings.SplitN(first.Body, "\n", 3)[1], "### ❌ ") {
		t.Errorf("comment's headline is not its first visible line:\n%s", first.Body)
	}

	check()
	if got := fake.mine(); len(got) != 1 || got[0].ID != first.ID || got[0].Body != first.Body {
		t.Fatalf("second identical run changed the comment: %+v", got)
	}

	// Another change: only the HTTP outbound rule is omitted now.
	write(t, filepath.Join(dir, "net", "topo.yaml"), scenario(t, "omit-azurecloud-outbound"))
	check()
	got := fake.mine()
	if len(got) != 1 || got[0].ID != first.ID || got[0].Body == first.Body {
		t.Fatalf("a new change did not update the comment in place: %+v", got)
	}

	// Revert: the change touches no flow, so the comment goes.
	write(t, filepath.Join(dir, "net", "topo.yaml"), ref)
	if n := check(); n != 0 {
		t.Fatalf("reverted change still breaks %d flows", n)
	}
	if got := fake.mine(); len(got) != 0 {
		t.Fatalf("comment not deleted once the change touches no flow: %+v", got)
	}
	if len(fake.comments) != 2 || fake.comments[0].User.Login != "alice" {
		t.Fatalf("people's comments were touched: %+v", fake.comments)
	}

	data, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	c := 0
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "## ") {
			c++
		}
	}
	if c != 4 {
		t.Errorf("job summary has %d reports, want one per run (4)", c)
	}
	var s struct {
		Runs []struct {
			Results []json.RawMessage `json:"results"`
		} `json:"runs"`
	}
	raw, err := os.ReadFile(sarif)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &s); err != nil || len(s.Runs) != 1 {
		t.Fatalf("SARIF: %v, %d runs", err, len(s.Runs))
	}
}

// TestGateDuplicatesCollapse: comments left by an interrupted earlier run
// are folded into one.
func TestGateDuplicatesCollapse(t *testing.T) {
	dir, base := repo(t, scenario(t, "reference"), scenario(t, "omit-ssh-rdp-outbound"))
	fake, srv := newFakeGitHub(t, "o/r", 3)
	fake.add("github-actions[bot]", "Bot", Marker+"\nold one")
	fake.add("github-actions[bot]", "Bot", Marker+"\nold two")
	fake.add("github-actions[bot]", "Bot", Marker+"\nold three")
	c := &Check{Inputs: inputs(dir, base), Post: true, Event: Event{Number: 3, BaseSHA: base, Repo: "o/r"},
		Client: &Client{API: srv.URL, Token: "tok", Repo: "o/r"}, Log: &strings.Builder{}}
	if _, err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := fake.mine()
	if len(got) != 1 || got[0].ID != 101 || !strings.Contains(got[0].Body, "Bastion flows break") {
		t.Fatalf("want the first old comment updated and the rest deleted, got %+v", got)
	}
}

// TestGateFork: a fork's pull request makes no API call that writes, and
// says why; a token refused by the API is a warning, not a failure.
func TestGateFork(t *testing.T) {
	dir, base := repo(t, scenario(t, "reference"), scenario(t, "omit-ssh-rdp-outbound"))
	fake, srv := newFakeGitHub(t, "o/r", 3)
	var log strings.Builder
	out := filepath.Join(t.TempDir(), "comment.md")
	c := &Check{Inputs: inputs(dir, base), Post: true, CommentOut: out,
		Event:  Event{Number: 3, BaseSHA: base, Repo: "o/r", HeadRepo: "mallory/r"},
		Client: &Client{API: srv.URL, Token: "tok", Repo: "o/r"}, Log: &log}
	n, err := c.Run(context.Background())
	if err != nil || n == 0 {
		t.Fatalf("fork run: %d broken, %v", n, err)
	}
	if len(fake.calls) != 0 || !strings.Contains(log.String(), "fork") {
		t.Fatalf("fork: calls %v, log %q", fake.calls, log.String())
	}
	body, err := os.ReadFile(out)
	if err != nil || !strings.HasPrefix(string(body), Marker) {
		t.Fatalf("comment body for the workflow_run job: %v %q", err, body)
	}

	ghOut := filepath.Join(t.TempDir(), "github_output")
	c.Output = ghOut
	fake.forbid = true
	log.Reset()
	c.Event.HeadRepo = "o/r"
	if _, err := c.Run(context.Background()); err != nil {
		t.Fatalf("a refused token failed the run: %v", err)
	}
	if !strings.Contains(log.String(), "pull-requests: write") {
		t.Fatalf("log does not say what permission is missing: %q", log.String())
	}
	if out, err := os.ReadFile(ghOut); err != nil || string(out) != fmt.Sprintf("broken=%d\n", n) {
		t.Fatalf("step output: %q, %v", out, err)
	}
}

// TestGateNewAndDeletedFiles: a topology added by the pull request compares
// against nothing; a path outside the repository is refused.
func TestGateNewAndDeletedFiles(t *testing.T) {
	dir, base := repo(t, scenario(t, "reference"), scenario(t, "reference"))
	write(t, filepath.Join(dir, "net", "new.yaml"), scenario(t, "omit-ssh-rdp-outbound"))
	in := inputs(dir, base)
	in.Files = []string{"net/new.yaml", "net/topo.yaml"}
	ds, err := Compare(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds[0].Diff.Added) == 0 || len(ds[0].Diff.Changed) != 0 || Touched(ds[1:]) {
		t.Fatalf("new file: %d added, %d changed; unchanged file touched: %v", len(ds[0].Diff.Added), len(ds[0].Diff.Changed), Touched(ds[1:]))
	}
	in.Files = []string{"../etc/passwd"}
	if _, err := Compare(context.Background(), in); err == nil || !strings.Contains(err.Error(), "inside the repository") {
		t.Fatalf("path outside the repository: %v", err)
	}
	in.Files, in.Base = []string{"net/topo.yaml"}, "--upload-pack=evil"
	if _, err := Compare(context.Background(), in); err == nil {
		t.Fatal("a base revision that looks like an option was accepted")
	}
}

// TestCommentCap: a change that touches thousands of flows still makes a
// comment GitHub accepts, headline and broken table first.
func TestCommentCap(t *testing.T) {
	ref := scenario(t, "hub-three-spokes")
	// Drop every outbound rule of the Bastion NSG's SSH/RDP: every VM's
	// flows break, and the per-file details are long; repeat the input to
	// make the comment far longer than GitHub allows.
	dir, base := repo(t, ref, strings.Replace(ref, "destinationPortRanges: [\"22\", \"3389\"]", "destinationPortRanges: [\"2\", \"3\"]", 1))
	in := inputs(dir, base)
	for i := 0; i < 60; i++ {
		in.Files = append(in.Files, "net/topo.yaml")
	}
	ds, err := Compare(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if Broken(ds) == 0 {
		t.Fatal("the edit broke nothing; the test's edit no longer matches the scenario")
	}
	body, err := CommentBody(ds)
	if err != nil {
		t.Fatal(err)
	}
	if n := utf8.RuneCountInString(body); n > MaxComment {
		t.Fatalf("comment is %d characters, over GitHub's %d", n, MaxComment)
	}
	if !strings.Contains(body, "see the job summary") || !strings.Contains(body, "required Bastion flows break") {
		t.Fatalf("capped comment lacks its headline or the pointer to the summary")
	}
}

func TestReadEvent(t *testing.T) {
	p := filepath.Join(t.TempDir(), "event.json")
	write(t, p, `{"action":"synchronize","number":12,"pull_request":{"number":12,
	 "base":{"sha":"aaa","repo":{"full_name":"o/r"}},"head":{"sha":"bbb","repo":{"full_name":"fork/r"}}},
	 "repository":{"full_name":"o/r"}}`)
	e, err := ReadEvent(p)
	if err != nil {
		t.Fatal(err)
	}
	if e.Number != 12 || e.BaseSHA != "aaa" || e.HeadSHA != "bbb" || e.Repo != "o/r" || !e.Fork() {
		t.Fatalf("%+v", e)
	}
	write(t, p, `{"ref":"refs/heads/main","repository":{"full_name":"o/r"}}`)
	if _, err := ReadEvent(p); err == nil || !strings.Contains(err.Error(), "pull_request") {
		t.Fatalf("push event: %v", err)
	}
}

// TestRelay: the workflow_run half posts only gate comments, on the pull
// request whose head the event names.
func TestRelay(t *testing.T) {
	fake, srv := newFakeGitHub(t, "o/r", 5)
	mux := http.NewServeMux()
	mux.HandleFunc("/repos/o/r/pulls/5", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"number":5,"head":{"sha":"abc123"}}`)
	})
	mux.Handle("/", fake)
	srv.Config.Handler = mux
	c := &Client{API: srv.URL, Token: "tok", Repo: "o/r"}
	ctx := context.Background()
	if _, err := c.Relay(ctx, 5, "abc123", "rm -rf / # not a gate comment"); err == nil {
		t.Fatal("a body without the marker was relayed")
	}
	if _, err := c.Relay(ctx, 5, "fff999", Marker+"\nhello"); err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Fatalf("a head mismatch was relayed: %v", err)
	}
	if _, err := c.Relay(ctx, 5, "abc123", Marker+strings.Repeat("x", MaxComment)); err == nil {
		t.Fatal("an over-long body was relayed")
	}
	if out, err := c.Relay(ctx, 5, "ABC123", Marker+"\nhello"); err != nil || out != Created {
		t.Fatalf("relay: %v %v", out, err)
	}
	if out, err := c.Relay(ctx, 5, "abc123", ""); err != nil || out != Deleted {
		t.Fatalf("relay of an empty body: %v %v", out, err)
	}
}

// TestIntendedIsNotBroken: a flow the head blocks on purpose (its
// expectation says intended: true) changes, but breaks nothing.
func TestIntendedIsNotBroken(t *testing.T) {
	head := scenario(t, "omit-ssh-rdp-outbound")
	head = strings.Replace(head, "{flow: bastion-hub/ssh/vm-linux-1,        verdict: Deny}", "{flow: bastion-hub/ssh/vm-linux-1, verdict: Deny, intended: true}", 1)
	head = strings.Replace(head, "{flow: bastion-hub/rdp/vm-windows-1,      verdict: Deny}", "{flow: bastion-hub/rdp/vm-windows-1, verdict: Deny, intended: true}", 1)
	dir, base := repo(t, scenario(t, "reference"), head)
	ds, err := Compare(context.Background(), inputs(dir, base))
	if err != nil {
		t.Fatal(err)
	}
	if !Touched(ds) || Broken(ds) != 0 {
		t.Fatalf("intended denies: touched %v, broken %d; want touched and 0 broken", Touched(ds), Broken(ds))
	}
	body, err := CommentBody(ds)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, "No required Bastion flow breaks") {
		t.Fatalf("comment headline:\n%s", body)
	}
}
