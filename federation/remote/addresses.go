package remote

// Which URLs and addresses may be contacted: the URL is checked before a
// request, and the resolved address again at dial time.

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
)

// dialControl refuses connections to non-public addresses.
func (c *Client) dialControl(network, address string, _ syscall.RawConn) error {
	if network != "tcp4" && network != "tcp6" {
		return fmt.Errorf("%w: network %s", ErrBlockedAddress, network)
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrBlockedAddress, address)
	}
	if !c.addrAllowed(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrBlockedAddress, ap.Addr())
	}
	return nil
}

// addrAllowed reports whether a may be contacted under c's options.
func (c *Client) addrAllowed(a netip.Addr) bool {
	if c.opts.AllowPrivateNetworks {
		return true
	}
	a = a.Unmap().WithZone("")
	for _, p := range c.opts.AllowPrefixes {
		if p.Contains(a) {
			return true
		}
	}
	return !IsBlockedAddress(a)
}

// blockedV4 lists IPv4 ranges that are not globally reachable (IANA IPv4
// special-purpose registry) plus multicast and reserved space.
var blockedV4 = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network", incl. 0.0.0.0
	netip.MustParsePrefix("10.0.0.0/8"),      // RFC 1918
	netip.MustParsePrefix("100.64.0.0/10"),   // CGNAT shared space
	netip.MustParsePrefix("127.0.0.0/8"),     // loopback
	netip.MustParsePrefix("169.254.0.0/16"),  // link-local, cloud metadata
	netip.MustParsePrefix("172.16.0.0/12"),   // RFC 1918
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // TEST-NET-1
	netip.MustParsePrefix("192.88.99.0/24"),  // deprecated 6to4 relay anycast
	netip.MustParsePrefix("192.168.0.0/16"),  // RFC 1918
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // TEST-NET-2
	netip.MustParsePrefix("203.0.113.0/24"),  // TEST-NET-3
	netip.MustParsePrefix("224.0.0.0/4"),     // multicast
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, incl. 255.255.255.255
}

// globalV6 is the only IPv6 space in use on the public internet.
var globalV6 = netip.MustParsePrefix("2000::/3")

// blockedV6 lists special-purpose ranges inside 2000::/3.
var blockedV6 = []netip.Prefix{
	netip.MustParsePrefix("2001::/23"),     // IETF protocol assignments, incl. Teredo 2001::/32
	netip.MustParsePrefix("2001:db8::/32"), // documentation
	netip.MustParsePrefix("2002::/16"),     // 6to4: embeds arbitrary IPv4
	netip.MustParsePrefix("3fff::/20"),     // documentation (RFC 9637)
	netip.MustParsePrefix("5f00::/16"),     // SRv6 SIDs (RFC 9602)
}

// IsBlockedAddress reports whether a is not a public unicast address and so
// must not be contacted: loopback, private, link-local, CGNAT, multicast,
// documentation, benchmarking, reserved, and in IPv6 anything outside
// 2000::/3 (which covers ::1, fc00::/7, fe80::/10, NAT64 64:ff9b::/96) plus
// Teredo, 6to4 and documentation. IPv4-mapped IPv6 is judged as IPv4.
func IsBlockedAddress(a netip.Addr) bool {
	if !a.IsValid() {
		return true
	}
	a = a.Unmap().WithZone("")
	if a.Is4() {
		for _, p := range blockedV4 {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	if !globalV6.Contains(a) {
		return true
	}
	for _, p := range blockedV6 {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// CheckURL reports whether u may be fetched: absolute http or https, a
// host, no userinfo, an ASCII host name (normalise IDNs to punycode first),
// no numeric host forms other than canonical IP literals, and unless
// AllowPrivateNetworks, neither "localhost" nor a blocked IP literal. The
// resolved address is checked again when connecting.
func (c *Client) CheckURL(u string) error {
	_, err := c.checkURL(u)
	return err
}

func (c *Client) checkURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrURLNotAllowed, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%w: scheme %q", ErrURLNotAllowed, u.Scheme)
	}
	if u.Opaque != "" {
		return nil, fmt.Errorf("%w: opaque URL", ErrURLNotAllowed)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%w: userinfo in URL", ErrURLNotAllowed)
	}
	host := u.Hostname()
	if host == "" {
		return nil, fmt.Errorf("%w: no host", ErrURLNotAllowed)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("%w: port %q", ErrURLNotAllowed, p)
		}
	}
	if addr, err := netip.ParseAddr(host); err == nil {
		if !c.addrAllowed(addr) {
			return nil, fmt.Errorf("%w: %w: %s", ErrURLNotAllowed, ErrBlockedAddress, addr)
		}
		return u, nil
	}
	if strings.HasPrefix(u.Host, "[") {
		return nil, fmt.Errorf("%w: bad IP literal", ErrURLNotAllowed)
	}
	name := strings.TrimSuffix(strings.ToLower(host), ".")
	if err := checkHostName(name); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrURLNotAllowed, err)
	}
	if !c.opts.AllowPrivateNetworks && (name == "localhost" || strings.HasSuffix(name, ".localhost")) {
		return nil, fmt.Errorf("%w: %w: %s", ErrURLNotAllowed, ErrBlockedAddress, host)
	}
	return u, nil
}

// checkHostName accepts LDH-style ASCII names (plus '_', seen in the wild).
// A last label that is a number ("2130706433", "0177.0.0.1", "0x7f.1") is
// refused: URL parsers and libc read such hosts as IPv4 addresses in
// decimal, octal or hex (the WHATWG "ends in a number" rule).
func checkHostName(name string) error {
	if name == "" || len(name) > 253 {
		return errors.New("bad host name length")
	}
	labels := strings.Split(name, ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return fmt.Errorf("bad host name %q", name)
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return fmt.Errorf("host name %q has characters outside [a-z0-9-_] (use punycode)", name)
			}
		}
	}
	last := labels[len(labels)-1]
	isNum := strings.Trim(last, "0123456789") == ""
	if strings.HasPrefix(last, "0x") {
		isNum = strings.Trim(last[2:], "0123456789abcdef") == ""
	}
	if isNum {
		return fmt.Errorf("numeric host %q is not a canonical IP address", name)
	}
	return nil
}
