package main

func runRender(e *env, args []string) int {
	return fail(e, "nsgsim render: not implemented yet")
}
