package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redsalud/ticket-home/demo"
	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/rut"
	"github.com/redsalud/ticket-home/store"
)

// testClinic is a clinic made for one test, so counters and patients start empty.
type testClinic struct {
	ID        int64
	Code      string
	SurgeryID int64 // 24 h norm
	ShortID   int64 // 1 h norm
	Admin     store.Principal
}

func newTestClinic(t *testing.T, st *store.Store) testClinic {
	t.Helper()
	ctx := context.Background()
	su := principalFor(t, st, demo.SuperuserName)
	letters := []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
	code := ""
	for range 6 {
		code += string(letters[rand.IntN(len(letters))])
	}
	var c testClinic
	c.Code = code
	err := st.WithTenant(ctx, su, func(tx *store.Tx) error {
		var err error
		if c.ID, err = tx.CreateClinic(ctx, "Clínica de prueba "+code, code); err != nil {
			return err
		}
		if err := tx.CreateDefaultBlocks(ctx, c.ID); err != nil {
			return err
		}
		spec, err := tx.CreateSpecialty(ctx, c.ID, "Cirugía General")
		if err != nil {
			return err
		}
		if c.SurgeryID, err = tx.CreateSurgery(ctx, c.ID, store.NewSurgery{SpecialtyID: spec, Name: "Apendicectomía", BaseStayHours: "24"}); err != nil {
			return err
		}
		if c.ShortID, err = tx.CreateSurgery(ctx, c.ID, store.NewSurgery{SpecialtyID: spec, Name: "Biopsia", BaseStayHours: "1"}); err != nil {
			return err
		}
		uid, err := tx.CreateUser(ctx, store.NewUser{ClinicID: c.ID, Username: "admin_" + lower(code), Role: store.RoleAdmin})
		c.Admin.UserID = uid
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	c.Admin = principalByID(t, st, c.Admin.UserID)
	return c
}

func lower(s string) string {
	b := []byte(s)
	for i := range b {
		b[i] += 'a' - 'A'
	}
	return string(b)
}

func patient(body int) store.PatientInput {
	r, err := rut.New(body)
	if err != nil {
		panic(err)
	}
	return store.PatientInput{RUT: r.Canonical(), FirstNames: "María José", LastNameFather: "González", LastNameMother: "Pérez", Age: 54, Sex: "F"}
}

func TestCreateTicket_ConcurrentCreationsGetGaplessUniqueCodes(t *testing.T) {
	ctx := context.Background()
	st, _ := seededStore(t)
	c := newTestClinic(t, st)
	now := time.Now()
	const n = 100
	codes := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tk, err := st.CreateTicket(ctx, c.Admin, c.ID, store.NewTicket{
				Patient: patient(10_000_000 + i), SurgeryID: c.SurgeryID, PavilionEnd: now.Add(-time.Hour), BlockStart: -1,
			}, now)
			codes[i], errs[i] = tk.Code, err
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(codes)
	year := now.In(fpa.Santiago).Year()
	for i, code := range codes {
		if want := fpa.Code(c.Code, year, i+1); code != want {
			t.Fatalf("code %d = %s, want %s (gapless, no duplicates)", i, code, want)
		}
	}
}

func TestCreateTicket_FailureAfterTakingNumberLeavesNoGap(t *testing.T) {
	ctx := context.Background()
	st, _ := seededStore(t)
	c := newTestClinic(t, st)
	now := time.Now()
	create := func(body int, room string) (store.Ticket, error) {
		return st.CreateTicket(ctx, c.Admin, c.ID, store.NewTicket{
			Patient: patient(body), SurgeryID: c.SurgeryID, PavilionEnd: now.Add(-time.Hour), BlockStart: -1, Room: room,
		}, now)
	}
	first, err := create(20_000_001, "")
	if err != nil {
		t.Fatal(err)
	}
	// The room is too long for its CHECK: the insert fails after the counter moved.
	if _, err := create(20_000_002, strings.Repeat("habitación-larga ", 3)); err == nil {
		t.Fatal("an over-long room was accepted")
	}
	second, err := create(20_000_003, "")
	if err != nil {
		t.Fatal(err)
	}
	year := now.In(fpa.Santiago).Year()
	if first.Code != fpa.Code(c.Code, year, 1) || second.Code != fpa.Code(c.Code, year, 2) {
		t.Fatalf("codes %s, %s: the failed creation left a gap", first.Code, second.Code)
	}
}

func TestCreateTicket_YearIsSantiagoYearOfCreation(t *testing.T) {
	ctx := context.Background()
	st, _ := seededStore(t)
	c := newTestClinic(t, st)
	// 31/12/2025 23:30 in Santiago is already 2026 in UTC.
	now := time.Date(2025, 12, 31, 23, 30, 0, 0, fpa.Santiago)
	tk, err := st.CreateTicket(ctx, c.Admin, c.ID, store.NewTicket{
		Patient: patient(20_000_010), SurgeryID: c.SurgeryID, PavilionEnd: now.Add(-2 * time.Hour), BlockStart: -1,
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := fpa.Code(c.Code, 2025, 1); tk.Code != want {
		t.Fatalf("code = %s, want %s", tk.Code, want)
	}
	next := now.Add(time.Hour) // 01/01/2026 00:30: a new year, a new sequence
	tk2, err := st.CreateTicket(ctx, c.Admin, c.ID, store.NewTicket{
		Patient: patient(20_000_011), SurgeryID: c.SurgeryID, PavilionEnd: next.Add(-2 * time.Hour), BlockStart: -1,
	}, next)
	if err != nil {
		t.Fatal(err)
	}
	if want := fpa.Code(c.Code, 2026, 1); tk2.Code != want {
		t.Fatalf("code = %s, want %s", tk2.Code, want)
	}
}

func TestCreateTicket_FPAStoredAsComputed(t *testing.T) {
	ctx := context.Background()
	st, _ := seededStore(t)
	c := newTestClinic(t, st)
	p := time.Date(2025, 11, 3, 15, 45, 0, 0, fpa.Santiago)
	// RULES §2 example: 24 h, proposed 14:00–16:00, the nurse picks 08:00–10:00.
	tk, err := st.CreateTicket(ctx, c.Admin, c.ID, store.NewTicket{
		Patient: patient(20_000_020), SurgeryID: c.SurgeryID, PavilionEnd: p, BlockStart: 8 * 60, Bed: "12B",
	}, p.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2025, 11, 4, 8, 0, 0, 0, fpa.Santiago)
	if !tk.FPA.Equal(want) || !tk.OriginalFPA.Equal(want) || tk.BlockStart != 480 || tk.BlockEnd != 600 || !tk.FPAEnd.Equal(want.Add(2*time.Hour)) {
		t.Fatalf("FPA %v [%d,%d) end %v, original %v", tk.FPA, tk.BlockStart, tk.BlockEnd, tk.FPAEnd, tk.OriginalFPA)
	}
	if tk.SurgeryName != "Apendicectomía" || tk.BaseStayHours != "24.00" || tk.Bed != "12B" || tk.ModificationCount != 0 || tk.Status != "vigente" {
		t.Fatalf("snapshot/fields: %+v", tk)
	}
	// A block that ends when P ends (RULES §2.4 wants it to end after P) cannot be chosen.
	_, err = st.CreateTicket(ctx, c.Admin, c.ID, store.NewTicket{
		Patient: patient(20_000_021), SurgeryID: c.ShortID, PavilionEnd: time.Date(2025, 11, 5, 10, 0, 0, 0, fpa.Santiago), BlockStart: 8 * 60,
	}, p.Add(time.Hour))
	var ie *fpa.InputError
	if !errors.As(err, &ie) {
		t.Fatalf("choosing a past block: err = %v, want an fpa input error", err)
	}
}

func TestCreateTicket_SecondVigenteTicketForPatientRefused(t *testing.T) {
	ctx := context.Background()
	st, _ := seededStore(t)
	c := newTestClinic(t, st)
	now := time.Now()
	nt := store.NewTicket{Patient: patient(20_000_030), SurgeryID: c.SurgeryID, PavilionEnd: now.Add(-time.Hour), BlockStart: -1}
	first, err := st.CreateTicket(ctx, c.Admin, c.ID, nt, now)
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.CreateTicket(ctx, c.Admin, c.ID, nt, now)
	var ae *store.ActiveTicketError
	if !errors.As(err, &ae) || ae.ID != first.ID || ae.Code != first.Code {
		t.Fatalf("err = %v, want ActiveTicketError naming %s", err, first.Code)
	}
}

func TestCreateTicket_OtherClinicsSurgeryOrDoctorRefused(t *testing.T) {
	ctx := context.Background()
	st, _ := seededStore(t)
	c := newTestClinic(t, st)
	other := newTestClinic(t, st)
	now := time.Now()
	_, err := st.CreateTicket(ctx, c.Admin, c.ID, store.NewTicket{
		Patient: patient(20_000_040), SurgeryID: other.SurgeryID, PavilionEnd: now.Add(-time.Hour), BlockStart: -1,
	}, now)
	if !errors.Is(err, store.ErrSurgeryUnavailable) {
		t.Fatalf("other clinic's surgery: %v", err)
	}
	cat, err := st.Catalog(ctx, principalFor(t, st, "admin_prov"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.CreateTicket(ctx, c.Admin, c.ID, store.NewTicket{
		Patient: patient(20_000_041), SurgeryID: c.SurgeryID, DoctorID: cat.Doctors[0].ID, PavilionEnd: now.Add(-time.Hour), BlockStart: -1,
	}, now)
	if !errors.Is(err, store.ErrDoctorUnavailable) {
		t.Fatalf("other clinic's doctor: %v", err)
	}
	// Acting for clinic A while naming clinic B as the target fails under RLS.
	_, err = st.CreateTicket(ctx, c.Admin, other.ID, store.NewTicket{
		Patient: patient(20_000_042), SurgeryID: other.SurgeryID, PavilionEnd: now.Add(-time.Hour), BlockStart: -1,
	}, now)
	if err == nil {
		t.Fatal("created a ticket in another clinic")
	}
}

func TestViewTicket_OtherClinicNotFoundAndViewAudited(t *testing.T) {
	ctx := context.Background()
	st, _ := seededStore(t)
	c := newTestClinic(t, st)
	other := newTestClinic(t, st)
	now := time.Now()
	tk, err := st.CreateTicket(ctx, c.Admin, c.ID, store.NewTicket{
		Patient: patient(20_000_050), SurgeryID: c.SurgeryID, PavilionEnd: now.Add(-time.Hour), BlockStart: -1,
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ViewTicket(ctx, other.Admin, tk.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("other clinic: err = %v, want ErrNotFound", err)
	}
	got, err := st.ViewTicket(ctx, c.Admin, tk.ID)
	if err != nil || got.Code != tk.Code {
		t.Fatalf("own clinic: %v %v", got.Code, err)
	}
	rows, err := st.ActionAudit(ctx, c.Admin, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 || rows[0].Action != "view_ticket" || rows[0].EntityID == nil || *rows[0].EntityID != tk.ID {
		t.Fatalf("newest audit row = %+v, want the view", rows[0])
	}
}

func TestBoard_StatesOrderAndSearch(t *testing.T) {
	ctx := context.Background()
	st, _ := seededStore(t)
	c := newTestClinic(t, st)
	now := time.Now()
	mk := func(body int, p time.Time, name string) store.Ticket {
		in := patient(body)
		in.FirstNames = name
		tk, err := st.CreateTicket(ctx, c.Admin, c.ID, store.NewTicket{Patient: in, SurgeryID: c.SurgeryID, PavilionEnd: p, BlockStart: -1, Bed: fmt.Sprintf("C-%d", body%100)}, now)
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	vencido := mk(20_000_060, now.Add(-72*time.Hour), "Ramón")
	vigente := mk(20_000_061, now.Add(-2*time.Hour), "Íñigo")
	programado := mk(20_000_062, now.Add(48*time.Hour), "Elena")
	page, err := st.Board(ctx, c.Admin, store.BoardFilter{}, now)
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 3 || len(page.Tickets) != 3 {
		t.Fatalf("total %d, rows %d", page.Total, len(page.Tickets))
	}
	order := []string{page.Tickets[0].Code, page.Tickets[1].Code, page.Tickets[2].Code}
	if order[0] != vencido.Code || order[1] != vigente.Code || order[2] != programado.Code {
		t.Fatalf("order %v, want vencido, vigente, programado", order)
	}
	if page.Counts[store.StateVencido] != 1 || page.Counts[store.StateVigente] != 1 || page.Counts[store.StateProgramado] != 1 {
		t.Fatalf("counts %v", page.Counts)
	}
	for _, q := range []struct{ query, rutq, want string }{
		{"inigo", "", vigente.Code},
		{"RAMON gonzález", "", vencido.Code},
		{"20.000.062-" + string(rut.CheckDigit(20_000_062)), rut.Normalize("20.000.062-" + string(rut.CheckDigit(20_000_062))), programado.Code},
		{vigente.Code, "", vigente.Code},
	} {
		page, err := st.Board(ctx, c.Admin, store.BoardFilter{Query: q.query, RUTQuery: q.rutq}, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Tickets) != 1 || page.Tickets[0].Code != q.want {
			t.Errorf("search %q/%q: %d rows", q.query, q.rutq, len(page.Tickets))
		}
	}
	only, err := st.Board(ctx, c.Admin, store.BoardFilter{States: []string{store.StateProgramado}}, now)
	if err != nil || len(only.Tickets) != 1 || only.Tickets[0].Code != programado.Code {
		t.Fatalf("programado filter: %v %d", err, len(only.Tickets))
	}
	// Another clinic's admin sees none of them.
	other := newTestClinic(t, st)
	page, err = st.Board(ctx, other.Admin, store.BoardFilter{States: store.AllStates}, now)
	if err != nil || page.Total != 0 {
		t.Fatalf("other clinic sees %d tickets (%v)", page.Total, err)
	}
}
