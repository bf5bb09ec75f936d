package forms

import (
	"fmt"

	"github.com/redsalud/ticket-home/fpa"
)

// The messages of field problems, in Spanish as users read them.
const (
	MsgBadCharacters        = "Contiene caracteres no permitidos."
	MsgNameCharacters       = "Use solo letras, espacios, apóstrofos, guiones y puntos."
	MsgFirstNamesRequired   = "Ingrese los nombres del paciente."
	MsgLastNameRequired     = "Ingrese el apellido paterno del paciente."
	MsgAge                  = "La edad debe ser un número entero entre 0 y 130."
	MsgSex                  = "Elija Femenino, Masculino u Otro."
	MsgSurgeryRequired      = "Elija la cirugía."
	MsgSurgeryUnavailable   = "La cirugía elegida no está disponible en esta clínica. Elija otra."
	MsgDoctorUnavailable    = "El médico elegido no está disponible en esta clínica. Elija otro."
	MsgBlockNotOffered      = "El rango horario elegido no está disponible para esta FPA. Elija uno de la lista."
	MsgBlockRequired        = "Elija el rango horario de alta."
	MsgReasonRequired       = "Elija una razón de la lista."
	MsgJustificationMissing = "Escriba la justificación del cambio."
	MsgNoteRequired         = "Escriba el motivo."
	MsgLoginMissing         = "Ingrese su usuario y su contraseña."
	MsgLoginBadCharacters   = "El usuario contiene caracteres no permitidos."
	msgTooLong              = "%s no puede superar %d caracteres."

	// Master data.
	MsgSpecialtyNameMissing    = "Escriba el nombre de la especialidad."
	MsgSurgeryNameMissing      = "Escriba el nombre de la cirugía."
	MsgReasonNameMissing       = "Escriba la razón."
	MsgSpecialtyRequired       = "Elija una especialidad de la lista."
	MsgSpecialtyUnavailable    = "La especialidad elegida no está activa en esta clínica. Elija otra."
	MsgHoursMissing            = "Escriba las horas base de estadía."
	MsgHoursRange              = "Las horas base deben ser un número mayor que 0 y hasta 2160, con hasta dos decimales (por ejemplo 36 o 2,5)."
	MsgCutoffRequired          = "Elija la hora de corte (0 a 23): es obligatoria para una cirugía ambulatoria."
	MsgDoctorFirstNamesMissing = "Escriba los nombres del médico."
	MsgDoctorLastNamesMissing  = "Escriba los apellidos del médico."
	MsgReasonCategory          = "Elija si la razón es de modificación o de anulación."
	MsgCriticalRange           = "Las horas de umbral crítico deben ser un número entero entre 1 y 71."
	MsgWarningRange            = "Las horas de umbral de advertencia deben ser un número entero entre 2 y 72."
	MsgWarningAfterCritical    = "El umbral de advertencia debe ser mayor que el crítico."
	MsgCapacityRange           = "La capacidad debe ser un número entero entre 1 y 50."
	MsgSpecialtyTaken          = "Ya existe una especialidad con ese nombre en esta clínica (sin distinguir mayúsculas ni tildes)."
	MsgSurgeryTaken            = "Ya existe una cirugía con ese nombre en esta clínica (sin distinguir mayúsculas ni tildes)."
	MsgDoctorTaken             = "Ya existe un médico con ese nombre en esta clínica (sin distinguir mayúsculas ni tildes)."
	MsgDoctorRUTTaken          = "Ya existe un médico con ese RUT en esta clínica."
	// Clinics and the superuser allow-list.
	MsgClinicNameMissing = "Escriba el nombre de la clínica."
	MsgClinicCode        = "El código debe tener de 2 a 6 letras de la A a la Z, sin tildes (por ejemplo VALP)."
	MsgClinicCodeTaken   = "Otra clínica ya usa ese código."
	MsgClinicNameTaken   = "Ya existe una clínica con ese nombre."
	MsgClinicCodeLocked  = "El código ya no puede cambiar: la clínica tiene tickets y sus códigos lo llevan."
	MsgEmailMissing      = "Escriba el correo."
	MsgEmailAllowed      = "Ese correo ya está en la lista."

	// The audit log's filters.
	MsgRangeReversed = "La fecha final es anterior a la inicial."
	MsgUserFilter    = "Elija un usuario de la lista."
	MsgActionFilter  = "Elija un tipo de registro de la lista."
	MsgTicketCode    = "Escriba un código de ticket completo, por ejemplo TH-PROV-2026-001."

	// Users and passwords.
	MsgUsername               = "Use de 3 a 40 caracteres: letras minúsculas sin tildes, números, puntos, guiones o guiones bajos."
	MsgEmail                  = "Escriba un correo válido, por ejemplo nombre@redsalud.cl."
	MsgRoleRequired           = "Elija un rol de la lista."
	MsgRoleNotAllowed         = "Usted no puede dar ese rol ni administrar usuarios con él: solo un superusuario crea o promueve administradores y superusuarios."
	MsgUserClinicRequired     = "Elija la clínica del usuario."
	MsgUsernameTaken          = "Ese nombre de usuario ya existe. Elija otro."
	MsgEmailTaken             = "Ese correo ya pertenece a otro usuario."
	MsgPasswordMissing        = "Escriba la contraseña."
	MsgPasswordShort          = "La contraseña debe tener al menos 12 caracteres. Una frase de varias palabras es una buena contraseña."
	MsgPasswordLong           = "La contraseña no puede superar 128 caracteres."
	MsgPasswordCommon         = "Esa contraseña es de las primeras que se prueban al atacar una cuenta. Elija otra."
	MsgPasswordMismatch       = "La confirmación no coincide con la contraseña."
	MsgCurrentPasswordMissing = "Escriba su contraseña actual."
	MsgCurrentPasswordWrong   = "La contraseña actual no es correcta."
	MsgPasswordUnchanged      = "La nueva contraseña debe ser distinta de la actual."
	MsgReasonTaken            = "Ya existe una razón de esa categoría con ese nombre en esta clínica (sin distinguir mayúsculas ni tildes)."
)

// Messages of texts over their limits.
var (
	MsgFirstNamesTooLong = fmt.Sprintf("Los nombres no pueden superar %d caracteres.", MaxName)
	MsgLastNameTooLong   = fmt.Sprintf("El apellido no puede superar %d caracteres.", MaxName)
	MsgJustificationLong = fmt.Sprintf("La justificación no puede superar %d caracteres.", MaxNote)
	MsgNoteLong          = fmt.Sprintf("La nota no puede superar %d caracteres.", MaxNote)
	MsgSearchTooLong     = TooLong("La búsqueda", MaxSearch)
	// MsgLimitReached says the ticket already had every modification RULES §4 allows.
	MsgLimitReached = fmt.Sprintf("Se alcanzó el límite de %d modificaciones de FPA.", fpa.MaxModifications)
)

// TooLong says what (capitalised, with its article: "La cama") is over max characters.
func TooLong(what string, max int) string { return fmt.Sprintf(msgTooLong, what, max) }
