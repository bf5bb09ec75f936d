package components

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/store"
)

// AuditFilterValues is the audit log's filter form as typed.
type AuditFilterValues struct {
	From, To, User, Action, Code, RUT, Page string
}

// AuditProps is the audit log page ("Auditoría").
type AuditProps struct {
	Page
	Filter     AuditFilterValues
	Errors     Errors
	Log        store.AuditLog
	ClinicName string // "" when a superuser looks at every clinic
	Filtered   bool
}

// auditActions are the action types of the audit log with their Spanish names, in the order
// the filter offers them.
var auditActions = []Option{
	{"login", "Inicio de sesión (correcto o fallido)"},
	{"logout", "Cierre de sesión"},
	{"view_ticket", "Vista de ticket"},
	{"create_ticket", "Creación de ticket"},
	{"modify_fpa", "Modificación de FPA"},
	{"annul_ticket", "Anulación"},
	{"revert_annulment", "Reversión de anulación"},
	{"record_discharge", "Registro de alta"},
	{"undo_discharge", "Alta deshecha"},
	{"edit_location", "Cambio de cama o ubicación"},
	{"edit_patient", "Corrección de datos del paciente"},
	{"print_ticket", "Impresión de la programación del alta"},
	{"export_tickets", "Exportación del tablero a Excel"},
	{"export_shift", "Impresión de la lista del turno"},
	{"export_dashboard", "Exportación del panel"},
	{"export_audit", "Exportación de auditoría"},
	{"create_user", "Creación de usuario"},
	{"edit_user", "Cambio de usuario"},
	{"deactivate_user", "Usuario desactivado"},
	{"reactivate_user", "Usuario reactivado"},
	{"change_own_password", "Cambio de la propia contraseña"},
	{"create_specialty", "Especialidad creada"},
	{"edit_specialty", "Especialidad editada"},
	{"deactivate_specialty", "Especialidad desactivada"},
	{"reactivate_specialty", "Especialidad reactivada"},
	{"create_surgery", "Cirugía creada"},
	{"edit_surgery", "Cirugía editada"},
	{"deactivate_surgery", "Cirugía desactivada"},
	{"reactivate_surgery", "Cirugía reactivada"},
	{"create_doctor", "Médico creado"},
	{"edit_doctor", "Médico editado"},
	{"deactivate_doctor", "Médico desactivado"},
	{"reactivate_doctor", "Médico reactivado"},
	{"create_reason", "Razón creada"},
	{"edit_reason", "Razón editada"},
	{"deactivate_reason", "Razón desactivada"},
	{"reactivate_reason", "Razón reactivada"},
	{"deactivate_discharge_block", "Bloque de alta desactivado"},
	{"reactivate_discharge_block", "Bloque de alta reactivado"},
	{"edit_thresholds", "Umbrales y capacidad"},
	{"create_clinic", "Clínica creada"},
	{"create_default_blocks", "Bloques de alta iniciales"},
}

// AuditActions are the action types the audit log's filter accepts.
func AuditActions() []string {
	out := make([]string, len(auditActions))
	for i, a := range auditActions {
		out[i] = a.Value
	}
	return out
}

// ActionLabel is the Spanish name of an audited action.
func ActionLabel(action string) string {
	if action == "login_failed" {
		return "Inicio de sesión fallido"
	}
	if action == "login" {
		return "Inicio de sesión"
	}
	if i := slices.IndexFunc(auditActions, func(o Option) bool { return o.Value == action }); i >= 0 {
		return auditActions[i].Label
	}
	return action
}

// loginReasons say in Spanish why a sign-in failed.
var loginReasons = map[string]string{
	"bad_password":      "contraseña incorrecta",
	"unknown_user":      "usuario inexistente",
	"inactive":          "cuenta o clínica desactivada",
	"throttled":         "bloqueado por demasiados intentos",
	"no_password":       "la cuenta no tiene contraseña",
	"invalid_assertion": "credencial de Google no válida",
	"form_expired":      "formulario vencido",
	"error":             "error del servidor",
}

