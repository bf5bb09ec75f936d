package handlers_test

import (
	"database/sql"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/redsalud/ticket-home/iap"
	"github.com/redsalud/ticket-home/iap/iaptest"
	"github.com/redsalud/ticket-home/internal/testapp"
)

const (
	iapAudience        = "/projects/1/global/backendServices/2"
	iapIssuer          = "https://cloud.google.com/iap"
	iapAssertionHeader = "X-Goog-IAP-JWT-Assertion"
	iapRefusal         = "Su cuenta de Google no tiene acceso a Ticket Home."
)

// iapEnv is a server under test with IAP sign-in on: the real verifier, fetching real ES256
// keys from a real JWKS server, in front of the real handlers on the seeded database.
type iapEnv struct {
	*env
	signer *iaptest.Signer // IAP's signing key, published in the key set the verifier trusts
}

func newIAPEnv(t *testing.T) *iapEnv {
	t.Helper()
	signer := iaptest.NewSigner(t, "iap-key-1")
	keys := iaptest.NewKeyServer(t, signer)
	v, err := iap.New(t.Context(), iap.Config{JWKSURL: keys.URL(), Audience: iapAudience, Issuer: iapIssuer})
	if err != nil {
		t.Fatal(err)
	}
	s := testapp.New(t, testapp.Options{IAP: v, Env: map[string]string{"IAP_AUDIENCE": iapAudience}})
	return &iapEnv{env: &env{app: s.App, st: s.Store, adminURL: s.AdminURL, db: testapp.AdminDB(t), clock: s.Clock}, signer: signer}
}

// iapClaims are the claims of the assertion IAP would send now for email.
func iapClaims(email string) jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{
		"email": email,
		"sub":   "accounts.google.com:" + email,
		"aud":   iapAudience,
		"iss":   iapIssuer,
		"iat":   now.Add(-time.Minute).Unix(),
		"exp":   now.Add(9 * time.Minute).Unix(),
	}
}

// assertion is a valid IAP assertion for email.
func (e *iapEnv) assertion(t testing.TB, email string) string {
	t.Helper()
	return e.signer.Sign(t, iapClaims(email))
}

// getWith sends a GET with extra headers, as IAP forwards it. The User-Agent names the test,
// so the login_audit rows of this request can be told from any other's.
func (c *client) getWith(path string, header map[string]string) *http.Response {
	c.t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("User-Agent", "iap-test "+c.t.Name())
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return c.do(req)
}

// loginAuditRow is one login_audit row as the IAP tests check it.
type loginAuditRow struct {
	Username string
	UserID   sql.NullInt64
	ClinicID sql.NullInt64
	Method   string
	Success  bool
	Reason   string
}

