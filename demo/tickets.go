package demo

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/rut"
	"github.com/redsalud/ticket-home/store"
)

// wanted is a state and urgency a demo ticket shows on the board at seed time (RULES §6).
type wanted struct {
	State   fpa.State
	Urgency fpa.Urgency
}

func (w wanted) String() string {
	if w.Urgency == fpa.UrgencyNone {
		return w.State.Label()
	}
	return w.State.Label() + " (" + w.Urgency.Label() + ")"
}

// ticketPlan is how many tickets of each derived state and urgency every clinic gets, so that
// at seed time each board shows every state creation can produce.
var ticketPlan = []struct {
	want wanted
	n    int
}{
	{wanted{fpa.Programado, fpa.UrgencyNone}, 2},
	{wanted{fpa.Vigente, fpa.UrgencyNormal}, 3},
	{wanted{fpa.Vigente, fpa.UrgencyAdvertencia}, 2},
	{wanted{fpa.Vigente, fpa.UrgencyCritico}, 2},
	{wanted{fpa.Vigente, fpa.UrgencyEnVentana}, 1},
	{wanted{fpa.Vencido, fpa.UrgencyNone}, 3},
	// Created overdue, then annulled or discharged (RULES §5).
	{wanted{fpa.Anulado, fpa.UrgencyNone}, 1},
	{wanted{fpa.DeAlta, fpa.UrgencyNone}, 1},
}

// createdAs is the state a planned ticket has right after creation: annulled and discharged
// ones start overdue, the usual story of a ticket the ward then closes.
func createdAs(w wanted) wanted {
	if w.State == fpa.Anulado || w.State == fpa.DeAlta {
		return wanted{fpa.Vencido, fpa.UrgencyNone}
	}
	return w
}

// fallback is the state a ticket gets instead when its wanted one cannot exist at now. A
// crítico ticket needs a block starting less than critical_hours after now: with two-hour blocks
// there is none exactly at a block boundary, nor on the night clocks go back (a three-hour
// block 22:00–24:00 then leaves no block start between 22:00 and 23:00).
var fallback = map[wanted]wanted{
	{fpa.Vigente, fpa.UrgencyEnVentana}:   {fpa.Vigente, fpa.UrgencyCritico},
	{fpa.Vigente, fpa.UrgencyCritico}:     {fpa.Vigente, fpa.UrgencyAdvertencia},
	{fpa.Vigente, fpa.UrgencyAdvertencia}: {fpa.Vigente, fpa.UrgencyNormal},
}

// Patient names of the demo (and of the benchmark data). First names are split by sex so
// that sex and name agree; FemaleNames, MaleNames and Surnames are realistic Chilean names.
var (
	FemaleNames = []string{
		"María José", "María Fernanda", "Ana María", "María Paz", "Camila", "Valentina", "Javiera",
		"Constanza", "Catalina", "Francisca", "Daniela", "Carolina", "Macarena", "Claudia",
		"Patricia", "Rosa", "Gloria", "Marcela", "Isidora", "Sofía",
	}
	MaleNames = []string{
		"Juan Pablo", "José Miguel", "Juan Carlos", "Luis Alberto", "Benjamín", "Matías",
		"Sebastián", "Cristóbal", "Diego", "Felipe", "Tomás", "Nicolás", "Francisco", "Rodrigo",
		"Claudio", "Jorge", "Manuel", "Pedro", "Héctor", "Sergio",
	}
	Surnames = []string{
		"González", "Muñoz", "Rojas", "Díaz", "Pérez", "Soto", "Contreras", "Silva", "Martínez",
		"Sepúlveda", "Morales", "Rodríguez", "López", "Fuentes", "Hernández", "Torres", "Araya",
		"Flores", "Espinoza", "Valenzuela", "Castillo", "Tapia", "Reyes", "Gutiérrez", "Castro",
		"Pizarro", "Álvarez", "Vásquez", "Sánchez", "Fernández", "Ramírez", "Carrasco", "Gómez",
		"Cortés", "Herrera", "Núñez", "Jara", "Vergara", "Rivera", "Figueroa",
	}
)

// RUT bodies of demo patients lie in the range of living adults.
const (
	minRUTBody = 5_000_000
	maxRUTBody = 25_000_000
)

// pavilionStep is the grid the pavilion-end search walks, relative to now.
const pavilionStep = 10 * time.Minute

// demoSurgery is a clinic surgery as the search needs it.
type demoSurgery struct {
	ID        int64
	Name      string
	Specialty string
	Rule      fpa.Surgery
}

type demoDoctor struct {
	ID        int64
	Specialty string
}

// clinicData is what planning a clinic's tickets reads from the database.
type clinicData struct {
	Code       string
	Year       int
	Surgeries  []demoSurgery
	Doctors    []demoDoctor
	Blocks     []fpa.Block
	Thresholds fpa.Thresholds
	// AnnulReasonID is the annulment reason the demo uses ("Cirugía suspendida").
	AnnulReasonID int64
}

