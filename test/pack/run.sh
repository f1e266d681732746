#!/usr/bin/env bash
# Proves the published package works: packs a copy of the sources with no build output (as a fresh
# clone is), so `npm pack` must build through `prepack`; checks the tarball holds the compiled
# library and the jsii assembly; installs it into a freshly made CDK app in a temporary folder,
# type-checks the app against the packed .d.ts files and synthesizes a pipeline with it.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The files git tracks or would track (no dist/, no .jsii), with the installed dependencies.
src="$work/src"
mkdir -p "$src"
(cd "$root" && git ls-files -z --cached --others --exclude-standard | xargs -0 ls -d 2>/dev/null | tar -cf - -T - | tar -xf - -C "$src")
rm -rf "$src/dist" "$src/.jsii"
ln -s "$root/node_modules" "$src/node_modules"
cd "$src"
tarball=$(npm pack --silent --pack-destination "$work" 2>/dev/null | tail -n 1)
echo "packed $tarball ($(du -k "$work/$tarball" | cut -f1) KiB)"
contents=$(tar -tzf "$work/$tarball")
for file in package/dist/index.js package/dist/index.js.map package/dist/index.d.ts package/.jsii package/README.md package/LICENSE; do
  grep -qx "$file" <<<"$contents" || { echo "the packed tarball lacks $file (is prepack building?)"; exit 1; }
done
echo "the tarball holds $(grep -c . <<<"$contents") files, the compiled library and the jsii assembly among them"

app="$work/app"
mkdir -p "$app/bin" "$app/lib"
cp "$root/examples/github-build-approve/stack.ts" "$app/lib/stack.ts"
cat > "$app/bin/app.ts" <<'TS'
import { App } from 'aws-cdk-lib';
import { GithubBuildApproveStack } from '../lib/stack';

const app = new App();
new GithubBuildApproveStack(app, 'FreshApp', {
  env: { account: '111111111111', region: 'eu-west-1' },
  connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
  repository: 'my-org/shop',
  approverEmail: 'release@example.com',
});
TS
cat > "$app/tsconfig.json" <<'JSON'
{ "compilerOptions": { "target": "ES2022", "module": "commonjs", "strict": true, "outDir": "out", "skipLibCheck": false, "types": [] },
  "include": ["bin", "lib"] }
JSON
cd "$app"
npm init -y >/dev/null
# As `cdk init` would: the app command and the currently recommended feature flags.
node -e "
const flags = require('$root/node_modules/aws-cdk-lib/cx-api').CURRENTLY_RECOMMENDED_FLAGS;
require('fs').writeFileSync('cdk.json', JSON.stringify({ app: 'node out/bin/app.js', context: { ...flags, 'cli-telemetry': false } }, null, 2));
"
# The versions the library is built and tested with; the peer range accepts newer ones.
cdk_lib=$(node -p "require('$root/node_modules/aws-cdk-lib/package.json').version")
constructs=$(node -p "require('$root/node_modules/constructs/package.json').version")
cdk_nag=$(node -p "require('$root/node_modules/cdk-nag/package.json').version")
npm install --silent --no-audit --no-fund --prefer-offline "$work/$tarball" "aws-cdk-lib@$cdk_lib" "constructs@$constructs" "cdk-nag@$cdk_nag" 2>&1 | grep -v 'nodedir' || true
node "$root/node_modules/typescript/bin/tsc" -p .
CDK_DISABLE_CLI_TELEMETRY=true node "$root/node_modules/aws-cdk/bin/cdk" synth --no-notices --quiet --output cdk.out
node -e "
const t = require('./cdk.out/FreshApp.template.json');
const p = Object.values(t.Resources).find((r) => r.Type === 'AWS::CodePipeline::Pipeline');
if (!p || p.Properties.PipelineType !== 'V2') { console.error('no V2 pipeline in the fresh app'); process.exit(1); }
console.log('fresh app synthesized a ' + p.Properties.PipelineType + ' pipeline with ' + p.Properties.Stages.length + ' stages from the packed tarball');
"
