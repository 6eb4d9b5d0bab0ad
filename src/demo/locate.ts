import { access } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's root folder, from either the source tree or the bundled dist/. */
export async function packageRoot(): Promise<string> {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      await access(path.join(dir, 'package.json'));
      await access(path.join(dir, 'machines'));
      return dir;
    } catch {
      dir = path.dirname(dir);
    }
  }
  return process.cwd();
}

export async function bundledWorkflow(): Promise<string> {
  return path.join(await packageRoot(), 'machines', 'o8-production-readiness.yaml');
}
