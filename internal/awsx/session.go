// Package awsx is the AWS access layer: credentials for every account of an
// organization, per-API rate limits, retries, call accounting and the one
// place where AWS errors are classified.
package awsx

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// DefaultRoleName is the role Organizations creates in every member account.
const DefaultRoleName = "OrganizationAccountAccessRole"

// Options configure how baseline reaches AWS. Zero values mean AWS CLI defaults.
type Options struct {
	Profile    string
	Region     string // home region for global services; default: profile, then us-east-1
	RoleName   string // role assumed in member accounts
	ExternalID string
	// MaxAttempts bounds retries of one call (throttling, 5xx, eventual consistency).
	MaxAttempts int
	// RatePerSecond is the per-account, per-region, per-service request rate.
	RatePerSecond float64
	// AssumeRoleAPI replaces the STS client that assumes member roles (tests
	// use it to deny one account).
	AssumeRoleAPI stscreds.AssumeRoleAPIClient
}

// Sessions hands out aws.Configs for the caller and for member accounts.
// Credentials of assumed roles are cached and refreshed by the SDK; a role is
// assumed once per account however many services and regions are read.
type Sessions struct {
	opts     Options
	base     aws.Config
	Stats    *Stats
	limiters *limiters

	mu       sync.Mutex
	accounts map[string]*accountSession
	callerID string
}

type accountSession struct {
	once sync.Once
	cfg  aws.Config
	err  error
}

// NewSessions loads the standard credential chain (env, profile, SSO, IMDS)
// and honours AWS_ENDPOINT_URL like the AWS CLI.
func NewSessions(ctx context.Context, opts Options) (*Sessions, error) {
	if opts.RoleName == "" {
		opts.RoleName = DefaultRoleName
	}
	if opts.MaxAttempts == 0 {
		opts.MaxAttempts = 8
	}
	if opts.RatePerSecond == 0 {
		opts.RatePerSecond = 40
	}
	loaders := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer { return newRetryer(opts.MaxAttempts) }),
	}
	if opts.Profile != "" {
		loaders = append(loaders, config.WithSharedConfigProfile(opts.Profile))
	}
	if opts.Region != "" {
		loaders = append(loaders, config.WithRegion(opts.Region))
	}
	base, err := config.LoadDefaultConfig(ctx, loaders...)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if base.Region == "" {
		base.Region = "us-east-1"
	}
	s := &Sessions{
		opts:     opts,
		base:     base,
		Stats:    NewStats(),
		limiters: newLimiters(opts.RatePerSecond),
		accounts: map[string]*accountSession{},
	}
	return s, nil
}

// HomeRegion is the region used for global services.
func (s *Sessions) HomeRegion() string { return s.base.Region }

// CallerAccountID returns the account of the base credentials (STS GetCallerIdentity, once).
func (s *Sessions) CallerAccountID(ctx context.Context) (string, error) {
	s.mu.Lock()
	id := s.callerID
	s.mu.Unlock()
	if id != "" {
		return id, nil
	}
	out, err := sts.NewFromConfig(s.instrument(s.base, "")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", fmt.Errorf("sts:GetCallerIdentity: %w", err)
	}
	id = aws.ToString(out.Account)
	s.mu.Lock()
	s.callerID = id
	s.mu.Unlock()
	return id, nil
}

// Caller returns the instrumented config of the base credentials.
func (s *Sessions) Caller(ctx context.Context) (aws.Config, error) {
	id, err := s.CallerAccountID(ctx)
	if err != nil {
		return aws.Config{}, err
	}
	return s.instrument(s.base, id), nil
}

// Account returns a config whose credentials act in accountID: the base
// credentials for the caller's own account, an assumed role otherwise. The
// role is assumed eagerly so that an account that cannot be reached is known
// before any of its services are read.
func (s *Sessions) Account(ctx context.Context, accountID string) (aws.Config, error) {
	caller, err := s.CallerAccountID(ctx)
	if err != nil {
		return aws.Config{}, err
	}
	if accountID == caller {
		return s.instrument(s.base, caller), nil
	}
	s.mu.Lock()
	as := s.accounts[accountID]
	if as == nil {
		as = &accountSession{}
		s.accounts[accountID] = as
	}
	s.mu.Unlock()
	as.once.Do(func() { as.cfg, as.err = s.assume(ctx, accountID) })
	return as.cfg, as.err
}

func (s *Sessions) assume(ctx context.Context, accountID string) (aws.Config, error) {
	roleARN := fmt.Sprintf("arn:%s:iam::%s:role/%s", partitionOf(s.base.Region), accountID, s.opts.RoleName)
	var stsc stscreds.AssumeRoleAPIClient = sts.NewFromConfig(s.instrument(s.base, s.callerID))
	if s.opts.AssumeRoleAPI != nil {
		stsc = s.opts.AssumeRoleAPI
	}
	prov := stscreds.NewAssumeRoleProvider(stsc, roleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = "baseline"
		o.Duration = time.Hour
		if s.opts.ExternalID != "" {
			o.ExternalID = aws.String(s.opts.ExternalID)
		}
	})
	cache := aws.NewCredentialsCache(prov, func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow = 5 * time.Minute })
	if _, err := cache.Retrieve(ctx); err != nil {
		return aws.Config{}, fmt.Errorf("assume %s: %w", roleARN, err)
	}
	cfg := s.base.Copy()
	cfg.Credentials = cache
	return s.instrument(cfg, accountID), nil
}

// InRegion returns a copy of cfg pointed at region.
func InRegion(cfg aws.Config, region string) aws.Config {
	c := cfg.Copy()
	c.Region = region
	return c
}

func partitionOf(region string) string {
	switch {
	case len(region) >= 3 && region[:3] == "cn-":
		return "aws-cn"
	case len(region) >= 7 && region[:7] == "us-gov-":
		return "aws-us-gov"
	}
	return "aws"
}

// newRetryer retries throttling and transient errors with jittered
// exponential backoff and adapts its send rate to throttling responses.
func newRetryer(maxAttempts int) aws.Retryer {
	return retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
		o.StandardOptions = append(o.StandardOptions, func(so *retry.StandardOptions) {
			so.MaxAttempts = maxAttempts
			so.MaxBackoff = 20 * time.Second
			// The default retry quota gives up after a burst of throttles
			// across the whole client; our per-API limiters pace instead.
			so.RateLimiter = noQuota{}
			// An emulator's "not implemented" page will not change on retry.
			so.Retryables = append([]retry.IsErrorRetryable{retry.IsErrorRetryableFunc(func(err error) aws.Ternary {
				var ue *unsupportedError
				if errors.As(err, &ue) {
					return aws.FalseTernary
				}
				return aws.UnknownTernary
			})}, so.Retryables...)
		})
	})
}

type noQuota struct{}

func (noQuota) GetToken(context.Context, uint) (func() error, error) {
	return func() error { return nil }, nil
}
func (noQuota) AddTokens(uint) error { return nil }
