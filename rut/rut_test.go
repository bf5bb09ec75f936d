package rut

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// seriesDV computes the check digit by a different method than CheckDigit:
// the running remainder S = (S + digit·(9 − m mod 6)) mod 11 from S = 1,
// check digit S − 1, or K when S = 0.
func seriesDV(body int) byte {
	s := 1
	for m := 0; body > 0; body /= 10 {
		s = (s + body%10*(9-m%6)) % 11
		m++
	}
	if s == 0 {
		return 'K'
	}
	return byte('0' + s - 1)
}

func TestCheckDigit_KnownRUTs(t *testing.T) {
	// Literals checked by hand: 12.345.678 → 8·2+7·3+6·4+5·5+4·6+3·7+2·2+1·3
	// = 138, 138 mod 11 = 6, 11 − 6 = 5.
	tests := []struct {
		body int
		want byte
	}{
		{12345678, '5'}, {11111111, '1'}, {7654321, '6'}, {99999999, '9'},
		{10000013, 'K'}, {10000004, '0'}, {6, 'K'}, {1, '9'}, {24, '8'},
		{1000000, '9'}, {5126663, '3'}, {30686957, '4'}, {22222222, '2'},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.body), func(t *testing.T) {
			if got := CheckDigit(tt.body); got != tt.want {
				t.Errorf("CheckDigit = %c, want %c", got, tt.want)
			}
			if got := seriesDV(tt.body); got != tt.want {
				t.Errorf("independent method = %c, want %c (literal wrong?)", got, tt.want)
			}
		})
	}
}

func TestCheckDigit_AgreesWithIndependentMethod(t *testing.T) {
	// Every body up to 200.000 and a stride across the whole range.
	for body := 1; body <= 200_000; body++ {
		if CheckDigit(body) != seriesDV(body) {
			t.Fatalf("body %d: %c vs %c", body, CheckDigit(body), seriesDV(body))
		}
	}
	for body := 1; body <= MaxBody; body += 9973 {
		if CheckDigit(body) != seriesDV(body) {
			t.Fatalf("body %d: %c vs %c", body, CheckDigit(body), seriesDV(body))
		}
	}
	if CheckDigit(-1) != 0 {
		t.Error("negative body must have no check digit")
	}
}

func TestParse_AcceptedFormats(t *testing.T) {
	tests := []struct {
		name, in                    string
		canonical, display, compact string
	}{
		{"display form", "12.345.678-5", "12345678-5", "12.345.678-5", "123456785"},
		{"canonical form", "12345678-5", "12345678-5", "12.345.678-5", "123456785"},
		{"no separators", "123456785", "12345678-5", "12.345.678-5", "123456785"},
		{"dots without dash", "12.345.6785", "12345678-5", "12.345.678-5", "123456785"},
		{"spaces around", "  12.345.678-5 ", "12345678-5", "12.345.678-5", "123456785"},
		{"spaces inside", "12 345 678 - 5", "12345678-5", "12.345.678-5", "123456785"},
		{"non-breaking space", "12.345.678\u00a0-5", "12345678-5", "12.345.678-5", "123456785"},
		{"lowercase k", "10.000.013-k", "10000013-K", "10.000.013-K", "10000013K"},
		{"uppercase K", "10000013-K", "10000013-K", "10.000.013-K", "10000013K"},
		{"check digit zero", "10.000.004-0", "10000004-0", "10.000.004-0", "100000040"},
		{"seven digits", "7.654.321-6", "7654321-6", "7.654.321-6", "76543216"},
		{"all ones", "11.111.111-1", "11111111-1", "11.111.111-1", "111111111"},
		{"smallest body", "1-9", "1-9", "1-9", "19"},
		{"smallest K", "6-k", "6-K", "6-K", "6K"},
		{"largest body", "99.999.999-9", "99999999-9", "99.999.999-9", "999999999"},
		{"leading zeros ignored", "012.345.678-5", "12345678-5", "12.345.678-5", "123456785"},
		{"dots off the thousands are tolerated", "1234.5678-5", "12345678-5", "12.345.678-5", "123456785"},
		{"three digits", "100-7", "100-7", "100-7", "1007"},
		{"four digits", "1.000.000-9", "1000000-9", "1.000.000-9", "10000009"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if r.Canonical() != tt.canonical || r.String() != tt.canonical {
				t.Errorf("Canonical = %q, want %q", r.Canonical(), tt.canonical)
			}
			if r.Display() != tt.display {
				t.Errorf("Display = %q, want %q", r.Display(), tt.display)
			}
			if r.Compact() != tt.compact {
				t.Errorf("Compact = %q, want %q", r.Compact(), tt.compact)
			}
			if got := Normalize(tt.in); got != tt.compact {
				t.Errorf("Normalize = %q, want %q", got, tt.compact)
			}
		})
	}
}

