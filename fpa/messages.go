package fpa

// User-facing messages (es-CL) produced by this package live here so the
// wording stays consistent (STYLE: one messages file per package).
const (
	msgDateEmpty    = "Ingrese la fecha."
	msgDateFormat   = "Fecha inválida: use el formato dd/mm/aaaa."
	msgDateNotExist = "La fecha %s no existe."
	msgYearRange    = "El año debe estar entre %d y %d."
	msgTimeEmpty    = "Ingrese la hora."
	msgTimeFormat   = "Hora inválida: use el formato HH:MM (24 horas)."
	msgTimeGap      = "La hora %s del %s no existe en Chile (cambio de horario)."

	msgPavilionMissing = "Ingrese la fecha y hora de fin de pabellón."
	msgPavilionTooOld  = "El fin de pabellón no puede ser anterior al %s (máximo 30 días atrás)."
	msgPavilionTooLate = "El fin de pabellón no puede ser posterior al %s (máximo 30 días adelante)."

	msgModificationTooLate = "La nueva FPA no puede ser posterior al %s (180 días después del fin de pabellón)."

	msgBaseStay            = "La estadía base debe ser mayor que 0 y no superar 2160 horas."
	msgCutoffRange         = "La hora de corte ambulatoria debe estar entre 0 y 23."
	msgCutoffNotAmbulatory = "La hora de corte solo aplica a cirugías ambulatorias."

	msgNoBlocks          = "Debe existir al menos un bloque horario."
	msgBlockRange        = "El bloque %s no es válido: debe comenzar antes de terminar, entre 00:00 y 24:00."
	msgBlocksUnsorted    = "Los bloques deben estar ordenados por hora de inicio."
	msgBlocksOverlap     = "Los bloques %s y %s se superponen."
	msgNoActiveBlock     = "Debe quedar al menos un bloque horario activo."
	msgBlockNotFound     = "No existe un bloque horario que comience a las %s."
	msgBlockInactive     = "El bloque %s no está activo."
	msgBlockInGap        = "El bloque %s no existe el %s por el cambio de horario."
	msgBlockBeforeP      = "El bloque %s del %s debe terminar después del fin de pabellón (%s)."
	msgCriticalPositive  = "El umbral crítico debe ser mayor que 0 horas."
	msgCriticalBelowWarn = "El umbral crítico debe ser menor que el umbral de advertencia."
	msgWarningMax        = "El umbral de advertencia no puede superar 72 horas."

	fpaSeparator = ", entre "
	fpaAnd       = " y "
)
