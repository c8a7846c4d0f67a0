package awsx

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func apiErr(code string) error { return &smithy.GenericAPIError{Code: code, Message: "m"} }

func httpErr(status int) error {
	return &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: fmt.Errorf("x")}
}

func TestClassify(t *testing.T) {
	cases := []struct {
		err  error
		want Class
	}{
		{nil, ClassNone},
		{apiErr("NoSuchEntity"), ClassNotFound},
		{apiErr("NoSuchBucketPolicy"), ClassNotFound},
		{apiErr("InvalidVpcID.NotFound"), ClassNotFound},
		{apiErr("ResourceNotFoundException"), ClassNotFound},
		{apiErr("AccessDenied"), ClassAccessDenied},
		{apiErr("AccessDeniedException"), ClassAccessDenied},
		{apiErr("UnauthorizedOperation"), ClassAccessDenied},
		{apiErr("ThrottlingException"), ClassThrottled},
		{apiErr("RequestLimitExceeded"), ClassThrottled},
		{apiErr("OptInRequired"), ClassOptIn},
		{apiErr("SomethingElse"), ClassOther},
		{httpErr(403), ClassAccessDenied},
		{httpErr(429), ClassThrottled},
		{&unsupportedError{status: 500}, ClassUnsupported},
		{fmt.Errorf("wrapped: %w", apiErr("AccessDenied")), ClassAccessDenied},
		{context.Canceled, ClassCanceled},
	}
	for _, c := range cases {
		if got := Classify(c.err); got != c.want {
			t.Errorf("Classify(%v) = %s, want %s", c.err, got, c.want)
		}
	}
}

func TestNotImplementedPage(t *testing.T) {
	mk := func(status int, ct, body string) *http.Response {
		h := http.Header{}
		if ct != "" {
			h.Set("Content-Type", ct)
		}
		return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body))}
	}
	cases := []struct {
		r    *http.Response
		want bool
	}{
		{mk(500, "text/html; charset=utf-8", "<html>"), true},
		{mk(500, "", "<!DOCTYPE HTML PUBLIC><title>500 Internal Server Error</title>"), true},
		{mk(404, "", ""), true},
		{mk(501, "application/json", "{}"), true},
		{mk(500, "application/x-amz-json-1.1", `{"__type":"InternalFailure"}`), false},
		{mk(404, "application/xml", "<Error><Code>NoSuchBucket</Code></Error>"), false},
		{mk(200, "text/html", "<html>"), false},
	}
	for i, c := range cases {
		if got := isNotImplementedPage(c.r); got != c.want {
			t.Errorf("case %d: got %v, want %v", i, got, c.want)
		}
		// The body must still be readable by the SDK's deserializer.
		if c.r.Body != nil {
			if _, err := io.ReadAll(c.r.Body); err != nil {
				t.Errorf("case %d: body consumed: %v", i, err)
			}
		}
	}
}
