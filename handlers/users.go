package handlers

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/redsalud/ticket-home/components"
	"github.com/redsalud/ticket-home/forms"
	"github.com/redsalud/ticket-home/password"
	"github.com/redsalud/ticket-home/store"
)

// The users' administration (RULES §9): /usuarios lists, /usuarios/nuevo creates,
// /usuarios/{id} edits, /usuarios/{id}/estado deactivates or reactivates; /cuenta/contrasena
// is every user's own "Cambiar contraseña".

// showUsers lists the users the principal administers.
func (h *Handler) showUsers(c *fiber.Ctx) error {
	takeFlash(c)
	return h.renderUsers(c, fiber.StatusOK, nil)
}

func (h *Handler) renderUsers(c *fiber.Ctx, status int, refused components.Errors) error {
	st := state(c)
	p := st.principal
	users, err := h.store.Users(c.UserContext(), p)
	if err != nil {
		return err
	}
	props := components.UsersProps{Page: h.page(c, "Usuarios"), Users: users, Me: p, ClinicName: st.clinicName, Refused: refused}
	if p.IsSuperuser() {
		if props.Clinics, err = h.store.Clinics(c.UserContext(), p.InAllClinics()); err != nil {
			return err
		}
		props.Selected = "todas"
		if !p.AllClinics {
			props.Selected = strconv.FormatInt(p.ClinicID, 10)
		}
	}
	return render(c, status, components.Users(props))
}

// userProps is the form's page for user id (0: a new one).
func (h *Handler) userProps(c *fiber.Ctx, id int64) (components.UserEditProps, error) {
	st := state(c)
	p := st.principal
	props := components.UserEditProps{Page: h.page(c, "Nuevo usuario"), Heading: "Nuevo usuario", Action: "/usuarios/nuevo",
		New: id == 0, Roles: components.RoleOptions(p), ClinicName: st.clinicName}
	if id != 0 {
		props.Page = h.page(c, "Editar usuario")
		props.Heading, props.Action = "Editar usuario", "/usuarios/"+strconv.FormatInt(id, 10)
	}
	if p.IsSuperuser() {
		props.ClinicName = ""
		clinics, err := h.store.Clinics(c.UserContext(), p.InAllClinics())
		if err != nil {
			return props, err
		}
		for _, cl := range clinics {
			props.Clinics = append(props.Clinics, components.Option{Value: strconv.FormatInt(cl.ID, 10), Label: cl.Name})
		}
	}
	return props, nil
}

func userValues(u store.ListedUser) components.UserValues {
	v := components.UserValues{Username: u.Username, Email: u.Email, Role: string(u.Role)}
	if u.ClinicID != 0 {
		v.Clinic = strconv.FormatInt(u.ClinicID, 10)
	}
	return v
}

// showUser is the form of a new user or of an existing one the principal may manage.
func (h *Handler) showUser(c *fiber.Ctx) error {
	id, err := rowID(c)
	if err != nil {
		return err
	}
	p := state(c).principal
	props, err := h.userProps(c, id)
	if err != nil {
		return err
	}
	if id == 0 {
		if !p.AllClinics {
			props.Values.Clinic = strconv.FormatInt(p.ClinicID, 10)
		}
		return render(c, fiber.StatusOK, components.UserEdit(props))
	}
	u, err := h.store.ManagedUser(c.UserContext(), p, id)
	if err != nil {
		return err
	}
	if !p.CanManage(u.Role) && u.ID != p.UserID {
		return fiber.ErrForbidden
	}
	props.Values, props.Version, props.Self = userValues(u), u.Version, u.ID == p.UserID
	return render(c, fiber.StatusOK, components.UserEdit(props))
}

