package cli

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"

	"github.com/secure-baseline/baseline/internal/alert"
	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/config"
	"github.com/secure-baseline/baseline/internal/detect"
	"github.com/secure-baseline/baseline/internal/index"
	"github.com/secure-baseline/baseline/internal/rules"
	"github.com/secure-baseline/baseline/internal/watch"
)

func init() { trailCommands = append(trailCommands, newTrailWatchCmd, newTrailAlertsCmd) }

// streamSpec is what trail watch and baseline lambda build a pipeline from.
type streamSpec struct {
	rules       []string
	honeytokens []string
	minLevel    string
	index       string // "" for none
	stateDir    string // the alert journal
	alerts      alert.Config
	webhookCA   string
}

type watchFlags struct {
	streamSpec
	queue      string
	configFile string // baseline.yaml: its trail.alerts come before the --alert-* flags
	sns, sqs   []string
	slack      []string
	webhooks   []string
	secretEnv  string
	listen     string
	once       bool
	wait       time.Duration
	visibility time.Duration
}

func newTrailWatchCmd(g *globals) *cobra.Command {
	var wf watchFlags
	cmd := &cobra.Command{
		Use:   "watch --queue URL",
		Short: "Stream CloudTrail from an SQS queue: detect, alert, index",
		Long: "watch long-polls an SQS queue fed by S3 event notifications, SNS (S3 or CloudTrail notifications)\n" +
			"or EventBridge (S3 Object Created, or CloudTrail events themselves), downloads the log files, runs\n" +
			"the detections (built-in pack plus --rules), alerts and indexes the events. A message is deleted\n" +
			"only once its events are indexed and its detections are in the alert journal: a crash loses\n" +
			"nothing, and a redelivered event is never alerted twice. Digest and insight files are skipped.\n\n" +
			"Alerts go to stdout (or -o FILE) as JSON lines and to every --alert-* sink, grouped by rule and\n" +
			"principal over --group-window; an alert a sink refuses after retries goes to --dead-letter (replay\n" +
			"it with `trail alerts replay`). Webhooks are signed: X-Baseline-Signature: sha256=HMAC-SHA256 of\n" +
			"\"TIMESTAMP.BODY\" keyed by the secret, with X-Baseline-Timestamp (Unix seconds) against replays.\n" +
			"SIGTERM or SIGINT abandons the batch in flight without deleting it. --listen serves /healthz and\n" +
			"Prometheus /metrics.\n\n" +
			"Exit codes: 0 ok; 2 usage error, or local state (index, journal) could not be written; 3 with\n" +
			"--once, some messages could not be processed (they are left in the queue).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if wf.configFile != "" {
				c, err := config.Load(wf.configFile)
				if err != nil {
					return usageErr("%v", err)
				}
				flagged := wf.alerts
				wf.alerts = c.Trail.Alerts
				if cmd.Flags().Changed("group-window") || wf.alerts.GroupWindow == 0 {
					wf.alerts.GroupWindow = flagged.GroupWindow
				}
				if flagged.DeadLetter != "" {
					wf.alerts.DeadLetter = flagged.DeadLetter
				}
			}
			return runTrailWatch(cmd.Context(), g, &wf)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&wf.configFile, "config", "f", "", "baseline.yaml whose trail.alerts section chooses the sinks (the --alert-* flags add to it)")
	f.StringVar(&wf.queue, "queue", "", "SQS queue URL to read (required)")
	f.StringVar(&wf.index, "index", "", "index directory (default $XDG_DATA_HOME/baseline/trail or ~/.local/share/baseline/trail)")
	f.StringSliceVar(&wf.rules, "rules", nil, "directory of Sigma rules to run with the built-in pack; repeatable")
	f.StringSliceVar(&wf.honeytokens, "honeytoken", nil, "IAM user name of a honeytoken: any use of its credentials is detected; repeatable")
	f.StringVar(&wf.minLevel, "min-level", "", "alert only on rules at or above this level ("+strings.Join(detect.Levels, ", ")+")")
	f.StringSliceVar(&wf.sns, "alert-sns", nil, "SNS topic ARN to publish alerts to; repeatable")
	f.StringSliceVar(&wf.sqs, "alert-sqs", nil, "SQS queue URL to send alerts to; repeatable")
	f.StringSliceVar(&wf.slack, "alert-slack", nil, "Slack incoming webhook URL (a secret: prefer a baseline.yaml url_env); repeatable")
	f.StringSliceVar(&wf.webhooks, "alert-webhook", nil, "HTTPS URL to POST signed alerts to; repeatable")
	f.StringVar(&wf.secretEnv, "webhook-secret-env", "", "environment variable holding the webhooks' HMAC secret")
	f.StringVar(&wf.webhookCA, "webhook-ca", "", "PEM file of extra CA certificates trusted for webhooks (an internal CA)")
	f.DurationVar(&wf.alerts.GroupWindow, "group-window", alert.DefaultWindow, "group alerts of one rule and principal over this window")
	f.StringVar(&wf.alerts.DeadLetter, "dead-letter", "", "file of alerts that could not be delivered (default $XDG_STATE_HOME/baseline/alerts.dead.jsonl)")
	f.StringVar(&wf.stateDir, "state-dir", "", "directory of the alert journal (default $XDG_STATE_HOME/baseline/watch/QUEUE)")
	f.StringVar(&wf.listen, "listen", "", "serve /healthz and /metrics on this address (:9090)")
	f.BoolVar(&wf.once, "once", false, "drain the queue and exit")
	f.DurationVar(&wf.wait, "wait-time", 20*time.Second, "SQS long-poll wait (at most 20s)")
	f.DurationVar(&wf.visibility, "visibility-timeout", 2*time.Minute, "how long a received batch stays hidden; renewed while it is processed")
	return cmd
}

