"""VPC with public and private subnets and one NAT gateway per availability zone."""
from typing import Dict, List

import pulumi
from pulumi_aws import ec2

AVAILABILITY_ZONES = ["us-east-1a", "us-east-1b"]


class Network(pulumi.ComponentResource):
    def __init__(self, name: str, cidr_block: str, tags: Dict[str, str], opts: pulumi.ResourceOptions = None):
        super().__init__("healthcare:network:Network", name, None, opts)

        self.vpc = ec2.Vpc(
            f"{name}-vpc",
            cidr_block=cidr_block,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags={**tags, "Name": f"{name}-vpc"},
            opts=pulumi.ResourceOptions(parent=self),
        )
        igw = ec2.InternetGateway(f"{name}-igw", vpc_id=self.vpc.id, opts=pulumi.ResourceOptions(parent=self))

        self.public_subnet_ids: List[pulumi.Output[str]] = []
        self.private_subnet_ids: List[pulumi.Output[str]] = []
        for i, zone in enumerate(AVAILABILITY_ZONES):
            public = ec2.Subnet(
                f"{name}-public-{i}",
                vpc_id=self.vpc.id,
                cidr_block=f"10.20.{i}.0/24",
                availability_zone=zone,
                map_public_ip_on_launch=True,
                tags={**tags, "Tier": "public"},
                opts=pulumi.ResourceOptions(parent=self),
            )
            private = ec2.Subnet(
                f"{name}-private-{i}",
                vpc_id=self.vpc.id,
                cidr_block=f"10.20.{10 + i}.0/24",
                availability_zone=zone,
                tags={**tags, "Tier": "private"},
                opts=pulumi.ResourceOptions(parent=self),
            )
            # One NAT gateway per zone keeps the private tier up when a zone fails.
            nat_eip = ec2.Eip(f"{name}-nat-eip-{i}", vpc=True, tags={**tags, "Name": f"{name}-nat-{i}"},
                              opts=pulumi.ResourceOptions(parent=self))
            nat = ec2.NatGateway(
                f"{name}-nat-{i}",
                allocation_id=nat_eip.id,
                subnet_id=public.id,
                tags=tags,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[igw]),
            )
            routes = ec2.RouteTable(
                f"{name}-private-rt-{i}",
                vpc_id=self.vpc.id,
                routes=[ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", nat_gateway_id=nat.id)],
                tags=tags,
                opts=pulumi.ResourceOptions(parent=self),
            )
            ec2.RouteTableAssociation(f"{name}-private-rta-{i}", subnet_id=private.id, route_table_id=routes.id,
                                      opts=pulumi.ResourceOptions(parent=self))
            self.public_subnet_ids.append(public.id)
            self.private_subnet_ids.append(private.id)

        self.register_outputs({"vpc_id": self.vpc.id})
