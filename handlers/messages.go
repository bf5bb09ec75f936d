package handlers

import "strconv"

// Messages produced in Go and shown to users, in one place so wording stays consistent.
const (
	msgBadCredentials   = "Usuario o contraseña incorrectos."
	msgLoginRequired    = "Por favor inicie sesión para acceder a esta página."
	msgSessionExpired   = "Su sesión expiró. Inicie sesión nuevamente para continuar."
	msgLoginFormExpired = "La página de inicio de sesión estuvo abierta demasiado tiempo. Ingrese nuevamente su contraseña."
	msgLoggedOut        = "Sesión cerrada."
	msgLastAdmin        = "Es el último administrador activo de su clínica: no puede dejar de serlo ni desactivarse. Nombre antes a otro administrador."
	msgLastSuperuser    = "Es el último superusuario activo: no puede dejar de serlo ni desactivarse. Nombre antes a otro superusuario."
	msgOwnRole          = "Nadie cambia su propio rol ni su clínica: pídaselo a otro administrador."
	msgDeactivateSelf   = "No puede desactivar su propia cuenta: pídaselo a otro administrador."
	msgHasModifications = "La FPA de este ticket ya fue modificada: el fin de pabellón y la cirugía ya no se corrigen; los cambios se hacen con Modificar FPA."
	msgChooseClinic     = "Elija una clínica de la lista."
	msgSameClinic       = "Elija una clínica de destino distinta de la de origen."
	msgPlanChanged      = "Los datos maestros cambiaron desde que se mostró la lista: revise lo que se agregará ahora y vuelva a copiar."
	msgLastActiveBlock  = "No se puede desactivar el último bloque horario activo: la clínica necesita al menos uno para calcular la FPA. Active otro bloque antes."
	msgTooManyAttempts  = "Demasiados intentos de inicio de sesión. Espere unos minutos antes de volver a intentarlo."
	msgLoginWait        = "Demasiados intentos fallidos. Espere %s antes de volver a intentarlo."
	msgIAPNotAllowed    = "Su cuenta de Google no tiene acceso a Ticket Home. Solicítelo al administrador de su clínica."

	msgNotFoundTitle    = "Página no encontrada"
	msgNotFound         = "La página o el registro que busca no existe, o no pertenece a su clínica."
	msgForbiddenTitle   = "Acceso denegado"
	msgForbidden        = "Su rol no permite realizar esta acción."
	msgCSRFTitle        = "Solicitud no válida"
	msgCSRF             = "No pudimos verificar el formulario (puede haber expirado). Recargue la página e inténtelo de nuevo; lo que escribió no se guardó."
	msgServerTitle      = "Ocurrió un error"
	msgServer           = "No pudimos completar la solicitud. Inténtelo de nuevo en unos minutos; si el problema persiste, avise a soporte indicando el código de la solicitud."
	msgMethodTitle      = "Acción no permitida"
	msgMethod           = "Esta dirección no admite esa acción."
	msgTooManyTitle     = "Demasiados intentos"
	msgBadRequest       = "La solicitud no es válida."
	msgUnavailableTitle = "Servicio no disponible"
	msgUnavailable      = "El servicio no está disponible en este momento. Inténtelo de nuevo en unos segundos; si estaba enviando un formulario, no se guardó."
	msgTooLargeTitle    = "Solicitud demasiado grande"
	msgTooLarge         = "El formulario enviado es demasiado grande. Acorte el texto e inténtelo de nuevo."
)

// Ticket creation.
const (
	msgTicketCreated        = "Ticket %s creado."
	msgPatientHasActive     = "Este paciente ya tiene un ticket vigente en la clínica."
	msgPreviewNeedsSurgery  = "Elija la cirugía e ingrese el fin de pabellón para calcular la FPA."
	msgPreviewNeedsPavilion = "Ingrese la fecha y la hora de fin de pabellón para calcular la FPA."
	msgAmbulatoryRule       = "Cirugía ambulatoria terminada antes de las %02d:00: el alta es desde las 08:00 del día siguiente (%s)."
	// A submit whose screen showed another FPA (or none): nothing is saved until it is seen.
	msgPreviewOutdated = "La FPA que se guardaría no es la que mostraba la pantalla. Revise la FPA calculada y, si es correcta, vuelva a enviar."
)

// Discharge capacity (RULES §1c): the create and modify forms warn, never refuse.
const msgThresholdsSaved = "Umbrales y capacidad guardados."

// msgSlotFull is the warning of a slot that already holds planned discharges at or above the
// clinic's capacity per block.
func msgSlotFull(planned, capacity int) string {
	what := " altas planificadas"
	if planned == 1 {
		what = " alta planificada"
	}
	return "Bloque con " + strconv.Itoa(planned) + what + "; capacidad " + strconv.Itoa(capacity) + "."
}

// Board.
const (
	msgDateRangeInverted = "La fecha «hasta» debe ser igual o posterior a «desde»."
)

// Ticket lifecycle.
const (
	msgAlreadyApplied    = "Este cambio ya estaba registrado."
	msgFPAModified       = "FPA modificada exitosamente."
	msgTicketAnnulled    = "Ticket %s anulado exitosamente."
	msgAnnulReverted     = "Anulación revertida: el ticket %s está vigente nuevamente."
	msgDischargeRecorded = "Alta registrada."
	msgDischargeUndone   = "Alta deshecha: el ticket está vigente nuevamente."
	msgTicketUpdated     = "Ticket actualizado exitosamente."
	msgNotActive         = "El ticket ya no está vigente: esta acción no está disponible."
	msgNotAnnulled       = "El ticket no está anulado."
	msgNotDischarged     = "El ticket no tiene un alta registrada."
	msgOtherVigente      = "El paciente tiene otro ticket vigente: no se puede reactivar este."
	msgUndoExpired       = "Solo se puede deshacer un alta durante las 24 horas siguientes a su registro."
	msgLocked            = "La habitación, la cama y la ubicación no se pueden cambiar en un ticket dado de alta o anulado."
	msgSameFPA           = "La nueva FPA debe ser distinta de la actual."
	msgDischargeBeforeP  = "El alta debe ser posterior al fin de pabellón (%s)."
	msgDischargeInFuture = "El alta no puede estar en el futuro."
	msgStaleTyped        = "Otra persona cambió este ticket: revise los datos actuales."
)

// Patient edit.
const msgRUTTaken = "Otro paciente de la clínica ya tiene ese RUT."

// An annulled ticket has no printed sheet.
const msgAnnulledSheetTitle = "Ticket anulado"

func msgAnnulledSheet(code string) string {
	return "El ticket " + code + " está anulado: no tiene programación del alta que imprimir."
}

// The shift sheet is a ward's list.
const msgShiftTooLongTitle = "Lista del turno demasiado larga"

func msgShiftTooLong(max int) string {
	return "La lista del turno imprime hasta " + strconv.Itoa(max) + " pacientes. Acote los filtros del tablero (por ejemplo, la ubicación o el estado) y vuelva a imprimirla; la planilla Excel no tiene ese límite."
}
