/* eslint-disable @typescript-eslint/no-explicit-any -- contracts read the untyped JSON of templates, reference data and SDK messages */
/**
 * Runs the inline code of a Lambda function from a synthesized template against a fake AWS SDK,
 * so a test can check what a hook does at deploy time: which calls it makes, with what input, and
 * what it reports to CodeDeploy.
 */
export interface SdkCall { readonly command: string; readonly input: any }

/** `answer` returns the response of each SDK command (by command name, e.g. `GetDeploymentTargetCommand`). */
export function inlineHandler(code: string, env: { [name: string]: string }, answer: (command: string, input: any) => unknown) {
  const calls: SdkCall[] = [];
  const fakeSdk = new Proxy({}, {
    get(_target, name: string) {
      if (name.endsWith('Client')) {
        return class {
          public send(command: { command: string; input: any }) {
            calls.push({ command: command.command, input: command.input });
            return Promise.resolve(answer(command.command, command.input) ?? {});
          }
        };
      }
      return class {
        public readonly command = name;
        constructor(public readonly input: unknown) {}
      };
    },
  });
  const module = { exports: {} as { handler?: (event: unknown) => Promise<unknown> } };
  const quiet = { log: () => undefined, error: () => undefined };
  // The code under test is the function's own inline source.
  new Function('require', 'module', 'exports', 'process', 'console', code)(() => fakeSdk, module, module.exports, { env }, quiet);
  return { handler: module.exports.handler!, calls };
}

/** The inline code (Code.ZipFile) of the function whose description matches. */
export function inlineCodeOf(template: { findResources(type: string): { [id: string]: any } }, description: RegExp): string {
  const fn = Object.values(template.findResources('AWS::Lambda::Function')).find((f) => description.test(f.Properties.Description ?? ''));
  if (!fn) throw new Error(`no function described as ${description}`);
  return fn.Properties.Code.ZipFile;
}
