package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/nsgsim/nsgsim/input"
	"github.com/nsgsim/nsgsim/topology"
)

func main() {
	topology.SetBudget(4 << 30)
	f, _ := os.Create(os.Args[2])
	pprof.StartCPUProfile(f)
	t0 := time.Now()
	t, err := input.Import(input.Az, []string{os.Args[1]}, input.Options{})
	if err != nil {
		panic(err)
	}
	t1 := time.Now()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Println("live after import MB", ms.HeapAlloc>>20)
	hf, _ := os.Create(os.Args[2] + ".heap")
	pprof.WriteHeapProfile(hf)
	hf.Close()
	data, err := topology.Marshal(t)
	if err != nil {
		panic(err)
	}
	t2 := time.Now()
	pprof.StopCPUProfile()
	fmt.Println(len(data), t1.Sub(t0), t2.Sub(t1))
	runtime.KeepAlive(t)
}
