package fpa

import "testing"

func TestCode_ZeroPaddedToThreeDigits(t *testing.T) {
	tests := []struct {
		name   string
		prefix string
		year   int
		seq    int
		want   string
	}{
		{"first ticket is 001", "PROV", 2026, 1, "TH-PROV-2026-001"},
		{"999 keeps three digits", "VALP", 2025, 999, "TH-VALP-2025-999"},
		{"1000 grows to four digits", "MAYO", 2026, 1000, "TH-MAYO-2026-1000"},
		{"two-letter prefix", "AB", 2026, 42, "TH-AB-2026-042"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Code(tt.prefix, tt.year, tt.seq); got != tt.want {
				t.Errorf("= %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDefaultClinicCode(t *testing.T) {
	tests := []struct{ name, want string }{
		{"Clínica RedSalud Iquique", "IQUI"},
		{"Clínica RedSalud Elqui", "ELQU"},
		{"Clínica RedSalud Valparaíso", "VALP"},
		{"Clínica RedSalud Providencia", "PROV"},
		{"Clínica RedSalud Santiago", "SANT"},
		{"Clínica RedSalud Vitacura", "VITA"},
		{"Clínica RedSalud Rancagua", "RANC"},
		{"Clínica RedSalud Mayor Temuco", "MAYO"},
		{"Clínica RedSalud Magallanes", "MAGA"},
		{"Mayor Temuco", "MAYO"},
		{"clínica redsalud valparaíso", "VALP"},
		{"Clinica RedSalud Ñuñoa", "NUNO"},
		{"  Clínica RedSalud   Élqui ", "ELQU"},
		{"Clínica RedSalud Valparai\u0301so", "VALP"}, // decomposed accent
		{"Clínica RedSalud Viña", "VINA"},
		{"Clínica RedSalud Los Ángeles", "LOSA"},
		{"Clínica RedSaludable", "CLIN"}, // not the prefix as a word
		{"Clínica RedSalud", ""},
		{"Clínica RedSalud X", "X"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DefaultClinicCode(tt.name); got != tt.want {
				t.Errorf("= %q, want %q", got, tt.want)
			}
		})
	}
}

func TestValidClinicCode_TwoToSixLettersAZ(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{"VALP", true}, {"AB", true}, {"ABCDEF", true},
		{"A", false}, {"ABCDEFG", false}, {"", false},
		{"valp", false}, {"VAL1", false}, {"VA P", false}, {"ÑUÑO", false}, {"VAL-", false},
	}
	for _, tt := range tests {
		if got := ValidClinicCode(tt.code); got != tt.want {
			t.Errorf("ValidClinicCode(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
}