func runTrailWatch(ctx context.Context, g *globals, wf *watchFlags) error {
	if wf.queue == "" {
		return usageErr("--queue is required")
	}
	if wf.wait < time.Second || wf.wait > 20*time.Second || wf.visibility < 3*time.Second {
		return usageErr("--wait-time must be 1s to 20s and --visibility-timeout at least 3s")
	}
	if _, _, err := net.SplitHostPort(wf.listen); wf.listen != "" && err != nil {
		return usageErr("--listen %q: %v", wf.listen, err)
	}
	wf.alerts.SNS = append(wf.alerts.SNS, wf.sns...)
	wf.alerts.SQS = append(wf.alerts.SQS, wf.sqs...)
	for _, u := range wf.slack {
		wf.alerts.Slack = append(wf.alerts.Slack, alert.SlackConfig{URL: u})
	}
	for _, u := range wf.webhooks {
		wf.alerts.Webhooks = append(wf.alerts.Webhooks, alert.WebhookConfig{URL: u, SecretEnv: wf.secretEnv})
	}
	var err error
	if wf.index, err = indexRoot(wf.index); err != nil {
		return err
	}
	if wf.stateDir == "" {
		if wf.stateDir, err = queueStateDir(wf.queue); err != nil {
			return err
		}
	}
	cfg, err := g.streamConfig(ctx, alert.QueueRegion(wf.queue))
	if err != nil {
		return err
	}
	out, closeOut, err := g.out()
	if err != nil {
		return usageErr("%v", err)
	}
	label := g.output
	if label == "" {
		label = "-"
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := watch.NewMetrics(reg)
	st, err := openStream(cfg, &wf.streamSpec, metrics, g.stderr, alert.NewJSONL(out, label))
	if err != nil {
		return errors.Join(err, closeOut())
	}
	w := &watch.Watcher{SQS: sqs.NewFromConfig(cfg), QueueURL: wf.queue, Pipeline: st.pipeline,
		WaitTime: wf.wait, Visibility: wf.visibility, Once: wf.once, Metrics: metrics}
	if wf.listen != "" {
		addr, err := watch.Serve(ctx, wf.listen, watch.HTTPHandler(reg, w.Healthy), func(err error) { slog.Error("watch: metrics server", "error", err) })
		if err != nil {
			return errors.Join(usageErr("--listen: %v", err), st.close(), closeOut())
		}
		slog.Info("watch: serving /healthz and /metrics", "addr", addr.String())
	}
	slog.Info("watch: reading", "queue", wf.queue, "index", wf.index, "state", wf.stateDir, "dead_letter", st.notifier.DeadLetterPath())
	runErr := w.Run(ctx)
	err = errors.Join(st.close(), closeOut())
	fmt.Fprintln(g.stderr, "trail watch:", metrics.Summary())
	if errors.Is(runErr, watch.ErrLeftInQueue) && err == nil {
		fmt.Fprintln(g.stderr, "baseline:", runErr)
		return &exitError{code: ExitIncomplete, err: runErr}
	}
	return errors.Join(runErr, err)
}

// streamConfig is the caller's AWS configuration, in the queue's region
// when the queue URL names one and --region does not.
func (g *globals) streamConfig(ctx context.Context, queueRegion string) (aws.Config, error) {
	ss, err := g.sessions(ctx)
	if err != nil {
		return aws.Config{}, err
	}
	cfg, err := ss.Caller(ctx)
	if err != nil {
		return aws.Config{}, err
	}
	if g.region == "" && queueRegion != "" {
		cfg = awsx.InRegion(cfg, queueRegion)
	}
	return cfg, nil
}

// stream is a pipeline and what must be closed after it.
type stream struct {
	pipeline *watch.Pipeline
	notifier *alert.Notifier
	writer   *index.Writer // nil without an index
}

// openStream builds the pipeline of spec: rules, sinks (extra ones first),
// alert journal and index.
func openStream(cfg aws.Config, spec *streamSpec, metrics *watch.Metrics, stderr io.Writer, extra ...alert.Sink) (*stream, error) {
	for _, dir := range spec.rules {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return nil, usageErr("rules %s: not a directory", dir)
		}
	}
	ruleSet, errs := rules.Load(spec.rules...)
	for _, err := range errs {
		fmt.Fprintln(stderr, "baseline: rules:", err)
	}
	if ht := rules.Honeytoken(spec.honeytokens); ht != nil {
		ruleSet = append(ruleSet, ht)
	}
	det, err := watch.NewDetector(ruleSet, spec.minLevel)
	if err != nil {
		return nil, usageErr("%v", err)
	}
	client, err := webhookClient(spec.webhookCA)
	if err != nil {
		return nil, err
	}
	sinks, err := spec.alerts.Sinks(alert.Clients{SNS: sns.NewFromConfig(cfg), SQS: sqs.NewFromConfig(cfg), HTTP: client, Getenv: os.Getenv})
	if err != nil {
		return nil, usageErr("%v", err)
	}
	if spec.alerts.DeadLetter == "" {
		if spec.alerts.DeadLetter, err = stateFile("alerts.dead.jsonl"); err != nil {
			return nil, err
		}
	}
	n, err := alert.Open(alert.Options{
		Sinks: append(extra, sinks...), Window: spec.alerts.GroupWindow, Retry: spec.alerts.Retry,
		StateDir: spec.stateDir, DeadLetter: spec.alerts.DeadLetter, OnResult: metrics.AlertResult,
	})
	if err != nil {
		return nil, err
	}
	st := &stream{notifier: n}
	pc := watch.Config{
		S3: s3.NewFromConfig(cfg, awsx.S3Addressing, func(o *s3.Options) {
			o.DisableLogOutputChecksumValidationSkipped = true // CloudTrail's objects carry no checksum
		}),
		Detector: det, Notifier: n, Metrics: metrics,
	}
	if spec.index != "" {
		st.writer = index.NewWriter(spec.index)
		pc.Index = st.writer
	}
	st.pipeline = watch.New(pc)
	return st, nil
}