// plannedTicket is a ticket to create and the state it must show at now.
type plannedTicket struct {
	Want   wanted
	Ticket store.NewTicket
}

// seedTickets creates the demo tickets of every clinic, by its clinical user, at now.
func seedTickets(ctx context.Context, st *store.Store, now time.Time) error {
	for _, name := range ClinicNames {
		if err := seedClinicTickets(ctx, st, fpa.DefaultClinicCode(name), now); err != nil {
			return fmt.Errorf("demo: %s tickets: %w", name, err)
		}
	}
	return nil
}

func seedClinicTickets(ctx context.Context, st *store.Store, code string, now time.Time) error {
	u, err := st.UserByUsername(ctx, "clinico_"+strings.ToLower(code))
	if err != nil {
		return err
	}
	p := u.Principal()
	c, err := loadClinicData(ctx, st, p, code, now)
	if err != nil {
		return err
	}
	plan, err := planTickets(c, now)
	if err != nil {
		return err
	}
	for _, pt := range plan {
		tk, err := st.CreateTicket(ctx, p, p.ClinicID, pt.Ticket, now)
		if err != nil {
			return err
		}
		// The search used the same engine as CreateTicket; a mismatch means they diverged.
		if s, u := tk.State(now); (wanted{s, u}) != createdAs(pt.Want) {
			return fmt.Errorf("ticket %s shows %s, planned %s", tk.Code, wanted{s, u}, createdAs(pt.Want))
		}
		if tk, err = closeTicket(ctx, st, p, c, tk, pt.Want.State, now); err != nil {
			return err
		}
		if s, u := tk.State(now); (wanted{s, u}) != pt.Want {
			return fmt.Errorf("ticket %s shows %s, planned %s", tk.Code, wanted{s, u}, pt.Want)
		}
	}
	return nil
}

// loadClinicData reads the clinic's thresholds, active surgeries, doctors and blocks.
func loadClinicData(ctx context.Context, st *store.Store, p store.Principal, code string, now time.Time) (clinicData, error) {
	clinic, err := st.Clinic(ctx, p, p.ClinicID)
	if err != nil {
		return clinicData{}, err
	}
	cat, err := st.Catalog(ctx, p)
	if err != nil {
		return clinicData{}, err
	}
	c := clinicData{
		Code:       code,
		Year:       now.In(fpa.Santiago).Year(),
		Thresholds: fpa.Thresholds{CriticalHours: clinic.CriticalHours, WarningHours: clinic.WarningHours},
	}
	for _, s := range cat.Surgeries {
		if !s.Active {
			continue
		}
		h, err := strconv.ParseFloat(s.BaseStayHours, 64)
		if err != nil {
			return clinicData{}, fmt.Errorf("surgery %s hours %q: %w", s.Name, s.BaseStayHours, err)
		}
		c.Surgeries = append(c.Surgeries, demoSurgery{ID: s.ID, Name: s.Name, Specialty: s.SpecialtyName,
			Rule: fpa.Surgery{BaseStayHours: h, Ambulatory: s.Ambulatory, CutoffHour: int(s.CutoffHour.Int16)}})
	}
	for _, r := range cat.Reasons {
		if r.Category == store.ReasonAnnulment && r.Name == "Cirugía suspendida" {
			c.AnnulReasonID = r.ID
		}
	}
	for _, d := range cat.Doctors {
		if d.Active {
			c.Doctors = append(c.Doctors, demoDoctor{ID: d.ID, Specialty: d.SpecialtyName})
		}
	}
	err = st.WithTenant(ctx, p, func(tx *store.Tx) error {
		var err error
		c.Blocks, err = tx.ClinicBlocks(ctx, p.ClinicID)
		return err
	})
	return c, err
}

