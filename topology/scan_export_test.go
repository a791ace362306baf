package topology

// ParseScanned is Parse by the topology scanner alone, for the
// differential tests of package topology_test: ok is false when the
// scanner did not read the file (the yaml.v3 path would).
func ParseScanned(file string, data []byte) (t *Topology, ok bool, err error) {
	t, reported, ok := fastParse(file, data, false, nil)
	if !ok && onlyComments(data) {
		return nil, true, ErrorList{noTopology(file)}
	}
	if !ok {
		return nil, false, nil
	}
	t, err = checked(t, reported)
	return t, true, err
}

// ParseYAMLv3 is Parse by yaml.v3 alone.
func ParseYAMLv3(file string, data []byte) (*Topology, error) { return parseYAMLv3(file, data, nil) }
