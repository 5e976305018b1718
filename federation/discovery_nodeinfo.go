package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/ospod/ospod/federation/as2"
	"github.com/ospod/ospod/store"
)

// isOSPONode checks that an actor is an OSPO that lets itself be listed,
// on a node whose NodeInfo declares it an OSPO node for this actor.
func (c *crawl) isOSPONode(ctx context.Context, a *store.Actor, p *store.Profile) (bool, error) {
	if !a.IsOSPO || p == nil || !p.IsDiscoverable() {
		return false, nil
	}
	org := as2.Origin(a.ID)
	err, checked := c.nodeInfo[org]
	if !checked {
		err = c.checkNodeInfo(ctx, org, a.ID)
		c.nodeInfo[org] = err
	}
	if errors.Is(err, errBudget) {
		return false, err
	}
	return err == nil, nil
}

// checkNodeInfo reads the NodeInfo of an origin: metadata.ospo must name the actor.
func (c *crawl) checkNodeInfo(ctx context.Context, org, actor string) error {
	if err := c.fetch(); err != nil {
		return err
	}
	n := c.n
	if err := n.allowedURL(ctx, org); err != nil {
		return err
	}
	body, err := n.client.GetJSON(ctx, org+"/.well-known/nodeinfo", "application/json", nil)
	if err != nil {
		return err
	}
	var links struct {
		Links []struct{ Rel, Href string } `json:"links"`
	}
	if err := json.Unmarshal(body, &links); err != nil {
		return fmt.Errorf("nodeinfo links: %w", err)
	}
	href := ""
	for _, l := range links.Links {
		if strings.HasPrefix(l.Rel, "http://nodeinfo.diaspora.software/ns/schema/2.") && as2.SameOrigin(l.Href, org) {
			href = l.Href
		}
	}
	if href == "" {
		return errors.New("no NodeInfo 2.x on the actor's origin")
	}
	if err := c.fetch(); err != nil {
		return err
	}
	body, err = n.client.GetJSON(ctx, href, "application/json", nil)
	if err != nil {
		return err
	}
	var ni struct {
		Metadata struct {
			OSPO *struct {
				SchemaVersion string `json:"schemaVersion"`
				Actor         string `json:"actor"`
			} `json:"ospo"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(body, &ni); err != nil {
		return fmt.Errorf("nodeinfo: %w", err)
	}
	if ni.Metadata.OSPO == nil || ni.Metadata.OSPO.SchemaVersion == "" {
		return errors.New("NodeInfo does not declare an OSPO node")
	}
	if ni.Metadata.OSPO.Actor != "" && ni.Metadata.OSPO.Actor != actor {
		return errors.New("NodeInfo names another OSPO actor")
	}
	return nil
}
