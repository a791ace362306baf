package prgate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Marker starts every comment the gate writes; the gate finds its own
// comment again by it. It is an HTML comment, so GitHub does not show it.
const Marker = "<!-- nsgsim:pull-request-gate -->"

// Event is what the gate reads from the pull_request event payload
// (GITHUB_EVENT_PATH).
type Event struct {
	Number   int    // pull request number
	BaseSHA  string // base commit
	HeadSHA  string // head commit
	Repo     string // owner/name of the base repository
	HeadRepo string // owner/name of the head repository
}

// Fork reports whether the pull request comes from another repository: its
// workflow runs with a read-only token and cannot comment.
func (e Event) Fork() bool { return e.HeadRepo != "" && !strings.EqualFold(e.HeadRepo, e.Repo) }

// ReadEvent reads a pull_request (or pull_request_target) event payload.
// https://docs.github.com/en/webhooks/webhook-events-and-payloads#pull_request
func ReadEvent(path string) (Event, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Event{}, err
	}
	var p struct {
		PullRequest *struct {
			Number int `json:"number"`
			Base   struct {
				SHA  string `json:"sha"`
				Repo struct {
					FullName string `json:"full_name"`
				} `json:"repo"`
			} `json:"base"`
			Head struct {
				SHA  string `json:"sha"`
				Repo struct {
					FullName string `json:"full_name"`
				} `json:"repo"`
			} `json:"head"`
		} `json:"pull_request"`
		Repository struct {
			FullName string `json:"full_name"`
		} `json:"repository"`
	}
	if err := json.Unmarshal(data, &p); err != nil {
		return Event{}, fmt.Errorf("%s: not a GitHub event payload: %v", path, err)
	}
	if p.PullRequest == nil {
		return Event{}, fmt.Errorf("%s: the event has no pull_request; run the gate on pull_request events", path)
	}
	e := Event{
		Number:   p.PullRequest.Number,
		BaseSHA:  p.PullRequest.Base.SHA,
		HeadSHA:  p.PullRequest.Head.SHA,
		Repo:     p.PullRequest.Base.Repo.FullName,
		HeadRepo: p.PullRequest.Head.Repo.FullName,
	}
	if e.Repo == "" {
		e.Repo = p.Repository.FullName
	}
	if e.Number <= 0 || e.BaseSHA == "" || e.Repo == "" {
		return Event{}, fmt.Errorf("%s: the pull_request event lacks its number, base commit or repository", path)
	}
	return e, nil
}

// Client talks to GitHub's REST API for the comments of one pull request.
type Client struct {
	API   string // https://api.github.com, or GITHUB_API_URL on GitHub Enterprise Server
	Token string
	Repo  string // owner/name
	HTTP  *http.Client
}

// Comment is an issue comment as the API returns it.
type Comment struct {
	ID   int64  `json:"id"`
	Body string `json:"body"`
	User struct {
		Login string `json:"login"`
		Type  string `json:"type"`
	} `json:"user"`
}

// StatusError is a non-2xx answer from the API.
type StatusError struct {
	Method, URL string
	Status      int
	Message     string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("GitHub API %s %s: %d %s", e.Method, e.URL, e.Status, e.Message)
}

// Forbidden reports whether err is GitHub refusing the token's permissions,
// as it does for the read-only token of a fork's pull request.
func Forbidden(err error) bool {
	var se *StatusError
	return errors.As(err, &se) && (se.Status == http.StatusForbidden || se.Status == http.StatusUnauthorized || se.Status == http.StatusNotFound)
}

func (c *Client) do(ctx context.Context, method, u string, body any, out any) (http.Header, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	req.Header.Set("User-Agent", "nsgsim-pull-request-gate")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		var msg struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(data, &msg)
		return nil, &StatusError{Method: method, URL: u, Status: resp.StatusCode, Message: msg.Message}
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return nil, fmt.Errorf("GitHub API %s %s: %v", method, u, err)
		}
	}
	return resp.Header, nil
}

func (c *Client) url(format string, args ...any) string {
	return strings.TrimRight(c.API, "/") + "/repos/" + c.Repo + fmt.Sprintf(format, args...)
}

var nextLink = regexp.MustCompile(`<([^>]+)>;\s*rel="next"`)

// maxPages bounds how many pages of comments the gate reads (100 a page).
const maxPages = 100

// Comments lists every comment of issue or pull request n, following the
// API's pagination (the Link header's rel="next").
func (c *Client) Comments(ctx context.Context, n int) ([]Comment, error) {
	var all []Comment
	u := c.url("/issues/%d/comments?per_page=100", n)
	for page := 0; u != "" && page < maxPages; page++ {
		var batch []Comment
		h, err := c.do(ctx, http.MethodGet, u, nil, &batch)
		if err != nil {
			return nil, err
		}
		all = append(all, batch...)
		u = ""
		if m := nextLink.FindStringSubmatch(h.Get("Link")); m != nil {
			next, err := url.Parse(m[1])
			if err != nil {
				return nil, fmt.Errorf("GitHub API: bad Link header %q", h.Get("Link"))
			}
			u = next.String()
		}
	}
	return all, nil
}

