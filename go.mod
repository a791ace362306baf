module github.com/nsgsim/nsgsim

go 1.26.8
