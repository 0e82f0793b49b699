"""EKS control plane plus a managed node group running Bottlerocket."""
import json
from typing import Dict, List, Optional

import pulumi
import pulumi_aws as aws


def assume_role_policy(service: str) -> str:
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    })


class EksClusterArgs:
    def __init__(self, subnet_ids: List[str], instance_type: str, tags: Optional[Dict[str, str]] = None):
        self.subnet_ids = subnet_ids
        self.instance_type = instance_type
        self.tags = tags or {}


class EksCluster(pulumi.ComponentResource):
    def __init__(self, name: str, args: EksClusterArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("platform:eks:EksCluster", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        cluster_role = aws.iam.Role(f"{name}-cluster-role", assume_role_policy=assume_role_policy("eks.amazonaws.com"), opts=child)
        aws.iam.RolePolicyAttachment(
            f"{name}-cluster-policy",
            role=cluster_role.name,
            policy_arn="arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
            opts=child,
        )

        self.cluster = aws.eks.Cluster(
            name,
            role_arn=cluster_role.arn,
            vpc_config=aws.eks.ClusterVpcConfigArgs(subnet_ids=args.subnet_ids),
            tags=args.tags,
            opts=child,
        )

        node_role = aws.iam.Role(f"{name}-node-role", assume_role_policy=assume_role_policy("ec2.amazonaws.com"), opts=child)
        for policy in ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"]:
            aws.iam.RolePolicyAttachment(
                f"{name}-{policy}",
                role=node_role.name,
                policy_arn=f"arn:aws:iam::aws:policy/{policy}",
                opts=child,
            )

        # Bottlerocket reads its settings from TOML user data, base64-encoded.
        user_data = self.cluster.name.apply(lambda name: f"""[settings.kubernetes]
cluster-name = "{name}"

[settings.host-containers.admin]
enabled = false
""".encode('base64'))

        launch_template = aws.ec2.LaunchTemplate(
            f"{name}-bottlerocket",
            instance_type=args.instance_type,
            user_data=user_data,
            tags=args.tags,
            opts=child,
        )

        self.node_group = aws.eks.NodeGroup(
            f"{name}-nodes",
            cluster_name=self.cluster.name,
            node_role_arn=node_role.arn,
            subnet_ids=args.subnet_ids,
            ami_type="BOTTLEROCKET_x86_64",
            launch_template=aws.eks.NodeGroupLaunchTemplateArgs(id=launch_template.id, version="$Latest"),
            scaling_config=aws.eks.NodeGroupScalingConfigArgs(desired_size=2, max_size=4, min_size=1),
            tags=args.tags,
            opts=child,
        )

        self.register_outputs({"cluster_name": self.cluster.name})
