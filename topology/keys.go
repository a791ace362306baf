package topology

import "strconv"

// indexedKey returns "key[i]", how Origin and messages name item i of the
// list key. Those of the first items of a topology's lists are made once: a
// large topology asks for millions.
func indexedKey(key string, i int) string {
	if i >= 0 && i < indexedKeysCached {
		if names, ok := indexedKeys[key]; ok {
			return names[i]
		}
	}
	return key + "[" + strconv.Itoa(i) + "]"
}

const indexedKeysCached = 16

// indexedKeys holds "key[i]" for the lists of values of a topology's
// objects, i below indexedKeysCached.
var indexedKeys = func() map[string]*[indexedKeysCached]string {
	m := make(map[string]*[indexedKeysCached]string)
	for _, key := range []string{"addressSpace", "peerings", "onPremisesPrefixes", "addressPrefixes",
		"sourceAddressPrefixes", "destinationAddressPrefixes", "sourcePortRanges", "destinationPortRanges",
		"sourceApplicationSecurityGroups", "destinationApplicationSecurityGroups", "applicationSecurityGroups",
		"customPorts"} {
		var names [indexedKeysCached]string
		for i := range names {
			names[i] = key + "[" + strconv.Itoa(i) + "]"
		}
		m[key] = &names
	}
	return m
}()

// ruleSideKeys returns the keys of the source or the destination of a rule
// (side): its singular and plural address fields and its application
// security groups.
func ruleSideKeys(side string) (singular, plural, asgs string) {
	switch side {
	case "source":
		return "sourceAddressPrefix", "sourceAddressPrefixes", "sourceApplicationSecurityGroups"
	case "destination":
		return "destinationAddressPrefix", "destinationAddressPrefixes", "destinationApplicationSecurityGroups"
	}
	return side + "AddressPrefix", side + "AddressPrefixes", side + "ApplicationSecurityGroups"
}

// pluralKey returns the plural of a singular key: "sourcePortRanges" for
// "sourcePortRange".
func pluralKey(singular string) string {
	switch singular {
	case "sourcePortRange":
		return "sourcePortRanges"
	case "destinationPortRange":
		return "destinationPortRanges"
	}
	return singular + "s"
}
