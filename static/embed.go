// Package static embeds the CSS, JavaScript and images served under /static/, and names them
// with a content hash so they can be cached for a year.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"sync"
)

// FS holds the files served under /static/.
//
//go:embed css/app.css js/*.js img/*
var FS embed.FS

var (
	hashesOnce sync.Once
	hashes     map[string]string
)

// Path returns the URL of an embedded file with a content-hash query, so a changed file gets
// a new URL and browsers may cache every URL forever.
func Path(name string) string {
	hashesOnce.Do(func() {
		hashes = map[string]string{}
		_ = fs.WalkDir(FS, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := FS.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			hashes[p] = hex.EncodeToString(sum[:6])
			return nil
		})
	})
	if h, ok := hashes[name]; ok {
		return "/static/" + name + "?v=" + h
	}
	return "/static/" + name
}
