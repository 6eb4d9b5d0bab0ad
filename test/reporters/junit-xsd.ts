import { readFile } from 'node:fs/promises';
import { validateXML } from 'xmllint-wasm';

let xsd: Promise<string> | undefined;

/**
 * Validates JUnit reports against Jenkins' junit-10.xsd (test/fixtures/junit/) with libxml2's xmllint,
 * compiled to WebAssembly, in one run. Returns xmllint's messages, each naming the report (`<name>.xml:line`);
 * none when every report is valid.
 */
export async function junitSchemaProblems(reports: Record<string, string>): Promise<string[]> {
  xsd ??= readFile('test/fixtures/junit/junit-10.xsd', 'utf8');
  const xml = Object.entries(reports).map(([name, contents]) => ({ fileName: `${name.replace(/[^A-Za-z0-9_-]+/g, '_')}.xml`, contents }));
  const r = await validateXML({ xml, schema: [{ fileName: 'junit-10.xsd', contents: await xsd }] });
  return r.valid ? [] : r.errors.map((e) => e.rawMessage);
}
