// Package verify checks the integrity of CloudTrail log files with the digest
// files CloudTrail delivers when log file validation is on, following the
// documented algorithm ("Validating CloudTrail log file integrity with custom
// implementations"):
//
//   - A digest (PREFIX/AWSLogs/[o-ORG/]ACCOUNT/CloudTrail-Digest/REGION/YYYY/MM/DD/
//     ACCOUNT_CloudTrail-Digest_REGION_TRAIL_HOMEREGION_YYYYMMDDTHHmmssZ[_backfill].json.gz)
//     lists the log files delivered during its hour with the hex SHA-256 of
//     each one's uncompressed content.
//   - Its signature is not in the file but in the object's S3 user metadata
//     ("signature", hex; "signature-algorithm", SHA256withRSA). It is an RSA
//     PKCS#1 v1.5 SHA-256 signature over
//     digestEndTime "\n" digestS3Bucket "/" digestS3Object "\n"
//     hex(SHA-256(uncompressed digest)) "\n" previousDigestSignature (or "null"),
//     made with the regional key whose fingerprint the digest names; the keys
//     come from cloudtrail:ListPublicKeys or from the JSON that
//     `aws cloudtrail list-public-keys` prints.
//   - Each digest names the previous one (key, hash, signature), so the
//     digests of a trail form a chain; a digest without a previous one starts
//     a new chain (logging or validation was off in between).
//
// Verify walks every chain of every account, region and trail in a Source
// (an S3 bucket, or a local copy of one) and reports each log file as valid,
// changed, missing or not_covered, each digest as valid, changed, missing or
// bad_signature, and each break between chains as a gap.
//
// Local copies keep each digest's S3 user metadata in a sidecar file next to
// it, DIGEST.json.gz.metadata.json, holding either the metadata map itself
// ({"signature": "…", "signature-algorithm": "SHA256withRSA"}) or the output of
// `aws s3api head-object` (whose "Metadata" member is that map), so
//
//	aws s3api head-object --bucket B --key K > K.metadata.json
//
// next to a synced copy makes it verifiable offline.
package verify
