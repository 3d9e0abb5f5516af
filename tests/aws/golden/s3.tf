# Written by vpcflow: the flow logs `vpcflow aws apply` would create, as Terraform.
data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

# aws_s3_bucket_policy replaces the bucket's whole policy: merge these statements into yours if it has one.
resource "aws_s3_bucket_policy" "flow_logs" {
  bucket = "flow-bucket"
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [{
      "Sid" = "VpcflowAWSLogDeliveryWrite"
      "Effect" = "Allow"
      "Principal" = {
        "Service" = "delivery.logs.amazonaws.com"
      }
      "Action" = "s3:PutObject"
      "Resource" = "arn:${data.aws_partition.current.partition}:s3:::flow-bucket/team-a/AWSLogs/aws-account-id=${data.aws_caller_identity.current.account_id}/*"
      "Condition" = {
        "StringEquals" = {
          "aws:SourceAccount" = "${data.aws_caller_identity.current.account_id}"
          "s3:x-amz-acl" = "bucket-owner-full-control"
        }
        "ArnLike" = {
          "aws:SourceArn" = "arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:*"
        }
      }
    }, {
      "Sid" = "VpcflowAWSLogDeliveryAclCheck"
      "Effect" = "Allow"
      "Principal" = {
        "Service" = "delivery.logs.amazonaws.com"
      }
      "Action" = ["s3:GetBucketAcl", "s3:ListBucket"]
      "Resource" = "arn:${data.aws_partition.current.partition}:s3:::flow-bucket"
      "Condition" = {
        "StringEquals" = {
          "aws:SourceAccount" = "${data.aws_caller_identity.current.account_id}"
        }
        "ArnLike" = {
          "aws:SourceArn" = "arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:*"
        }
      }
    }]
  })
}

resource "aws_flow_log" "vpc_0a1b2c3d4e5f60001" {
  vpc_id = "vpc-0a1b2c3d4e5f60001"
  traffic_type             = "ALL"
  max_aggregation_interval = 600
  log_format               = "$${version} $${account-id} $${interface-id} $${srcaddr} $${dstaddr} $${srcport} $${dstport} $${protocol} $${packets} $${bytes} $${start} $${end} $${action} $${log-status}"
  log_destination_type = "s3"
  log_destination      = "arn:${data.aws_partition.current.partition}:s3:::flow-bucket/team-a/"
  destination_options {
    file_format                = "parquet"
    hive_compatible_partitions = true
    per_hour_partition         = true
  }
  tags = {
    "vpcflow:managed" = "true"
  }
}
