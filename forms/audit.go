package forms

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/components"
	"github.com/redsalud/ticket-home/fpa"
	"github.com/redsalud/ticket-home/rut"
	"github.com/redsalud/ticket-home/store"
)

// The audit log's filters: POSTed, since a patient's RUT never goes into a URL (RULES §11).

var ticketCodePattern = regexp.MustCompile(`^TH-[A-Z]{2,6}-[0-9]{4}-[0-9]{3,9}$`)

// ReadAuditFilter copies the audit log's filter form and the page asked for.
func ReadAuditFilter(c *fiber.Ctx) (components.AuditFilterValues, components.Errors) {
	var errs components.Errors
	return components.AuditFilterValues{
		From: Text(c, &errs, "desde", "desde"), To: Text(c, &errs, "hasta", "hasta"),
		User: Text(c, &errs, "usuario", "usuario"), Action: Text(c, &errs, "tipo", "tipo"),
		Code: strings.ToUpper(Text(c, &errs, "codigo", "codigo")), RUT: Text(c, &errs, "rut", "rut"),
		Page: Text(c, &errs, "pagina", "pagina"),
	}, errs
}

// ValidateAuditFilter returns the store's filter, the page and the problems. actions are the
// action types the form offers.
func ValidateAuditFilter(v components.AuditFilterValues, refused components.Errors, actions []string) (store.AuditFilter, int, components.Errors) {
	errs := slices.Clone(refused)
	var f store.AuditFilter
	var from, to fpa.Date
	if v.From != "" {
		d, err := fpa.ParseDate(v.From)
		if err != nil {
			errs.Add("desde", err.Error())
		}
		from, f.From = d, d.At(0)
	}
	if v.To != "" {
		d, err := fpa.ParseDate(v.To)
		if err != nil {
			errs.Add("hasta", err.Error())
		}
		to, f.To = d, d.AddDays(1).At(0)
	}
	if v.From != "" && v.To != "" && len(errs) == 0 && to.Compare(from) < 0 {
		errs.Add("hasta", MsgRangeReversed)
	}
	if v.User != "" {
		if id, ok := ID(v.User); ok {
			f.UserID = id
		} else {
			errs.Add("usuario", MsgUserFilter)
		}
	}
	if v.Action != "" {
		if !slices.Contains(actions, v.Action) {
			errs.Add("tipo", MsgActionFilter)
		}
		f.Action = v.Action
	}
	if v.Code != "" {
		if !ticketCodePattern.MatchString(v.Code) {
			errs.Add("codigo", MsgTicketCode)
		}
		f.TicketCode = v.Code
	}
	if v.RUT != "" {
		if r, err := rut.Parse(v.RUT); err != nil {
			errs.Add("rut", err.Error())
		} else {
			f.PatientRUT = r.Canonical()
		}
	}
	page := 1 // a page that is not a number (only a tampered form sends one) is the first
	if n, err := strconv.Atoi(v.Page); err == nil && n > 1 {
		page = n
	}
	return f, page, errs
}
