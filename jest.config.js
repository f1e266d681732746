/**
 * Jest runs TypeScript through SWC (no type-checking; `npm run typecheck` does that), with at least
 * two workers: Jest's default (cores - 1) runs one file at a time on a 2-core machine, and most of
 * a test file's time is loading aws-cdk-lib, which two workers overlap (35 s to 25 s here).
 * Every template a test synthesizes is checked against AWS's contracts (test/contracts/setup.ts).
 */
const os = require('os');

// aws-cdk-lib records a stack trace with every resource, stack and annotation unless told not to
// (CDK_CONTEXT_JSON is context every App reads); the tests read none of them, and rendering them
// through Jest's source maps took about a tenth of the suite's time.
process.env.CDK_DISABLE_STACK_TRACE = '1';
process.env.CDK_CONTEXT_JSON = JSON.stringify({ 'aws:cdk:disable-creation-stack-traces': true, 'aws:cdk:disable-stack-trace': true });

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