// close stores what the index buffers and sends the alerts still grouped,
// giving slow sinks 30 seconds: what is still undelivered then stays in the
// journal for the next start.
func (s *stream) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var err error
	if s.writer != nil {
		err = s.writer.Close()
	}
	return errors.Join(err, s.notifier.Close(ctx))
}

// webhookClient is the HTTP client of Slack and webhooks, trusting the
// system's CAs plus those of caFile.
func webhookClient(caFile string) (*http.Client, error) {
	client := &http.Client{Timeout: 30 * time.Second}
	if caFile == "" {
		return client, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, usageErr("--webhook-ca: %v", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, usageErr("--webhook-ca %s: no PEM certificate in it", caFile)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	client.Transport = tr
	return client, nil
}

// stateFile is a file in baseline's state directory: $XDG_STATE_HOME/baseline,
// else ~/.local/state/baseline.
func stateFile(elem ...string) (string, error) {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("no state directory: %w", err)
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(append([]string{dir, "baseline"}, elem...)...), nil
}

// queueStateDir is the journal's directory for a queue: its name and a hash
// of its URL, so that two queues never share a journal.
func queueStateDir(queueURL string) (string, error) {
	sum := sha256.Sum256([]byte(queueURL))
	return stateFile("watch", fmt.Sprintf("%s-%x", filepath.Base(strings.TrimRight(queueURL, "/")), sum[:4]))
}

func newTrailAlertsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "alerts", Short: "Alerts of trail watch: replay the dead letters"}
	var wf watchFlags
	replay := &cobra.Command{
		Use:   "replay FILE",
		Short: "Send the alerts of a dead-letter file again",
		Long: "replay sends each alert of a dead-letter file (trail watch --dead-letter) again to the sink that\n" +
			"refused it, given with the same --alert-* flags as to watch; those that fail again, or whose sink\n" +
			"is not given, are kept in FILE. The file is moved to FILE.replaying first, so a running watcher\n" +
			"can go on appending; an interrupted replay resumes from there.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAlertsReplay(cmd.Context(), g, &wf, args[0])
		},
	}
	f := replay.Flags()
	f.StringSliceVar(&wf.sns, "alert-sns", nil, "SNS topic ARN; repeatable")
	f.StringSliceVar(&wf.sqs, "alert-sqs", nil, "SQS queue URL; repeatable")
	f.StringSliceVar(&wf.slack, "alert-slack", nil, "Slack incoming webhook URL; repeatable")
	f.StringSliceVar(&wf.webhooks, "alert-webhook", nil, "HTTPS webhook URL; repeatable")
	f.StringVar(&wf.secretEnv, "webhook-secret-env", "", "environment variable holding the webhooks' HMAC secret")
	f.StringVar(&wf.webhookCA, "webhook-ca", "", "PEM file of extra CA certificates trusted for webhooks")
	cmd.AddCommand(replay)
	return cmd
}