// planTickets decides a clinic's demo tickets at now without touching the database. It is
// deterministic: the random source is seeded from the clinic code, so a given now always gives
// the same tickets. A wanted state that cannot exist at now is replaced by its fallback.
func planTickets(c clinicData, now time.Time) ([]plannedTicket, error) {
	if len(c.Surgeries) == 0 {
		return nil, errors.New("no active surgery")
	}
	h := fnv.New64a()
	h.Write([]byte("ticket-home demo tickets\x00" + c.Code)) // never fails
	rng := rand.New(rand.NewPCG(h.Sum64(), 0x5eed_7c4e7))

	var wants []wanted
	for _, e := range ticketPlan {
		for range e.n {
			wants = append(wants, e.want)
		}
	}
	// Created in shuffled order, so codes do not group by state.
	rng.Shuffle(len(wants), func(i, j int) { wants[i], wants[j] = wants[j], wants[i] })

	noEpisode := map[int]bool{}
	for _, i := range rng.Perm(len(wants))[:2] { // the board's "Sin ID Ep." filter
		noEpisode[i] = true
	}
	episode := 1000 + rng.IntN(8000)
	usedRUT := map[int]bool{}

	out := make([]plannedTicket, 0, len(wants))
	for i, w := range wants {
		for !c.possible(w, now) && fallback[w] != (wanted{}) {
			w = fallback[w]
		}
		s, p, err := c.search(rng, createdAs(w), now)
		if err != nil {
			return nil, err
		}
		nt := store.NewTicket{SurgeryID: s.ID, PavilionEnd: p, BlockStart: -1}
		nt.Patient = randomPatient(rng, s, usedRUT)
		nt.DoctorID = c.pickDoctor(rng, s)
		nt.Room, nt.Bed, nt.Location = randomBed(rng)
		episode += 1 + rng.IntN(60)
		if !noEpisode[i] {
			nt.EpisodeID = fmt.Sprintf("EP-%d-%06d", c.Year, episode)
		}
		out = append(out, plannedTicket{Want: w, Ticket: nt})
	}
	return out, nil
}

// derive returns the state and urgency at now of a ticket for surgery s ending its pavilion at
// p with the proposed block, as CreateTicket would store it.
func (c clinicData) derive(s demoSurgery, p, now time.Time) (wanted, bool) {
	res, err := fpa.Compute(p, s.Rule, c.Blocks)
	if err != nil {
		return wanted{}, false
	}
	st, u := fpa.Derive(fpa.StoredVigente, p, res.Proposed.Start, res.Proposed.Len(), now, c.Thresholds)
	return wanted{st, u}, true
}

// possible reports whether some ticket could show w at now: a Vigente urgency needs an active
// block, on some date, whose start and length give it (the FPA is always a block start). It
// saves walking the whole window when the answer is no; Programado and Vencido always exist.
func (c clinicData) possible(w wanted, now time.Time) bool {
	if w.State != fpa.Vigente {
		return true
	}
	today := fpa.DateOf(now)
	// FPAs that can still be Vigente start at most a block before now and at most
	// warning_hours (≤ 72) after it.
	for day := -1; day <= 4; day++ {
		for _, b := range c.Blocks {
			s := fpa.SlotOn(today.AddDays(day), b)
			if !b.Active || !s.End.After(s.Start) {
				continue
			}
			if st, u := fpa.Derive(fpa.StoredVigente, now, s.Start, s.Len(), now, c.Thresholds); (wanted{st, u}) == w {
				return true
			}
		}
	}
	return false
}

// search finds a surgery and a pavilion end within the RULES §2 window that give the wanted
// state at now. Offsets are not computed by hand: thresholds, norms, the ambulatory rule,
// blocks and DST all move them. Surgeries are tried in random order; for each, the grid of
// pavilion ends (now rounded down to the minute, ± k × 10 min) is walked outwards from a
// random preferred offset, and the first candidate that derives to w wins.
func (c clinicData) search(rng *rand.Rand, w wanted, now time.Time) (demoSurgery, time.Time, error) {
	base := now.Truncate(time.Minute)
	// Farther than the window on either side, so the walk covers all of it.
	limit := int((fpa.PavilionWindowDays + 2) * 24 * time.Hour / pavilionStep)
	for _, i := range rng.Perm(len(c.Surgeries)) {
		s := c.Surgeries[i]
		k0 := preferredStep(rng, w, s.Rule.BaseStay())
		// Only to skip hopeless candidates fast, not to place the ticket: a Vigente ticket
		// has F + block length > now, F is at most three days after R (nextActiveBlock) and R
		// at most max(H, 33 h) after P (the ambulatory morning), so P is less than H + 6 days
		// before now.
		oldest := now.Add(-s.Rule.BaseStay() - 6*24*time.Hour)
		for d := 0; k0+d <= limit || k0-d >= -limit; d++ {
			for j, k := range [2]int{k0 - d, k0 + d} {
				if d == 0 && j == 1 {
					break
				}
				p := base.Add(time.Duration(k) * pavilionStep)
				// RULES §6: Programado exactly when now < P; skip the other side cheaply.
				if (w.State == fpa.Programado) != now.Before(p) || (w.State == fpa.Vigente && p.Before(oldest)) ||
					fpa.ValidatePavilionEnd(p, now) != nil {
					continue
				}
				if got, ok := c.derive(s, p, now); ok && got == w {
					return s, p, nil
				}
			}
		}
	}
	return demoSurgery{}, time.Time{}, fmt.Errorf("no surgery and pavilion end within ±%d days gives %s at %s",
		fpa.PavilionWindowDays, w, fpa.FormatDateTime(now))
}

