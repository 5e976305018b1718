package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ospod/ospod/federation"
	"github.com/ospod/ospod/federation/signature"
	"github.com/ospod/ospod/store"
)

// relationResponse is a follow relation as the admin API shows it.
type relationResponse struct {
	ID        int64     `json:"id"`
	Actor     string    `json:"actor"`
	Account   string    `json:"account"`
	Name      string    `json:"name,omitempty"`
	IsOSPO    bool      `json:"isOspo"`
	State     string    `json:"state"`
	Follow    string    `json:"follow"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

func toRelation(r *store.Relation) relationResponse {
	return relationResponse{ID: r.ID, Actor: r.ActorID, Account: r.Actor.Account(), Name: federation.ReadActorFacts(r.Actor).Name,
		IsOSPO: r.Actor.IsOSPO, State: r.State, Follow: r.FollowID, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func (s *Server) adminFollow(c echo.Context) error {
	var in struct {
		Account string `json:"account"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.Account == "" {
		return fieldProblem("account", "is required: a handle such as ospo@city.example or an actor URL")
	}
	rel, created, err := s.node.Follow(c.Request().Context(), in.Account)
	if err != nil {
		return err
	}
	noteAudit(c, rel.ActorID, "")
	if !created {
		noteUnchanged(c) // already followed (or requested)
	}
	status := http.StatusOK
	if created {
		status = http.StatusAccepted // pending until the remote Accept arrives
	}
	return c.JSON(status, toRelation(rel))
}

func (s *Server) adminListFollowing(c echo.Context) error {
	return s.listRelations(c, store.Following)
}

func (s *Server) adminListFollowers(c echo.Context) error {
	return s.listRelations(c, store.Followers)
}

func (s *Server) listRelations(c echo.Context, t store.RelationTable) error {
	state := c.QueryParam("state")
	switch state {
	case "", store.FollowPending, store.FollowAccepted, store.FollowRejected:
	default:
		return fieldProblem("state", "must be pending, accepted or rejected")
	}
	rels, err := s.st.Relations(c.Request().Context(), t, state)
	if err != nil {
		return err
	}
	out := make([]relationResponse, 0, len(rels))
	for _, r := range rels {
		out = append(out, toRelation(r))
	}
	return c.JSON(http.StatusOK, map[string]any{"items": out, "total": len(out)})
}

func (s *Server) adminUnfollow(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return store.ErrNotFound
	}
	if err := s.node.Unfollow(c.Request().Context(), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) adminAnswerFollower(accept bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := strconv.ParseInt(c.Param("id"), 10, 64)
		if err != nil {
			return store.ErrNotFound
		}
		before, err := s.st.Relation(c.Request().Context(), store.Followers, id)
		if err != nil {
			return err
		}
		rel, err := s.node.AnswerFollower(c.Request().Context(), id, accept)
		if err != nil {
			return err
		}
		if accept && before.State == store.FollowAccepted {
			noteUnchanged(c) // the Accept is sent again; nothing else changes
		}
		if !accept {
			rel.State = "rejected"
		}
		return c.JSON(http.StatusOK, toRelation(rel))
	}
}

type remoteEventResponse struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	StartTime time.Time       `json:"startTime,omitzero"`
	EndTime   time.Time       `json:"endTime,omitzero"`
	Received  time.Time       `json:"received"`
	Updated   time.Time       `json:"updated"`
	Object    json.RawMessage `json:"object"`
}

func (s *Server) adminDeliveries(c echo.Context) error {
	ctx := c.Request().Context()
	state := c.QueryParam("state")
	switch state {
	case "", store.DeliveryPending, store.DeliveryDone, store.DeliveryFailed, store.DeliveryDead:
	default:
		return fieldProblem("state", "must be pending, done, failed or dead")
	}
	limit, err := intParam(c, "limit", 50, 1, 500)
	if err != nil {
		return err
	}
	stats, err := s.st.DeliveryStats(ctx)
	if err != nil {
		return err
	}
	hosts, err := s.st.FailingHosts(ctx, 100)
	if err != nil {
		return err
	}
	list, err := s.st.ListDeliveries(ctx, state, limit)
	if err != nil {
		return err
	}
	if hosts == nil {
		hosts = []*store.Host{}
	}
	if list == nil {
		list = []*store.DeliveryInfo{}
	}
	return c.JSON(http.StatusOK, map[string]any{"queue": stats, "failingHosts": hosts, "deliveries": list})
}

// federationError maps federation's errors to problems.
func federationError(err error) (*httpError, bool) {
	var (
		sig  *signature.Error
		inb  *federation.InboxError
		look *federation.LookupError
	)
	switch {
	case errors.As(err, &sig):
		return &httpError{status: http.StatusUnauthorized, detail: "Signature refused: " + sig.Error()}, true
	case errors.As(err, &inb):
		return &httpError{status: inb.Status, detail: inb.Reason}, true
	case errors.Is(err, federation.ErrBadAccount):
		return &httpError{status: http.StatusBadRequest, detail: "account: " + err.Error(),
			fields: []store.FieldError{{Field: "account", Reason: err.Error()}}}, true
	case errors.As(err, &look):
		return &httpError{status: http.StatusUnprocessableEntity, detail: look.Error()}, true
	}
	return nil, false
}
