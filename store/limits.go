package store

// Text limits of RULES §8b, in characters: the schema's CHECKs hold the same numbers (a test
// compares them), and forms and pages take them from here.
const (
	MaxName         = 100  // patients' names
	MaxLocationText = 40   // room, bed, location, episode id
	MaxNote         = 1000 // justifications, annulment and revert notes
)
