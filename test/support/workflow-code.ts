/**
 * The product's workflow code for the test workers: bundled from the sources once per test process and shared.
 *
 * A worker created from `workflowsPath` runs webpack over the workflows each time (a few seconds on a loaded 2-core
 * machine), and the sync tests create dozens of workers; all of them would bundle the same sources into the same
 * code. Bundling once, with the same bundler and options `Worker.create` uses, keeps them running the code they see.
 */
import { bundleWorkflowCode, Runtime } from '@temporalio/worker';
import { type WorkflowCode, workflowsPath } from '../../worker/create-worker';

let bundled: Promise<WorkflowCode> | undefined;

/** The workflows of `workflows/` bundled from the sources, once per test process (the first call bundles). */
export function sourceWorkflowCode(): Promise<WorkflowCode> {
  bundled ??= bundleWorkflowCode({ workflowsPath, logger: Runtime.instance().logger }).then((bundle) => ({
    workflowBundle: bundle,
  }));
  return bundled;
}
