// Generates the same host checks as a plain bash script and as a Testinfra suite, from the
// workflow as flipgate resolved it, so that the three are compared on exactly the same checks.

/** Every check flipgate runs in a survey, with the reference it records: kill switch, GAPs, sections. */
export function surveyChecks(spec) {
  const out = [{ ref: 'killSwitch', check: spec.killSwitch }];
  for (const g of spec.gaps) for (const c of g.checks) out.push({ ref: `${g.id}/${c.id}`, check: c });
  for (const s of spec.sections ?? []) for (const c of s.checks) out.push({ ref: `${s.id}/${c.id}`, check: c });
  return out;
}

/** Approval checks read sign-offs from flipgate's ledger: there is no host fact for a script to test. */
export const hostChecks = (checks) => checks.filter((c) => c.check.kind !== 'approval');

const sh = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;
const sqlText = (s) => `'${String(s).replace(/'/g, "''")}'`;
const ere = (s) => s.replace(/[.[\]()*+?^${}|\\]/g, '\\$&');
const keyRegex = (k) => (k.endsWith('*') ? `${ere(k.slice(0, -1))}[A-Za-z0-9_.-]*` : ere(k));
const normalMode = (m) => Number.parseInt(m, 8).toString(8);
const under = (root, p) => `${root}${p}`;

function bashCheck(ref, c, root) {
  const r = sh(ref);
  const verdict = (cond) => `if ${cond}; then pass ${r}; else fail ${r}; fi`;
  switch (c.kind) {
    case 'file.contains':
      return verdict(`grep -Pqs -- ${sh(c.pattern)} ${sh(under(root, c.path))}`);
    case 'dir':
      return verdict(c.paths.map((p) => `test -d ${sh(under(root, p))}`).join(' && '));
    case 'file': {
      const tests = [];
      if (c.mode) tests.push(`[ "$m" = ${normalMode(c.mode)} ]`);
      if (c.owner) tests.push(/^\d+$/.test(c.owner) ? `[ "$ui" = ${c.owner} ]` : `[ "$u" = ${sh(c.owner)} ]`);
      if (c.group) tests.push(/^\d+$/.test(c.group) ? `[ "$gi" = ${c.group} ]` : `[ "$g" = ${sh(c.group)} ]`);
      const f = sh(under(root, c.path));
      return [
        `if [ -f ${f} ] && read -r m u g ui gi < <(stat -c '%a %U %G %u %g' -- ${f}); then`,
        `  ${verdict(tests.length ? tests.join(' && ') : 'true')}`,
        `else fail ${r}; fi`,
      ].join('\n');
    }
    case 'env.keys': {
      const t = sh(under(root, c.path));
      const greps = c.keys.map(
        (k) => `grep -Eqs -- ${sh(`^[[:space:]]*(export[[:space:]]+)?${keyRegex(k)}[[:space:]]*[=:]`)} "\${files[@]}"`,
      );
      return [
        `files=(); if [ -d ${t} ]; then for f in ${t}/*; do [ -f "$f" ] && files+=("$f"); done; elif [ -f ${t} ]; then files=(${t}); fi`,
        verdict(`[ \${#files[@]} -gt 0 ] && ${greps.join(' && ')}`),
      ].join('\n');
    }
    case 'gpg.key': {
      const home = c.home ? sh(under(root, c.home)) : '"${GNUPGHOME:-$HOME/.gnupg}"';
      const match = c.any ? `grep -q '^pub:'` : `grep -qi -- ${sh(`^fpr:.*${c.fingerprint.replace(/\s+/g, '')}:`)}`;
      return [
        `if [ -e ${home}/pubring.kbx ] || [ -e ${home}/pubring.gpg ]; then`,
        `  t=$(mktemp -d); cp ${home}/pubring.* ${home}/trustdb.gpg "$t"/ 2>/dev/null`,
        `  ${verdict(`gpg --homedir "$t" --batch --no-tty --no-autostart --with-colons --list-keys 2>/dev/null | ${match}`)}`,
        `  rm -rf "$t"`,
        `else fail ${r}; fi`,
      ].join('\n');
    }
    case 'postgres.role': {
      const sql = `SELECT count(*) FROM pg_roles WHERE rolname IN (${c.names.map(sqlText).join(', ')})`;
      return verdict(`[ "$(psql -X -q -At -c ${sh(sql)} 2>/dev/null)" = ${c.names.length} ]`);
    }
    case 'postgres.schema': {
      const tables = c.tables ?? [];
      const sql = tables.length
        ? `SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ${sqlText(c.name)} AND c.relname IN (${tables.map(sqlText).join(', ')})`
        : `SELECT count(*) FROM pg_namespace WHERE nspname = ${sqlText(c.name)}`;
      return verdict(`[ "$(psql -X -q -At -c ${sh(sql)} 2>/dev/null)" = ${tables.length || 1} ]`);
    }
    case 'postgres.query': {
      const e = c.expect;
      const conds = [];
      if (e.rows !== undefined) conds.push(`[ "$n" -eq ${e.rows} ]`);
      if (e.minRows !== undefined) conds.push(`[ "$n" -ge ${e.minRows} ]`);
      if (e.maxRows !== undefined) conds.push(`[ "$n" -le ${e.maxRows} ]`);
      return [
        `n=$(psql -X -q -At -c ${sh(`SELECT count(*) FROM (${c.sql}) q`)} 2>/dev/null)`,
        verdict(`[ -n "$n" ] && ${conds.join(' && ')}`),
      ].join('\n');
    }
    case 'tool': {
      const args = (c.versionArgs ?? ['--version']).map(sh).join(' ');
      const min = c.minVersion ? ` && version_at_least "$v" ${sh(c.minVersion)}` : '';
      return [
        `if p=$(command -v ${sh(c.name)}); then`,
        `  v=$("$p" ${args} 2>&1 | head -n1 | grep -Eo '[0-9]+(\\.[0-9]+)+' | head -n1)`,
        `  ${verdict(`true${min}`)}`,
        `else fail ${r}; fi`,
      ].join('\n');
    }
    case 'command': {
      const conds = [`[ "$rc" -eq ${c.exitCode ?? 0} ]`];
      if (c.stdout) conds.push(`grep -Pq -- ${sh(c.stdout)} <<<"$out"`);
      return [`out=$(${c.argv.map(sh).join(' ')} 2>/dev/null); rc=$?`, verdict(conds.join(' && '))].join('\n');
    }
    default:
      return `skip ${r}`;
  }
}