// loginAudits returns the login_audit rows written for requests of the running test.
func (e *env) loginAudits(t testing.TB) []loginAuditRow {
	t.Helper()
	rows, err := e.db.Query(`
		SELECT username, user_id, clinic_id, method, success, reason
		FROM login_audit WHERE user_agent = $1 ORDER BY id`, "iap-test "+t.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []loginAuditRow
	for rows.Next() {
		var r loginAuditRow
		if err := rows.Scan(&r.Username, &r.UserID, &r.ClinicID, &r.Method, &r.Success, &r.Reason); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// scan reads one row as the database superuser.
func (e *env) scan(t testing.TB, query string, args []any, dest ...any) {
	t.Helper()
	if err := e.db.QueryRow(query, args...).Scan(dest...); err != nil {
		t.Fatalf("%s: %v", strings.Join(strings.Fields(query), " "), err)
	}
}

// userWithEmail gives a demo user (who has none) the e-mail of their Google account and
// returns their id and clinic.
func (e *env) userWithEmail(t testing.TB, username, email string) (id, clinic int64) {
	t.Helper()
	e.sql(t, `UPDATE users SET email = $1 WHERE username = $2`, email, username)
	e.scan(t, `SELECT id, clinic_id FROM users WHERE username = $1`, []any{username}, &id, &clinic)
	return id, clinic
}

// lastLogin is a user's last sign-in time (zero if never).
func (e *env) lastLogin(t testing.TB, id int64) time.Time {
	t.Helper()
	var at sql.NullTime
	e.scan(t, `SELECT last_login_at FROM users WHERE id = $1`, []any{id}, &at)
	return at.Time
}

// signedOut fails unless a request without the IAP header is sent to sign in.
func (c *client) signedOut() {
	c.t.Helper()
	htmx := c.htmx
	c.htmx = false
	defer func() { c.htmx = htmx }()
	resp := c.get("/tablero")
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?aviso=requerida&next=%2Ftablero" {
		c.t.Fatalf("GET /tablero without the header = %d → %q, want 303 to /login?aviso=requerida&next=%%2Ftablero",
			resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestIAP_ValidAssertionSignsInKnownUserAndTheSessionCarriesIt(t *testing.T) {
	// Each case signs in a different user: an e-mail belongs to one account.
	cases := []struct {
		name, username, email, clinicName string
		htmx                              bool
	}{
		{"Page", "clinico_prov", "clinico.prov.iap@redsalud.test", "Clínica RedSalud Providencia", false},
		{"HTMX", "clinico_sant", "clinico.sant.iap@redsalud.test", "Clínica RedSalud Santiago", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newIAPEnv(t)
			username, email, clinicName, htmx := tc.username, tc.email, tc.clinicName, tc.htmx
			uid, clinic := e.userWithEmail(t, username, email)
			before := e.lastLogin(t, uid)

			c := e.client(t)
			c.htmx = htmx
			resp := c.getWith("/tablero", map[string]string{iapAssertionHeader: e.assertion(t, email)})
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET /tablero with the assertion = %d, want 200", resp.StatusCode)
			}
			d := doc(t, resp)
			if htmx {
				if d.Find("header").Length() != 0 {
					t.Fatal("an htmx request got the whole page, not the board fragment")
				}
			} else {
				if h := strings.TrimSpace(d.Find("h1").Text()); h != "Tablero de Enfermería" {
					t.Fatalf("h1 = %q", h)
				}
				header := d.Find("header").Text()
				if !strings.Contains(header, username) || !strings.Contains(header, clinicName) {
					t.Fatalf("header does not name %s of %s: %q", username, clinicName, strings.Join(strings.Fields(header), " "))
				}
			}
			if c.cookies["th_session"] == "" {
				t.Fatal("no session cookie after IAP sign-in")
			}

			got := e.loginAudits(t)
			want := loginAuditRow{Username: email, UserID: sql.NullInt64{Int64: uid, Valid: true},
				ClinicID: sql.NullInt64{Int64: clinic, Valid: true}, Method: "iap", Success: true}
			if len(got) != 1 || got[0] != want {
				t.Fatalf("login_audit = %+v, want one row %+v", got, want)
			}
			if after := e.lastLogin(t, uid); !after.After(before) {
				t.Fatalf("users.last_login_at = %v, want later than %v", after, before)
			}

			// The session carries the sign-in: no header, no new sign-in, same user and clinic.
			c.htmx = false
			resp = c.getWith("/tablero", nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("follow-up GET /tablero without the header = %d, want 200", resp.StatusCode)
			}
			header := doc(t, resp).Find("header").Text()
			if !strings.Contains(header, username) || !strings.Contains(header, clinicName) {
				t.Fatalf("follow-up header does not name %s of %s", username, clinicName)
			}
			if n := len(e.loginAudits(t)); n != 1 {
				t.Fatalf("login_audit rows after the follow-up = %d, want still 1", n)
			}
		})
	}
}

func TestIAP_AllowListedEmailWithoutAccountBecomesGlobalSuperuser(t *testing.T) {
	e := newIAPEnv(t)
	const email = "super.iap-nueva@redsalud.test"
	e.sql(t, `INSERT INTO superusers (email) VALUES ($1)`, email)
	if n := e.count(t, `SELECT count(*) FROM users WHERE lower(email) = $1`, email); n != 0 {
		t.Fatalf("users with %s before the first sign-in = %d, want 0", email, n)
	}

	c := e.client(t)
	// Google may send the address in any case: the allow-list and the account match it anyway.
	resp := c.getWith("/tablero", map[string]string{iapAssertionHeader: e.assertion(t, "Super.IAP-Nueva@RedSalud.test")})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("first GET /tablero = %d, want 200", resp.StatusCode)
	}
	header := doc(t, resp).Find("header").Text()
	if !strings.Contains(header, "super.iap-nueva") || !strings.Contains(header, "Todas las clínicas") {
		t.Fatalf("header does not show a global superuser: %q", strings.Join(strings.Fields(header), " "))
	}

	var (
		id                int64
		username, role    string
		clinic, password  sql.NullString
		active, lastLogin bool
	)
	e.scan(t, `SELECT id, username, role, clinic_id::text, password_hash, active, last_login_at IS NOT NULL
	        FROM users WHERE lower(email) = $1`, []any{email},
		&id, &username, &role, &clinic, &password, &active, &lastLogin)
	if username != "super.iap-nueva" || role != "superuser" || clinic.Valid || password.Valid || !active || !lastLogin {
		t.Fatalf("created user = %q role %q clinic %v password set %v active %v signed in %v; want an active global superuser without password, signed in",
			username, role, clinic, password.Valid, active, lastLogin)
	}
	if n := e.count(t, `SELECT count(*) FROM action_audit WHERE action = 'create_user' AND entity = 'user' AND entity_id = $1`, id); n != 1 {
		t.Fatalf("create_user audit rows = %d, want 1", n)
	}
	want := loginAuditRow{Username: email, UserID: sql.NullInt64{Int64: id, Valid: true}, Method: "iap", Success: true}
	if got := e.loginAudits(t); len(got) != 1 || got[0] != want {
		t.Fatalf("login_audit = %+v, want one row %+v", got, want)
	}

	if resp := c.getWith("/tablero", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("follow-up without the header = %d, want 200", resp.StatusCode)
	}

	// A second browser signs in to the same account, not a new one.
	c2 := e.client(t)
	c2.htmx = true
	if resp := c2.getWith("/tablero", map[string]string{iapAssertionHeader: e.assertion(t, email)}); resp.StatusCode != http.StatusOK {
		t.Fatalf("second sign-in = %d, want 200", resp.StatusCode)
	}
	if n := e.count(t, `SELECT count(*) FROM users WHERE lower(email) = $1`, email); n != 1 {
		t.Fatalf("users with %s after two sign-ins = %d, want 1", email, n)
	}
	if got := e.loginAudits(t); len(got) != 2 || got[1] != want {
		t.Fatalf("login_audit = %+v, want a second row %+v", got, want)
	}
}

func TestIAP_RefusedAssertionGets403AuditedAndNoSession(t *testing.T) {
	e := newIAPEnv(t)
	// An active account behind every forged assertion, so a verifier that let one through
	// would sign somebody in.
	const victim = "admin.vita.iap@redsalud.test"
	victimID, _ := e.userWithEmail(t, "admin_vita", victim)
	const inactive = "visor.iap.inactivo@redsalud.test"
	e.sql(t, `INSERT INTO users (clinic_id, username, email, role, active)
	       SELECT clinic_id, 'visor_iap_inactivo', $1, role, false FROM users WHERE username = 'visor_ranc'`, inactive)
	var inactiveID, inactiveClinic int64
	e.scan(t, `SELECT id, clinic_id FROM users WHERE username = 'visor_iap_inactivo'`, nil, &inactiveID, &inactiveClinic)

	stranger := iaptest.NewSigner(t, "iap-key-unknown") // not in the published set
	impostor := iaptest.NewSigner(t, e.signer.KID())    // not published, under the published key id
	with := func(k string, v any) jwt.MapClaims {
		c := iapClaims(victim)
		c[k] = v
		return c
	}
	const invalid = "(aserción inválida)"
	cases := []struct {
		name      string
		assertion func() string
		want      loginAuditRow
	}{
		{"UnknownEmail", func() string { return e.assertion(t, "nadie.iap@redsalud.test") },
			loginAuditRow{Username: "nadie.iap@redsalud.test", Method: "iap", Reason: "unknown_user"}},
		{"InactiveUser", func() string { return e.assertion(t, inactive) },
			loginAuditRow{Username: inactive, UserID: sql.NullInt64{Int64: inactiveID, Valid: true},
				ClinicID: sql.NullInt64{Int64: inactiveClinic, Valid: true}, Method: "iap", Reason: "inactive"}},
		{"WrongAudience", func() string { return e.signer.Sign(t, with("aud", "/projects/1/global/backendServices/3")) },
			loginAuditRow{Username: invalid, Method: "iap", Reason: "invalid_assertion"}},
		{"WrongIssuer", func() string { return e.signer.Sign(t, with("iss", "https://accounts.google.com")) },
			loginAuditRow{Username: invalid, Method: "iap", Reason: "invalid_assertion"}},
		{"Expired", func() string {
			return e.signer.Sign(t, with("exp", time.Now().Add(-time.Minute).Unix()))
		}, loginAuditRow{Username: invalid, Method: "iap", Reason: "invalid_assertion"}},
		{"KeyNotInTheSet", func() string { return stranger.Sign(t, iapClaims(victim)) },
			loginAuditRow{Username: invalid, Method: "iap", Reason: "invalid_assertion"}},
		{"ForeignKeyUnderPublishedKeyID", func() string { return impostor.Sign(t, iapClaims(victim)) },
			loginAuditRow{Username: invalid, Method: "iap", Reason: "invalid_assertion"}},
		{"NotAJWT", func() string { return "not-a-jwt" },
			loginAuditRow{Username: invalid, Method: "iap", Reason: "invalid_assertion"}},
	}
	for _, tc := range cases {
		for _, htmx := range []bool{false, true} {
			t.Run(tc.name+map[bool]string{false: "", true: "/htmx"}[htmx], func(t *testing.T) {
				victimLogin := e.lastLogin(t, victimID)
				c := e.client(t)
				c.htmx = htmx
				resp := c.getWith("/tablero", map[string]string{iapAssertionHeader: tc.assertion()})
				if resp.StatusCode != http.StatusForbidden {
					t.Fatalf("status = %d, want 403", resp.StatusCode)
				}
				d := doc(t, resp)
				if h := d.Find("h1").Text(); h != "Acceso denegado" {
					t.Fatalf("h1 = %q", h)
				}
				if msg := d.Find("#error-content").Text(); !strings.Contains(msg, iapRefusal) {
					t.Fatalf("page does not say %q: %q", iapRefusal, strings.Join(strings.Fields(msg), " "))
				}
				if htmx && d.Find("header").Length() != 0 {
					t.Fatal("an htmx request got the whole page, not the error fragment")
				}
				if got := e.loginAudits(t); len(got) != 1 || got[0] != tc.want {
					t.Fatalf("login_audit = %+v, want one row %+v", got, tc.want)
				}
				c.signedOut()
				if got := e.lastLogin(t, victimID); !got.Equal(victimLogin) {
					t.Fatalf("the refused assertion touched the last sign-in of %s: %v → %v", victim, victimLogin, got)
				}
			})
		}
	}
	if n := e.count(t, `SELECT count(*) FROM users WHERE lower(email) = 'nadie.iap@redsalud.test'`); n != 0 {
		t.Fatal("an unknown e-mail got an account")
	}
	if n := e.count(t, `SELECT count(*) FROM login_audit WHERE success AND user_id IN ($1, $2)`, victimID, inactiveID); n != 0 {
		t.Fatalf("successful sign-ins of the victim or the inactive user = %d, want 0", n)
	}
}

func TestIAP_UnsignedEmailHeaderNeverSignsIn(t *testing.T) {
	e := newIAPEnv(t)
	const known, allowListed = "admin.prov.iap-unsigned@redsalud.test", "super.iap-unsigned@redsalud.test"
	e.userWithEmail(t, "admin_prov", known)
	e.sql(t, `INSERT INTO superusers (email) VALUES ($1)`, allowListed)
	for _, email := range []string{known, allowListed} {
		for _, htmx := range []bool{false, true} {
			t.Run(email+map[bool]string{false: "", true: "/htmx"}[htmx], func(t *testing.T) {
				c := e.client(t)
				c.htmx = htmx
				// What IAP adds next to the assertion, which anyone can forge when a request
				// reaches the server without going through IAP.
				resp := c.getWith("/tablero", map[string]string{
					"X-Goog-Authenticated-User-Email": "accounts.google.com:" + email,
					"X-Goog-Authenticated-User-Id":    "accounts.google.com:1234567890",
				})
				resp.Body.Close()
				if htmx {
					if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("HX-Redirect") != "/login?aviso=requerida&next=%2Fcatalogo" {
						t.Fatalf("htmx GET = %d HX-Redirect %q, want 401 to sign in", resp.StatusCode, resp.Header.Get("HX-Redirect"))
					}
				} else if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?aviso=requerida&next=%2Ftablero" {
					t.Fatalf("GET = %d → %q, want 303 to /login?aviso=requerida&next=%%2Ftablero", resp.StatusCode, resp.Header.Get("Location"))
				}
				c.signedOut()
				if got := e.loginAudits(t); len(got) != 0 {
					t.Fatalf("login_audit = %+v, want no sign-in attempt", got)
				}
			})
		}
	}
	if n := e.count(t, `SELECT count(*) FROM users WHERE lower(email) = $1`, allowListed); n != 0 {
		t.Fatal("the unsigned header created the allow-listed superuser's account")
	}
}

func TestIAP_SessionFollowsTheIdentityIAPVouchesFor(t *testing.T) {
	e := newIAPEnv(t)
	e.userWithEmail(t, "clinico_vita", "clinico.vita.iap@redsalud.test")
	e.userWithEmail(t, "admin_ranc", "admin.ranc.iap@redsalud.test")
	c := e.client(t)
	if resp := c.getWith("/tablero", map[string]string{iapAssertionHeader: e.assertion(t, "clinico.vita.iap@redsalud.test")}); resp.StatusCode != http.StatusOK {
		t.Fatalf("first sign-in = %d", resp.StatusCode)
	}
	// The computer's Google account changes: the next request is the other person's.
	resp := c.getWith("/tablero", map[string]string{iapAssertionHeader: e.assertion(t, "admin.ranc.iap@redsalud.test")})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("after the account changed = %d", resp.StatusCode)
	}
	if header := doc(t, resp).Find("header").Text(); !strings.Contains(header, "admin_ranc") || strings.Contains(header, "clinico_vita") {
		t.Fatalf("the session still belongs to the previous person: %q", header)
	}
	// A garbage assertion on a live session ends it.
	resp = c.getWith("/tablero", map[string]string{iapAssertionHeader: "not-a-jwt"})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("invalid assertion on a live session = %d, want 403", resp.StatusCode)
	}
	if resp := c.get("/tablero"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after an invalid assertion the session still works: %d", resp.StatusCode)
	}
}

