package components

import (
	"database/sql"
	"testing"

	"github.com/redsalud/ticket-home/store"
)

func TestAuditDetails_ChangesAndValuesInSpanish(t *testing.T) {
	for _, tc := range []struct {
		e    store.AuditEntry
		want string
	}{
		{store.AuditEntry{Kind: "action", Details: `{"before":{"name":"Uro","active":true},"after":{"name":"Urología","active":true}}`}, "nombre: Uro → Urología"},
		{store.AuditEntry{Kind: "action", TicketCode: "TH-PROV-2026-001", Details: `{"code":"TH-PROV-2026-001","fpa":"2026-12-05T22:00:00-03:00"}`}, "FPA: 05/12/2026 22:00"},
		{store.AuditEntry{Kind: "action", Details: `{"before":{"critical_hours":6,"warning_hours":24,"discharge_capacity":4},"after":{"critical_hours":6,"warning_hours":24,"discharge_capacity":6}}`}, "capacidad de altas por bloque: 4 → 6"},
		{store.AuditEntry{Kind: "login", Details: `{"method":"password","reason":"bad_password"}`}, "Con contraseña · contraseña incorrecta"},
		{store.AuditEntry{Kind: "action", Details: `{}`}, ""},
		{store.AuditEntry{Kind: "action", Details: `not json`}, ""},
	} {
		if got := AuditDetails(tc.e); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.e.Details, got, tc.want)
		}
	}
	if got := AuditRecord(store.AuditEntry{Kind: "action", Entity: "surgery", EntityID: sql.NullInt64{Int64: 7, Valid: true}}); got != "Cirugía n.º 7" {
		t.Errorf("record: %q", got)
	}
}
