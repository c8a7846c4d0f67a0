package index

import (
	"slices"
	"strings"
)

// The resource reference index. A write event names what it changed in its
// resources (ARNs) and in its requestParameters and responseElements (a
// bucketName, a groupId, a roleName, a loadBalancerArn…). Each identifier
// becomes one row of refs, sorted by ref, so that an exact lookup reads one
// small row group per file instead of scanning JSON text.

// eventRefs returns the distinct references of a write management event:
// the ARNs of its resources, and the identifiers in its raw
// requestParameters and responseElements.
func eventRefs(resources []string, request, response []byte) []string {
	var refs []string
	addARN := func(arn string) {
		refs = append(refs, arn)
		refs = append(refs, arnNames(arn)...)
	}
	for _, arn := range resources {
		if strings.HasPrefix(arn, "arn:") {
			addARN(arn)
		}
	}
	add := func(key, val []byte) {
		s, ok := plainString(val)
		if !ok || len(s) == 0 || len(s) > maxRefLen {
			return
		}
		v := string(s)
		switch {
		case strings.HasPrefix(v, "arn:"):
			addARN(v)
		case isResourceID(v), isIdentifierKey(string(key)) && plausibleName(v):
			refs = append(refs, v)
		}
	}
	for _, v := range [][]byte{request, response} {
		if !isNull(v) {
			leaves(nil, v, add)
		}
	}
	slices.Sort(refs)
	return slices.Compact(refs)
}

// objectARNs are the refs of a data event (an object written, a function
// invoked, an item put): only S3 objects' ARNs, so that who-changed finds
// who overwrote an object. Naming the bucket, function or table would bury
// their configuration changes, which are what who-changed is asked about,
// under the traffic of their data plane.
func objectARNs(arns []string) []string {
	var refs []string
	for _, a := range arns {
		parts := strings.SplitN(a, ":", 6)
		if len(parts) == 6 && parts[2] == "s3" && strings.Contains(strings.Trim(parts[5], "/"), "/") {
			refs = append(refs, a)
		}
	}
	return refs
}

// maxRefLen bounds a reference: longer strings are documents, not names.
const maxRefLen = 512

// isIdentifierKey reports whether a member named key holds the identifier of
// a resource: CloudTrail names them fooId, fooName, fooArn, fooIdentifier
// (and their plurals), or bucket, name, id, arn.
func isIdentifierKey(key string) bool {
	if skipKeys[key] {
		return false
	}
	switch key {
	case "name", "id", "arn", "bucket", "Bucket", "Name", "ARN":
		return true
	}
	for _, suffix := range []string{"Id", "Ids", "ID", "Name", "Names", "Arn", "Arns", "ARN", "Identifier", "Identifiers"} {
		if len(key) > len(suffix) && strings.HasSuffix(key, suffix) {
			return true
		}
	}
	return false
}

// skipKeys have identifier-like names but identify requests, sessions or
// owners, not the resource changed: indexing them would only grow refs (an
// owner's account id would match every change in the account).
var skipKeys = map[string]bool{
	"requestId": true, "requestID": true, "clientRequestId": true, "principalId": true,
	"roleSessionName": true, "sessionName": true, "assumedRoleId": true, "x-amz-id-2": true,
	"eventId": true, "sharedEventID": true, "ownerId": true, "groupOwnerId": true, "imageOwnerId": true,
}

// plausibleName rejects values that are text or documents rather than names.
func plausibleName(v string) bool {
	if v[0] == '{' || v[0] == '[' {
		return false
	}
	return !strings.ContainsAny(v, "\n\t") && strings.Count(v, " ") <= 3
}

// isResourceID recognises the identifiers of EC2 and VPC resources whatever
// key holds them (filters and item lists hide them under "value" or "item").
func isResourceID(v string) bool {
	prefix, hex, ok := strings.Cut(v, "-")
	if !ok || len(hex) < 8 || len(hex) > 17 || !ec2Prefixes[prefix] {
		return false
	}
	for i := 0; i < len(hex); i++ {
		if c := hex[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

var ec2Prefixes = map[string]bool{
	"i": true, "sg": true, "sgr": true, "vpc": true, "subnet": true, "vol": true, "snap": true, "ami": true,
	"eni": true, "igw": true, "eigw": true, "nat": true, "rtb": true, "acl": true, "eipalloc": true,
	"eipassoc": true, "lt": true, "pcx": true, "tgw": true, "vpce": true, "dopt": true,
	"fl": true, "key": true, "cgw": true, "vgw": true, "vpn": true, "pl": true, "fs": true, "fsap": true,
}

// arnNames returns the names an ARN's resource is also known by, so that
// `who-changed my-bucket` finds events that only carried the ARN and the
// other way round: the last path segment (role/path/Name → Name), and for
// the services whose ARNs end in an opaque id, the name before it.
func arnNames(arn string) []string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[5] == "" {
		return nil
	}
	service, resource := parts[2], parts[5]
	switch service {
	case "s3":
		// bucket or bucket/key: the bucket is the name worth knowing.
		bucket, _, _ := strings.Cut(resource, "/")
		return []string{bucket}
	case "elasticloadbalancing":
		// loadbalancer/app/NAME/ID, listener/app/NAME/LBID/ID, targetgroup/NAME/ID
		segs := strings.Split(resource, "/")
		switch {
		case len(segs) >= 3 && segs[0] == "targetgroup":
			return []string{segs[1]}
		case len(segs) >= 4:
			return []string{segs[2]}
		case len(segs) == 2: // classic: loadbalancer/NAME
			return []string{segs[1]}
		}
		return nil
	}
	if i := strings.LastIndexByte(resource, '/'); i >= 0 {
		return []string{resource[i+1:]}
	}
	// type:NAME[:qualifier], as in function:NAME:alias or secret:NAME-AbCdEf.
	segs := strings.Split(resource, ":")
	if len(segs) >= 2 {
		return []string{segs[1]}
	}
	return []string{resource}
}

// lookup is one way to find a resource in refs: ref equal to Ref and, when
// Account is set, in that account.
type lookup struct {
	Ref, Account string
}

// lookups returns how a resource named by the user is found: an ARN by
// itself in any account, and by its names in the ARN's account (names are
// unique only within an account); an id or name as given.
func lookups(resource string) []lookup {
	out := []lookup{{Ref: resource}}
	if !strings.HasPrefix(resource, "arn:") {
		return out
	}
	account := ""
	if parts := strings.SplitN(resource, ":", 6); len(parts) == 6 {
		account = parts[4]
	}
	for _, n := range arnNames(resource) {
		if n != "" && n != resource {
			out = append(out, lookup{Ref: n, Account: account})
		}
	}
	return out
}
