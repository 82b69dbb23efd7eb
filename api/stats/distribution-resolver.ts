/**
 * The `distribution` filter accepts distribution IDs and CloudFront domains (or aliases).
 * IDs are taken as they are, so data of a distribution no longer configured can still be queried;
 * a domain must be known.
 */
import type { DistributionResolver } from '../query/filters.js';

const DISTRIBUTION_ID = /^[A-Z0-9]{1,32}$/;

export function distributionResolver(resolveDomain: (domain: string) => string): DistributionResolver {
  return (value) => {
    if (DISTRIBUTION_ID.test(value)) return value;
    const id = resolveDomain(value);
    return id === '' ? undefined : id;
  };
}