func TestParse_Refusals(t *testing.T) {
	tests := []struct {
		name, in string
		want     error
	}{
		{"empty", "", ErrEmpty},
		{"only spaces", "   ", ErrEmpty},
		{"wrong check digit", "12.345.678-6", ErrCheckDigit},
		{"K where a digit is due", "12.345.678-K", ErrCheckDigit},
		{"digit where K is due", "10.000.013-0", ErrCheckDigit},
		{"body zero", "0-0", ErrRange},
		{"only zeros", "000000000", ErrRange},
		{"body above 99.999.999", "100.000.000-4", ErrRange},
		{"very long body does not overflow", strings.Repeat("9", 40) + "-9", ErrRange},
		{"letters", "12.345.67a-5", ErrFormat},
		{"other check letter", "12.345.678-X", ErrFormat},
		{"only a check digit", "5", ErrFormat},
		{"only a K", "k", ErrFormat},
		{"dash and check digit only", "-5", ErrFormat},
		{"two dashes", "12.345.678--5", ErrFormat},
		{"dash inside body", "12-345-678-5", ErrFormat},
		{"dash last", "12.345.678-", ErrFormat},
		{"leading dot", ".12.345.678-5", ErrFormat},
		{"double dot", "12..345.678-5", ErrFormat},
		{"dot before dash", "12.345.678.-5", ErrFormat},
		{"K inside body", "1K.345.678-5", ErrFormat},
		{"non-ASCII digit", "１2.345.678-5", ErrFormat},
		{"accented letter", "12.345.678-ñ", ErrFormat},
		{"comma", "12,345,678-5", ErrFormat},
		{"plus sign", "+12345678-5", ErrFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse(tt.in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Parse(%q) = %v, %v; want %v", tt.in, r, err, tt.want)
			}
			if !r.IsZero() {
				t.Errorf("refused RUT must be zero, got %v", r)
			}
		})
	}
	if got := ErrCheckDigit.Error(); got != "RUT inválido: el dígito verificador no corresponde." {
		t.Errorf("check digit message = %q", got)
	}
	if got := ErrEmpty.Error(); got != "Ingrese el RUT." {
		t.Errorf("empty message = %q", got)
	}
}

func TestNew(t *testing.T) {
	r, err := New(12345678)
	if err != nil || r.Display() != "12.345.678-5" || r.Body() != 12345678 || r.DV() != '5' {
		t.Errorf("New = %v, %v", r, err)
	}
	for _, body := range []int{0, -1, MaxBody + 1} {
		if _, err := New(body); !errors.Is(err, ErrRange) {
			t.Errorf("New(%d) error = %v, want ErrRange", body, err)
		}
	}
	var zero RUT
	if zero.Canonical() != "" || zero.Display() != "" || zero.Compact() != "" || !zero.IsZero() {
		t.Error("zero RUT must format as empty")
	}
}

func TestNormalize_SearchMatchesAnyFormatting(t *testing.T) {
	tests := []struct{ in, want string }{
		{"12.345.678-5", "123456785"},
		{"12345678-5", "123456785"},
		{" 12 345 678 5 ", "123456785"},
		{"10.000.013-k", "10000013K"},
		{"12.345", "12345"}, // partial, for prefix search
		{"12.345.678-6", "123456786"},
		{"0012", "12"},
		{"", ""},
		{"Juan Pérez", ""},
		{"k", ""},
		{"0K", ""},
		{"12K5", ""},
		{"12.345.678-KK", ""},
		{"---", ""},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"12.345.678-5", "12345678-5", "123456785", "10.000.013-k", "6-K", "1-9",
		"99.999.999-9", "100.000.000-4", "0-0", "", " ", "-", ".", "k", "12..3-4",
		"12.345.678-6", "１2.345.678-5", "012.345.678-5", "\u00a01-9",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrEmpty) && !errors.Is(err, ErrFormat) && !errors.Is(err, ErrRange) && !errors.Is(err, ErrCheckDigit) {
				t.Fatalf("Parse(%q): unexpected error %v", s, err)
			}
			if !r.IsZero() {
				t.Fatalf("Parse(%q) returned %v with an error", s, r)
			}
			if errors.Is(err, ErrCheckDigit) {
				// Well formed, so Normalize gives body+dv; the check digit
				// must really be wrong by the independent method.
				n := Normalize(s)
				if len(n) < 2 {
					t.Fatalf("Parse(%q) says wrong check digit; normalized %q", s, n)
				}
				body, convErr := strconv.Atoi(n[:len(n)-1])
				if convErr != nil || seriesDV(body) == n[len(n)-1] {
					t.Fatalf("Parse(%q) says wrong check digit; normalized %q", s, n)
				}
			}
			return
		}
		if r.Body() < 1 || r.Body() > MaxBody || r.DV() != seriesDV(r.Body()) {
			t.Fatalf("Parse(%q) = %v: body out of range or check digit wrong", s, r)
		}
		for _, form := range []string{r.Canonical(), r.Display(), r.Compact(), strings.ToLower(r.Display())} {
			again, err := Parse(form)
			if err != nil || again != r {
				t.Fatalf("Parse(%q) = %v, %v; want %v (from %q)", form, again, err, r, s)
			}
		}
		if n := Normalize(s); n != r.Compact() {
			t.Fatalf("Normalize(%q) = %q, want %q", s, n, r.Compact())
		}
	})
}

func FuzzValidIffCheckDigitMatches(f *testing.F) {
	f.Add(uint32(12345678), byte('5'), false)
	f.Add(uint32(10000013), byte('k'), true)
	f.Add(uint32(0), byte('0'), false)
	f.Fuzz(func(t *testing.T, body uint32, dv byte, dotted bool) {
		b := int(body % 120_000_000)
		in := strconv.Itoa(b) + "-" + string(rune(dv))
		if dotted {
			if r, err := New(b); err == nil {
				in = r.Display()[:len(r.Display())-1] + string(rune(dv))
			}
		}
		want := b >= 1 && b <= MaxBody && (dv == seriesDV(b) || (dv == 'k' && seriesDV(b) == 'K'))
		r, err := Parse(in)
		if (err == nil) != want {
			t.Fatalf("Parse(%q) = %v, %v; valid should be %v", in, r, err, want)
		}
	})
}
