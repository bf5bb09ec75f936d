package store

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/redsalud/ticket-home/fpa"
)

// ClinicCatalog is one clinic's master data at one catalog version: the clinic (its
// thresholds) and every specialty, surgery, doctor, block and reason, active or not. It is
// shared by every request of the instance that reads the same version, so nobody may change
// it: read it, copy what you need.
type ClinicCatalog struct {
	Clinic  Clinic
	Version int64
	Catalog
	// Derived once: the FPA engine's blocks, surgeries by id, and the board's filter choices.
	blocks         []fpa.Block
	surgeries      map[int64]int // index into Surgeries
	specialtyNames []string
	surgeryNames   []string
}

// FPABlocks are the clinic's discharge blocks as the FPA engine takes them.
func (c *ClinicCatalog) FPABlocks() []fpa.Block { return c.blocks }

// ActiveSurgery is surgery id if it is active, of an active specialty.
func (c *ClinicCatalog) ActiveSurgery(id int64) (Surgery, bool) {
	i, ok := c.surgeries[id]
	if !ok || !c.Surgeries[i].Active || !c.specialtyActive(c.Surgeries[i].SpecialtyID) {
		return Surgery{}, false
	}
	return c.Surgeries[i], true
}

// ComputeFPA is the FPA a ticket for surgery id ending its pavilion at pavilionEnd gets with
// this catalog (RULES §2): ErrSurgeryUnavailable for a surgery that is not active here.
func (c *ClinicCatalog) ComputeFPA(surgeryID int64, pavilionEnd time.Time) (fpa.Result, error) {
	res, _, err := c.computeFPA(surgeryID, pavilionEnd)
	return res, err
}

func (c *ClinicCatalog) computeFPA(surgeryID int64, pavilionEnd time.Time) (fpa.Result, surgeryForFPA, error) {
	g, ok := c.ActiveSurgery(surgeryID)
	if !ok {
		return fpa.Result{}, surgeryForFPA{}, ErrSurgeryUnavailable
	}
	sg := surgeryForFPA{ID: g.ID, Name: g.Name, SpecialtyName: g.SpecialtyName, BaseStayHours: g.BaseStayHours,
		Ambulatory: g.Ambulatory, CutoffHour: g.CutoffHour}
	rule, err := sg.rule()
	if err != nil {
		return fpa.Result{}, sg, err
	}
	res, err := fpa.Compute(pavilionEnd, rule, c.blocks)
	return res, sg, err
}

func (c *ClinicCatalog) specialtyActive(id int64) bool {
	for _, s := range c.Specialties {
		if s.ID == id {
			return s.Active
		}
	}
	return false
}

// ActiveDoctor reports whether doctor id is one of the clinic's active doctors.
func (c *ClinicCatalog) ActiveDoctor(id int64) bool {
	for _, d := range c.Doctors {
		if d.ID == id {
			return d.Active
		}
	}
	return false
}

// Reasons of one category ("modification" or "annulment") that are active.
func (c *ClinicCatalog) ActiveReasons(category string) []Reason {
	var out []Reason
	for _, r := range c.Reasons {
		if r.Active && r.Category == category {
			out = append(out, r)
		}
	}
	return out
}

// versionCache keeps, for each clinic, the last value read and the version of the clinic it
// was read at (catalog_version; for the board, board_version and catalog_version). An entry is
// good for a transaction whose app_enter returned the same version: a change on any instance
// bumps the version in the database, and the next request anywhere reads the value again.
type versionCache[V comparable, T any] struct {
	mu sync.RWMutex
	m  map[int64]versioned[V, T]
}

type versioned[V comparable, T any] struct {
	version V
	value   *T
}

func (c *versionCache[V, T]) get(clinicID int64, version V) *T {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if e, ok := c.m[clinicID]; ok && e.version == version {
		return e.value
	}
	return nil
}

func (c *versionCache[V, T]) put(clinicID int64, version V, v *T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[int64]versioned[V, T]{}
	}
	c.m[clinicID] = versioned[V, T]{version, v}
}

// boardKey is what a board's active tickets depend on: the tickets and patients
// (board_version) and the master data, thresholds and doctors' names included (catalog_version).
type boardKey struct{ board, catalog int64 }

const catalogVersionSQL = `SELECT catalog_version FROM clinics WHERE id = $1`

// ClinicCatalog is the master data of clinic id as this transaction sees it: from the cache
// when its version is the one the transaction entered with (no statement at all), else read
// now and cached. Another clinic's is ErrNotFound.
func (t *Tx) ClinicCatalog(ctx context.Context, id int64) (*ClinicCatalog, error) {
	version := t.catalogVersion
	if t.p.AllClinics || t.p.system || id != t.p.ClinicID {
		// Entered for every clinic: the version of this one is read first.
		if err := t.tx.GetContext(ctx, &version, catalogVersionSQL, id); err != nil {
			return nil, notFound(err, "store: catalog version")
		}
	}
	if cc := t.s.catalogs.get(id, version); cc != nil {
		return cc, nil
	}
	cc := &ClinicCatalog{Version: version}
	if err := t.tx.GetContext(ctx, &cc.Clinic, clinicColumns+` WHERE id = $1`, id); err != nil {
		return nil, notFound(err, "store: catalog clinic")
	}
	for _, q := range []struct {
		dst any
		sql string
	}{
		{&cc.Specialties, catalogSpecialtiesSQL},
		{&cc.Surgeries, catalogSurgeriesSQL},
		{&cc.Doctors, catalogDoctorsSQL},
		{&cc.Catalog.Blocks, catalogBlocksSQL},
		{&cc.Reasons, catalogReasonsSQL},
	} {
		if err := t.tx.SelectContext(ctx, q.dst, q.sql, id); err != nil {
			return nil, fmt.Errorf("store: catalog: %w", err)
		}
	}
	cc.derive()
	t.s.catalogs.put(id, version, cc)
	return cc, nil
}

// NewClinicCatalog makes a clinic's catalog from its rows (the store reads them; a test may
// write them).
func NewClinicCatalog(clinic Clinic, version int64, cat Catalog) *ClinicCatalog {
	cc := &ClinicCatalog{Clinic: clinic, Version: version, Catalog: cat}
	cc.derive()
	return cc
}

func (cc *ClinicCatalog) derive() {
	cc.blocks = make([]fpa.Block, len(cc.Catalog.Blocks))
	for i, b := range cc.Catalog.Blocks {
		cc.blocks[i] = fpa.Block{ID: b.ID, Start: b.StartMinute, End: b.EndMinute, Active: b.Active}
	}
	cc.surgeries = make(map[int64]int, len(cc.Surgeries))
	for i, s := range cc.Surgeries {
		cc.surgeries[s.ID] = i
		if s.Active {
			cc.surgeryNames = append(cc.surgeryNames, s.Name)
		}
	}
	for _, s := range cc.Specialties {
		if s.Active {
			cc.specialtyNames = append(cc.specialtyNames, s.Name)
		}
	}
	for _, names := range []*[]string{&cc.surgeryNames, &cc.specialtyNames} {
		slices.Sort(*names)
		*names = slices.Compact(*names)
	}
}
