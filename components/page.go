// Package components holds Ticket Home's templ views. Components take a props struct and never
// query anything; Spanish wording of the screens lives here.
package components

import "github.com/redsalud/ticket-home/store"

// Page is what every full page needs besides its own content.
type Page struct {
	Title   string
	Path    string // current path, for aria-current in the navigation
	User    *UserView
	Flash   string
	CSRF    string
	Nonce   string
	Version string
}

// UserView is the signed-in user as the header shows them.
type UserView struct {
	store.Principal
	ClinicName string // the user's clinic, or the superuser's chosen one; "" = all
}

// NavItem is one entry of the main navigation.
type NavItem struct {
	Href  string
	Label string
}

// Nav lists the navigation entries the principal may use (RULES §9). Entries appear only when
// their page exists, so nobody is shown a link that answers 404.
func Nav(p store.Principal) []NavItem {
	items := []NavItem{{"/tablero", "Tablero"}}
	if p.IsAdmin() {
		items = append(items, NavItem{"/panel", "Panel"})
	}
	if p.CanWrite() {
		items = append(items, NavItem{"/tickets/nuevo", "Nuevo ticket"})
	}
	items = append(items, NavItem{"/catalogo", "Catálogo"})
	if p.IsAdmin() {
		items = append(items, NavItem{"/usuarios", "Usuarios"}, NavItem{"/auditoria", "Auditoría"})
	}
	if p.IsSuperuser() {
		items = append(items, NavItem{"/clinicas", "Clínicas"})
	}
	return append(items, NavItem{"/cuenta/contrasena", "Mi contraseña"})
}
