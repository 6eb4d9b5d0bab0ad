/**
 * flipgate as a library: every function returns data and never exits the process.
 * @example
 * import { loadWorkflow, openSession, openStore, runSurvey } from 'flipgate';
 * const workflow = await loadWorkflow('machines/o8-production-readiness.yaml');
 * const store = await openStore('state/o8.json', workflow.spec.id);
 * const session = openSession({ workflow, store });
 * const { report } = await runSurvey(session);
 * await session.close();
 */

export { checkDiagrams, type DiagramFileState, diagramCatalog, writeDiagrams } from './diagram/catalog.js';
export {
  type DiagramFormat,
  type DiagramModel,
  type DiagramOptions,
  diagramFormats,
  diagramStatus,
  renderDiagram,
  workflowDiagram,
} from './diagram/index.js';
export { ConfigError, ConfigErrors } from './errors.js';
export { buildMachine, MACHINE_ID, type WorkflowMachine } from './machine/build.js';
export { guards, satisfies } from './machine/guards.js';
export { type MachinePlan, planMachine } from './machine/plan.js';
export { type GapStatus, gapStatuses, type SwitchReading, switchReadings, type WorkflowEvent } from './machine/types.js';
export { checkModel, type ModelFinding } from './model/check.js';
export { eventLabel, modelEvents } from './model/events.js';
export { exploreModel, type ModelGraph } from './model/explore.js';
export { type Invariant, type InvariantContext, invariantContext, invariants } from './model/invariants.js';
export { type Coverage, formatCoverage, type ModelPath, type ModelStep, pathSteps } from './model/paths.js';
export { formatFailure, InvariantViolation, type PathFailure, runPath } from './model/run.js';
export { type GeneratedTests, generatePathTests, type ModelTestReport, runPathTests } from './model/suite.js';
export { probeFor, probeKinds, probes } from './probes/index.js';
export type { DirEntry, EnvKey, FileInfo, GpgKeys, Host, HostError, HostErrorCode, HostResult } from './probes/support/host.js';
export { localHost } from './probes/support/local-host.js';
export type { CheckOutcome, CheckResult, CheckStatus, ProbeContext } from './probes/types.js';
export type { FleetHost } from './remote/inventory/hosts.js';
export { loadFleet, loadInventory } from './remote/inventory/load.js';
export { selectHosts } from './remote/inventory/pattern.js';
export { type OpenedTarget, openTarget } from './remote/open-target.js';
export { describeTarget, parseTarget, resolveTarget, type SshTarget, type Target } from './remote/target.js';
export { type ReporterName, reporters } from './reporters/index.js';
export { type DisableOutcome, disableWorkflow } from './runner/actions/disable.js';
export { type FlipOutcome, flipWorkflow } from './runner/actions/flip.js';
export { resumeWorkflow } from './runner/actions/resume.js';
export { approveGap, listDecisions, revokeApproval, unwaiveGap, waiveGap } from './runner/actions/signoffs.js';
export { type AdvanceOutcome, advanceWorkflow, readStatus, runSurvey, type SurveyOutcome } from './runner/actions/survey-advance.js';
export { describeEvent, type RecordedEvent } from './runner/engine/events.js';
export { defaultForks, type Fleet, type FleetOptions, type OpenMember, openFleet } from './runner/engine/fleet.js';
export { type FleetMember, loadFleetWorkflow } from './runner/engine/fleet-workflow.js';
export { type CheckedView, checkView } from './runner/engine/ledger-view.js';
export { defaultActor, openSession, type Session, type SessionOptions } from './runner/engine/session.js';
export { type ApprovalStanding, decisionStandings, type Standings, type WaiverStanding } from './runner/engine/standing.js';
export { type AuditReport, auditLedger, type GapAudit, type GapChange } from './runner/read-models/audit.js';
export { buildReport, type GapReport, type StatusReport } from './runner/read-models/report.js';
export { type Dashboard, type DashboardOptions, startDashboard } from './serve/server.js';
export { type AllowedSigner, parseAllowedSigners, readAllowedSigners } from './signing/allowed-signers.js';
export { claimText, type DecisionClaim, makeClaim, parseClaim, signingNamespace } from './signing/claim.js';
export {
  type ClaimRejection,
  type ClaimSignOptions,
  type ClaimVerdict,
  type ClaimVerifyOptions,
  type SignedClaim,
  signClaim,
  verifyClaim,
} from './signing/sshsig.js';
export { workflowJsonSchema } from './spec/json-schema.js';
export { type LoadedWorkflow, loadWorkflow, parseWorkflow } from './spec/load.js';
export { checkPrincipal, normalizePrincipal, principalRule, samePrincipal } from './spec/principal.js';
export type { Check, Gap, Gate, Section, Workflow } from './spec/schema.js';
export { type KillSwitch, killSwitchChecks } from './spec/schema.js';
export { isWaivable, type WaiverPolicy, waiverPolicy } from './spec/waivers.js';
export { verifyChain } from './store/chain.js';
export { type Checkpoint, checkpointOf, checkpointVerifies, makeCheckpoint, parseCheckpoint } from './store/checkpoint.js';
export { type CopyResult, copyLedger } from './store/copy.js';
export { FileStore } from './store/file-store.js';
export { openStore } from './store/open.js';
export type { LedgerEvent, WorkflowStore } from './store/types.js';
export { type LedgerProblem, type LedgerVerification, type VerifyOptions, verifyLedger, verifyStoredLedger } from './store/verify.js';
export { openWitness, type Witness } from './store/witness.js';
