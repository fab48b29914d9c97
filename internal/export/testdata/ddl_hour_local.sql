-- Upload the lake first: aws s3 sync /data/lake s3://YOUR-BUCKET/lake/
-- Athena: Glue external table with partition projection (no crawler or MSCK REPAIR needed)
CREATE EXTERNAL TABLE IF NOT EXISTS aws_s3serveraccess (
  `bucketowner` string,
  `bucket` string,
  `time` timestamp,
  `remoteip` string,
  `requester` string,
  `requestid` string,
  `operation` string,
  `key` string,
  `requesturi` string,
  `httpstatus` bigint,
  `errorcode` string,
  `bytessent` bigint,
  `objectsize` bigint,
  `totaltime` bigint,
  `turnaroundtime` bigint,
  `referrer` string,
  `useragent` string,
  `versionid` string,
  `hostid` string,
  `signatureversion` string,
  `ciphersuite` string,
  `authenticationtype` string,
  `hostheader` string,
  `tlsVersion` string,
  `accesspointarn` string,
  `aclrequired` string,
  `additionalFields` array<string>,
  `p_log_type` string,
  `p_row_id` string,
  `p_event_time` timestamp,
  `p_parse_time` timestamp,
  `p_source_id` string,
  `p_source_label` string,
  `p_any_ip_addresses` array<string>,
  `p_any_aws_arns` array<string>,
  `p_any_aws_account_ids` array<string>
)
PARTITIONED BY (`year` int, `month` int, `day` int, `hour` int)
STORED AS PARQUET
LOCATION 's3://YOUR-BUCKET/lake/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.year.type' = 'integer',
  'projection.year.range' = '2026,2026',
  'projection.month.type' = 'integer',
  'projection.month.range' = '1,12',
  'projection.month.digits' = '2',
  'projection.day.type' = 'integer',
  'projection.day.range' = '1,31',
  'projection.day.digits' = '2',
  'projection.hour.type' = 'integer',
  'projection.hour.range' = '0,23',
  'projection.hour.digits' = '2',
  'storage.location.template' = 's3://YOUR-BUCKET/lake/year=${year}/month=${month}/day=${day}/hour=${hour}/'
);

-- Trino: Hive connector (catalog hive, schema default); partition values are zero-padded strings
CREATE TABLE hive.default.aws_s3serveraccess (
  "bucketowner" varchar,
  "bucket" varchar,
  "time" timestamp(3),
  "remoteip" varchar,
  "requester" varchar,
  "requestid" varchar,
  "operation" varchar,
  "key" varchar,
  "requesturi" varchar,
  "httpstatus" bigint,
  "errorcode" varchar,
  "bytessent" bigint,
  "objectsize" bigint,
  "totaltime" bigint,
  "turnaroundtime" bigint,
  "referrer" varchar,
  "useragent" varchar,
  "versionid" varchar,
  "hostid" varchar,
  "signatureversion" varchar,
  "ciphersuite" varchar,
  "authenticationtype" varchar,
  "hostheader" varchar,
  "tlsVersion" varchar,
  "accesspointarn" varchar,
  "aclrequired" varchar,
  "additionalFields" array(varchar),
  "p_log_type" varchar,
  "p_row_id" varchar,
  "p_event_time" timestamp(3),
  "p_parse_time" timestamp(3),
  "p_source_id" varchar,
  "p_source_label" varchar,
  "p_any_ip_addresses" array(varchar),
  "p_any_aws_arns" array(varchar),
  "p_any_aws_account_ids" array(varchar),
  "year" varchar,
  "month" varchar,
  "day" varchar,
  "hour" varchar
)
WITH (
  format = 'PARQUET',
  external_location = 's3://YOUR-BUCKET/lake/',
  partitioned_by = ARRAY['year', 'month', 'day', 'hour']
);
CALL hive.system.sync_partition_metadata('default', 'aws_s3serveraccess', 'FULL');

-- Spark SQL (use s3a:// for S3 outside EMR); partition values are zero-padded strings
CREATE TABLE IF NOT EXISTS aws_s3serveraccess (
  `bucketowner` STRING,
  `bucket` STRING,
  `time` TIMESTAMP,
  `remoteip` STRING,
  `requester` STRING,
  `requestid` STRING,
  `operation` STRING,
  `key` STRING,
  `requesturi` STRING,
  `httpstatus` BIGINT,
  `errorcode` STRING,
  `bytessent` BIGINT,
  `objectsize` BIGINT,
  `totaltime` BIGINT,
  `turnaroundtime` BIGINT,
  `referrer` STRING,
  `useragent` STRING,
  `versionid` STRING,
  `hostid` STRING,
  `signatureversion` STRING,
  `ciphersuite` STRING,
  `authenticationtype` STRING,
  `hostheader` STRING,
  `tlsVersion` STRING,
  `accesspointarn` STRING,
  `aclrequired` STRING,
  `additionalFields` ARRAY<STRING>,
  `p_log_type` STRING,
  `p_row_id` STRING,
  `p_event_time` TIMESTAMP,
  `p_parse_time` TIMESTAMP,
  `p_source_id` STRING,
  `p_source_label` STRING,
  `p_any_ip_addresses` ARRAY<STRING>,
  `p_any_aws_arns` ARRAY<STRING>,
  `p_any_aws_account_ids` ARRAY<STRING>,
  `year` STRING,
  `month` STRING,
  `day` STRING,
  `hour` STRING
)
USING parquet
PARTITIONED BY (`year`, `month`, `day`, `hour`)
LOCATION 'file:///data/lake/';
MSCK REPAIR TABLE aws_s3serveraccess;

-- DuckDB
SELECT * FROM read_parquet('/data/lake/**/*.parquet', hive_partitioning = true);