func runAlertsReplay(ctx context.Context, g *globals, wf *watchFlags, file string) error {
	c := alert.Config{SNS: wf.sns, SQS: wf.sqs}
	for _, u := range wf.slack {
		c.Slack = append(c.Slack, alert.SlackConfig{URL: u})
	}
	for _, u := range wf.webhooks {
		c.Webhooks = append(c.Webhooks, alert.WebhookConfig{URL: u, SecretEnv: wf.secretEnv})
	}
	var cfg aws.Config
	if len(c.SNS)+len(c.SQS) > 0 {
		var err error
		if cfg, err = g.streamConfig(ctx, ""); err != nil {
			return err
		}
	}
	client, err := webhookClient(wf.webhookCA)
	if err != nil {
		return err
	}
	sinks, err := c.Sinks(alert.Clients{SNS: sns.NewFromConfig(cfg), SQS: sqs.NewFromConfig(cfg), HTTP: client, Getenv: os.Getenv})
	if err != nil {
		return usageErr("%v", err)
	}
	st, err := alert.Replay(ctx, file, sinks, c.Retry)
	fmt.Fprintf(g.stderr, "trail alerts replay: %d sent, %d failed again, %d without a matching sink (kept in %s)\n", st.Sent, st.Failed, st.Unmatched, file)
	if err != nil {
		return err
	}
	if st.Failed+st.Unmatched > 0 {
		return &exitError{code: ExitIncomplete, err: errors.New("some alerts were not delivered")}
	}
	return nil
}
