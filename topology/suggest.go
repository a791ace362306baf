package topology

import (
	"math"
	"strings"
	"unicode/utf8"
)

// suggestBudget bounds the "did you mean" work for one load or Validate
// call, counted in characters compared: a hostile file with thousands of
// misspellings among a hundred thousand names gets the first suggestions
// only, and still every problem, in well under a second.
const suggestBudget = 20_000_000

// suggester makes suggestions until its budget is spent.
type suggester struct{ used int }

func (s *suggester) suggest(word string, candidates []string) string {
	if s.used >= suggestBudget {
		return ""
	}
	sug, work := suggestWithin(word, candidates, suggestBudget-s.used)
	s.used += work
	return sug
}

// suggest returns the candidate closest to s: one equal to it but for case,
// or else one within two edits; "" when none is close.
func suggest(s string, candidates []string) string {
	sug, _ := suggestWithin(s, candidates, math.MaxInt)
	return sug
}

// suggestWithin is suggest that gives up, returning "", once it has
// compared more than budget characters. It returns the characters compared.
func suggestWithin(s string, candidates []string, budget int) (string, int) {
	work := 0
	for _, c := range candidates {
		if work += len(c) + 1; work > budget {
			return "", work
		}
		if strings.EqualFold(s, c) {
			return c, work
		}
	}
	best, bestDist := "", 3
	ls := strings.ToLower(s)
	n := utf8.RuneCountInString(s)
	if n > 100 {
		return "", work
	}
	for _, c := range candidates {
		if work++; work > budget {
			return "", work
		}
		if m := utf8.RuneCountInString(c); m < n-2 || m > n+2 {
			continue // more than two edits apart
		}
		if work += (n + 1) * (n + 3); work > budget {
			return "", work
		}
		dist := editDistance(ls, strings.ToLower(c))
		// Two edits turn any short word into another; demand that most of
		// the word survive.
		if dist < bestDist && 2*dist < n {
			best, bestDist = c, dist
		}
	}
	return best, work
}

// editDistance counts the insertions, deletions, substitutions and
// transpositions of adjacent runes that turn a into b (the optimal string
// alignment distance: "hbu" is one edit from "hub").
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 200 || len(rb) > 200 {
		return 1 << 30
	}
	rows := make([][]int, len(ra)+1)
	for i := range rows {
		rows[i] = make([]int, len(rb)+1)
		rows[i][0] = i
	}
	for j := range rows[0] {
		rows[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			rows[i][j] = min(rows[i-1][j]+1, rows[i][j-1]+1, rows[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				rows[i][j] = min(rows[i][j], rows[i-2][j-2]+1)
			}
		}
	}
	return rows[len(ra)][len(rb)]
}
