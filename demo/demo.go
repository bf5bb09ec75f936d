// Package demo loads the demonstration data of a local installation: the nine RedSalud
// clinics with their master data and sign-ins. It never runs in production.
package demo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/password"
	"github.com/redsalud/ticket-home/rut"
	"github.com/redsalud/ticket-home/store"
)

// Password is the password of every demo user. It is public, so demo users exist only locally.
const Password = "ticket-home-demo"

// SuperuserName is the demo global superuser's username.
const SuperuserName = "superadmin"

// ClinicNames are the clinics of the network, in the order the demo creates them.
var ClinicNames = []string{
	"Clínica RedSalud Iquique", "Clínica RedSalud Elqui", "Clínica RedSalud Valparaíso",
	"Clínica RedSalud Providencia", "Clínica RedSalud Santiago", "Clínica RedSalud Vitacura",
	"Clínica RedSalud Rancagua", "Clínica RedSalud Mayor Temuco", "Clínica RedSalud Magallanes",
}

type surgery struct {
	name       string
	hours      string
	ambulatory bool
	cutoff     int
}

var specialties = []struct {
	name      string
	surgeries []surgery
}{
	{"Cirugía General", []surgery{
		{"Apendicectomía laparoscópica", "24", false, 0},
		{"Colecistectomía laparoscópica", "48", true, 14},
		{"Hernioplastía inguinal", "12", true, 12},
	}},
	{"Ginecología", []surgery{
		{"Histerectomía abdominal", "72", false, 0},
		{"Histerectomía laparoscópica", "36", false, 0},
		{"Legrado uterino", "6", true, 14},
	}},
	{"Traumatología", []surgery{
		{"Artroscopia de rodilla", "8", true, 16},
		{"Prótesis total de cadera", "96", false, 0},
		{"Osteosíntesis de tobillo", "48", false, 0},
	}},
	{"Urología", []surgery{
		{"Cistoscopía diagnóstica", "1.5", true, 16},
		{"Resección transuretral de próstata", "48", false, 0},
		{"Prostatectomía radical", "72", false, 0},
	}},
}

var doctors = []struct {
	first, last string
	specialty   int // index into specialties
	rutBody     int
}{
	{"Carolina", "Fuentes Araya", 0, 12345678},
	{"Paula", "Morales Cárdenas", 1, 13579246},
	{"Rodrigo", "Valenzuela Soto", 2, 9876543},
	{"Andrés", "Ibáñez Rivas", 3, 10864297},
}

var reasons = []struct{ category, name string }{
	{"modification", "Complicación postoperatoria"},
	{"modification", "Evolución clínica favorable"},
	{"modification", "Pendiente de exámenes o interconsulta"},
	{"modification", "Indicación del médico tratante"},
	{"modification", "Solicitud del paciente o su familia"},
	{"annulment", "Cirugía suspendida"},
	{"annulment", "Error de registro"},
	{"annulment", "Traslado a otro centro"},
	{"annulment", "Paciente duplicado"},
}

// Roles of the three demo users of each clinic, with their username prefixes.
var clinicUsers = []struct {
	prefix string
	role   store.Role
}{
	{"admin", store.RoleAdmin},
	{"clinico", store.RoleClinical},
	{"visor", store.RoleViewer},
}

// ErrProduction is returned when asked to create known-password users outside local.
var ErrProduction = errors.New("demo: refusing to create users with a known password outside the local environment")

// Sign-in is one demo account, as printed by `make run`.
type SignIn struct {
	Username string
	Role     store.Role
	Clinic   string
}

// SignIns lists every demo account.
func SignIns() []SignIn {
	out := []SignIn{{SuperuserName, store.RoleSuperuser, "todas"}}
	for _, name := range ClinicNames {
		code := strings.ToLower(fpa.DefaultClinicCode(name))
		for _, u := range clinicUsers {
			out = append(out, SignIn{u.prefix + "_" + code, u.role, name})
		}
	}
	return out
}

// Seed loads the demo data into an empty database. local must be true: demo users have a
// published password. Demo tickets are created at now, with pavilion ends relative to it.
func Seed(ctx context.Context, st *store.Store, local bool, now time.Time) error {
	if !local {
		return ErrProduction
	}
	empty, err := st.Empty(ctx)
	if err != nil {
		return err
	}
	if !empty {
		return errors.New("demo: the database already has clinics; demo data loads only into an empty database")
	}
	// One hash for every demo user: they share a published password anyway, and hashing
	// 28 times would only slow every fresh start.
	hash, err := password.Hash(Password, password.Default)
	if err != nil {
		return err
	}
	suID, err := st.CreateSuperuser(ctx, store.NewUser{Username: SuperuserName, PasswordHash: hash})
	if err != nil {
		return fmt.Errorf("demo: superuser: %w", err)
	}
	u, err := st.UserByID(ctx, suID)
	if err != nil {
		return fmt.Errorf("demo: superuser: %w", err)
	}
	su := u.Principal()
	for _, name := range ClinicNames {
		if err := st.WithTenant(ctx, su, func(tx *store.Tx) error { return seedClinic(ctx, tx, name, hash) }); err != nil {
			return fmt.Errorf("demo: %s: %w", name, err)
		}
	}
	return seedTickets(ctx, st, now)
}

func seedClinic(ctx context.Context, tx *store.Tx, name, hash string) error {
	code := fpa.DefaultClinicCode(name)
	clinicID, err := tx.CreateClinic(ctx, name, code)
	if err != nil {
		return err
	}
	specIDs := make([]int64, len(specialties))
	for i, sp := range specialties {
		if specIDs[i], err = tx.CreateSpecialty(ctx, clinicID, sp.name); err != nil {
			return err
		}
		for _, s := range sp.surgeries {
			if _, err := tx.CreateSurgery(ctx, clinicID, store.NewSurgery{
				SpecialtyID: specIDs[i], Name: s.name, BaseStayHours: s.hours, Ambulatory: s.ambulatory, CutoffHour: s.cutoff,
			}); err != nil {
				return err
			}
		}
	}
	for i, d := range doctors {
		// Vary the RUT per clinic so the same doctor data does not look copied across clinics.
		body := d.rutBody + int(clinicID)*101 + i
		if _, err := tx.CreateDoctor(ctx, clinicID, store.NewDoctor{
			FirstName: d.first, LastName: d.last, SpecialtyID: specIDs[d.specialty],
			RUT: fmt.Sprintf("%d-%c", body, rut.CheckDigit(body)),
		}); err != nil {
			return err
		}
	}
	if err := tx.CreateDefaultBlocks(ctx, clinicID); err != nil {
		return err
	}
	for _, r := range reasons {
		if _, err := tx.CreateReason(ctx, clinicID, r.category, r.name); err != nil {
			return err
		}
	}
	for _, u := range clinicUsers {
		if _, err := tx.CreateUser(ctx, store.NewUser{
			ClinicID: clinicID, Username: u.prefix + "_" + strings.ToLower(code), PasswordHash: hash, Role: u.role,
		}); err != nil {
			return err
		}
	}
	return nil
}
