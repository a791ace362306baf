package sim

import (
	"encoding/binary"
	"hash/fnv"
	"math/rand/v2"
	"testing"
)

// FuzzEngine is TestEngineAgreesWithReference driven by the fuzzer: the
// input bytes are the random stream from which randomTopology,
// growRules and randomFlows build a topology, its flows and the sampled
// packets, so that the fuzzer's mutations change one choice at a time. Every
// sampled packet must get the reference evaluator's verdict and hops.
func FuzzEngine(f *testing.F) {
	for _, seed := range []uint64{0, 1, 20261123, 20261124, 1 << 40} {
		var b [17]byte
		binary.LittleEndian.PutUint64(b[1:], seed)
		f.Add(b[:])
	}
	f.Add([]byte{1, 0xff, 0xfe, 0xfd, 0, 0, 0, 0, 0, 7})
	f.Fuzz(func(t *testing.T, data []byte) {
		grow := len(data) > 0 && data[0]&1 == 1
		src := newByteSource(data)
		rng := rand.New(src)
		topo := randomTopology(rng)
		if grow {
			growRules(rng, topo, 20, 120)
		}
		e, err := Compile(topo)
		if err != nil {
			t.Fatalf("input %x: Compile: %v\ntopology:\n%s", data, err, dumpTopology(topo))
		}
		for _, fl := range append(Flows(topo), randomFlows(rng, topo)...) {
			res, err := e.Evaluate(fl)
			if err != nil {
				t.Fatal(err)
			}
			checkFlow(t, src.seed, topo, e, fl, res)
			for _, pkt := range samplePackets(rng, e, fl, res) {
				checkPacket(t, src.seed, topo, e, fl, res, pkt)
			}
		}
	})
}

// byteSource is a rand.Source that returns the input's bytes, eight at a
// time, and then a PCG stream seeded from a hash of the input.
type byteSource struct {
	data []byte
	seed uint64 // hash of the input, printed by checkPacket as the seed
	pcg  *rand.PCG
}

func newByteSource(data []byte) *byteSource {
	h := fnv.New64a()
	h.Write(data)
	seed := h.Sum64()
	return &byteSource{data: data, seed: seed, pcg: rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)}
}

func (s *byteSource) Uint64() uint64 {
	if len(s.data) == 0 {
		return s.pcg.Uint64()
	}
	var b [8]byte
	n := copy(b[:], s.data)
	s.data = s.data[n:]
	// Mix the short tail with the PCG stream so that it is not mostly
	// zeros.
	x := binary.LittleEndian.Uint64(b[:])
	if n < 8 {
		x ^= s.pcg.Uint64() << (8 * n)
	}
	return x
}
