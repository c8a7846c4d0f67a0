package controls

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/snapshot"
)

// s3Of returns the account's S3 state; when the collector did not run it
// reports ERROR and returns nil.
func s3Of(e *catalog.Eval) *snapshot.S3 {
	s := e.Account.Global.S3
	if s == nil {
		e.NotCollected("s3")
	}
	return s
}

// bucketARN is the ARN of a bucket (S3 ARNs carry no region or account).
func bucketARN(region, name string) string {
	return fmt.Sprintf("arn:%s:s3:::%s", partitionOf(region), name)
}

// bucketReadFailed returns the first failed read among ops for a bucket of
// account, or nil. A bucket whose region could not be read was not read at
// all, so GetBucketLocation is always checked first.
func bucketReadFailed(snap *snapshot.Snapshot, account string, b *snapshot.Bucket, ops ...string) *snapshot.Error {
	for _, op := range append([]string{"s3:GetBucketLocation"}, ops...) {
		if err := failedReadIn(snap, account, "", op, b.Name); err != nil {
			return err
		}
	}
	return nil
}

var (
	// bucketExposureReads are the reads that say whether a bucket grants
	// anything to the public (Block Public Access then says if it holds).
	bucketExposureReads = []string{"s3:GetBucketPolicy", "s3:GetBucketAcl"}
	publicGroupGrantees = map[string]string{"AllUsers": "everyone", "AuthenticatedUsers": "any AWS account"}
	// roleSessionRe is the one wildcard aws:userid pattern S3 still counts
	// as fixed: any session of one role.
	roleSessionRe = regexp.MustCompile(`^AROA[A-Z0-9]+:\*$`)
)

// exposure is what makes a bucket public and what Block Public Access
// neutralises: each entry a sentence fragment for a reason.
type exposure struct {
	public  []string
	blocked []string
}

// bucketExposure applies S3's rules: a public policy statement is
// neutralised by RestrictPublicBuckets, a public ACL grant by
// IgnorePublicAcls, each set on the bucket or the account. When AWS
// evaluated the policy itself (GetBucketPolicyStatus), its verdict wins over
// our reading of the statements.
func bucketExposure(b *snapshot.Bucket, account *snapshot.PublicAccessBlock) (exposure, error) {
	var x exposure
	grants, err := publicStatements(b.Policy)
	if err != nil {
		return x, err
	}
	if b.PolicyPublic != nil {
		switch {
		case !*b.PolicyPublic:
			grants = nil
		case len(grants) == 0:
			grants = []string{"AWS evaluates its bucket policy as public"}
		}
	}
	bucket := b.PublicAccessBlock
	if bucket == nil {
		bucket = &snapshot.PublicAccessBlock{}
	}
	if account == nil {
		account = &snapshot.PublicAccessBlock{}
	}
	neutralised := func(onBucket, onAccount bool, setting string) string {
		switch {
		case onBucket:
			return " (neutralised by the bucket's " + setting + ")"
		case onAccount:
			return " (neutralised by the account's " + setting + ")"
		}
		return ""
	}
	file := func(what, by string) {
		if by != "" {
			x.blocked = append(x.blocked, what+by)
		} else {
			x.public = append(x.public, what)
		}
	}
	for _, g := range grants {
		file(g, neutralised(bucket.RestrictPublicBuckets, account.RestrictPublicBuckets, "RestrictPublicBuckets"))
	}
	for _, g := range b.Grants {
		for group, who := range publicGroupGrantees {
			if strings.HasSuffix(g.Grantee, "/groups/global/"+group) {
				file(fmt.Sprintf("its ACL grants %s to %s (%s)", g.Permission, group, who),
					neutralised(bucket.IgnorePublicAcls, account.IgnorePublicAcls, "IgnorePublicAcls"))
			}
		}
	}
	return x, nil
}

