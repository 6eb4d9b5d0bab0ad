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
export { ConfigError, ConfigErrors } from './errors.js';
export { loadWorkflow, parseWorkflow, type LoadedWorkflow } from './spec/load.js';
export { workflowJsonSchema } from './spec/json-schema.js';
export type { Workflow, Gap, Gate, Section, Check } from './spec/schema.js';
export { buildMachine, MACHINE_ID, type WorkflowMachine } from './machine/build.js';
export { planMachine, type MachinePlan } from './machine/plan.js';
export { guards, satisfies } from './machine/guards.js';
export { gapStatuses, switchReadings, type GapStatus, type SwitchReading, type WorkflowEvent } from './machine/types.js';
export { probes, probeKinds, probeFor } from './probes/index.js';
export type { CheckOutcome, CheckResult, CheckStatus, ProbeContext } from './probes/types.js';
export { openSession, defaultActor, type Session, type SessionOptions } from './runner/session.js';
export { runSurvey, readStatus, advanceWorkflow, type AdvanceOutcome, type SurveyOutcome } from './runner/workflow.js';
export { approveGap, revokeApproval } from './runner/signoffs.js';
export { buildReport, type StatusReport, type GapReport } from './runner/report.js';
export { openStore } from './store/open.js';
export { FileStore } from './store/file-store.js';
export { verifyChain } from './store/chain.js';
export { verifyLedger, verifyStoredLedger, type LedgerVerification, type LedgerProblem, type VerifyOptions } from './store/verify.js';
export { makeCheckpoint, checkpointOf, parseCheckpoint, checkpointVerifies, type Checkpoint } from './store/checkpoint.js';
export { openWitness, type Witness } from './store/witness.js';
export { copyLedger, type CopyResult } from './store/copy.js';
export { auditLedger, type AuditReport, type GapAudit, type GapChange } from './runner/audit.js';
export { describeEvent, type RecordedEvent } from './runner/events.js';
export { checkView, type CheckedView } from './runner/ledger-view.js';
export type { LedgerEvent, WorkflowStore } from './store/types.js';
export { reporters, type ReporterName } from './reporters/index.js';
export { generatePathTests, runPathTests, type GeneratedTests, type ModelTestReport } from './model/suite.js';
export { runPath, formatFailure, InvariantViolation, type PathFailure } from './model/run.js';
export { invariants, invariantContext, type Invariant, type InvariantContext } from './model/invariants.js';
export { formatCoverage, pathSteps, type Coverage, type ModelPath, type ModelStep } from './model/paths.js';
export { modelEvents, eventLabel } from './model/events.js';
export { exploreModel, type ModelGraph } from './model/explore.js';
export { checkModel, type ModelFinding } from './model/check.js';
export { renderDiagram, workflowDiagram, diagramFormats, diagramStatus, type DiagramFormat, type DiagramOptions, type DiagramModel } from './diagram/index.js';
export { checkDiagrams, writeDiagrams, diagramCatalog, type DiagramFileState } from './diagram/catalog.js';
export { startDashboard, type Dashboard, type DashboardOptions } from './serve/server.js';
