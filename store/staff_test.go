package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/ospod/ospod/store"
	"github.com/ospod/ospod/store/storetest"
)

// TestStaffEmail: an e-mail address identifies at most one account, in any
// letter case; StaffAccountByEmail finds it.
func TestStaffEmail(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	add := func(name, email string) error {
		return st.AddStaffAccount(ctx, &store.StaffAccount{Name: name, Role: store.RoleEditor, Email: email})
	}
	if err := add("ada", "Ada@City.example"); err != nil {
		t.Fatal(err)
	}
	if err := add("bob", ""); err != nil {
		t.Fatal(err)
	}
	if err := add("cy", ""); err != nil {
		t.Fatal(err)
	}
	if err := add("ada2", "ada@city.EXAMPLE"); !errors.Is(err, store.ErrEmailTaken) {
		t.Errorf("second account with Ada's e-mail: err = %v, want ErrEmailTaken", err)
	}
	a, err := st.StaffAccountByEmail(ctx, "ADA@city.example")
	if err != nil || a.Name != "ada" {
		t.Fatalf("StaffAccountByEmail = %v, %v; want ada", a, err)
	}
	for _, e := range []string{"", "bob@city.example"} {
		if _, err := st.StaffAccountByEmail(ctx, e); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("StaffAccountByEmail(%q): err = %v, want ErrNotFound", e, err)
		}
	}
	taken := "ada@city.example"
	if err := st.ChangeStaffAccount(ctx, "bob", store.StaffChange{Email: &taken}); !errors.Is(err, store.ErrEmailTaken) {
		t.Errorf("giving Bob Ada's e-mail: err = %v, want ErrEmailTaken", err)
	}
	same := "ADA@city.example" // an account may change the case of its own address
	if err := st.ChangeStaffAccount(ctx, "ada", store.StaffChange{Email: &same}); err != nil {
		t.Errorf("Ada's own address in capitals: %v", err)
	}
}

// TestUseTOTPStep: each time step is accepted once, an older one never; a
// new secret starts afresh, and other changes keep the used step.
func TestUseTOTPStep(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	a := &store.StaffAccount{Name: "ada", Role: store.RoleAdmin, TOTPSecret: "AAAA"}
	if err := st.AddStaffAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	use := func(what string, step int64, want bool) {
		t.Helper()
		if ok, err := st.UseTOTPStep(ctx, a.ID, step); err != nil || ok != want {
			t.Errorf("%s: step %d: %v, %v; want %v", what, step, ok, err, want)
		}
	}
	use("first use", 100, true)
	use("the same step again", 100, false)
	use("an older step", 99, false)
	use("the next step", 101, true)
	role := store.RoleEditor
	if err := st.ChangeStaffAccount(ctx, "ada", store.StaffChange{Role: &role}); err != nil {
		t.Fatal(err)
	}
	use("after a role change", 101, false)
	secret := "BBBB"
	if err := st.ChangeStaffAccount(ctx, "ada", store.StaffChange{TOTPSecret: &secret}); err != nil {
		t.Fatal(err)
	}
	use("with a new secret", 101, true)
}
