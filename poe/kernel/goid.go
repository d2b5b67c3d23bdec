package kernel

// The loop goroutine is told apart from every other goroutine by an
// identity token: the address of the runtime's goroutine record on the
// architectures that give it cheaply (a two-instruction assembly stub),
// the goroutine number elsewhere. It is only ever compared for equality
// while the loop goroutine is alive, so a token reused after a goroutine
// exits cannot be mistaken for the loop's.
