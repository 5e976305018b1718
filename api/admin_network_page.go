package api

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/ospod/ospod/federation"
	"github.com/ospod/ospod/store"
)

// The network page (/admin/network, admins only): the peers this node has
// a relation with, and the health of our deliveries to each host, with
// "retry now" for a host whose deliveries fail or were given up.

type networkView struct {
	Hosts []hostRow
	Peers []peerRow
	Queue store.QueueStats
}

type hostRow struct {
	Host, State, LastSuccess, LastError string
	Pending, Dead                       int
	Failing, Retry                      bool
}

type peerRow struct {
	Actor, Who, Name, Host string
	Following, Follower    string
	IsOSPO                 bool
}

// adminNetworkPage is GET /admin/network.
func (s *Server) adminNetworkPage(c echo.Context) error {
	ctx := c.Request().Context()
	r := s.reader(c)
	var v networkView
	hosts, err := s.st.Hosts(ctx, 500)
	if err != nil {
		return err
	}
	for _, h := range hosts {
		row := hostRow{Host: h.Host, LastError: h.LastError, Pending: h.Pending, Dead: h.Dead, State: r.T("admin.network.healthy")}
		if !h.LastSuccessAt.IsZero() {
			row.LastSuccess = r.L.DateTime(h.LastSuccessAt)
		}
		switch {
		case h.Unreachable:
			row.State, row.Failing = r.T("admin.network.unreachable", "since", r.L.DateTime(h.FailingSince)), true
		case !h.FailingSince.IsZero():
			row.State, row.Failing = r.T("admin.network.failing", "since", r.L.DateTime(h.FailingSince)), true
		default:
			row.LastError = ""
		}
		row.Retry = row.Failing || h.Dead > 0
		v.Hosts = append(v.Hosts, row)
	}
	peers, err := s.st.Network(ctx) // the same view as the JSON API and 'ospod peers'
	if err != nil {
		return err
	}
	for _, np := range peers {
		p := peerRow{Actor: np.ID, Who: np.ID, Name: federation.PeerName(np), Host: store.HostOf(np.ID), IsOSPO: np.IsOSPO()}
		if acct := np.Account(); acct != "" {
			p.Who = "@" + acct
		}
		if np.Following != "" {
			p.Following = r.T("admin.follow.state." + np.Following)
		}
		if np.Follower != "" {
			p.Follower = r.T("admin.follow.state." + np.Follower)
		}
		v.Peers = append(v.Peers, p)
	}
	if v.Queue, err = s.st.DeliveryStats(ctx); err != nil {
		return err
	}
	return s.renderAdmin(c, http.StatusOK, "admin_network.html", adminPage{Title: r.T("admin.nav.network"), Section: "network", Data: v})
}

// adminRetryHost is POST /admin/network/:host/retry: the host's failing
// and given-up deliveries are due now, and the delivery worker is woken.
func (s *Server) adminRetryHost(c echo.Context) error {
	host, err := url.PathUnescape(c.Param("host"))
	if err != nil {
		return store.ErrNotFound
	}
	if _, err := s.st.HostHealth(c.Request().Context(), host); err != nil {
		return err
	}
	n, err := s.node.RetryHost(c.Request().Context(), host)
	if err != nil {
		return err
	}
	s.audit(c, "delivery.retry", host, strconv.Itoa(n)+" deliveries")
	return c.Redirect(http.StatusSeeOther, "/admin/network?done=retrying")
}