// Create posts a new comment on issue or pull request n.
func (c *Client) Create(ctx context.Context, n int, body string) error {
	_, err := c.do(ctx, http.MethodPost, c.url("/issues/%d/comments", n), map[string]string{"body": body}, nil)
	return err
}

// Update replaces the body of comment id.
func (c *Client) Update(ctx context.Context, id int64, body string) error {
	_, err := c.do(ctx, http.MethodPatch, c.url("/issues/comments/%s", strconv.FormatInt(id, 10)), map[string]string{"body": body}, nil)
	return err
}

// Delete removes comment id.
func (c *Client) Delete(ctx context.Context, id int64) error {
	_, err := c.do(ctx, http.MethodDelete, c.url("/issues/comments/%s", strconv.FormatInt(id, 10)), nil, nil)
	return err
}

// ours reports whether a comment is the gate's own: it starts with the
// marker and was written by a bot (the Actions token's identity), so a
// person quoting the marker is never edited.
func ours(c Comment) bool {
	return strings.HasPrefix(c.Body, Marker) && c.User.Type == "Bot"
}

// Outcome says what Sync did.
type Outcome string

const (
	Created   Outcome = "created"
	Updated   Outcome = "updated"
	Unchanged Outcome = "unchanged"
	Deleted   Outcome = "deleted"
	Nothing   Outcome = "nothing to do"
)

// Sync makes pull request n carry exactly one gate comment with body, or
// none when body is empty: it updates the first comment of its own in place
// and deletes any duplicates an interrupted earlier run left behind.
func (c *Client) Sync(ctx context.Context, n int, body string) (Outcome, error) {
	if body != "" && !strings.HasPrefix(body, Marker) {
		body = Marker + "\n" + body
	}
	comments, err := c.Comments(ctx, n)
	if err != nil {
		return "", err
	}
	var mine []Comment
	for _, cm := range comments {
		if ours(cm) {
			mine = append(mine, cm)
		}
	}
	outcome := Nothing
	switch {
	case body == "" && len(mine) > 0:
		for _, cm := range mine {
			if err := c.Delete(ctx, cm.ID); err != nil {
				return "", err
			}
		}
		return Deleted, nil
	case body == "":
		return Nothing, nil
	case len(mine) == 0:
		if err := c.Create(ctx, n, body); err != nil {
			return "", err
		}
		return Created, nil
	case mine[0].Body == body:
		outcome = Unchanged
	default:
		if err := c.Update(ctx, mine[0].ID, body); err != nil {
			return "", err
		}
		outcome = Updated
	}
	for _, cm := range mine[1:] {
		if err := c.Delete(ctx, cm.ID); err != nil {
			return "", err
		}
	}
	return outcome, nil
}

// PullHead returns the head commit of pull request n.
func (c *Client) PullHead(ctx context.Context, n int) (string, error) {
	var pr struct {
		Head struct {
			SHA string `json:"sha"`
		} `json:"head"`
	}
	if _, err := c.do(ctx, http.MethodGet, c.url("/pulls/%d", n), nil, &pr); err != nil {
		return "", err
	}
	return pr.Head.SHA, nil
}

// Relay posts a comment body that a read-only job wrote (the fork-safe
// pattern's second half, run by a `workflow_run` job with write permission
// and without the pull request's code). The body and the number come from
// an artifact the pull request's job made, so neither is trusted: the body
// must be a gate comment (it starts with the marker, or is empty to delete)
// of at most MaxComment characters, and when headSHA is given (the
// workflow_run event's head_sha) the pull request must have that head, so
// an artifact cannot aim the comment at another pull request.
func (c *Client) Relay(ctx context.Context, n int, headSHA, body string) (Outcome, error) {
	if n <= 0 {
		return "", fmt.Errorf("pull request number %d is not valid", n)
	}
	if body != "" && !strings.HasPrefix(body, Marker) {
		return "", errors.New("the comment body is not an nsgsim gate comment (it lacks the marker)")
	}
	if utf8.RuneCountInString(body) > MaxComment {
		return "", fmt.Errorf("the comment body is longer than GitHub's %d characters", MaxComment)
	}
	if headSHA != "" {
		got, err := c.PullHead(ctx, n)
		if err != nil {
			return "", err
		}
		if !strings.EqualFold(got, headSHA) {
			return "", fmt.Errorf("pull request #%d's head is %s, not %s: refusing to comment on it", n, got, headSHA)
		}
	}
	return c.Sync(ctx, n, body)
}
