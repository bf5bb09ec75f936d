// Package forms reads and validates what users submit: one type per form, read from a POSTed
// body (never from a URL) and validated into what the store takes, every problem a Spanish
// message at its field. Reading needs the request; validating does not, so each form is
// tested as a table of values (forms_test.go).
package forms

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/components"
	"github.com/redsalud/ticket-home/fpa"
)

// Every text a user submits passes through here (RULES §8b): it must be valid UTF-8 without
// control characters or bidirectional overrides. What the rules refuse is never sent to the
// database (PostgreSQL refuses NUL and invalid UTF-8 anyway, which used to surface as a 500):
// the form comes back with the field's message, and the value as typed with each refused
// byte or character shown as U+FFFD — itself refused, so sending the form again as it is
// cannot store it either.

// replacement stands for a refused byte or character when a value is shown again.
const replacement = '\uFFFD'

// refusedRune reports a character RULES §8b refuses in any text field. Line breaks are
// allowed only in multi-line notes (justifications), which normalise them first.
func refusedRune(r rune, multiline bool) bool {
	switch {
	case r == replacement:
		return true
	case r == '\n':
		return !multiline
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
		return true // bidirectional embeddings, overrides and isolates
	}
	return unicode.IsControl(r)
}

// Clean trims raw and checks it; ok is false when anything was refused, and the value is
// then what to show again (refused parts as U+FFFD). Surrounding spaces are trimmed; inner
// runs of spaces are kept.
func Clean(raw string, multiline bool) (value string, ok bool) {
	if multiline {
		raw = strings.ReplaceAll(raw, "\r\n", "\n")
		raw = strings.ReplaceAll(raw, "\r", "\n")
	}
	ok = true
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); {
		r, size := utf8.DecodeRuneInString(raw[i:])
		i += size
		if (r == utf8.RuneError && size <= 1) || refusedRune(r, multiline) {
			ok = false
			b.WriteRune(replacement)
			continue
		}
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String()), ok
}

// Body is a field of a POSTed form: from the body only, never from the query string (a
// link must not be able to stand in for a form, least of all for its CSRF token).
func Body(c *fiber.Ctx, key string) string {
	if v := c.Request().PostArgs().Peek(key); v != nil {
		return string(v)
	}
	if mf, err := c.MultipartForm(); err == nil && mf != nil {
		if vs := mf.Value[key]; len(vs) > 0 {
			return vs[0]
		}
	}
	return ""
}

// Text reads a one-line field of a POSTed form into a copy checked by Clean; a
// refused value puts MsgBadCharacters on field (first, so it is the message shown).
func Text(c *fiber.Ctx, errs *components.Errors, key, field string) string {
	v, ok := Clean(Body(c, key), false)
	if !ok {
		errs.Add(field, MsgBadCharacters)
	}
	return v
}

// Note is Text for a multi-line note, where line breaks are allowed.
func Note(c *fiber.Ctx, errs *components.Errors, key, field string) string {
	v, ok := Clean(Body(c, key), true)
	if !ok {
		errs.Add(field, MsgBadCharacters)
	}
	return v
}

// QueryText is Text for a GET form's field (the board's filters).
func QueryText(c *fiber.Ctx, errs *components.Errors, key, field string) string {
	v, ok := Clean(string(c.Request().URI().QueryArgs().Peek(key)), false)
	if !ok {
		errs.Add(field, MsgBadCharacters)
	}
	return v
}

// IsName reports whether s is a person's name as RULES §8b allows: letters of any language
// (with their combining accents), spaces, apostrophes, hyphens and dots.
func IsName(s string) bool {
	for _, r := range s {
		switch {
		case unicode.IsLetter(r), unicode.Is(unicode.Mn, r), unicode.Is(unicode.Mc, r):
		case r == ' ', r == '\'', r == '’', r == '-', r == '‐', r == '.':
		default:
			return false
		}
	}
	return true
}

// IsPrintable reports whether s has only printable characters (bed, room, location, episode).
func IsPrintable(s string) bool {
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// Version reads the version a ticket form carries. Anything but a number the database can
// hold is not a form this application produced: a 400, never a 500 from the database.
func Version(c *fiber.Ctx) (int, error) {
	v, err := strconv.ParseInt(strings.TrimSpace(Body(c, "version")), 10, 32)
	if err != nil || v < 1 {
		return 0, fiber.ErrBadRequest
	}
	return int(v), nil
}

// ID reads a positive database id (bigint); ok is false for anything else, out-of-range
// numbers included.
func ID(s string) (int64, bool) {
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return id, err == nil && id > 0
}

// Shown is the value a preview box sends back with its form: the FPA on screen, as its date and
// block. present is false when the request carries no such field (it showed no preview box).
func Shown(c *fiber.Ctx) (shown string, present bool) {
	if c.Request().PostArgs().Has(shownField) {
		return Body(c, shownField), true
	}
	return "", false
}

// ShownKey identifies an FPA on screen: its date and its block's start (minutes).
func ShownKey(start time.Time) string {
	d, m := fpa.DateOf(start), start.In(fpa.Santiago).Hour()*60+start.In(fpa.Santiago).Minute()
	return d.String() + " " + strconv.Itoa(m)
}

const shownField = "vista"