func TestIAP_ExpiredSessionWithAssertionSignsInAgainAndTheButtonWorks(t *testing.T) {
	e := newIAPEnv(t)
	e.userWithEmail(t, "visor_maga", "visor.maga.iap@redsalud.test")
	c := e.client(t)
	a := map[string]string{iapAssertionHeader: e.assertion(t, "visor.maga.iap@redsalud.test")}
	if resp := c.getWith("/tablero", a); resp.StatusCode != http.StatusOK {
		t.Fatalf("sign-in = %d", resp.StatusCode)
	}
	e.clock.Advance(13 * time.Hour)
	// The verifier checks the assertion's times against the real clock; the session's limits
	// follow the server's (advanced) one.
	a = map[string]string{iapAssertionHeader: e.assertion(t, "visor.maga.iap@redsalud.test")}
	if resp := c.getWith("/tablero", a); resp.StatusCode != http.StatusOK {
		t.Fatalf("expired session with a valid assertion = %d, want a fresh sign-in", resp.StatusCode)
	}
	resp := c.getWith("/login/iap?next=%2Fcatalogo", a)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/catalogo" {
		t.Fatalf("the Google button = %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestIAP_AllowListedEmailsWithTheSameLocalPartBothGetAccounts(t *testing.T) {
	e := newIAPEnv(t)
	for _, email := range []string{"admin_ranc@otro.test", "admin_ranc@tercero.test"} {
		e.sql(t, `INSERT INTO superusers (email) VALUES ($1) ON CONFLICT DO NOTHING`, email)
		c := e.client(t)
		if resp := c.getWith("/tablero", map[string]string{iapAssertionHeader: e.assertion(t, email)}); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s = %d, want 200", email, resp.StatusCode)
		}
		if e.count(t, `SELECT count(*) FROM users WHERE lower(email) = $1 AND role = 'superuser'`, email) != 1 {
			t.Fatalf("%s has no account", email)
		}
	}
}
