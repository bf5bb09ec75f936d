package password

import (
	"strings"
	"testing"
)

func TestHashVerify_RoundTripAndWrongPasswordRefused(t *testing.T) {
	h, err := Hash("correct horse", Default)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("unexpected hash format %q", h)
	}
	ok, err := Verify("correct horse", h)
	if err != nil || !ok {
		t.Fatalf("Verify(right) = %v, %v", ok, err)
	}
	ok, err = Verify("correct horsE", h)
	if err != nil || ok {
		t.Fatalf("Verify(wrong) = %v, %v", ok, err)
	}
	h2, _ := Hash("correct horse", Default)
	if h2 == h {
		t.Fatal("two hashes of one password share a salt")
	}
}

func TestVerify_MalformedHashesRejected(t *testing.T) {
	for _, s := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$c2FsdHNhbHQ$a2V5", "$argon2id$v=19$m=0,t=1,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5", "$argon2id$v=19$m=8,t=1,p=1$!!$a2V5"} {
		if ok, err := Verify("x", s); err == nil || ok {
			t.Errorf("Verify(%q) = %v, %v; want ErrMalformed", s, ok, err)
		}
	}
}

func TestCommon_ListedAndRepeatedRefusedOthersAccepted(t *testing.T) {
	for _, pw := range []string{"123456789012", "Password1234", " RedSalud2026 ", "zzzzzzzzzzzzzz", "Contraseña123"} {
		if !Common(pw) {
			t.Errorf("%q is not refused", pw)
		}
	}
	for _, pw := range []string{"caballo correcto batería grapa", "Tz9!mK2#qW4$", "enfermera de turno noche"} {
		if Common(pw) {
			t.Errorf("%q is refused", pw)
		}
	}
}
