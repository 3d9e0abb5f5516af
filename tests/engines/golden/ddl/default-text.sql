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
PARTITIONED BY (aws_region string, day string)
ROW FORMAT DELIMITED FIELDS TERMINATED BY ' '
STORED AS TEXTFILE
LOCATION 's3://flow-log-bucket/prod/AWSLogs/123456789012/vpcflowlogs/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'skip.header.line.count' = '1',
  'projection.aws_region.type' = 'enum',
  'projection.aws_region.values' = 'us-east-1,eu-west-1',
  'projection.day.type' = 'date',
  'projection.day.range' = '2024/01/01,NOW',
  'projection.day.format' = 'yyyy/MM/dd',
  'projection.day.interval' = '1',
  'projection.day.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://flow-log-bucket/prod/AWSLogs/123456789012/vpcflowlogs/${aws_region}/${day}/'
);