// preferredStep is where the search starts, in pavilion steps from now: a plausible pavilion
// end for the wanted state, so the tickets look spread out rather than bunched at a boundary.
func preferredStep(rng *rand.Rand, w wanted, stay time.Duration) int {
	steps := func(d time.Duration) int { return int(d / pavilionStep) }
	switch w.State {
	case fpa.Programado: // surgery later today or in the next three days
		return steps(time.Hour) + rng.IntN(steps(72*time.Hour))
	case fpa.Vencido: // the norm ran out some hours or days ago
		return -steps(stay) - steps(2*time.Hour) - rng.IntN(steps(72*time.Hour))
	default: // mid-stay
		return -rng.IntN(max(1, steps(stay)))
	}
}

// randomPatient returns a patient whose sex and age fit the surgery, with a RUT not yet used
// in the clinic.
func randomPatient(rng *rand.Rand, s demoSurgery, used map[int]bool) store.PatientInput {
	name := strings.ToLower(s.Name)
	gynecology := s.Specialty == "Ginecología"
	prostate := strings.Contains(name, "próstata") || strings.Contains(name, "prostat")
	sex := "F"
	if prostate || (!gynecology && rng.IntN(2) == 0) {
		sex = "M"
	}
	var age int
	switch {
	case gynecology:
		age = 25 + rng.IntN(46) // 25–70
	case prostate:
		age = 50 + rng.IntN(36) // 50–85
	case strings.Contains(name, "prótesis"):
		age = 55 + rng.IntN(36) // 55–90
	default:
		age = 18 + rng.IntN(73) // 18–90
	}
	first := FemaleNames[rng.IntN(len(FemaleNames))]
	if sex == "M" {
		first = MaleNames[rng.IntN(len(MaleNames))]
	}
	father := Surnames[rng.IntN(len(Surnames))]
	mother := Surnames[rng.IntN(len(Surnames))]
	for mother == father {
		mother = Surnames[rng.IntN(len(Surnames))]
	}
	// Older people have lower RUT numbers: roughly 22 million at 18, 5 million at 90.
	body := 26_000_000 - age*230_000 + rng.IntN(3_000_001) - 1_500_000
	body = min(max(body, minRUTBody), maxRUTBody)
	for used[body] {
		body++
		if body > maxRUTBody {
			body = minRUTBody
		}
	}
	used[body] = true
	r, err := rut.New(body)
	if err != nil {
		panic(err) // unreachable: the body is within 5–25 million
	}
	return store.PatientInput{RUT: r.Canonical(), FirstNames: first, LastNameFather: father, LastNameMother: mother, Age: age, Sex: sex}
}

// pickDoctor returns a doctor of the surgery's specialty when the clinic has one, otherwise
// most often another of its doctors and sometimes none (the form allows it).
func (c clinicData) pickDoctor(rng *rand.Rand, s demoSurgery) int64 {
	var same []int64
	for _, d := range c.Doctors {
		if d.Specialty == s.Specialty {
			same = append(same, d.ID)
		}
	}
	switch {
	case len(same) > 0:
		return same[rng.IntN(len(same))]
	case len(c.Doctors) == 0 || rng.IntN(4) == 0:
		return 0
	}
	return c.Doctors[rng.IntN(len(c.Doctors))].ID
}

// randomBed returns a room, bed and location: mostly a ward floor, some UPC and Pensionado.
func randomBed(rng *rand.Rand) (room, bed, location string) {
	switch r := rng.IntN(10); {
	case r < 7:
		floor := 2 + rng.IntN(5)
		side := [2]string{"Oriente", "Poniente"}[rng.IntN(2)]
		return strconv.Itoa(floor*100 + 1 + rng.IntN(24)), string(rune('A' + rng.IntN(2))), fmt.Sprintf("Piso %d %s", floor, side)
	case r < 9:
		return strconv.Itoa(1 + rng.IntN(12)), "A", "UPC"
	default:
		return strconv.Itoa(701 + rng.IntN(16)), "A", "Pensionado"
	}
}

// closeTicket annuls or discharges a freshly created overdue ticket when the plan says so.
func closeTicket(ctx context.Context, st *store.Store, p store.Principal, c clinicData, tk store.Ticket, want fpa.State, now time.Time) (store.Ticket, error) {
	ch := store.Change{TicketID: tk.ID, Version: tk.Version}
	switch want {
	case fpa.Anulado:
		return st.AnnulTicket(ctx, p, ch, c.AnnulReasonID, "Cirugía reprogramada por el equipo médico.", now)
	case fpa.DeAlta:
		// Discharged an hour into the FPA block, or just now if that is still ahead.
		d := tk.FPA.Add(time.Hour)
		if d.After(now) {
			d = now.Add(-time.Minute)
		}
		return st.RecordDischarge(ctx, p, ch, d, now)
	}
	return tk, nil
}
