WITH r AS (
  SELECT
    *
  FROM flows
  WHERE
    `end` >= :since AND start < :until
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
      CAST(FLOOR(start / 600) AS BIGINT) AS w
    FROM r
  ) AS windows
)
SELECT
  COUNT(*) AS records,
  COUNT(CASE WHEN action = 'ACCEPT' THEN 1 END) AS accepted,
  COUNT(CASE WHEN action = 'REJECT' THEN 1 END) AS rejected,
  MIN(start) AS first_start,
  MAX(`end`) AS last_end,
  MAX(ten.records_10m) AS records_10m,
  CAST(SUM(LENGTH(COALESCE(CAST(`version` AS STRING), '-'))) AS BIGINT) AS `len_version`,
  CAST(SUM(LENGTH(COALESCE(CAST(`account_id` AS STRING), '-'))) AS BIGINT) AS `len_account_id`,
  CAST(SUM(LENGTH(COALESCE(CAST(`interface_id` AS STRING), '-'))) AS BIGINT) AS `len_interface_id`,
  CAST(SUM(LENGTH(COALESCE(CAST(`srcaddr` AS STRING), '-'))) AS BIGINT) AS `len_srcaddr`,
  CAST(SUM(LENGTH(COALESCE(CAST(`dstaddr` AS STRING), '-'))) AS BIGINT) AS `len_dstaddr`,
  CAST(SUM(LENGTH(COALESCE(CAST(`srcport` AS STRING), '-'))) AS BIGINT) AS `len_srcport`,
  CAST(SUM(LENGTH(COALESCE(CAST(`dstport` AS STRING), '-'))) AS BIGINT) AS `len_dstport`,
  CAST(SUM(LENGTH(COALESCE(CAST(`protocol` AS STRING), '-'))) AS BIGINT) AS `len_protocol`,
  CAST(SUM(LENGTH(COALESCE(CAST(`packets` AS STRING), '-'))) AS BIGINT) AS `len_packets`,
  CAST(SUM(LENGTH(COALESCE(CAST(`bytes` AS STRING), '-'))) AS BIGINT) AS `len_bytes`,
  CAST(SUM(LENGTH(COALESCE(CAST(`start` AS STRING), '-'))) AS BIGINT) AS `len_start`,
  CAST(SUM(LENGTH(COALESCE(CAST(`end` AS STRING), '-'))) AS BIGINT) AS `len_end`,
  CAST(SUM(LENGTH(COALESCE(CAST(`action` AS STRING), '-'))) AS BIGINT) AS `len_action`,
  CAST(SUM(LENGTH(COALESCE(CAST(`log_status` AS STRING), '-'))) AS BIGINT) AS `len_log_status`,
  CAST(SUM(LENGTH(COALESCE(CAST(`vpc_id` AS STRING), '-'))) AS BIGINT) AS `len_vpc_id`,
  CAST(SUM(LENGTH(COALESCE(CAST(`subnet_id` AS STRING), '-'))) AS BIGINT) AS `len_subnet_id`,
  CAST(SUM(LENGTH(COALESCE(CAST(`instance_id` AS STRING), '-'))) AS BIGINT) AS `len_instance_id`,
  CAST(SUM(LENGTH(COALESCE(CAST(`tcp_flags` AS STRING), '-'))) AS BIGINT) AS `len_tcp_flags`,
  CAST(SUM(LENGTH(COALESCE(CAST(`type` AS STRING), '-'))) AS BIGINT) AS `len_type`,
  CAST(SUM(LENGTH(COALESCE(CAST(`pkt_srcaddr` AS STRING), '-'))) AS BIGINT) AS `len_pkt_srcaddr`,
  CAST(SUM(LENGTH(COALESCE(CAST(`pkt_dstaddr` AS STRING), '-'))) AS BIGINT) AS `len_pkt_dstaddr`,
  CAST(SUM(LENGTH(COALESCE(CAST(`region` AS STRING), '-'))) AS BIGINT) AS `len_region`,
  CAST(SUM(LENGTH(COALESCE(CAST(`az_id` AS STRING), '-'))) AS BIGINT) AS `len_az_id`,
  CAST(SUM(LENGTH(COALESCE(CAST(`sublocation_type` AS STRING), '-'))) AS BIGINT) AS `len_sublocation_type`,
  CAST(SUM(LENGTH(COALESCE(CAST(`sublocation_id` AS STRING), '-'))) AS BIGINT) AS `len_sublocation_id`,
  CAST(SUM(LENGTH(COALESCE(CAST(`pkt_src_aws_service` AS STRING), '-'))) AS BIGINT) AS `len_pkt_src_aws_service`,
  CAST(SUM(LENGTH(COALESCE(CAST(`pkt_dst_aws_service` AS STRING), '-'))) AS BIGINT) AS `len_pkt_dst_aws_service`,
  CAST(SUM(LENGTH(COALESCE(CAST(`flow_direction` AS STRING), '-'))) AS BIGINT) AS `len_flow_direction`,
  CAST(SUM(LENGTH(COALESCE(CAST(`traffic_path` AS STRING), '-'))) AS BIGINT) AS `len_traffic_path`,
  CAST(SUM(LENGTH(COALESCE(CAST(`ecs_cluster_arn` AS STRING), '-'))) AS BIGINT) AS `len_ecs_cluster_arn`,
  CAST(SUM(LENGTH(COALESCE(CAST(`ecs_cluster_name` AS STRING), '-'))) AS BIGINT) AS `len_ecs_cluster_name`,
  CAST(SUM(LENGTH(COALESCE(CAST(`ecs_container_instance_arn` AS STRING), '-'))) AS BIGINT) AS `len_ecs_container_instance_arn`,
  CAST(SUM(LENGTH(COALESCE(CAST(`ecs_container_instance_id` AS STRING), '-'))) AS BIGINT) AS `len_ecs_container_instance_id`,
  CAST(SUM(LENGTH(COALESCE(CAST(`ecs_container_id` AS STRING), '-'))) AS BIGINT) AS `len_ecs_container_id`,
  CAST(SUM(LENGTH(COALESCE(CAST(`ecs_second_container_id` AS STRING), '-'))) AS BIGINT) AS `len_ecs_second_container_id`,
  CAST(SUM(LENGTH(COALESCE(CAST(`ecs_service_name` AS STRING), '-'))) AS BIGINT) AS `len_ecs_service_name`,
  CAST(SUM(LENGTH(COALESCE(CAST(`ecs_task_definition_arn` AS STRING), '-'))) AS BIGINT) AS `len_ecs_task_definition_arn`,
  CAST(SUM(LENGTH(COALESCE(CAST(`ecs_task_arn` AS STRING), '-'))) AS BIGINT) AS `len_ecs_task_arn`,
  CAST(SUM(LENGTH(COALESCE(CAST(`ecs_task_id` AS STRING), '-'))) AS BIGINT) AS `len_ecs_task_id`,
  CAST(SUM(LENGTH(COALESCE(CAST(`reject_reason` AS STRING), '-'))) AS BIGINT) AS `len_reject_reason`,
  CAST(SUM(LENGTH(COALESCE(CAST(`resource_id` AS STRING), '-'))) AS BIGINT) AS `len_resource_id`,
  CAST(SUM(LENGTH(COALESCE(CAST(`encryption_status` AS STRING), '-'))) AS BIGINT) AS `len_encryption_status`,
  CAST(SUM(LENGTH(COALESCE(CAST(`instance_tag` AS STRING), '-'))) AS BIGINT) AS `len_instance_tag`,
  CAST(SUM(LENGTH(COALESCE(CAST(`instance_tag_2` AS STRING), '-'))) AS BIGINT) AS `len_instance_tag_2`,
  CAST(SUM(LENGTH(COALESCE(CAST(`interface_tag` AS STRING), '-'))) AS BIGINT) AS `len_interface_tag`,
  CAST(SUM(LENGTH(COALESCE(CAST(`interface_tag_2` AS STRING), '-'))) AS BIGINT) AS `len_interface_tag_2`,
  CAST(SUM(LENGTH(COALESCE(CAST(`asg_tag` AS STRING), '-'))) AS BIGINT) AS `len_asg_tag`,
  CAST(SUM(LENGTH(COALESCE(CAST(`asg_tag_2` AS STRING), '-'))) AS BIGINT) AS `len_asg_tag_2`,
  CAST(SUM(LENGTH(COALESCE(CAST(`interface_type` AS STRING), '-'))) AS BIGINT) AS `len_interface_type`,
  CAST(SUM(LENGTH(COALESCE(CAST(`next_hop_interface_id` AS STRING), '-'))) AS BIGINT) AS `len_next_hop_interface_id`,
  CAST(SUM(LENGTH(COALESCE(CAST(`next_hop_subnet_id` AS STRING), '-'))) AS BIGINT) AS `len_next_hop_subnet_id`,
  CAST(SUM(LENGTH(COALESCE(CAST(`next_hop_az_id` AS STRING), '-'))) AS BIGINT) AS `len_next_hop_az_id`,
  CAST(SUM(LENGTH(COALESCE(CAST(`next_hop_vpc_id` AS STRING), '-'))) AS BIGINT) AS `len_next_hop_vpc_id`,
  CAST(SUM(LENGTH(COALESCE(CAST(`next_hop_interface_type` AS STRING), '-'))) AS BIGINT) AS `len_next_hop_interface_type`
FROM r
CROSS JOIN ten
