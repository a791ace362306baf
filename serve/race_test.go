//go:build race

package serve

// raceDetector: timings mean nothing under the race detector.
const raceDetector = true
