"""The healthcare platform: network, bastion address and an encrypted Redis session cache."""
from typing import Dict, Optional

import pulumi
import pulumi_aws as aws

from lib.networking import Network


class TapStackArgs:
    def __init__(self, environment_suffix: str, cache_node_type: str, tags: Optional[Dict[str, str]] = None):
        self.environment_suffix = environment_suffix
        self.cache_node_type = cache_node_type
        self.tags = tags or {}


class TapStack(pulumi.ComponentResource):
    def __init__(self, name: str, args: TapStackArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("healthcare:stack:TapStack", name, None, opts)
        suffix = args.environment_suffix
        tags = {**args.tags, "Environment": suffix}

        self.network = Network(f"hc-{suffix}", "10.20.0.0/16", tags, opts=pulumi.ResourceOptions(parent=self))

        # Static address for the VPN bastion; partners allow-list it.
        self.bastion_eip = aws.ec2.Eip(
            f"hc-bastion-eip-{suffix}",
            vpc=True,
            tags={**tags, "Name": f"hc-bastion-{suffix}"},
            opts=pulumi.ResourceOptions(parent=self),
        )

        cache_sg = aws.ec2.SecurityGroup(
            f"hc-cache-sg-{suffix}",
            vpc_id=self.network.vpc.id,
            description="Redis from inside the VPC only",
            ingress=[aws.ec2.SecurityGroupIngressArgs(
                protocol="tcp", from_port=6379, to_port=6379, cidr_blocks=["10.20.0.0/16"],
            )],
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        cache_subnets = aws.elasticache.SubnetGroup(
            f"hc-cache-subnets-{suffix}",
            subnet_ids=self.network.private_subnet_ids,
            opts=pulumi.ResourceOptions(parent=self),
        )

        # Session cache: PHI may pass through it, so encrypt at rest and in transit.
        self.cache = aws.elasticache.ReplicationGroup(
            f"hc-sessions-{suffix}",
            replication_group_description="Patient portal session cache",
            engine="redis",
            engine_version="7.1",
            node_type=args.cache_node_type,
            num_cache_clusters=2,
            automatic_failover_enabled=True,
            multi_az_enabled=True,
            at_rest_encryption_enabled=True,
            transit_encryption_enabled=True,
            auth_token_enabled=False,  # IAM auth via user groups instead of a shared token
            subnet_group_name=cache_subnets.name,
            security_group_ids=[cache_sg.id],
            snapshot_retention_limit=7,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self),
        )

        self.register_outputs({
            "bastion_ip": self.bastion_eip.public_ip,
            "cache_endpoint": self.cache.primary_endpoint_address,
        })
