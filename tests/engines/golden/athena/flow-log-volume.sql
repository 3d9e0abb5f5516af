WITH r AS (
  SELECT
    *
  FROM flows
  WHERE
    "end" >= 0 AND start < 253402300800
), ten AS (
  SELECT
    COUNT(*) AS records_10m
  FROM (
    SELECT DISTINCT
      interface_id,
      srcaddr,
      dstaddr,
      srcport,
      dstport,
      protocol,
      action,
      log_status,
      CAST(FLOOR(CAST(start AS DOUBLE) / 600) AS BIGINT) AS w
    FROM r
  ) AS windows
)
SELECT
  COUNT(*) AS records,
  COUNT(CASE WHEN action = 'ACCEPT' THEN 1 END) AS accepted,
  COUNT(CASE WHEN action = 'REJECT' THEN 1 END) AS rejected,
  MIN(start) AS first_start,
  MAX("end") AS last_end,
  MAX(ten.records_10m) AS records_10m,
  CAST(SUM(LENGTH(COALESCE(CAST("version" AS VARCHAR), '-'))) AS BIGINT) AS "len_version",
  CAST(SUM(LENGTH(COALESCE(CAST("account_id" AS VARCHAR), '-'))) AS BIGINT) AS "len_account_id",
  CAST(SUM(LENGTH(COALESCE(CAST("interface_id" AS VARCHAR), '-'))) AS BIGINT) AS "len_interface_id",
  CAST(SUM(LENGTH(COALESCE(CAST("srcaddr" AS VARCHAR), '-'))) AS BIGINT) AS "len_srcaddr",
  CAST(SUM(LENGTH(COALESCE(CAST("dstaddr" AS VARCHAR), '-'))) AS BIGINT) AS "len_dstaddr",
  CAST(SUM(LENGTH(COALESCE(CAST("srcport" AS VARCHAR), '-'))) AS BIGINT) AS "len_srcport",
  CAST(SUM(LENGTH(COALESCE(CAST("dstport" AS VARCHAR), '-'))) AS BIGINT) AS "len_dstport",
  CAST(SUM(LENGTH(COALESCE(CAST("protocol" AS VARCHAR), '-'))) AS BIGINT) AS "len_protocol",
  CAST(SUM(LENGTH(COALESCE(CAST("packets" AS VARCHAR), '-'))) AS BIGINT) AS "len_packets",
  CAST(SUM(LENGTH(COALESCE(CAST("bytes" AS VARCHAR), '-'))) AS BIGINT) AS "len_bytes",
  CAST(SUM(LENGTH(COALESCE(CAST("start" AS VARCHAR), '-'))) AS BIGINT) AS "len_start",
  CAST(SUM(LENGTH(COALESCE(CAST("end" AS VARCHAR), '-'))) AS BIGINT) AS "len_end",
  CAST(SUM(LENGTH(COALESCE(CAST("action" AS VARCHAR), '-'))) AS BIGINT) AS "len_action",
  CAST(SUM(LENGTH(COALESCE(CAST("log_status" AS VARCHAR), '-'))) AS BIGINT) AS "len_log_status",
  CAST(SUM(LENGTH(COALESCE(CAST("vpc_id" AS VARCHAR), '-'))) AS BIGINT) AS "len_vpc_id",
  CAST(SUM(LENGTH(COALESCE(CAST("subnet_id" AS VARCHAR), '-'))) AS BIGINT) AS "len_subnet_id",
  CAST(SUM(LENGTH(COALESCE(CAST("instance_id" AS VARCHAR), '-'))) AS BIGINT) AS "len_instance_id",
  CAST(SUM(LENGTH(COALESCE(CAST("tcp_flags" AS VARCHAR), '-'))) AS BIGINT) AS "len_tcp_flags",
  CAST(SUM(LENGTH(COALESCE(CAST("type" AS VARCHAR), '-'))) AS BIGINT) AS "len_type",
  CAST(SUM(LENGTH(COALESCE(CAST("pkt_srcaddr" AS VARCHAR), '-'))) AS BIGINT) AS "len_pkt_srcaddr",
  CAST(SUM(LENGTH(COALESCE(CAST("pkt_dstaddr" AS VARCHAR), '-'))) AS BIGINT) AS "len_pkt_dstaddr",
  CAST(SUM(LENGTH(COALESCE(CAST("region" AS VARCHAR), '-'))) AS BIGINT) AS "len_region",
  CAST(SUM(LENGTH(COALESCE(CAST("az_id" AS VARCHAR), '-'))) AS BIGINT) AS "len_az_id",
  CAST(SUM(LENGTH(COALESCE(CAST("sublocation_type" AS VARCHAR), '-'))) AS BIGINT) AS "len_sublocation_type",
  CAST(SUM(LENGTH(COALESCE(CAST("sublocation_id" AS VARCHAR), '-'))) AS BIGINT) AS "len_sublocation_id",
  CAST(SUM(LENGTH(COALESCE(CAST("pkt_src_aws_service" AS VARCHAR), '-'))) AS BIGINT) AS "len_pkt_src_aws_service",
  CAST(SUM(LENGTH(COALESCE(CAST("pkt_dst_aws_service" AS VARCHAR), '-'))) AS BIGINT) AS "len_pkt_dst_aws_service",
  CAST(SUM(LENGTH(COALESCE(CAST("flow_direction" AS VARCHAR), '-'))) AS BIGINT) AS "len_flow_direction",
  CAST(SUM(LENGTH(COALESCE(CAST("traffic_path" AS VARCHAR), '-'))) AS BIGINT) AS "len_traffic_path",
  CAST(SUM(LENGTH(COALESCE(CAST("ecs_cluster_arn" AS VARCHAR), '-'))) AS BIGINT) AS "len_ecs_cluster_arn",
  CAST(SUM(LENGTH(COALESCE(CAST("ecs_cluster_name" AS VARCHAR), '-'))) AS BIGINT) AS "len_ecs_cluster_name",
  CAST(SUM(LENGTH(COALESCE(CAST("ecs_container_instance_arn" AS VARCHAR), '-'))) AS BIGINT) AS "len_ecs_container_instance_arn",
  CAST(SUM(LENGTH(COALESCE(CAST("ecs_container_instance_id" AS VARCHAR), '-'))) AS BIGINT) AS "len_ecs_container_instance_id",
  CAST(SUM(LENGTH(COALESCE(CAST("ecs_container_id" AS VARCHAR), '-'))) AS BIGINT) AS "len_ecs_container_id",
  CAST(SUM(LENGTH(COALESCE(CAST("ecs_second_container_id" AS VARCHAR), '-'))) AS BIGINT) AS "len_ecs_second_container_id",
  CAST(SUM(LENGTH(COALESCE(CAST("ecs_service_name" AS VARCHAR), '-'))) AS BIGINT) AS "len_ecs_service_name",
  CAST(SUM(LENGTH(COALESCE(CAST("ecs_task_definition_arn" AS VARCHAR), '-'))) AS BIGINT) AS "len_ecs_task_definition_arn",
  CAST(SUM(LENGTH(COALESCE(CAST("ecs_task_arn" AS VARCHAR), '-'))) AS BIGINT) AS "len_ecs_task_arn",
  CAST(SUM(LENGTH(COALESCE(CAST("ecs_task_id" AS VARCHAR), '-'))) AS BIGINT) AS "len_ecs_task_id",
  CAST(SUM(LENGTH(COALESCE(CAST("reject_reason" AS VARCHAR), '-'))) AS BIGINT) AS "len_reject_reason",
  CAST(SUM(LENGTH(COALESCE(CAST("resource_id" AS VARCHAR), '-'))) AS BIGINT) AS "len_resource_id",
  CAST(SUM(LENGTH(COALESCE(CAST("encryption_status" AS VARCHAR), '-'))) AS BIGINT) AS "len_encryption_status",
  CAST(SUM(LENGTH(COALESCE(CAST("instance_tag" AS VARCHAR), '-'))) AS BIGINT) AS "len_instance_tag",
  CAST(SUM(LENGTH(COALESCE(CAST("instance_tag_2" AS VARCHAR), '-'))) AS BIGINT) AS "len_instance_tag_2",
  CAST(SUM(LENGTH(COALESCE(CAST("interface_tag" AS VARCHAR), '-'))) AS BIGINT) AS "len_interface_tag",
  CAST(SUM(LENGTH(COALESCE(CAST("interface_tag_2" AS VARCHAR), '-'))) AS BIGINT) AS "len_interface_tag_2",
  CAST(SUM(LENGTH(COALESCE(CAST("asg_tag" AS VARCHAR), '-'))) AS BIGINT) AS "len_asg_tag",
  CAST(SUM(LENGTH(COALESCE(CAST("asg_tag_2" AS VARCHAR), '-'))) AS BIGINT) AS "len_asg_tag_2",
  CAST(SUM(LENGTH(COALESCE(CAST("interface_type" AS VARCHAR), '-'))) AS BIGINT) AS "len_interface_type",
  CAST(SUM(LENGTH(COALESCE(CAST("next_hop_interface_id" AS VARCHAR), '-'))) AS BIGINT) AS "len_next_hop_interface_id",
  CAST(SUM(LENGTH(COALESCE(CAST("next_hop_subnet_id" AS VARCHAR), '-'))) AS BIGINT) AS "len_next_hop_subnet_id",
  CAST(SUM(LENGTH(COALESCE(CAST("next_hop_az_id" AS VARCHAR), '-'))) AS BIGINT) AS "len_next_hop_az_id",
  CAST(SUM(LENGTH(COALESCE(CAST("next_hop_vpc_id" AS VARCHAR), '-'))) AS BIGINT) AS "len_next_hop_vpc_id",
  CAST(SUM(LENGTH(COALESCE(CAST("next_hop_interface_type" AS VARCHAR), '-'))) AS BIGINT) AS "len_next_hop_interface_type"
FROM r
CROSS JOIN ten
