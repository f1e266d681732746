// Replaces asset hashes (64 hex characters) in snapshots, so a change in an asset's content or in
// the CDK version's bundled code does not churn every snapshot.
const HASH = /[0-9a-f]{64}/g;
module.exports = {
  test: (value) => typeof value === 'string' && HASH.test(value) && (HASH.lastIndex = 0, true),
  serialize: (value) => JSON.stringify(value.replace(HASH, '[ASSET HASH]')),
};
