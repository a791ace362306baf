// Package chromium finds the headless browser that nsgsim's browser tests
// drive: Debian's chromium package, which .ci/run installs.
//
// It owns only finding the browser, and skipping (or, in CI, failing) a
// test without one; how a test drives the browser (flags, a page's DOM,
// chromedp) is each test's own. It is imported only from _test.go files.
package chromium