// saveUser creates or edits a user: 303 to the list; problems at their fields (422), a
// form opened on an old version (409).
func (h *Handler) saveUser(c *fiber.Ctx) error {
	id, err := rowID(c)
	if err != nil {
		return err
	}
	ch, err := forms.RowEdit(c, id)
	if err != nil {
		return err
	}
	p := state(c).principal
	props, err := h.userProps(c, id)
	if err != nil {
		return err
	}
	v, refused := forms.ReadUser(c)
	in, pw, errs := forms.ValidateUser(v, refused, id == 0, p.IsSuperuser())
	if in.Role.Valid() && !p.CanManage(in.Role) && id != p.UserID {
		errs.Add("rol", forms.MsgRoleNotAllowed)
	}
	v.Password, v.Confirm = "", ""
	props.Values, props.Version, props.Self = v, ch.Version, id == p.UserID
	status := fiber.StatusUnprocessableEntity
	if len(errs) == 0 {
		if pw != "" {
			if in.PasswordHash, err = password.Hash(pw, password.Default); err != nil {
				return err
			}
		}
		_, err = h.store.SaveUser(c.UserContext(), p, ch, in)
		switch {
		case err == nil:
			h.flash(c, "Usuario "+in.Username+" guardado.")
			return h.seeOther(c, "/usuarios")
		case errors.Is(err, store.ErrNotFound):
			return fiber.ErrNotFound
		case errors.Is(err, store.ErrRoleNotAllowed):
			return fiber.ErrForbidden
		case errors.Is(err, store.ErrSelf):
			errs.Add("rol", msgOwnRole)
		case errors.Is(err, store.ErrLastAdmin):
			errs.Add("rol", msgLastAdmin)
		case errors.Is(err, store.ErrLastSuperuser):
			errs.Add("rol", msgLastSuperuser)
		case errors.Is(err, store.ErrConflict):
			cur, err := h.store.ManagedUser(c.UserContext(), p, id)
			if err != nil {
				return err
			}
			status, props.Version = fiber.StatusConflict, cur.Version
			props.Conflict = &components.Conflict{Subject: "este usuario", DiscardHref: props.Action,
				DiscardLabel: "Descartar mi cambio y ver el usuario como está guardado", Rows: []components.ConflictRow{
					{Label: "Usuario", Current: cur.Username, Typed: v.Username},
					{Label: "Correo", Current: components.OrDash(cur.Email), Typed: components.OrDash(v.Email)},
					{Label: "Rol", Current: cur.Role.Label(), Typed: store.Role(v.Role).Label()},
				}}
		default:
			var ce *store.ConstraintError
			if !errors.As(err, &ce) || ce.Kind != "unique" {
				return err
			}
			if ce.Constraint == "users_email_key" {
				errs.Add("correo", forms.MsgEmailTaken)
			} else {
				errs.Add("usuario", forms.MsgUsernameTaken)
			}
		}
	}
	if id != 0 && status != fiber.StatusConflict {
		if _, err := h.store.ManagedUser(c.UserContext(), p, id); err != nil {
			return err // another clinic's user: 404, not a form
		}
	}
	props.Errors = errs
	return render(c, status, components.UserEdit(props))
}

// setUserActive deactivates (activo=0) or reactivates (activo=1) a user. Refusals (oneself,
// the last admin or superuser) answer the list with the reason (409).
func (h *Handler) setUserActive(c *fiber.Ctx) error {
	id, err := rowID(c)
	if err != nil || id == 0 {
		return fiber.ErrNotFound
	}
	active, err := forms.Activo(c)
	if err != nil {
		return err
	}
	changed, err := h.store.SetUserActive(c.UserContext(), state(c).principal, id, active)
	refuse := func(msg string) error {
		return h.renderUsers(c, fiber.StatusConflict, components.Errors{{Field: "usuarios", Msg: msg}})
	}
	switch {
	case errors.Is(err, store.ErrRoleNotAllowed):
		return fiber.ErrForbidden
	case errors.Is(err, store.ErrSelf):
		return refuse(msgDeactivateSelf)
	case errors.Is(err, store.ErrLastAdmin):
		return refuse(msgLastAdmin)
	case errors.Is(err, store.ErrLastSuperuser):
		return refuse(msgLastSuperuser)
	case err != nil:
		return err
	}
	msg := map[bool]string{true: "Usuario reactivado.", false: "Usuario desactivado: sus sesiones terminan en su siguiente acción."}[active]
	if !changed {
		msg = map[bool]string{true: "El usuario ya estaba activo.", false: "El usuario ya estaba desactivado."}[active]
	}
	h.flash(c, msg)
	return h.seeOther(c, "/usuarios")
}

// showOwnPassword is "Cambiar contraseña".
func (h *Handler) showOwnPassword(c *fiber.Ctx) error {
	takeFlash(c)
	u, err := h.store.UserByID(c.UserContext(), state(c).principal.UserID)
	if err != nil {
		return err
	}
	return render(c, fiber.StatusOK, components.OwnPassword(components.OwnPasswordProps{
		Page: h.page(c, "Cambiar contraseña"), IAPOnly: u.PasswordHash == ""}))
}

// changeOwnPassword checks the current password and sets the new one.
func (h *Handler) changeOwnPassword(c *fiber.Ctx) error {
	p := state(c).principal
	f := forms.ReadOwnPassword(c)
	errs := f.Validate()
	u, err := h.store.UserByID(c.UserContext(), p.UserID)
	if err != nil {
		return err
	}
	if u.Version != p.UserVersion {
		return store.ErrPrincipalChanged
	}
	props := components.OwnPasswordProps{Page: h.page(c, "Cambiar contraseña"), IAPOnly: u.PasswordHash == ""}
	if props.IAPOnly {
		return render(c, fiber.StatusUnprocessableEntity, components.OwnPassword(props))
	}
	if f.Current != "" {
		if ok, err := password.Verify(f.Current, u.PasswordHash); err != nil || !ok {
			errs = append(components.Errors{{Field: "actual", Msg: forms.MsgCurrentPasswordWrong}}, errs...)
		}
	}
	if len(errs) == 0 {
		hash, err := password.Hash(f.New, password.Default)
		if err != nil {
			return err
		}
		if err := h.store.ChangeOwnPassword(c.UserContext(), p, hash); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return store.ErrPrincipalChanged
			}
			return err
		}
		h.flash(c, "Contraseña cambiada.")
		return h.seeOther(c, "/cuenta/contrasena")
	}
	props.Errors = errs
	return render(c, fiber.StatusUnprocessableEntity, components.OwnPassword(props))
}
