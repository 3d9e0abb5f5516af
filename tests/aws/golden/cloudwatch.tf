# Written by vpcflow: the flow logs `vpcflow aws apply` would create, as Terraform.
data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

resource "aws_cloudwatch_log_group" "flow_logs" {
  name              = "flows"
  retention_in_days = 90
  tags              = {
    "vpcflow:managed" = "true"
  }
}

resource "aws_iam_role" "flow_logs" {
  name               = "vpcflow-flow-logs-2e9ecdb7a13c"
  assume_role_policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [{
      "Effect" = "Allow"
      "Principal" = {
        "Service" = "vpc-flow-logs.amazonaws.com"
      }
      "Action" = "sts:AssumeRole"
      "Condition" = {
        "StringEquals" = {
          "aws:SourceAccount" = "${data.aws_caller_identity.current.account_id}"
        }
        "ArnLike" = {
          "aws:SourceArn" = "arn:${data.aws_partition.current.partition}:ec2:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:vpc-flow-log/*"
        }
      }
    }]
  })
  tags               = {
    "vpcflow:managed" = "true"
  }
}

resource "aws_iam_role_policy" "flow_logs" {
  name   = "vpcflow-deliver-to-log-group"
  role   = aws_iam_role.flow_logs.id
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [{
      "Sid" = "DeliverFlowLogs"
      "Effect" = "Allow"
      "Action" = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"]
      "Resource" = ["arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:log-group:flows", "arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:log-group:flows:*", "arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:log-group:flows:log-stream:*"]
    }]
  })
}

resource "aws_flow_log" "vpc_0a1b2c3d4e5f60001" {
  vpc_id = "vpc-0a1b2c3d4e5f60001"
  traffic_type             = "REJECT"
  max_aggregation_interval = 60
  log_format               = "$${version} $${account-id} $${interface-id} $${srcaddr} $${dstaddr} $${srcport} $${dstport} $${protocol} $${packets} $${bytes} $${start} $${end} $${action} $${log-status} $${vpc-id} $${subnet-id} $${instance-id} $${tcp-flags} $${type} $${pkt-srcaddr} $${pkt-dstaddr} $${region} $${az-id} $${sublocation-type} $${sublocation-id} $${pkt-src-aws-service} $${pkt-dst-aws-service} $${flow-direction} $${traffic-path}"
  log_destination_type = "cloud-watch-logs"
  log_destination      = aws_cloudwatch_log_group.flow_logs.arn
  iam_role_arn         = aws_iam_role.flow_logs.arn
  tags = {
    "team" = "net"
    "vpcflow:managed" = "true"
  }
}

resource "aws_flow_log" "subnet_0a1b2c3d4e5f60002" {
  subnet_id = "subnet-0a1b2c3d4e5f60002"
  traffic_type             = "REJECT"
  max_aggregation_interval = 60
  log_format               = "$${version} $${account-id} $${interface-id} $${srcaddr} $${dstaddr} $${srcport} $${dstport} $${protocol} $${packets} $${bytes} $${start} $${end} $${action} $${log-status} $${vpc-id} $${subnet-id} $${instance-id} $${tcp-flags} $${type} $${pkt-srcaddr} $${pkt-dstaddr} $${region} $${az-id} $${sublocation-type} $${sublocation-id} $${pkt-src-aws-service} $${pkt-dst-aws-service} $${flow-direction} $${traffic-path}"
  log_destination_type = "cloud-watch-logs"
  log_destination      = aws_cloudwatch_log_group.flow_logs.arn
  iam_role_arn         = aws_iam_role.flow_logs.arn
  tags = {
    "team" = "net"
    "vpcflow:managed" = "true"
  }
}
