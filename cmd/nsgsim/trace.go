package main

func runTrace(e *env, args []string) int {
	return fail(e, "nsgsim trace: not implemented yet")
}
