// npm run snippets: type-checks every TypeScript snippet of the README and docs/ (see snippets.ts).
import { name, snippets, typeCheck } from './snippets';

const problems = typeCheck();
if (problems.length > 0) {
  // eslint-disable-next-line no-console -- a command-line tool
  console.error(`${problems.length} problem(s) in the snippets of the README and docs/:\n${problems.join('\n')}`);
  process.exit(1);
}
// eslint-disable-next-line no-console -- a command-line tool
console.log(`${snippets.length} snippets type-check as pasted (${snippets.map(name).join(', ')})`);
