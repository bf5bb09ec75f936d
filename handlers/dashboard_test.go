package handlers_test

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// Every card of the dashboard opens the board with exactly the number it shows, whatever the
// search the user typed on the board before; visualizadores and clinical users have no
// dashboard.
func TestDashboard_CardsLeadToBoardsWithThatCount(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	c.login("admin_prov")
	c.search("zzz-nadie", nil) // a search that would empty the board
	resp := c.get("/panel")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /panel = %d", resp.StatusCode)
	}
	d := doc(t, resp)
	cards := d.Find("a.dash-card")
	if cards.Length() != 9 {
		t.Fatalf("%d cards, want 9", cards.Length())
	}
	nonZero := 0
	cards.Each(func(_ int, s *goquery.Selection) {
		label := s.Find(".dash-label").Text()
		want, _ := strconv.Atoi(s.Find(".dash-num").Text())
		if want > 0 {
			nonZero++
		}
		href, _ := s.Attr("href")
		title := strings.Fields(doc(t, c.get(href)).Find("#resultados-titulo").Text())
		if len(title) == 0 {
			t.Errorf("%s: no board at %s", label, href)
			return
		}
		if got, _ := strconv.Atoi(title[0]); got != want {
			t.Errorf("%s shows %d, its board %d (%s)", label, want, got, href)
		}
	})
	if nonZero < 3 {
		t.Errorf("only %d cards count anything on the demo data", nonZero)
	}
	// The export: the same numbers as a workbook, audited.
	download(t, c, "/panel/exportar", xlsxType, regexpOf(`^attachment; filename="panel_PROV_`))
	if e.count(t, `SELECT count(*) FROM action_audit WHERE action = 'export_dashboard'`) < 1 {
		t.Error("the dashboard's export is not audited")
	}
	// A bad date: the message at the field, nothing counted.
	resp = c.get("/panel?desde=31%2F02%2F2026")
	if resp.StatusCode != http.StatusUnprocessableEntity || doc(t, resp).Find("#desde-error").Length() == 0 {
		t.Fatalf("bad date: %d", resp.StatusCode)
	}
	for _, u := range []string{"clinico_prov", "visor_prov"} {
		o := e.client(t)
		o.login(u)
		if r := o.get("/panel"); r.StatusCode != http.StatusForbidden && r.StatusCode != http.StatusNotFound {
			t.Errorf("%s: /panel = %d", u, r.StatusCode)
		}
	}
}

func regexpOf(s string) *regexp.Regexp { return regexp.MustCompile(s) }
