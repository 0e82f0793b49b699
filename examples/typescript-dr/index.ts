import * as pulumi from '@pulumi/pulumi';
import { DrStack } from './lib/dr-stack';

const config = new pulumi.Config();
const environmentSuffix = config.get('environmentSuffix') || 'dev';

const dr = new DrStack(`orders-dr-${environmentSuffix}`, {
  environmentSuffix,
  secondaryRegion: config.get('secondaryRegion') || 'us-west-2',
  tags: { Project: 'orders', Owner: 'platform-team' },
});

export const primaryBucket = dr.primaryBucket.bucket;
export const secondaryBucket = dr.secondaryBucket.bucket;
export const failoverIp = dr.failoverEip.publicIp;
export const cacheEndpoint = dr.cache.primaryEndpointAddress;
