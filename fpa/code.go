package fpa

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Code returns the ticket code TH-{PREFIX}-{YYYY}-{NNN} (RULES §7): year is
// the Santiago year of creation and seq the per-(clinic, year) sequence,
// zero-padded to at least three digits (1 → 001, 1000 → 1000).
func Code(prefix string, year, seq int) string {
	return fmt.Sprintf("TH-%s-%04d-%03d", prefix, year, seq)
}

// clinicNamePrefix is the common part of every clinic name, folded; RULES §7
// derives the code from what follows it.
const clinicNamePrefix = "CLINICA REDSALUD"

// defaultCodeLen is how many letters the derived clinic code takes.
const defaultCodeLen = 4

// DefaultClinicCode derives a clinic code from its name (RULES §7): without
// the "Clínica RedSalud" prefix, accents folded, upper case, the first four
// letters A–Z ("Clínica RedSalud Valparaíso" → "VALP", "Mayor Temuco" →
// "MAYO"). It returns fewer letters, possibly none, when the name has fewer;
// the admin must then type a code, which ValidClinicCode checks.
func DefaultClinicCode(name string) string {
	folded := foldUpper(name)
	rest := strings.TrimLeft(folded, " ")
	if after, ok := strings.CutPrefix(rest, clinicNamePrefix); ok && (after == "" || !isUpperASCII(after[0])) {
		rest = after
	}
	var code [defaultCodeLen]byte
	n := 0
	for i := 0; i < len(rest) && n < defaultCodeLen; i++ {
		if isUpperASCII(rest[i]) {
			code[n] = rest[i]
			n++
		}
	}
	return string(code[:n])
}

// ValidClinicCode reports whether s is a valid clinic code: 2–6 letters A–Z
// (RULES §7).
func ValidClinicCode(s string) bool {
	if len(s) < 2 || len(s) > 6 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isUpperASCII(s[i]) {
			return false
		}
	}
	return true
}

func isUpperASCII(c byte) bool { return 'A' <= c && c <= 'Z' }

// foldUpper upper-cases s and folds the Spanish (and other common Latin)
// accented letters to ASCII; combining marks (decomposed input) are dropped
// and any other non-ASCII rune becomes a space.
func foldUpper(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		s = s[size:]
		switch {
		case r < utf8.RuneSelf:
			if 'a' <= r && r <= 'z' {
				r -= 'a' - 'A'
			}
			b.WriteRune(r)
		case 0x0300 <= r && r <= 0x036F:
			// Combining diacritical mark: the base letter was already written.
		default:
			if f, ok := accentFold[r]; ok {
				b.WriteByte(f)
			} else {
				b.WriteByte(' ')
			}
		}
	}
	return b.String()
}

var accentFold = func() map[rune]byte {
	m := make(map[rune]byte)
	for base, runes := range map[byte]string{
		'A': "ÁÀÂÄÃÅáàâäãå",
		'C': "Çç",
		'E': "ÉÈÊËéèêë",
		'I': "ÍÌÎÏíìîï",
		'N': "Ññ",
		'O': "ÓÒÔÖÕóòôöõ",
		'U': "ÚÙÛÜúùûü",
		'Y': "ÝŸýÿ",
	} {
		for _, r := range runes {
			m[r] = base
		}
	}
	return m
}()