// publicStatements describes the Allow statements of a bucket policy that
// grant access to anyone: Principal "*" (or AWS "*", or NotPrincipal)
// without a condition that pins the caller to fixed values of the keys S3
// itself accepts as restricting (source account, ARN, VPC, endpoint, IP
// range, organization...).
func publicStatements(policy string) ([]string, error) {
	if policy == "" {
		return nil, nil
	}
	sts, err := parseSCP(policy)
	if err != nil {
		return nil, err
	}
	var out []string
	for i := range sts {
		st := &sts[i]
		if !st.allows() || !st.toAnyone() || st.restrictsCaller() {
			continue
		}
		out = append(out, fmt.Sprintf("%s allows %s to anyone", st.label(i), strings.Join(st.Action, ", ")))
	}
	return out, nil
}

// toAnyone reports whether a statement's principal is everyone.
func (st *scpStatement) toAnyone() bool {
	if st.NotPrincipal != nil {
		return true
	}
	p := st.Principal
	return p != nil && (p.Any || slices.Contains(p.ByType["AWS"], "*") || slices.Contains(p.ByType["CanonicalUser"], "*"))
}

// restrictingKeys are the condition keys that make a policy non-public
// when they are tested against fixed values (the S3 definition of public).
var restrictingKeys = map[string]bool{
	"aws:sourceip": true, "aws:sourcearn": true, "aws:sourcevpc": true, "aws:sourcevpce": true,
	"aws:sourceowner": true, "aws:sourceaccount": true, "aws:userid": true,
	"aws:principalorgid": true, "aws:principalorgpaths": true, "aws:principalaccount": true, "aws:principalarn": true,
	"aws:sourceorgid": true, "aws:sourceorgpaths": true,
	"s3:x-amz-server-side-encryption-aws-kms-key-id": true, "s3:dataaccesspointarn": true, "s3:dataaccesspointaccount": true,
}

// restrictsCaller reports whether a condition of the statement pins the
// caller to fixed values of a restricting key. Negated and IfExists
// operators do not: they let through requests that lack the key or differ.
func (st *scpStatement) restrictsCaller() bool {
	for op, keys := range st.Condition {
		base := strings.ToLower(op)
		base = strings.TrimPrefix(strings.TrimPrefix(base, "forallvalues:"), "foranyvalue:")
		if strings.HasSuffix(base, "ifexists") || strings.Contains(base, "not") {
			continue
		}
		for key, vals := range keys {
			key = strings.ToLower(key)
			if restrictingKeys[key] && len(vals) > 0 && fixedValues(key, vals) {
				return true
			}
		}
	}
	return false
}

// fixedValues reports whether no value is a wildcard, a policy variable or
// the whole address space.
func fixedValues(key string, vals []string) bool {
	for _, v := range vals {
		switch {
		case key == "aws:sourceip" && isInternet(v):
			return false
		case key == "aws:userid" && roleSessionRe.MatchString(v):
		case strings.ContainsAny(v, "*?") || strings.Contains(v, "${"):
			return false
		}
	}
	return true
}

// deniesInsecureTransport describes the statement of a bucket policy that
// denies every S3 action to everyone over plain HTTP on the bucket's
// objects (objectARN is the ARN of any object of the bucket), or returns "".
func deniesInsecureTransport(policy, objectARN string) (string, error) {
	if policy == "" {
		return "", nil
	}
	sts, err := parseSCP(policy)
	if err != nil {
		return "", err
	}
	for i := range sts {
		st := &sts[i]
		if st.allows() || !st.toAnyone() || !anyActionGlob(st.Action, "s3:*") || !coversResource(st.Resource, objectARN) {
			continue
		}
		for op, keys := range st.Condition {
			if o := strings.ToLower(op); o != "bool" && o != "boolifexists" {
				continue
			}
			for key, vals := range keys {
				if strings.EqualFold(key, "aws:SecureTransport") && len(vals) == 1 && strings.EqualFold(vals[0], "false") {
					return st.label(i), nil
				}
			}
		}
	}
	return "", nil
}

// coversResource reports whether one of the resource patterns matches arn.
func coversResource(patterns []string, arn string) bool {
	for _, p := range patterns {
		if iamGlob(p, arn) {
			return true
		}
	}
	return false
}
