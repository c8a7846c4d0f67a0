package cli

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	json "github.com/goccy/go-json"
	"github.com/spf13/cobra"

	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/verify"
)

func init() { trailCommands = append(trailCommands, newTrailVerifyCmd) }

func newTrailVerifyCmd(g *globals) *cobra.Command {
	var keysFile, since, until string
	var maxAge time.Duration
	cmd := &cobra.Command{
		Use:   "verify SRC",
		Short: "Verify CloudTrail log file integrity through the digest chain (dir or s3://bucket/prefix)",
		Long: "verify checks every digest's signature (RSA SHA-256, keys from cloudtrail:ListPublicKeys or --public-keys)\n" +
			"and every log file's SHA-256 against its digest, and walks the digest chains. Each log file is reported\n" +
			"valid, changed, missing or not_covered, each digest valid or bad_signature, and every chain gap.\n" +
			"A local copy keeps each digest's S3 metadata in <digest>.metadata.json (the output of\n" +
			"`aws s3api head-object`). Exit code 1 when anything is wrong.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			format := g.format
			if format == "" {
				format = "table"
			}
			if format != "table" && format != "json" {
				return usageErr("unknown format %q for trail verify (table, json)", format)
			}
			s, u, err := timeRange(since, until)
			if err != nil {
				return err
			}
			src, keys, err := verifyInputs(cmd.Context(), g, args[0], keysFile)
			if err != nil {
				return err
			}
			opts := verify.Options{Since: s, Until: u, MaxAge: maxAge, Keys: keys}
			w, closeOut, err := g.out()
			if err != nil {
				return err
			}
			enc := json.NewEncoder(w)
			var problems []verify.Result
			sum, err := verify.Verify(cmd.Context(), src, opts, func(r verify.Result) {
				if format == "json" {
					_ = enc.Encode(r)
				} else if r.Status != verify.StatusValid {
					problems = append(problems, r)
				}
			})
			if err != nil {
				return err
			}
			if format == "table" {
				tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
				for _, p := range problems {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", strings.ToUpper(string(p.Status)), p.Kind, p.Key, p.Detail)
				}
				tw.Flush()
				fmt.Fprintf(w, "%d log files, %d digests: %d valid, %d changed, %d missing, %d not covered, %d bad signatures, %d gaps\n",
					sum.Logs, sum.Digests, sum.Valid, sum.Changed, sum.Missing, sum.NotCovered, sum.BadSignature, sum.Gaps)
			}
			if !sum.NewestDigest.IsZero() {
				fmt.Fprintf(g.stderr, "newest digest ends %s (%s ago)\n", sum.NewestDigest.Format(time.RFC3339), time.Since(sum.NewestDigest).Round(time.Minute))
			}
			if err := closeOut(); err != nil {
				return err
			}
			if sum.Failed() {
				return &exitError{code: ExitFindings, err: fmt.Errorf("integrity problems found")}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&keysFile, "public-keys", "", "CloudTrail public keys as printed by `aws cloudtrail list-public-keys` (offline verification)")
	f.StringVar(&since, "since", "", "judge log files from this time (RFC 3339, YYYY-MM-DD or a duration like 7d)")
	f.StringVar(&until, "until", "", "judge log files up to this time")
	f.DurationVar(&maxAge, "max-age", 0, "fail when the newest digest of an account and region is older than this")
	return cmd
}

// verifyInputs opens the source (a directory or s3://bucket/prefix) and the
// key provider (--public-keys offline, else cloudtrail:ListPublicKeys).
func verifyInputs(ctx context.Context, g *globals, arg, keysFile string) (verify.Source, verify.KeyProvider, error) {
	var keys verify.KeyProvider
	if keysFile != "" {
		f, err := os.Open(keysFile)
		if err != nil {
			return nil, nil, usageErr("%v", err)
		}
		defer f.Close()
		ks, err := verify.ParsePublicKeys(f)
		if err != nil {
			return nil, nil, usageErr("%s: %v", keysFile, err)
		}
		keys = ks
	}
	var src verify.Source
	rest, isS3 := strings.CutPrefix(arg, "s3://")
	if !isS3 {
		d, err := verify.OpenDir(arg)
		if err != nil {
			return nil, nil, usageErr("%v", err)
		}
		if src = d; keys != nil {
			return src, keys, nil
		}
	}
	ss, err := g.sessions(ctx)
	if err != nil {
		return nil, nil, err
	}
	cfg, err := ss.Caller(ctx)
	if err != nil {
		return nil, nil, err
	}
	if keys == nil {
		keys = verify.NewAPIKeys(cloudtrail.NewFromConfig(cfg))
	}
	if src == nil {
		bucket, prefix, _ := strings.Cut(rest, "/")
		if bucket == "" {
			return nil, nil, usageErr("%q: no bucket", arg)
		}
		src = verify.NewS3(s3.NewFromConfig(cfg, awsx.S3Addressing), bucket, prefix)
	}
	return src, keys, nil
}