/** A bash script that runs the checks one after another and prints `PASS ref` / `FAIL ref` per check. */
export function bashSuite(checks, root) {
  return [
    '#!/usr/bin/env bash',
    "# Generated by bench/survey.mjs (not committed): the survey's host checks with psql, stat, test -d, gpg and grep, one after another.",
    'set -u',
    'pass() { echo "PASS $1"; }',
    'fail() { echo "FAIL $1"; }',
    'skip() { echo "SKIP $1"; }',
    'version_at_least() { [ "$(printf \'%s\\n%s\\n\' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }',
    '',
    ...hostChecks(checks).flatMap(({ ref, check }) => [`# ${ref} (${check.kind})`, bashCheck(ref, check, root), '']),
  ].join('\n');
}

const py = (s) => JSON.stringify(String(s));

function pyCheck(c, root) {
  switch (c.kind) {
    case 'file.contains':
      return [`f = host.file(${py(under(root, c.path))})`, `assert f.exists`, `assert re.search(${py(c.pattern)}, f.content_string, re.M)`];
    case 'dir':
      return c.paths.map((p) => `assert host.file(${py(under(root, p))}).is_directory`);
    case 'file':
      return [
        `f = host.file(${py(under(root, c.path))})`,
        `assert f.is_file`,
        ...(c.mode ? [`assert f.mode == 0o${normalMode(c.mode)}`] : []),
        ...(c.owner ? [/^\d+$/.test(c.owner) ? `assert f.uid == ${c.owner}` : `assert f.user == ${py(c.owner)}`] : []),
        ...(c.group ? [/^\d+$/.test(c.group) ? `assert f.gid == ${c.group}` : `assert f.group == ${py(c.group)}`] : []),
      ];
    case 'env.keys':
      return [
        `f = host.file(${py(under(root, c.path))})`,
        `assert f.exists`,
        `texts = [host.file(f.path + "/" + n).content_string for n in sorted(f.listdir()) if host.file(f.path + "/" + n).is_file] if f.is_directory else [f.content_string]`,
        ...c.keys.map((k) => `assert any(re.search(${py(`^\\s*(export\\s+)?${keyRegex(k)}\\s*[=:]`)}, t, re.M) for t in texts)`),
      ];
    case 'gpg.key':
      return [
        `home = ${c.home ? py(under(root, c.home)) : 'os.environ.get("GNUPGHOME", os.path.expanduser("~/.gnupg"))'}`,
        `rings = [n for n in ("pubring.kbx", "pubring.gpg", "trustdb.gpg") if host.file(home + "/" + n).exists]`,
        `assert any(n.startswith("pubring") for n in rings)`,
        `tmp = tempfile.mkdtemp()`,
        `for n in rings: shutil.copy(home + "/" + n, tmp)`,
        `out = host.run("gpg --homedir %s --batch --no-tty --no-autostart --with-colons --list-keys", tmp).stdout`,
        `shutil.rmtree(tmp)`,
        c.any
          ? `assert re.search(r"^pub:", out, re.M)`
          : `assert re.search(${py(`^fpr:.*${c.fingerprint.replace(/\s+/g, '')}:`)}, out, re.M | re.I)`,
      ];
    case 'postgres.role':
      return [
        `assert psql_count(host, ${py(`SELECT count(*) FROM pg_roles WHERE rolname IN (${c.names.map(sqlText).join(', ')})`)}) == ${c.names.length}`,
      ];
    case 'postgres.schema': {
      const tables = c.tables ?? [];
      const sql = tables.length
        ? `SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ${sqlText(c.name)} AND c.relname IN (${tables.map(sqlText).join(', ')})`
        : `SELECT count(*) FROM pg_namespace WHERE nspname = ${sqlText(c.name)}`;
      return [`assert psql_count(host, ${py(sql)}) == ${tables.length || 1}`];
    }
    case 'postgres.query': {
      const e = c.expect;
      return [
        `n = psql_count(host, ${py(`SELECT count(*) FROM (${c.sql}) q`)})`,
        ...(e.rows !== undefined ? [`assert n == ${e.rows}`] : []),
        ...(e.minRows !== undefined ? [`assert n >= ${e.minRows}`] : []),
        ...(e.maxRows !== undefined ? [`assert n <= ${e.maxRows}`] : []),
      ];
    }
    case 'tool':
      return [
        `assert host.exists(${py(c.name)})`,
        ...(c.minVersion
          ? [
              `out = host.run(${py([c.name, ...(c.versionArgs ?? ['--version'])].join(' '))})`,
              `v = re.search(r"(\\d+(?:\\.\\d+)+)", (out.stdout or out.stderr).strip().splitlines()[0])`,
              `assert v and tuple(map(int, v.group(1).split("."))) >= tuple(map(int, ${py(c.minVersion)}.split(".")))`,
            ]
          : [`assert host.run(${py([c.name, ...(c.versionArgs ?? ['--version'])].join(' '))}).rc == 0`]),
      ];
    case 'command':
      return [
        `out = host.run(${py(c.argv.map((a) => sh(a)).join(' '))})`,
        `assert out.rc == ${c.exitCode ?? 0}`,
        ...(c.stdout ? [`assert re.search(${py(c.stdout)}, out.stdout, re.M)`] : []),
      ];
    default:
      return [`pytest.skip(${py(`${c.kind}: no host fact to test`)})`];
  }
}

export const pyTestName = (i, ref) => `test_${String(i).padStart(2, '0')}_${ref.replace(/[^A-Za-z0-9]+/g, '_')}`;

/** A Testinfra suite (one test per check, `host` fixture, local backend). */
export function testinfraSuite(checks, root) {
  return [
    "# Generated by bench/survey.mjs (not committed): the survey's host checks as a Testinfra suite.",
    'import os, re, shutil, tempfile',
    'import pytest',
    '',
    'def psql_count(host, sql):',
    '    return int(host.check_output("psql -X -q -At -c %s", sql))',
    '',
    ...hostChecks(checks).flatMap(({ ref, check }, i) => [
      `def ${pyTestName(i, ref)}(host):`,
      ...pyCheck(check, root).map((l) => `    ${l}`),
      '',
      '',
    ]),
  ].join('\n');
}
