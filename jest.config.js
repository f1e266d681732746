/**
 * Jest runs TypeScript through SWC (no type-checking; `npm run typecheck` does that), with at least
 * two workers: Jest's default (cores - 1) runs one file at a time on a 2-core machine, and most of
 * a test file's time is loading aws-cdk-lib, which two workers overlap (35 s to 25 s here).
 * Every template a test synthesizes is checked against AWS's contracts (test/contracts/setup.ts).
 */
const os = require('os');

module.exports = {
  maxWorkers: Math.max(2, os.cpus().length - 1),
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  moduleNameMapper: { '^cdk-delivery$': '<rootDir>/lib/index.ts' },
  globalSetup: '<rootDir>/test/contracts/global-setup.ts',
  setupFilesAfterEnv: ['<rootDir>/test/contracts/setup.ts'],
  testTimeout: 30000,
};
