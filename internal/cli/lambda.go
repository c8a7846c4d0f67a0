package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"

	"github.com/secure-baseline/baseline/internal/alert"
	"github.com/secure-baseline/baseline/internal/watch"
)

const lambdaEnvHelp = `Environment:
  BASELINE_ALERT_SNS          SNS topic ARNs, comma-separated
  BASELINE_ALERT_SQS          SQS queue URLs, comma-separated
  BASELINE_ALERT_SLACK        Slack incoming webhook URLs, comma-separated (secrets: encrypt the variables)
  BASELINE_ALERT_WEBHOOK      HTTPS webhook URLs, comma-separated, signed with BASELINE_WEBHOOK_SECRET
  BASELINE_WEBHOOK_SECRET     the webhooks' HMAC-SHA256 secret
  BASELINE_RULES              directories of extra Sigma rules in the package, comma-separated
  BASELINE_HONEYTOKENS        IAM user names of honeytokens, comma-separated
  BASELINE_MIN_LEVEL          alert only on rules at or above this level
  BASELINE_INDEX_DIR          index directory (an EFS mount); unset: events are not indexed
  BASELINE_STATE_DIR          alert journal and dead letters (default /tmp/baseline; an EFS mount keeps
                              them across execution environments)`

func newLambdaCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "lambda",
		Short: "Run trail watch's pipeline as an AWS Lambda function behind an SQS event source",
		Long: "lambda is the handler of a Lambda function (provided.al2023 runtime, the baseline binary as\n" +
			"bootstrap with this argument) fed by an SQS event source mapping with ReportBatchItemFailures: each\n" +
			"invocation reads the messages' log files, detects, alerts and indexes as trail watch does, and\n" +
			"reports the messages it could not finish so that only they come back. Alerts are grouped within an\n" +
			"invocation and sent before it returns; they are also printed to stdout (CloudWatch Logs). A\n" +
			"detection is alerted once per state directory: mount EFS to share it between execution\n" +
			"environments, and give the function a reserved concurrency of 1 when it writes an index.\n\n" +
			lambdaEnvHelp,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if os.Getenv("AWS_LAMBDA_RUNTIME_API") == "" {
				return usageErr("lambda runs inside AWS Lambda (AWS_LAMBDA_RUNTIME_API is not set); `baseline trail watch` runs the same pipeline anywhere")
			}
			h, st, err := newLambdaHandler(cmd.Context(), g)
			if err != nil {
				return err
			}
			lambda.StartWithOptions(h.Handle, lambda.WithContext(cmd.Context()), lambda.WithEnableSIGTERM(func() { _ = st.close() }))
			return nil
		},
	}
}

// lambdaSpec reads the function's configuration from its environment.
func lambdaSpec(getenv func(string) string) *streamSpec {
	list := func(name string) []string {
		var out []string
		for _, v := range strings.Split(getenv(name), ",") {
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, v)
			}
		}
		return out
	}
	spec := &streamSpec{
		rules: list("BASELINE_RULES"), honeytokens: list("BASELINE_HONEYTOKENS"), minLevel: getenv("BASELINE_MIN_LEVEL"),
		index: getenv("BASELINE_INDEX_DIR"), stateDir: getenv("BASELINE_STATE_DIR"),
		alerts: alert.Config{SNS: list("BASELINE_ALERT_SNS"), SQS: list("BASELINE_ALERT_SQS")},
	}
	if spec.stateDir == "" {
		spec.stateDir = "/tmp/baseline"
	}
	for _, u := range list("BASELINE_ALERT_SLACK") {
		spec.alerts.Slack = append(spec.alerts.Slack, alert.SlackConfig{URL: u})
	}
	for _, u := range list("BASELINE_ALERT_WEBHOOK") {
		spec.alerts.Webhooks = append(spec.alerts.Webhooks, alert.WebhookConfig{URL: u, SecretEnv: "BASELINE_WEBHOOK_SECRET"})
	}
	spec.alerts.DeadLetter = filepath.Join(spec.stateDir, "alerts.dead.jsonl")
	return spec
}

// newLambdaHandler builds the handler once per execution environment; its
// state (correlation windows, the seen-set, the journal) lives as long.
func newLambdaHandler(ctx context.Context, g *globals) (*watch.LambdaHandler, *stream, error) {
	cfg, err := g.streamConfig(ctx, "")
	if err != nil {
		return nil, nil, err
	}
	metrics := watch.NewMetrics(prometheus.NewRegistry())
	st, err := openStream(cfg, lambdaSpec(os.Getenv), metrics, g.stderr, alert.NewJSONL(g.stdout, "-"))
	if err != nil {
		return nil, nil, err
	}
	return &watch.LambdaHandler{Pipeline: st.pipeline, Alerts: st.notifier}, st, nil
}
