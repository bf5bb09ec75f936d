package handlers_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/redsalud/ticket-home/fpa"
)

// TestRacingSubmits_OneAppliesTheOthersGetTheConflictView sends the same ticket form from
// several tabs at once (same version, different form keys, different values): exactly one
// change applies; every other submit gets the 409 conflict view, never a 500 (a deadlock).
func TestRacingSubmits_OneAppliesTheOthersGetTheConflictView(t *testing.T) {
	e := newEnv(t)
	const tabs = 4
	for _, name := range []string{"modify", "annul", "discharge", "location", "revert", "undo"} {
		a := actions[name]
		t.Run(name, func(t *testing.T) {
			for round := range 3 {
				tk := ticketBy(t, e, "admin_prov")
				if a.prep != nil {
					tk = a.prep(t, e, tk)
				}
				c := e.client(t)
				c.login("admin_prov")
				tok := c.pageCSRF("/tablero")
				var cookie []string
				for k, v := range c.cookies {
					cookie = append(cookie, k+"="+v)
				}
				forms := make([]url.Values, tabs)
				for i := range forms {
					f := a.form(t, e, tk)
					f.Set("_csrf", tok)
					f.Set("version", fmt.Sprint(tk.Version))
					f.Set("clave", key())
					switch name {
					case "modify":
						f.Set("fecha", fpa.DateOf(tk.FPA).AddDays(i+1).String())
					case "location":
						f.Set("cama", fmt.Sprintf("R%d-%d", round, i))
					}
					forms[i] = f
				}
				statuses := make([]int, tabs)
				bodies := make([]string, tabs)
				var wg sync.WaitGroup
				start := make(chan struct{})
				for i := range forms {
					wg.Add(1)
					go func() {
						defer wg.Done()
						req := httpPost(fmt.Sprintf("/tickets/%d%s", tk.ID, a.path), forms[i].Encode())
						req.Header.Set("Cookie", strings.Join(cookie, "; "))
						<-start
						resp, err := e.app.Test(req, -1)
						if err != nil {
							statuses[i] = -1
							bodies[i] = err.Error()
							return
						}
						defer resp.Body.Close()
						b, _ := io.ReadAll(resp.Body)
						statuses[i], bodies[i] = resp.StatusCode, string(b)
					}()
				}
				close(start)
				wg.Wait()
				applied := 0
				for i, st := range statuses {
					switch st {
					case http.StatusSeeOther:
						applied++
					case http.StatusConflict:
						if !strings.Contains(bodies[i], `id="conflicto"`) {
							t.Errorf("tab %d: 409 without the conflict view", i)
						}
						// Every form says why the same way (one refusal path).
						if !strings.Contains(bodies[i], "Otra persona cambió este ticket") {
							t.Errorf("tab %d: 409 without the message that someone else changed the ticket", i)
						}
					default:
						t.Errorf("tab %d: status %d, want 303 or 409", i, st)
					}
				}
				if applied != 1 {
					t.Fatalf("round %d: %d submits applied, want exactly 1 (statuses %v)", round, applied, statuses)
				}
				status, version, _ := e.ticketStatus(t, tk.ID)
				if status != a.status || version != tk.Version+1 {
					t.Fatalf("round %d: database has %s v%d, want %s v%d", round, status, version, a.status, tk.Version+1)
				}
				if name == "modify" {
					if n := e.count(t, `SELECT count(*) FROM fpa_modifications WHERE ticket_id = $1`, tk.ID); n != 1 {
						t.Fatalf("round %d: %d modification rows, want 1", round, n)
					}
				}
			}
		})
	}
}
