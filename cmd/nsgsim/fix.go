package main

func runFix(e *env, args []string) int {
	return fail(e, "nsgsim fix: not implemented yet")
}
