/** Jest runs TypeScript through SWC (no type-checking; `npm run typecheck` does that). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  moduleNameMapper: { '^cdk-delivery$': '<rootDir>/lib/index.ts' },
  snapshotSerializers: ['<rootDir>/test/util/asset-hash-serializer.js'],
  testTimeout: 30000,
};
