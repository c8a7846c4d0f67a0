package alert

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Slack posts each alert to a Slack incoming webhook as a header, a few
// fields and a context line, with a plain-text fallback. The webhook URL is
// the credential: it never appears in logs, errors or dead letters.
type Slack struct {
	url    string
	name   string
	client *http.Client
}

// NewSlack returns a sink posting to an incoming webhook URL, which must
// be https (or http on loopback).
func NewSlack(webhookURL string, client *http.Client) (*Slack, error) {
	name := secretName("slack", webhookURL)
	if err := checkURL(webhookURL, name); err != nil {
		return nil, err
	}
	return &Slack{url: webhookURL, name: name, client: client}, nil
}

func (s *Slack) Name() string { return s.name }

func (s *Slack) Send(ctx context.Context, a *Alert) error {
	body, err := json.Marshal(slackMessage(a))
	if err != nil {
		return err
	}
	return postJSON(ctx, s.client, s.url, s.name, body, nil)
}

type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type slackBlock struct {
	Type     string      `json:"type"`
	Text     *slackText  `json:"text,omitempty"`
	Fields   []slackText `json:"fields,omitempty"`
	Elements []slackText `json:"elements,omitempty"`
}

func slackMessage(a *Alert) map[string]any {
	field := func(k, v string) slackText {
		return slackText{Type: "mrkdwn", Text: "*" + k + "*\n" + slackEscape(v)}
	}
	when := a.FirstTime.UTC().Format(time.RFC3339)
	if a.LastTime.After(a.FirstTime) {
		when += " → " + a.LastTime.UTC().Format(time.RFC3339)
	}
	return map[string]any{
		"text": slackEscape(a.Subject()),
		"blocks": []slackBlock{
			{Type: "header", Text: &slackText{Type: "plain_text", Text: truncate(a.Subject(), 150)}},
			{Type: "section", Fields: []slackText{
				field("Principal", a.PrincipalARN), field("Event", a.EventSource+" "+a.EventName),
				field("Account / region", a.AccountID+" / "+a.Region), field("Source IP", a.SourceIP),
			}},
			{Type: "context", Elements: []slackText{{Type: "mrkdwn", Text: slackEscape(fmt.Sprintf(
				"rule %s · %d event(s) · %s · alert %s", a.RuleID, a.Count, when, a.ID))}}},
		},
	}
}

// slackEscape keeps text from an event (a session name is chosen by whoever
// assumed the role) from turning into links or mentions.
var slackEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
