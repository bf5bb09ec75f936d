// Package rut parses, validates and formats the Chilean RUT (rol único
// tributario), the patient identifier of Ticket Home (RULES §8).
package rut

import (
	"errors"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// MaxBody is the largest RUT body accepted (RULES §8): 99.999.999.
const MaxBody = 99_999_999

// Errors returned by Parse and New; each message is ready to show next to the
// RUT field (es-CL).
var (
	// ErrEmpty means nothing was typed.
	ErrEmpty = errors.New("Ingrese el RUT.")
	// ErrFormat means characters other than digits, dots, a dash, spaces
	// and K, or separators in the wrong place.
	ErrFormat = errors.New("RUT inválido: use solo números, puntos, guion y K (ej.: 12.345.678-5).")
	// ErrRange means a body outside 1–99.999.999.
	ErrRange = errors.New("RUT inválido: el número debe estar entre 1 y 99.999.999.")
	// ErrCheckDigit means the módulo 11 check digit does not match the body.
	ErrCheckDigit = errors.New("RUT inválido: el dígito verificador no corresponde.")
)

// RUT is a valid RUT: a body 1–99.999.999 and its matching check digit. The
// zero value is not a valid RUT; obtain one from Parse or New. RUTs compare
// with ==.
type RUT struct {
	body int
	dv   byte
}

// New returns the RUT with the given body and its computed check digit.
func New(body int) (RUT, error) {
	if body < 1 || body > MaxBody {
		return RUT{}, ErrRange
	}
	return RUT{body: body, dv: CheckDigit(body)}, nil
}

// Body returns the number before the check digit.
func (r RUT) Body() int { return r.body }

// DV returns the check digit, '0'–'9' or 'K'.
func (r RUT) DV() byte { return r.dv }

// IsZero reports whether r is the zero value, not a parsed RUT.
func (r RUT) IsZero() bool { return r.body == 0 }

// Canonical returns the storage form "12345678-5" (RULES §8).
func (r RUT) Canonical() string {
	if r.IsZero() {
		return ""
	}
	b := strconv.AppendInt(make([]byte, 0, 10), int64(r.body), 10)
	return string(append(b, '-', r.dv))
}

// String returns Canonical.
func (r RUT) String() string { return r.Canonical() }

// Display returns the form users read, "12.345.678-5" (RULES §8).
func (r RUT) Display() string {
	if r.IsZero() {
		return ""
	}
	digits := strconv.Itoa(r.body)
	b := make([]byte, 0, 12)
	for i := 0; i < len(digits); i++ {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b = append(b, '.')
		}
		b = append(b, digits[i])
	}
	return string(append(b, '-', r.dv))
}

// Compact returns body and check digit without separators, "123456785",
// the form Normalize gives for any formatting of the same RUT.
func (r RUT) Compact() string {
	if r.IsZero() {
		return ""
	}
	b := strconv.AppendInt(make([]byte, 0, 9), int64(r.body), 10)
	return string(append(b, r.dv))
}

// CheckDigit returns the módulo 11 check digit of body (RULES §8): the
// digits from the right times 2, 3, 4, 5, 6, 7, 2, 3, …, summed; 11 minus
// the sum modulo 11, with 11 → '0' and 10 → 'K'. It returns 0 for a negative
// body, which has none.
func CheckDigit(body int) byte {
	if body < 0 {
		return 0
	}
	sum, weight := 0, 2
	for ; body > 0; body /= 10 {
		sum += body % 10 * weight
		if weight++; weight > 7 {
			weight = 2
		}
	}
	switch r := 11 - sum%11; r {
	case 11:
		return '0'
	case 10:
		return 'K'
	default:
		return byte('0' + r)
	}
}

// maxDigits bounds the significant digits read, so a long input cannot
// overflow; MaxBody has 8.
const maxDigits = 8

// Parse reads a RUT typed in any usual way (RULES §8): digits with optional
// dots between them, an optional dash before the check digit, spaces
// anywhere, k or K. "12.345.678-5", "12345678-5", "123456785" and
// " 12 345 678 - 5 " are the same RUT. Leading zeros are ignored.
func Parse(s string) (RUT, error) {
	// Spaces (including non-breaking ones pasted from documents) carry no
	// meaning; drop them first so the rest sees a compact string.
	var buf [32]byte
	compact := buf[:0]
	for _, c := range s {
		if unicode.IsSpace(c) {
			continue
		}
		if c >= utf8.RuneSelf {
			return RUT{}, ErrFormat
		}
		compact = append(compact, byte(c))
	}
	if len(compact) == 0 {
		return RUT{}, ErrEmpty
	}
	dv := compact[len(compact)-1]
	switch {
	case dv == 'k':
		dv = 'K'
	case dv == 'K', '0' <= dv && dv <= '9':
	default:
		return RUT{}, ErrFormat
	}
	bodyText := compact[:len(compact)-1]
	if n := len(bodyText); n > 0 && bodyText[n-1] == '-' {
		bodyText = bodyText[:n-1]
	}
	if len(bodyText) == 0 {
		return RUT{}, ErrFormat
	}
	body, digits := 0, 0
	for i, c := range bodyText {
		switch {
		case '0' <= c && c <= '9':
			if body == 0 && c == '0' {
				continue // leading zero
			}
			if digits++; digits > maxDigits {
				// Keep scanning: a stray character is a format error,
				// reported before the range.
				continue
			}
			body = body*10 + int(c-'0')
		case c == '.':
			// A dot separates digits: not first, not last, not doubled.
			if i == 0 || i == len(bodyText)-1 || bodyText[i-1] == '.' {
				return RUT{}, ErrFormat
			}
		default:
			return RUT{}, ErrFormat
		}
	}
	if digits > maxDigits || body < 1 || body > MaxBody {
		return RUT{}, ErrRange
	}
	if CheckDigit(body) != dv {
		return RUT{}, ErrCheckDigit
	}
	return RUT{body: body, dv: dv}, nil
}

// Normalize returns s without dots, dashes, spaces and leading zeros, with k
// upper-cased: "12.345.678-k" → "12345678K", so a search by RUT matches any
// formatting (RULES §8); compare it with Compact, or use it as a prefix for a
// partial RUT. The check digit is not verified. It returns "" when s is not
// RUT-like: anything but digits with at most one K at the end.
func Normalize(s string) string {
	b := make([]byte, 0, len(s))
	for _, c := range s {
		switch {
		case c == '.' || c == '-' || unicode.IsSpace(c):
		case c == '0' && len(b) == 0:
		case '0' <= c && c <= '9':
			b = append(b, byte(c))
		case c == 'k' || c == 'K':
			b = append(b, 'K')
		default:
			return ""
		}
	}
	if len(b) == 0 || b[0] == 'K' {
		return ""
	}
	for i := 0; i < len(b)-1; i++ {
		if b[i] == 'K' {
			return ""
		}
	}
	return string(b)
}
