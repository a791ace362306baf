package topology

// CountNodes exports countNodes to the tests of package topology_test, which
// may import the packages that import topology (scenarios, gen).
var CountNodes = countNodes
