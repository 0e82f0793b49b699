import * as pulumi from '@pulumi/pulumi';
import * as aws from '@pulumi/aws';

export interface DrStackArgs {
  environmentSuffix: string;
  secondaryRegion: string;
  tags?: Record<string, string>;
}

/**
 * Orders data replicated to a second region, a static failover address and a Redis cache
 * that survives the loss of one availability zone.
 */
export class DrStack extends pulumi.ComponentResource {
  public readonly primaryBucket: aws.s3.Bucket;
  public readonly secondaryBucket: aws.s3.Bucket;
  public readonly failoverEip: aws.ec2.Eip;
  public readonly cache: aws.elasticache.ReplicationGroup;

  constructor(name: string, args: DrStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super('orders:dr:DrStack', name, {}, opts);
    const suffix = args.environmentSuffix;
    const tags = { ...args.tags, Environment: suffix };

    const secondaryProvider = new aws.Provider(`${name}-secondary`, { region: args.secondaryRegion as aws.Region }, { parent: this });

    this.primaryBucket = new aws.s3.Bucket(`orders-primary-${suffix}`, { tags }, { parent: this });
    this.secondaryBucket = new aws.s3.Bucket(`orders-secondary-${suffix}`, { tags }, { parent: this, provider: secondaryProvider });

    // Replication needs versioning on both sides.
    const primaryVersioning = new aws.s3.BucketVersioning(`orders-primary-versioning-${suffix}`, {
      bucket: this.primaryBucket.id,
      versioningConfiguration: { status: 'Enabled' },
    }, { parent: this });
    const secondaryVersioning = new aws.s3.BucketVersioning(`orders-secondary-versioning-${suffix}`, {
      bucket: this.secondaryBucket.id,
      versioningConfiguration: { status: 'Enabled' },
    }, { parent: this, provider: secondaryProvider });

    const replicationRole = new aws.iam.Role(`orders-replication-role-${suffix}`, {
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
      tags,
    }, { parent: this });

    new aws.iam.RolePolicy(`orders-replication-policy-${suffix}`, {
      role: replicationRole.id,
      policy: pulumi.all([this.primaryBucket.arn, this.secondaryBucket.arn]).apply(([source, destination]) => JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['s3:GetReplicationConfiguration', 's3:ListBucket'], Resource: [source] },
          { Effect: 'Allow', Action: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl'], Resource: [`${source}/*`] },
          { Effect: 'Allow', Action: ['s3:ReplicateObject', 's3:ReplicateDelete'], Resource: [`${destination}/*`] },
        ],
      })),
    }, { parent: this });

    new aws.s3.BucketReplication(`orders-replication-${suffix}`, {
      role: replicationRole.arn,
      bucket: this.primaryBucket.id,
      rules: [{
        id: 'replicate-everything',
        status: 'Enabled',
        destination: {
          bucket: this.secondaryBucket.arn,
          replicaKmsKeyId: undefined,
          storageClass: 'STANDARD',
        },
      }],
    }, { parent: this, dependsOn: [primaryVersioning, secondaryVersioning] });

    // Static address the DNS failover record points at.
    this.failoverEip = new aws.ec2.Eip(`orders-failover-eip-${suffix}`, { vpc: true, tags }, { parent: this });

    this.cache = new aws.elasticache.ReplicationGroup(`orders-cache-${suffix}`, {
      replicationGroupDescription: 'Orders read cache with automatic failover',
      engine: 'redis',
      nodeType: 'cache.t4g.small',
      numCacheClusters: 2,
      automaticFailoverEnabled: true,
      multiAzEnabled: true,
      atRestEncryptionEnabled: true,
      transitEncryptionEnabled: true,
      authTokenEnabled: false,
      tags,
    }, { parent: this });

    this.registerOutputs({
      primaryBucket: this.primaryBucket.bucket,
      secondaryBucket: this.secondaryBucket.bucket,
    });
  }
}
