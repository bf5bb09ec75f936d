package password

import (
	"strings"
	"unicode/utf8"
)

// The rules of a password an admin sets or a user chooses: at least MinLength characters (a
// passphrase is welcome; pasting is allowed), at most MaxLength (hashing cost is bounded), and
// not one of the passwords attackers try first.
const (
	MinLength = 12
	MaxLength = 128
)

// common are passwords of 12 or more characters that lists of leaked passwords rank first,
// with the local ones a Chilean clinic's staff would think of.
var common = toSet(strings.Fields(`
		123456789012 1234567890123 12345678901234 123456789123 111111111111 000000000000
		123123123123 121212121212 987654321098 qwertyuiop12 qwertyuiopas 1q2w3e4r5t6y
		qwerty123456 qwertyqwerty asdfghjkl123 zxcvbnm12345 abcdefghijkl abc123abc123
		password1234 password12345 password123456 passwordpassword contraseña123 contraseña1234
		contrasena123 contrasena1234 contraseña2024 contraseña2025 contraseña2026 micontraseña
		iloveyou1234 welcome12345 bienvenido123 bienvenido2026 administrador admin1234567
		administrator superusuario redsalud2024 redsalud2025 redsalud2026 redsalud1234
		redsaludredsalud clinica12345 clinica2026 clinicaredsalud hospital1234 hospital2026
		enfermera123 enfermera2026 enfermeria123 ticketh0me12 tickethome123 tickethome2026
		santiago2026 chile1234567 chilechile12 vivachile123 colocolo1234 universidad1
		cambiar12345 cambiarclave cambiame1234 temporal1234 temporal2026 1234abcd1234
		aaaaaaaaaaaa passw0rd1234 p4ssw0rd1234 letmein12345 trustno11234 monkey123456
		dragon123456 football1234 baseball1234 sunshine1234 princess1234 starwars1234`))

func toSet(words []string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// Length is pw's length in characters.
func Length(pw string) int { return utf8.RuneCountInString(pw) }

// Common reports whether pw is a password attackers try first: on the list (ignoring case
// and surrounding spaces), or one character repeated.
func Common(pw string) bool {
	p := strings.ToLower(strings.TrimSpace(pw))
	if common[p] {
		return true
	}
	r, _ := utf8.DecodeRuneInString(p)
	return p != "" && strings.Trim(p, string(r)) == ""
}
