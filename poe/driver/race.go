//go:build race

package driver

// raceEnabled is true in a build with the race detector: see call.
const raceEnabled = true
