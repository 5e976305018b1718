package remote

import (
	"net"
	"net/url"
	"strings"
	"testing"
)

// FuzzCheckURL: the URL check never panics, and what it lets through is an
// http(s) URL with a host and no userinfo whose host is either a public IP
// literal (judged again here with the standard library's predicates) or a
// lower-case ASCII name that no resolver reads as a number. What the strict
// client accepts, the one for private networks accepts too.
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{"https://ospo.example.org/actor", "http://93.184.215.14:8080/x", "https://[2a00:1450::1]/",
		"http://127.0.0.1/", "http://localhost:8080/", "http://2130706433/", "http://0x7f.1/", "http://[::ffff:127.0.0.1]/",
		"https://user:pw@host/", "HTTP://Example.COM./", "http://[fe80::1%25eth0]/", "http://bücher.example/", "http://h:0/",
		"http://169.254.169.254/latest/meta-data/", "//h/x", "http:/h"} {
		f.Add(s)
	}
	strict := NewClient(Options{})
	open := NewClient(Options{AllowPrivateNetworks: true})
	f.Fuzz(func(t *testing.T, s string) {
		if strict.CheckURL(s) != nil {
			return
		}
		if err := open.CheckURL(s); err != nil {
			t.Fatalf("%q passes the strict check but not the private-network one: %v", s, err)
		}
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil {
			t.Fatalf("accepted %q: not an http(s) URL without userinfo", s)
		}
		host := u.Hostname()
		addr, _, _ := strings.Cut(host, "%") // a zone ("[2000::1%25eth0]") does not change the address
		if ip := net.ParseIP(addr); ip != nil {
			if !ip.IsGlobalUnicast() || ip.IsPrivate() || ip.IsLoopback() {
				t.Fatalf("accepted %q: %s is not a public address", s, ip)
			}
			return
		}
		name := strings.TrimSuffix(strings.ToLower(host), ".")
		if name == "" || name == "localhost" || strings.HasSuffix(name, ".localhost") {
			t.Fatalf("accepted %q: host %q", s, host)
		}
		if strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789-_.") != "" {
			t.Fatalf("accepted %q: host %q is not ASCII letters, digits, '-', '_'", s, host)
		}
		last := name[strings.LastIndex(name, ".")+1:]
		if strings.Trim(last, "0123456789") == "" || strings.HasPrefix(last, "0x") && strings.Trim(last[2:], "0123456789abcdef") == "" {
			t.Fatalf("accepted %q: host %q ends in a number", s, host)
		}
	})
}
