package components

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/rut"
	"github.com/redsalud/ticket-home/store"
)

// csrfHeader is the hx-headers value that sends the CSRF token with every htmx request.
// The token is ours (random base64url), but it is still JSON-encoded, never spliced in.
func csrfHeader(token string) string {
	b, _ := json.Marshal(map[string]string{"X-CSRF-Token": token}) // a map of strings always marshals
	return string(b)
}

// Hours formats a decimal number of hours the es-CL way: "24", "1,5", "0,25".
func Hours(decimal string) string {
	s := decimal
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return strings.Replace(s, ".", ",", 1)
}

// Clock formats minutes from midnight as "HH:MM" ("24:00" for the end of the day).
func Clock(minutes int) string {
	return fmt.Sprintf("%02d:%02d", minutes/60, minutes%60)
}

// BlockLabel formats a discharge block as "08:00–10:00".
func BlockLabel(start, end int) string {
	return Clock(start) + "–" + Clock(end)
}

// RUT formats a canonical RUT for display ("12.345.678-5"); anything unparsable is shown as stored.
func RUT(canonical string) string {
	if canonical == "" {
		return "—"
	}
	r, err := rut.Parse(canonical)
	if err != nil {
		return canonical
	}
	return r.Display()
}

// YesNo is "Sí" or "No".
func YesNo(b bool) string {
	if b {
		return "Sí"
	}
	return "No"
}

// ActiveLabel is the state of a master-data row.
func ActiveLabel(b bool) string {
	if b {
		return "Activo"
	}
	return "Inactivo"
}

// ReasonCategory is the Spanish name of a reason category.
func ReasonCategory(c string) string {
	switch c {
	case store.ReasonModification:
		return "Modificación"
	case store.ReasonAnnulment:
		return "Anulación"
	}
	return c
}

func statusText(status int) string { return fmt.Sprintf("%d", status) }

// iapHref is the IAP sign-in link, carrying where to go afterwards.
func iapHref(next string) string {
	if next == "" {
		return "/login/iap"
	}
	return "/login/iap?next=" + url.QueryEscape(next)
}

// DateInputValue is a date as a native date field takes it (aaaa-mm-dd): what was typed, in
// either form, when it is a date; else as typed (the field then shows it empty, and the
// message beside it says why).
func DateInputValue(v string) string {
	d, err := fpa.ParseDate(v)
	if err != nil {
		return v
	}
	return d.ISO()
}
