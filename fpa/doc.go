// Package fpa holds the pure Ticket Home rules for the fecha probable de alta
// (FPA): discharge blocks, the FPA computation, nights, derived state and
// urgency, ticket codes, and the Santiago wall-time input and output formats.
//
// The package does no I/O and never reads the clock: every rule that depends
// on "now" takes it as a parameter, so the rules can be tested at exact
// boundaries. docs/RULES.md is the normative source; comments cite its
// sections as "RULES §n".
package fpa
