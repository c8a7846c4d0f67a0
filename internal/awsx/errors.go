package awsx

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Class is what an AWS error means to the caller. Every error is classified
// here, once, so collectors and apply steps never compare codes themselves.
type Class string

const (
	ClassNone         Class = ""
	ClassNotFound     Class = "not_found"
	ClassAccessDenied Class = "access_denied"
	ClassThrottled    Class = "throttled"
	ClassOptIn        Class = "opt_in_required"
	// ClassUnsupported is an operation the endpoint does not implement: a
	// service not offered in the region, or an emulator gap.
	ClassUnsupported Class = "unsupported"
	ClassCanceled    Class = "canceled"
	ClassOther       Class = "other"
)

// Codes that mean "the thing you asked about does not exist". Services
// disagree wildly on how to say it.
var notFoundCodes = map[string]bool{
	"NoSuchEntity": true, "NoSuchBucket": true, "NoSuchBucketPolicy": true,
	"NoSuchPublicAccessBlockConfiguration": true, "NoSuchLifecycleConfiguration": true,
	"ServerSideEncryptionConfigurationNotFoundError": true, "ReplicationConfigurationNotFoundError": true,
	"NoSuchTagSet": true, "NoSuchTagSetError": true, "ObjectLockConfigurationNotFoundError": true,
	"NoSuchConfiguration": true, "NoSuchWebsiteConfiguration": true, "OwnershipControlsNotFoundError": true,
	"ResourceNotFoundException": true, "NotFoundException": true, "NotFound": true,
	"NoSuchConfigurationRecorderException": true, "NoSuchDeliveryChannelException": true,
	"TrailNotFoundException": true, "AWSOrganizationsNotInUseException": true,
	"PolicyNotFoundException": true, "AccountNotFoundException": true,
	"InvalidVpcID.NotFound": true, "InvalidGroup.NotFound": true, "InvalidInstanceID.NotFound": true,
	"NoSuchKey": true, "AWS.SimpleQueueService.NonExistentQueue": true, "QueueDoesNotExist": true,
}

var accessDeniedCodes = map[string]bool{
	"AccessDenied": true, "AccessDeniedException": true, "UnauthorizedOperation": true,
	"AuthorizationError": true, "AuthorizationErrorException": true, "Forbidden": true,
	"InvalidClientTokenId": true, "UnrecognizedClientException": true, "ExpiredToken": true,
	"ExpiredTokenException": true, "AccessDeniedForDependencyException": true,
	"AuthFailure": true, "SignatureDoesNotMatch": true,
}

var throttleCodes = map[string]bool{
	"Throttling": true, "ThrottlingException": true, "ThrottledException": true,
	"RequestThrottledException": true, "TooManyRequestsException": true,
	"ProvisionedThroughputExceededException": true, "TransactionInProgressException": true,
	"RequestLimitExceeded": true, "BandwidthLimitExceeded": true,
	"SlowDown": true, "PriorRequestNotComplete": true, "EC2ThrottledException": true,
}

var optInCodes = map[string]bool{
	"OptInRequired": true, "InvalidRegion": true,
	"SubscriptionRequiredException": true,
}

// Classify tells what an error returned by an AWS SDK call means.
func Classify(err error) Class {
	if err == nil {
		return ClassNone
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return ClassCanceled
	}
	var ue *unsupportedError
	if errors.As(err, &ue) {
		return ClassUnsupported
	}
	code := Code(err)
	switch {
	case notFoundCodes[code]:
		return ClassNotFound
	case accessDeniedCodes[code]:
		return ClassAccessDenied
	case throttleCodes[code]:
		return ClassThrottled
	case optInCodes[code]:
		return ClassOptIn
	}
	if strings.HasSuffix(code, ".NotFound") || strings.HasPrefix(code, "NoSuch") {
		return ClassNotFound
	}
	switch HTTPStatus(err) {
	case http.StatusForbidden:
		return ClassAccessDenied
	case http.StatusTooManyRequests:
		return ClassThrottled
	case http.StatusNotImplemented:
		return ClassUnsupported
	}
	return ClassOther
}

// Code is the AWS error code of err ("AccessDenied"), or "" for non-API errors.
func Code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	var ue *unsupportedError
	if errors.As(err, &ue) {
		return "NotImplemented"
	}
	return ""
}

// Message is the AWS error message, or the error text for non-API errors.
func Message(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorMessage() != "" {
		return ae.ErrorMessage()
	}
	return err.Error()
}

// HTTPStatus is the HTTP status code of the response that produced err, or 0.
func HTTPStatus(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		return re.Response.StatusCode
	}
	return 0
}

// IsNotFound reports whether err says the resource does not exist.
func IsNotFound(err error) bool { return Classify(err) == ClassNotFound }

// IsAccessDenied reports whether err is a permission error.
func IsAccessDenied(err error) bool { return Classify(err) == ClassAccessDenied }

// unsupportedError marks a response that is not an AWS answer at all: an
// emulator's "not implemented" page. It is produced by the emulator
// middleware and never retried.
type unsupportedError struct {
	status int
}

func (e *unsupportedError) Error() string {
	return "operation not implemented by the endpoint (HTTP " + http.StatusText(e.status) + ")"
}
