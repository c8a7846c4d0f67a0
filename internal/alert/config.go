package alert

import (
	"fmt"
	"net/http"
	"time"
)

// Config chooses the sinks and tunes delivery. It is the trail.alerts section
// of baseline.yaml; command-line flags add to it. Secrets are never written
// in the file: it names the environment variables that hold them.
type Config struct {
	SNS      []string        `yaml:"sns"` // topic ARNs
	SQS      []string        `yaml:"sqs"` // queue URLs
	Slack    []SlackConfig   `yaml:"slack"`
	Webhooks []WebhookConfig `yaml:"webhooks"`
	// GroupWindow is the grouping window; default DefaultWindow.
	GroupWindow time.Duration `yaml:"group_window"`
	// DeadLetter is the dead-letter file; default in the state directory.
	DeadLetter string `yaml:"dead_letter"`
	Retry      Retry  `yaml:"retry"`
}

// SlackConfig is one Slack incoming webhook.
type SlackConfig struct {
	URLEnv string `yaml:"url_env"` // the variable holding the webhook URL
	URL    string `yaml:"-"`       // given on the command line instead
}

// WebhookConfig is one signed HTTPS webhook.
type WebhookConfig struct {
	URL       string `yaml:"url"`
	SecretEnv string `yaml:"secret_env"` // the variable holding the HMAC secret
}

// Clients are what the sinks send with.
type Clients struct {
	SNS    SNSAPI
	SQS    SQSAPI
	HTTP   *http.Client
	Getenv func(string) string // os.Getenv
}

// Sinks builds the configured sinks. A secret that is not set is an error:
// a sink silently missing would be worse.
func (c *Config) Sinks(cl Clients) ([]Sink, error) {
	var sinks []Sink
	for _, arn := range c.SNS {
		sinks = append(sinks, NewSNS(cl.SNS, arn))
	}
	for _, url := range c.SQS {
		sinks = append(sinks, NewSQS(cl.SQS, url))
	}
	for _, s := range c.Slack {
		url := s.URL
		if s.URLEnv != "" {
			if url = cl.Getenv(s.URLEnv); url == "" {
				return nil, fmt.Errorf("slack: environment variable %s is not set", s.URLEnv)
			}
		}
		s, err := NewSlack(url, cl.HTTP)
		if err != nil {
			return nil, err
		}
		sinks = append(sinks, s)
	}
	for _, w := range c.Webhooks {
		if w.SecretEnv == "" {
			return nil, fmt.Errorf("webhook %s: name the variable holding its signing secret (--webhook-secret-env)", secretName("webhook", w.URL))
		}
		secret := cl.Getenv(w.SecretEnv)
		if secret == "" {
			return nil, fmt.Errorf("webhook %s: environment variable %s is not set", secretName("webhook", w.URL), w.SecretEnv)
		}
		s, err := NewWebhook(w.URL, []byte(secret), cl.HTTP)
		if err != nil {
			return nil, err
		}
		sinks = append(sinks, s)
	}
	return sinks, nil
}
