"""EKS cluster with Bottlerocket worker nodes and an SSM-managed bastion."""
import pulumi
import pulumi_aws as aws

from eks_cluster import EksCluster, EksClusterArgs

config = pulumi.Config()
environment_suffix = config.get("environmentSuffix") or "dev"
tags = {"Project": "eks-platform", "Environment": environment_suffix}

vpc = aws.ec2.get_vpc(default=True)
subnets = aws.ec2.get_subnets(filters=[aws.ec2.GetSubnetsFilterArgs(name="vpc-id", values=[vpc.id])])

cluster = EksCluster(
    f"eks-{environment_suffix}",
    EksClusterArgs(
        subnet_ids=subnets.ids,
        instance_type=config.get("nodeInstanceType") or "t3.large",
        tags=tags,
    ),
)

# The bastion only needs the SSM agent; launch templates take user data base64-encoded.
BASTION_SCRIPT = """#!/bin/bash
yum install -y amazon-ssm-agent
systemctl enable --now amazon-ssm-agent
"""

ami = aws.ec2.get_ami(
    most_recent=True,
    owners=["amazon"],
    filters=[aws.ec2.GetAmiFilterArgs(name="name", values=["al2023-ami-*-x86_64"])],
)
bastion_template = aws.ec2.LaunchTemplate(
    f"eks-bastion-{environment_suffix}",
    image_id=ami.id,
    instance_type="t3.micro",
    user_data=BASTION_SCRIPT.encode('base64'),
    tags=tags,
)

pulumi.export("cluster_name", cluster.cluster.name)
pulumi.export("cluster_endpoint", cluster.cluster.endpoint)
pulumi.export("bastion_template_id", bastion_template.id)