// AuditRecord names the record an entry is about: a ticket's code, or the kind and id.
func AuditRecord(e store.AuditEntry) string {
	switch {
	case e.TicketCode != "":
		return e.TicketCode
	case e.Kind == "login":
		return ""
	case e.EntityID.Valid:
		return entityLabel(e.Entity) + " n.º " + strconv.FormatInt(e.EntityID.Int64, 10)
	}
	return entityLabel(e.Entity)
}

func entityLabel(entity string) string {
	switch entity {
	case "ticket":
		return "Ticket"
	case "patient":
		return "Paciente"
	case "user":
		return "Usuario"
	case "clinic":
		return "Clínica"
	case "specialty":
		return "Especialidad"
	case "surgery":
		return "Cirugía"
	case "doctor":
		return "Médico"
	case "reason":
		return "Razón"
	case "discharge_block":
		return "Bloque de alta"
	case "audit":
		return "Auditoría"
	case "board":
		return "Tablero"
	case "dashboard":
		return "Panel"
	}
	return entity
}

// AuditDetails is an entry's details as one line: for a change, each value that changed as
// "campo: antes → después"; for a sign-in, its method and why it failed; else "campo: valor".
func AuditDetails(e store.AuditEntry) string {
	var m map[string]any
	if json.Unmarshal([]byte(e.Details), &m) != nil || len(m) == 0 {
		return ""
	}
	if e.Kind == "login" {
		method, reason := fmt.Sprint(m["method"]), fmt.Sprint(m["reason"])
		s := "Con " + map[string]string{"password": "contraseña", "iap": "Google (IAP)"}[method]
		if r, ok := loginReasons[reason]; ok {
			s += " · " + r
		} else if reason != "" && reason != "<nil>" {
			s += " · " + reason
		}
		return s
	}
	before, okB := m["before"].(map[string]any)
	after, okA := m["after"].(map[string]any)
	var parts []string
	if okB && okA {
		for _, k := range sortedKeys(after) {
			if b, a := valueText(before[k]), valueText(after[k]); b != a {
				parts = append(parts, detailKey(k)+": "+b+" → "+a)
			}
		}
		return strings.Join(parts, "; ")
	}
	for _, k := range sortedKeys(m) {
		if k == "code" && e.TicketCode != "" {
			continue // the record already says it
		}
		if v := valueText(m[k]); v != "" && v != "—" {
			parts = append(parts, detailKey(k)+": "+v)
		}
	}
	return strings.Join(parts, "; ")
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func valueText(v any) string {
	switch v := v.(type) {
	case nil:
		return "—"
	case bool:
		return YesNo(v)
	case string:
		if v == "" {
			return "—"
		}
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			if t.IsZero() {
				return "—"
			}
			return fpa.FormatDateTime(t)
		}
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// detailKey is a detail's key in Spanish where it has a known name.
func detailKey(k string) string {
	if l, ok := map[string]string{
		"name": "nombre", "Name": "nombre", "active": "activo", "role": "rol", "email": "correo",
		"username": "usuario", "clinic_id": "clínica", "password_changed": "contraseña cambiada",
		"BaseStayHours": "horas base", "Ambulatory": "ambulatoria", "CutoffHour": "hora de corte",
		"SpecialtyID": "especialidad", "FirstName": "nombres", "LastName": "apellidos", "RUT": "RUT",
		"Category": "categoría", "critical_hours": "umbral crítico", "warning_hours": "umbral de advertencia",
		"code": "código", "block": "bloque", "fpa": "FPA", "pavilion_end": "fin de pabellón",
		"proposed_block": "bloque propuesto", "surgery": "cirugía", "from": "desde", "to": "hasta",
		"user_id": "usuario", "action": "tipo", "ticket_code": "código de ticket", "patient_rut": "RUT",
		"rows": "filas", "category": "categoría", "discharge_capacity": "capacidad de altas por bloque",
	}[k]; ok {
		return l
	}
	return k
}

// auditUserOptions are the users the filter offers.
func (p AuditProps) userOptions() []Option {
	out := make([]Option, len(p.Log.Users))
	for i, u := range p.Log.Users {
		label := u.Username
		if p.ClinicName == "" && u.ClinicName != "" {
			label += " (" + u.ClinicName + ")"
		}
		out[i] = Option{Value: strconv.FormatInt(u.ID, 10), Label: label}
	}
	return out
}
