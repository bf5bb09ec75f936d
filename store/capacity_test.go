package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/internal/testapp"
	"github.com/redsalud/ticket-home/store"
)

// RULES §1c: a slot's planned discharges are the clinic's vigente tickets whose current FPA is
// the slot's start, the ticket being modified left out; the capacity is read with them.
func TestSlotLoad_CountsTheClinicsVigenteTicketsInTheSlot(t *testing.T) {
	ctx := context.Background()
	st, _ := seededStore(t)
	c := newTestClinic(t, st)
	other := newTestClinic(t, st)
	now := time.Now()
	create := func(c testClinic, body int, surgery int64) store.Ticket {
		t.Helper()
		tk, err := st.CreateTicket(ctx, c.Admin, c.ID, store.NewTicket{
			Patient: patient(body), SurgeryID: surgery, PavilionEnd: now.Add(-2 * time.Hour), BlockStart: -1,
		}, now)
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	a := create(c, 22_000_001, c.SurgeryID)
	create(c, 22_000_002, c.SurgeryID)
	annulled := create(c, 22_000_003, c.SurgeryID)
	if _, err := st.AnnulTicket(ctx, c.Admin, store.Change{TicketID: annulled.ID, Version: annulled.Version}, reasonID(t, st, c, "annulment"), "", now); err != nil {
		t.Fatal(err)
	}
	short := create(c, 22_000_004, c.ShortID) // a stay of one hour: another slot
	create(other, 22_000_005, other.SurgeryID)
	slot := a.FPA
	if short.FPA.Equal(slot) {
		t.Fatal("the short stay is in the same slot")
	}
	next := slot.Add(2 * time.Hour)

	load := func() store.SlotLoad {
		t.Helper()
		f, err := st.TicketForm(ctx, c.Admin, c.ID, "", func(*store.ClinicCatalog) []time.Time { return []time.Time{slot, next} })
		if err != nil {
			t.Fatal(err)
		}
		return f.Load
	}
	if l := load(); l.Capacity != 4 || l.Planned(slot) != 2 || l.Planned(next) != 0 || l.Full(slot) {
		t.Fatalf("default capacity: capacity %d, planned %d and %d, full %v", l.Capacity, l.Planned(slot), l.Planned(next), l.Full(slot))
	}
	// The capacity is read with the count, whatever the catalog cache holds.
	if _, err := testapp.AdminDB(t).ExecContext(ctx, `UPDATE clinics SET discharge_capacity = 2 WHERE id = $1`, c.ID); err != nil {
		t.Fatal(err)
	}
	if l := load(); l.Capacity != 2 || !l.Full(slot) || l.Full(next) {
		t.Fatalf("capacity 2: capacity %d, full %v and %v", l.Capacity, l.Full(slot), l.Full(next))
	}
	// The ticket being modified is not one of the slot's others.
	err := st.WithTenant(ctx, c.Admin, func(tx *store.Tx) error {
		l, err := tx.SlotLoadForTest(ctx, c.ID, []time.Time{slot}, a.ID)
		if err == nil && l.Planned(slot) != 1 {
			t.Errorf("without the modified ticket: %d planned, want 1", l.Planned(slot))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// The modification's preview counts the slot it would move to.
	pv, err := st.PreviewModification(ctx, c.Admin, short.ID, store.ModifyInput{Date: fpa.DateOf(slot), BlockStart: a.BlockStart})
	if err != nil {
		t.Fatal(err)
	}
	if !pv.Slot.Start.Equal(slot) || pv.Load.Planned(slot) != 2 || !pv.Load.Full(slot) {
		t.Fatalf("modification preview: slot %v, planned %d, full %v", pv.Slot.Start, pv.Load.Planned(slot), pv.Load.Full(slot))
	}
}
