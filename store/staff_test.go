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
