/**
 * A starter workflow that validates as written: one gate of host checks, one of sign-offs, a kill
 * switch, the flip and the disable. `schemaRef` is the path or URL of the JSON Schema editors load.
 */
export function starterWorkflow(id: string, schemaRef: string): string {
  return `# yaml-language-server: $schema=${schemaRef}
# A starter flipgate workflow. Edit the paths, commands and principals, then:
#   flipgate validate <this file>    schema and semantic checks, one line per problem
#   flipgate survey                  read-only: which GAPs are CLOSED and which are not
id: ${id}
title: ${id} go-live
vars:                               # defaults for \${NAME} in any string; the environment overrides them
  APP: /opt/${id}
killSwitch:                         # passing means "execution is still disabled" (safe)
  id: disabled
  kind: file.contains
  path: \${APP}/flags.conf
  pattern: '^live\\s*=\\s*false'
  enabled:                          # passing means "execution is on": each reading needs its own proof
    id: enabled
    kind: file.contains
    path: \${APP}/flags.conf
    pattern: '^live\\s*=\\s*true'
flip:    { command: ["\${APP}/bin/ctl", "live", "on"] }     # argv, never a shell
disable: { command: ["\${APP}/bin/ctl", "live", "off"] }
groups:                             # named principals, used as "@release-board"
  release-board: [alice, bob, carol]
gates:                              # in order; passing the last one arms the flip
  - { id: G1, title: Configuration in place, requires: [GAP-1] }
  - { id: G2, title: Go-live approved, requires: [GAP-2] }
gaps:
  - id: GAP-1
    title: Configuration in place
    checks:
      - { id: config, kind: file, path: "\${APP}/app.conf", mode: "0640" }
      - { id: data-dir, kind: dir, paths: ["\${APP}/data"] }
  - id: GAP-2
    title: Go-live approved
    blockedBy: [GAP-1]              # BLOCKED until GAP-1 is CLOSED or WAIVED
    waivable: false
    checks:
      - { id: board, kind: approval, min: 2, principals: ["@release-board"] }
`;
}
