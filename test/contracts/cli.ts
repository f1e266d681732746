/**
 * Checks CloudFormation templates on disk against the contracts: `npm run contracts -- cdk.out/*.template.json`.
 * Prints each violation and exits 1 when there is one.
 */
import * as fs from 'fs';
import { contractReport } from './index';

let count = 0;
for (const file of process.argv.slice(2)) {
  const report = contractReport(file, JSON.parse(fs.readFileSync(file, 'utf8')));
  count += report.length;
  // eslint-disable-next-line no-console -- a command-line tool
  report.forEach((r) => console.log(`${r}\n`));
}
// eslint-disable-next-line no-console -- a command-line tool
console.log(`${process.argv.length - 2} templates, ${count} contract violations`);
process.exitCode = count > 0 ? 1 : 0;
