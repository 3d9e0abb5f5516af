CREATE EXTERNAL TABLE IF NOT EXISTS default.vpc_flow_logs (
  `version` int,
  account_id string,
  interface_id string,
  srcaddr string,
  dstaddr string,
  srcport int,
  dstport int,
  protocol bigint,
  packets bigint,
  `bytes` bigint,
  `start` bigint,
  `end` bigint,
  `action` string,
  log_status string,
  vpc_id string,
  subnet_id string,
  instance_id string,
  tcp_flags int,
  `type` string,
  pkt_srcaddr string,
  pkt_dstaddr string,
  `region` string,
  az_id string,
  sublocation_type string,
  sublocation_id string,
  pkt_src_aws_service string,
  pkt_dst_aws_service string,
  flow_direction string,
  traffic_path int
)
PARTITIONED BY (aws_region string, year string, month string, day string)
STORED AS PARQUET
LOCATION 's3://flow-log-bucket/prod/AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'parquet.compression' = 'GZIP',
  'projection.aws_region.type' = 'enum',
  'projection.aws_region.values' = 'us-east-1,eu-west-1',
  'projection.year.type' = 'integer',
  'projection.year.range' = '2024,2100',
  'projection.month.type' = 'integer',
  'projection.month.range' = '1,12',
  'projection.month.digits' = '2',
  'projection.day.type' = 'integer',
  'projection.day.range' = '1,31',
  'projection.day.digits' = '2',
  'storage.location.template' = 's3://flow-log-bucket/prod/AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=${aws_region}/year=${year}/month=${month}/day=${day}/'
);
