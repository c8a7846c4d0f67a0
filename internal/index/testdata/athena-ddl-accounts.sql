-- The baseline CloudTrail index on Athena. Copy the local index (trail ingest --index INDEX_DIR) first:
--   aws s3 sync INDEX_DIR s3://trail-bucket/index/ --exclude 'manifest/*' --exclude '*.tmp'
-- Run each statement on its own.

CREATE DATABASE IF NOT EXISTS baseline_trail;

CREATE EXTERNAL TABLE IF NOT EXISTS baseline_trail.events (
  event_id string,
  event_time timestamp,
  event_name string,
  event_source string,
  event_type string,
  account_id string,
  principal_arn string,
  principal_type string,
  principal_name string,
  role_arn string,
  access_key_id string,
  source_ip string,
  user_agent string,
  error_code string,
  read_only boolean,
  request_parameters string,
  response_elements string,
  resources array<string>,
  raw string
)
PARTITIONED BY (account string, region string, `date` string)
STORED AS PARQUET
LOCATION 's3://trail-bucket/index/events/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.account.type' = 'enum',
  'projection.account.values' = '111111111111,222222222222',
  'projection.region.type' = 'enum',
  'projection.region.values' = 'us-east-1,eu-west-1',
  'projection.date.type' = 'date',
  'projection.date.format' = 'yyyy-MM-dd',
  'projection.date.range' = '2013-11-01,NOW',
  'projection.date.interval' = '1',
  'projection.date.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://trail-bucket/index/events/account=${account}/region=${region}/date=${date}/'
);

CREATE EXTERNAL TABLE IF NOT EXISTS baseline_trail.refs (
  ref string,
  event_time timestamp,
  event_id string,
  account_id string,
  region string,
  `date` string,
  event_name string,
  event_source string,
  principal_arn string,
  principal_type string,
  source_ip string,
  user_agent string,
  error_code string,
  what string
)
STORED AS PARQUET
LOCATION 's3://trail-bucket/index/refs/';
