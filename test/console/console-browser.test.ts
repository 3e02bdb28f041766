/**
 * The sync console in a real browser (playwright-core driving Debian's chromium, headless) against the real stack: a
 * worker on the run's Temporal dev server, MySQL, and both emulators. An operator finds a failed record's message,
 * fixes its cause, presses Retry and sees the new job succeed; a console without an operator token refuses actions.
 *
 * The failure is the demo's own: the currency ISK has no exchange rate in Business Central, so CURRENCY fails it with
 * a message that says what to do; entering a rate fixes it. Screenshots of the main pages are written to
 * `.data/console-screenshots/` on every run; docs/console/*.png are copies of them.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type RunningConsole, startConsole } from '../../client/console/server';
import type { CommandContext } from '../../client/context';
import { listErrors } from '../../store/sync-errors';
import { OPERATOR_TOKEN, consoleContext } from '../support/console';
import { eventually } from '../support/env';
import { pass, runSync } from '../support/sync-runs';
import { all, startSyncStack, type SyncStack } from '../support/sync-stack';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = path.join(__dirname, '..', '..', '.data', 'console-screenshots');

describe('sync console in a browser', function () {
  this.timeout(180_000);
  let stack: SyncStack;
  let browser: Browser;
  const consoles: RunningConsole[] = [];
  const contexts: CommandContext[] = [];
  let failedJob: number;
  let iskId: string;

  before(async function () {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
    mkdirSync(SHOTS, { recursive: true });
    stack = await startSyncStack({ seed: { customers: 2 } });
    const result = await runSync(stack.taskQueue, { mapping: 'CURRENCY', mode: 'incremental' });
    const p = pass(result, 'to-dataverse');
    assert.equal(p.counts.failed, 1, JSON.stringify(p.counts));
    failedJob = p.jobId;
    iskId = String((await all(stack, 'bc', 'currencies')).find((c) => c.code === 'ISK')!.id).toLowerCase();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      // Chromium's sandbox refuses to start as root (CI containers).
      args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
    });
  });

  after(async () => {
    await browser?.close();
    for (const c of consoles) await c.close();
    for (const c of contexts) await c.close();
    await stack?.close();
  });

  async function serve(token?: string): Promise<string> {
    const { ctx, logger } = consoleContext({
      store: stack.store,
      taskQueue: stack.taskQueue,
      connectors: stack.connectors,
      token,
    });
    contexts.push(ctx);
    const running = await startConsole({ ctx, logger, operatorToken: token, host: '127.0.0.1', port: 0 });
    consoles.push(running);
    return running.url.replace(/\/$/, '');
  }

  async function newPage(): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.setDefaultTimeout(15_000);
    return page;
  }

  it("shows a bad record's failure with its message; after the cause is fixed, Retry makes it succeed as a new job", async () => {
    const base = await serve(OPERATOR_TOKEN);
    const page = await newPage();

    await page.goto(`${base}/jobs?mapping=CURRENCY`);
    const row = page.locator('tr', { has: page.locator(`a[href="/jobs/${failedJob}"]`) }).first();
    await row.locator('.status').filter({ hasText: 'completed_with_errors' }).waitFor();

    await row.locator(`a[href="/jobs/${failedJob}"]`).first().click();
    await page.waitForURL(`${base}/jobs/${failedJob}`);
    const errorRow = page.locator('tbody tr', { hasText: iskId });
    await errorRow.waitFor();
    const errorText = await errorRow.innerText();
    assert.match(errorText, /Currency 'ISK'/, 'the record is named');
    assert.match(
      errorText,
      /Currency 'ISK' has no exchange rate in Business Central on or before \d{4}-\d{2}-\d{2}; add one on the Currency Exchange Rates page/,
      'with its message',
    );
    assert.match(errorText, /Add one on the Currency Exchange Rates page/, 'and what to do');
    const temporalLink = await page.getByRole('link', { name: /in the Temporal UI/ }).getAttribute('href');
    assert.match(temporalLink!, /^http:\/\/localhost:\d+\/namespaces\/default\/workflows\/[^/]+\/[0-9a-f-]{36}$/);
    // Not logged in: the page offers no retry.
    assert.equal(await page.getByRole('button', { name: /Retry the failed records/ }).count(), 0);

    await page.getByRole('link', { name: 'Log in to act' }).click();
    await page.getByLabel('Operator token').fill(OPERATOR_TOKEN);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${base}/jobs/${failedJob}`);
    await page.screenshot({ path: path.join(SHOTS, 'job-errors.png'), fullPage: true });

    // The fix: the rate the message asks for, entered in Business Central.
    stack.emulators.bc.enterRecord('currencyExchangeRates', {
      currencyCode: 'ISK',
      startingDate: '2025-01-01',
      exchangeRateAmount: 100,
      relationalCurrencyCode: '',
      relationalExchangeRateAmount: 8.25,
    });
    await page.getByRole('button', { name: `Retry the failed records of job ${failedJob}` }).click();
    await page.getByText(`Retrying 1 failed record(s) of job ${failedJob} (CURRENCY, to-dataverse).`).waitFor();

    // The job list shows the new job, a retry of the failed one, and it succeeds.
    const retryRow = await eventually(
      async () => {
        await page.goto(`${base}/jobs?mapping=CURRENCY`);
        const r = page.locator('tr', { hasText: `(retry of ${failedJob})` });
        if (!(await r.count())) return false;
        return (await r.first().innerText()).includes('succeeded') ? r.first() : false;
      },
      'the retry job to succeed in the job list',
      60_000,
    );
    await page.screenshot({ path: path.join(SHOTS, 'jobs.png'), fullPage: true });
    const cells = await retryRow.locator('td').allInnerTexts();
    assert.equal(cells[1], 'CURRENCY');
    assert.equal(cells[4], 'succeeded');
    assert.deepEqual(cells.slice(7, 13), ['1', '0', '0', '0', '0', '0'], 'ISK inserted, nothing failed');
    const dv = await all(stack, 'dv', 'transactioncurrencies');
    assert.ok(
      dv.some((c) => c.isocurrencycode === 'ISK'),
      'ISK is in Dataverse now',
    );
    assert.deepEqual(
      (await listErrors(stack.store.knex, { jobId: failedJob })).map((e) => e.resolvedByJobId !== null),
      [true],
      'the error is resolved by the retry',
    );
    await page.goto(`${base}/jobs/${failedJob}`);
    await page.getByRole('link', { name: /^by job \d+$/ }).waitFor();

    // The record's page: its coupling and the fields the retry wrote (the audit trail).
    await page.goto(`${base}/records?mapping=CURRENCY&bc=${iskId}`);
    await page.getByRole('cell', { name: 'exchangerate' }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'record-history.png'), fullPage: true });

    // Couplings found by part of a name (through both APIs) and by either side's id.
    const iskDv = String(dv.find((c) => c.isocurrencycode === 'ISK')!.transactioncurrencyid).toLowerCase();
    for (const q of ['Icelandic', iskDv.toUpperCase(), iskId]) {
      await page.goto(`${base}/couplings?mapping=CURRENCY&q=${encodeURIComponent(q)}`);
      const rows = page.locator('tbody tr');
      await rows.first().waitFor();
      assert.deepEqual(
        (await rows.allInnerTexts()).map((t) => t.includes(iskId) && t.includes(iskDv)),
        [true],
        `the search '${q}' finds the ISK coupling alone`,
      );
    }
    await page.screenshot({ path: path.join(SHOTS, 'couplings.png'), fullPage: true });

    for (const [url, file] of [
      ['/', 'mappings.png'],
      ['/skipped', 'skipped.png'],
    ] as const) {
      await page.goto(`${base}${url}`);
      await page.screenshot({ path: path.join(SHOTS, file), fullPage: true });
    }
    await page.close();
  });

  it('refuses actions in read-only mode and offers none', async () => {
    const base = await serve();
    const page = await newPage();
    await page.goto(`${base}/jobs/${failedJob}`);
    await page.getByText('Read-only (no operator token configured)').waitFor();
    assert.equal(await page.getByRole('button').count(), 0, 'no action buttons');
    const retriesBefore = await stack.store.knex('sync_jobs').where({ retry_of_job_id: failedJob }).count({ n: '*' });

    // A form posted anyway (from this page's own origin) is refused.
    const res = await page.request.post(`${base}/actions/retry`, {
      form: { job: String(failedJob) },
      headers: { origin: base },
    });
    assert.equal(res.status(), 403);
    assert.match(await res.text(), /The console is read-only: actions need an operator token/);
    const run = await page.request.post(`${base}/actions/run`, { form: { mapping: 'CURRENCY' } });
    assert.equal(run.status(), 403);
    assert.deepEqual(
      await stack.store.knex('sync_jobs').where({ retry_of_job_id: failedJob }).count({ n: '*' }),
      retriesBefore,
      'nothing was retried',
    );
    await page.close();
  });
});
