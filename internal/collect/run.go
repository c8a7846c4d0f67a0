package collect

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/secure-baseline/baseline/internal/awsx"
	"github.com/secure-baseline/baseline/internal/sched"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// Options select what to collect.
type Options struct {
	// Org discovers member accounts through Organizations.
	Org bool
	// Accounts limits collection to these account ids (with Org: a filter).
	Accounts []string
	// Regions to read; empty means every region enabled in each account.
	Regions []string
	// Services limits collection to these collector services (tests, targeted
	// plans); nil means all, empty (non-nil) means none: Organizations only.
	Services    []string
	Concurrency int
	ToolVersion string
	Now         func() time.Time
	// Progress, when set, receives an event per finished account.
	Progress func(Progress)
}

// Progress reports collection advancing.
type Progress struct {
	AccountID string
	Done      int
	Total     int
	Err       error
}

// ErrNoAccounts means nothing could be assessed at all.
var ErrNoAccounts = errors.New("no account could be discovered")

// Run collects a snapshot. A failed read is recorded in the snapshot and
// never stops the run; only a failure to learn who the caller is returns an
// error.
func Run(ctx context.Context, ss *awsx.Sessions, opts Options) (*snapshot.Snapshot, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 32
	}
	// One call chain from the first call to the last, for the benchmarks'
	// lower bound (sched.ChainDepth).
	ctx = sched.ForkChain(ctx)
	callerCfg, err := ss.Caller(ctx)
	if err != nil {
		return nil, err
	}
	callerID, _ := ss.CallerAccountID(ctx)
	snap := &snapshot.Snapshot{
		SchemaVersion:   snapshot.SchemaVersion,
		CollectedAt:     opts.Now().UTC(),
		ToolVersion:     opts.ToolVersion,
		CallerAccountID: callerID,
		Regions:         append([]string(nil), opts.Regions...),
	}
	rec := &recorder{}
	s := sched.New(ctx, opts.Concurrency)
	r := &run{ss: ss, opts: opts, sched: s, rec: rec, snap: snap, home: ss.HomeRegion()}

	org, members := discoverOrganization(ctx, callerCfg, callerID, opts.Org, s, rec)
	snap.Organization = org
	accounts := r.selectAccounts(callerID, members)
	if len(accounts) == 0 {
		s.Wait()
		return nil, ErrNoAccounts
	}
	snap.Accounts = accounts
	r.total = len(accounts)
	for _, a := range accounts {
		a := a
		s.Submit(ctx, func(ctx context.Context) { r.account(ctx, a) })
	}
	s.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	snap.Errors = rec.errs
	if len(snap.Regions) == 0 {
		snap.Regions = r.seenRegions()
	}
	snap.Normalize()
	return snap, nil
}

type run struct {
	ss    *awsx.Sessions
	opts  Options
	sched *sched.Scheduler
	rec   *recorder
	snap  *snapshot.Snapshot
	home  string

	mu    sync.Mutex
	done  int
	total int
}

// selectAccounts decides which accounts to read: the organization's ACTIVE
// members (--org), the listed ones (--accounts), or the caller's own.
func (r *run) selectAccounts(callerID string, members []*snapshot.Account) []*snapshot.Account {
	byID := map[string]*snapshot.Account{}
	for _, m := range members {
		byID[m.AccountID] = m
	}
	var out []*snapshot.Account
	switch {
	case len(r.opts.Accounts) > 0:
		for _, id := range r.opts.Accounts {
			if a, ok := byID[id]; ok {
				out = append(out, a)
			} else {
				out = append(out, &snapshot.Account{AccountID: id})
			}
		}
	case r.opts.Org:
		for _, m := range members {
			if m.Status == "" || m.Status == "ACTIVE" {
				out = append(out, m)
			}
		}
	default:
		if a, ok := byID[callerID]; ok {
			out = append(out, a)
		} else {
			out = append(out, &snapshot.Account{AccountID: callerID})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].AccountID < out[j].AccountID })
	return out
}

// account assumes the account's role, finds its regions and submits one task
// per collector and region.
func (r *run) account(ctx context.Context, a *snapshot.Account) {
	cfg, err := r.ss.Account(ctx, a.AccountID)
	if err != nil {
		a.Unreachable = err.Error()
		a.Regions = map[string]*snapshot.Region{}
		r.rec.add(a.AccountID, "", "sts", "AssumeRole", "", err)
		r.finished(a, err)
		return
	}
	regions := r.opts.Regions
	if len(regions) == 0 {
		regions, err = enabledRegions(ctx, cfg)
		if err != nil {
			r.rec.add(a.AccountID, r.home, "ec2", "DescribeRegions", "", err)
			regions = []string{r.home}
		}
	}
	a.Regions = make(map[string]*snapshot.Region, len(regions))
	for _, reg := range regions {
		a.Regions[reg] = &snapshot.Region{}
	}
	var wg sync.WaitGroup
	for _, c := range Collectors() {
		if !r.wanted(c.Service) {
			continue
		}
		c := c
		targets := []string{""}
		if c.Regional {
			targets = regions
		}
		for _, reg := range targets {
			reg := reg
			wg.Add(1)
			region := reg
			if region == "" {
				region = r.home
			}
			t := &Task{Account: a, Region: reg, Config: awsx.InRegion(cfg, region), ManagementAccountID: r.snap.ManagementAccountID(),
				Service: c.Service, sched: r.sched, rec: r.rec}
			r.sched.Submit(ctx, func(ctx context.Context) {
				defer wg.Done()
				c.Run(ctx, t)
			})
		}
	}
	// Waiting here holds no slot of the budget: the account task's own slot
	// is released when this function returns, so wait in a goroutine.
	go func() { wg.Wait(); r.finished(a, nil) }()
}

func (r *run) wanted(service string) bool {
	if r.opts.Services == nil {
		return true
	}
	for _, s := range r.opts.Services {
		if s == service {
			return true
		}
	}
	return false
}

func (r *run) finished(a *snapshot.Account, err error) {
	// Progress callbacks are serialized so renderers need no locking.
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done++
	if r.opts.Progress != nil {
		r.opts.Progress(Progress{AccountID: a.AccountID, Done: r.done, Total: r.total, Err: err})
	}
}

func (r *run) seenRegions() []string {
	set := map[string]bool{}
	for _, a := range r.snap.Accounts {
		for reg := range a.Regions {
			set[reg] = true
		}
	}
	out := make([]string, 0, len(set))
	for reg := range set {
		out = append(out, reg)
	}
	sort.Strings(out)
	return out
}

type regionsAPI interface {
	DescribeRegions(context.Context, *ec2.DescribeRegionsInput, ...func(*ec2.Options)) (*ec2.DescribeRegionsOutput, error)
}

// enabledRegions lists the regions enabled in the account (opt-in regions
// that are not opted in are left out).
func enabledRegions(ctx context.Context, cfg aws.Config) ([]string, error) {
	return enabledRegionsFrom(ctx, ec2.NewFromConfig(cfg))
}

func enabledRegionsFrom(ctx context.Context, api regionsAPI) ([]string, error) {
	out, err := api.DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	if err != nil {
		return nil, err
	}
	var regions []string
	for _, r := range out.Regions {
		if r.OptInStatus == nil || aws.ToString(r.OptInStatus) != "not-opted-in" {
			regions = append(regions, aws.ToString(r.RegionName))
		}
	}
	if len(regions) == 0 {
		return nil, fmt.Errorf("no enabled region")
	}
	sort.Strings(regions)
	return regions, nil
}
