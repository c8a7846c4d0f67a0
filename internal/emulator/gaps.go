package emulator

// CannotApply are the automated controls whose writes moto 5.2.1 cannot
// perform or show faithfully (docs/emulator-gaps.md), with the reason.
// Everything that applies against the emulator (the end-to-end tests, the
// apply benchmark, the demo) disables them; their ops are tested against
// fakes of their narrow interfaces.
var CannotApply = map[string]string{}
