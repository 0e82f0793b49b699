"""Entry point of the healthcare platform stack."""
import pulumi

from lib.tap_stack import TapStack, TapStackArgs

config = pulumi.Config()
environment_suffix = config.get("environmentSuffix") or "dev"

stack = TapStack(
    f"healthcare-{environment_suffix}",
    TapStackArgs(
        environment_suffix=environment_suffix,
        cache_node_type=config.get("cacheNodeType") or "cache.t4g.small",
        tags={"Project": "healthcare", "Compliance": "HIPAA"},
    ),
)

pulumi.export("vpc_id", stack.network.vpc.id)
pulumi.export("bastion_ip", stack.bastion_eip.public_ip)
pulumi.export("cache_endpoint", stack.cache.primary_endpoint_address)
