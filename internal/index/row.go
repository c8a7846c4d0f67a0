package index

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unsafe"

	"github.com/secure-baseline/baseline/internal/cloudtrail"
)

// newEventRow converts a record. The JSON members the Record does not
// extract are found by one pass over the top level of its raw JSON.
func newEventRow(r *cloudtrail.Record) *eventRow {
	var resources, request, response []byte
	data := false
	members(r.Raw, func(key, val []byte) bool {
		switch string(key) {
		case "requestParameters":
			request = val
		case "responseElements":
			response = val
		case "resources":
			resources = val
		case "eventCategory":
			data = string(val) == `"Data"`
		}
		return true
	})
	row := &eventRow{
		EventID:       r.EventID,
		EventTime:     r.EventTime,
		EventName:     r.EventName,
		EventSource:   r.EventSource,
		EventType:     r.EventType,
		AccountID:     r.AccountID,
		PrincipalARN:  r.PrincipalARN,
		PrincipalType: r.IdentityType,
		PrincipalName: principalName(r),
		RoleARN:       r.RoleARN,
		AccessKeyID:   r.AccessKeyID,
		SourceIP:      r.SourceIPAddress,
		UserAgent:     r.UserAgent,
		ErrorCode:     r.ErrorCode,
		ReadOnly:      r.ReadOnly,
		Raw:           aliasString(r.Raw),
		Resources:     resourceARNs(resources),
	}
	if !isNull(request) {
		row.RequestParameters = within(row.Raw, r.Raw, request)
	}
	if !isNull(response) {
		row.ResponseElements = within(row.Raw, r.Raw, response)
	}
	if row.EventID == "" {
		// Without an id an event could not be deduplicated: name it by its
		// content, which a re-delivery repeats.
		sum := sha256.Sum256(r.Raw)
		row.EventID = "sha256:" + hex.EncodeToString(sum[:16])
	}
	switch {
	case r.ReadOnly:
	case data:
		row.refs = objectARNs(row.Resources)
	default:
		row.refs = eventRefs(row.Resources, request, response)
	}
	if len(row.refs) > 0 {
		row.what = summarize(row.EventName, request)
	}
	// Raw and the JSON members alias one buffer; the other strings are
	// small or shared.
	row.size = 512 + len(row.Raw) + len(row.what)
	for _, s := range row.refs {
		row.size += 200 + len(s)
	}
	return row
}

// aliasString views b as a string without copying it. A Record's Raw is never
// modified once parsed, and the row outlives the Record: copying every event
// would double ingestion's memory traffic.
func aliasString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// within returns the part of s that is the subslice part of b, where s
// aliases b (a subslice's capacity tells its offset).
func within(s string, b, part []byte) string {
	off := cap(b) - cap(part)
	return s[off : off+len(part)]
}

// resourceARNs lists the ARNs of an event's resources member.
func resourceARNs(resources []byte) []string {
	var arns []string
	elements(resources, func(res []byte) {
		members(res, func(key, val []byte) bool {
			if string(key) == "ARN" {
				arns = append(arns, scalarText(val))
				return false
			}
			return true
		})
	})
	return arns
}

// principalName is the short name activity queries match: the role of an
// assumed-role session, the user of an IAM or federated user, "root".
func principalName(r *cloudtrail.Record) string {
	arn := r.RoleARN
	if arn == "" {
		arn = r.PrincipalARN
	}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 {
		return ""
	}
	res := parts[5]
	return res[strings.LastIndexByte(res, '/')+1:]
}
