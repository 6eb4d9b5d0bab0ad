import { access } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

/**
 * The package's root folder (the one holding package.json and machines/), found upward from this
 * module: src/demo/ in the source tree, dist/ or dist/chunks/ in a build, inside node_modules/flipgate/
 * once installed.
 */
export async function packageRoot(): Promise<string> {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if ((await exists(path.join(dir, 'package.json'))) && (await exists(path.join(dir, 'machines')))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error(`flipgate's package folder (package.json beside machines/) was not found above ${fileURLToPath(import.meta.url)}`);
}

export async function bundledWorkflow(): Promise<string> {
  return path.join(await packageRoot(), 'machines', 'o8-production-readiness.yaml');
}

/** A file the demo ships: beside the sources in the repository, copied to dist/ by the build. */
export async function demoAsset(name: string): Promise<string> {
  const root = await packageRoot();
  for (const p of [path.join(root, 'src', 'demo', name), path.join(root, 'dist', name)]) if (await exists(p)) return p;
  throw new Error(`the demo's ${name} is missing from ${root} (neither src/demo/ nor dist/ holds it): reinstall flipgate`);
}

/** The JSON Schema of workflows that this copy of flipgate ships. */
export async function shippedSchema(): Promise<string> {
  return path.join(await packageRoot(), 'schema', 'workflow.schema.json');
}
