import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor } from '@nexu/service-kit';
import { canRunChromium, useChromium } from '@nexu/service-kit/test-support/chromium';
import type { Browser, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryReporter } from '../format/reporter.js';
import { findMarkedProcesses } from '../ports/find-marked-processes.js';
import type { BackendName } from '../supervisor/supervisor.js';
import { isBackendAvailable } from '../test-support/backend-available.js';
import { type SpawnedCli, spawnCli } from '../test-support/spawn-cli.js';
import { createTempCheckout, type TempCheckout } from '../test-support/temp-checkout.js';
import { createWatchedCheckouts, type WatchedCheckout } from '../test-support/watched-checkouts.js';
import { stopServices } from './stop.js';

const CONTROLLER_REVISION = 'apps/controller/src/revision.ts';
const GATEWAY_REVISION = 'apps/gateway/src/revision.ts';
const WEB_SERVER_REVISION = 'apps/web/server/revision.ts';
const TITLE_FILE = 'apps/web/src/title.ts';
const revisionSource = (value: number) => `export const REVISION = ${value};\n`;

/** A dashboard page, and how often its main frame navigated (a reload counts; nothing else should). */
interface Dashboard {
  readonly page: Page;
  navigations(): number;
}

async function openDashboard(browser: Browser, url: string): Promise<Dashboard> {
  const page = await browser.newPage();
  let navigations = 0;
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) navigations += 1;
  });
  await page.goto(url);
  await expect
    .poll(() => page.getByTestId('dev-watching').textContent(), { timeout: 15_000 })
    .toBe('watching');
  return { page, navigations: () => navigations };
}

const text = (page: Page, testId: string) => page.getByTestId(testId).textContent();
const overlayText = async (page: Page) => {
  const overlay = page.getByTestId('dev-overlay');
  return (await overlay.isVisible()) ? ((await overlay.textContent()) ?? '') : '';
};

const webUrl = (watched: WatchedCheckout) => watched.report.services.find((s) => s.name === 'web')!.url;

const backends: BackendName[] = ['process', 'systemd'];

describe.skipIf(!canRunChromium).each(backends)(
  'dashboard dev tools in a browser on the %s backend',
  { timeout: 90_000 },
  (backend) => {
    const checkouts = createWatchedCheckouts(backend);
    afterEach(async () => {
      expect(await checkouts.closeAll()).toEqual([]);
    });
    // Registered after: closes the browser first (hooks after a test run last-registered first).
    const browser = useChromium();

    async function start(ctx: { skip: () => void }) {
      if (!(await checkouts.available())) ctx.skip();
      const watched = await checkouts.start();
      return { watched, dashboard: await openDashboard(await browser(), webUrl(watched)) };
    }

    it('shows a broken controller build with its file and line while the old controller serves; the fix removes it, without navigating', async (ctx) => {
      const { watched, dashboard } = await start(ctx);
      const { page } = dashboard;
      await expect.poll(() => text(page, 'controller-revision'), { timeout: 10_000 }).toBe('1');
      const loaded = dashboard.navigations();

      const broke = performance.now();
      await watched.write(CONTROLLER_REVISION, 'export const REVISION = 3 +;\n');
      await expect
        .poll(() => overlayText(page), { timeout: 20_000, interval: 20 })
        .toMatch(/controller build failed.*apps\/controller\/src\/revision\.ts:1:\d+: /);
      const shownMs = Math.round(performance.now() - broke);
      expect(await overlayText(page)).toContain('The previous build of controller is still serving');
      const runtime = (await (await fetch(`${webUrl(watched)}/api/runtime`)).json()) as {
        pid: number;
        revision: number;
      };
      expect(runtime).toMatchObject({ pid: watched.startPid('controller'), revision: 1 });
      expect(await text(page, 'controller-revision')).toBe('1');

      const fixed = performance.now();
      await watched.write(CONTROLLER_REVISION, revisionSource(4));
      await expect.poll(() => overlayText(page), { timeout: 20_000, interval: 20 }).toBe('');
      const clearedMs = Math.round(performance.now() - fixed);
      await expect.poll(() => text(page, 'controller-revision'), { timeout: 20_000 }).toBe('4');
      console.log(
        `[${backend}] build error shown in the open page after ${shownMs} ms; gone ${clearedMs} ms after the fix`,
      );
      const pid = await watched.pid('controller');
      await expect.poll(() => text(page, 'dev-controller-pid'), { timeout: 10_000 }).toBe(String(pid));
      await expect
        .poll(() => text(page, 'dev-controller-reload'), { timeout: 10_000 })
        .toMatch(/^controller: \d+ ms, /);
      expect(dashboard.navigations()).toBe(loaded);
    });

    it('shows a compiler message holding markup as text and runs none of it', async (ctx) => {
      const { watched, dashboard } = await start(ctx);
      const { page } = dashboard;
      const dialogs: string[] = [];
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      const markup = '<img src=x onerror=globalThis.nexuPwned=1;alert(1)>';
      await watched.write(CONTROLLER_REVISION, `import '${markup}';\nexport const REVISION = 2;\n`);
      await expect
        .poll(() => overlayText(page), { timeout: 20_000 })
        .toContain(`Could not resolve "${markup}"`);
      expect(await page.locator('#nexu-dev-overlay img, #nexu-dev-overlay script').count()).toBe(0);
      expect(await page.evaluate(() => (globalThis as { nexuPwned?: number }).nexuPwned)).toBeUndefined();
      expect(dialogs).toEqual([]);
    });

    it('shows a broken web client build while the last good page stays usable; the fix reloads the page', async (ctx) => {
      const { watched, dashboard } = await start(ctx);
      const { page } = dashboard;
      const before = await watched.read(TITLE_FILE);
      const title = /export const TITLE = '([^']*)';/.exec(before)?.[1];
      const heading = page.locator('h1#title');
      await expect.poll(() => heading.textContent(), { timeout: 10_000 }).toBe(title);
      const loaded = dashboard.navigations();

      await watched.write(TITLE_FILE, before.replace(`'${title}'`, `'${title}' +`));
      await expect
        .poll(() => overlayText(page), { timeout: 20_000 })
        .toMatch(/web client build failed.*apps\/web\/src\/title\.ts:\d+:\d+/);
      // Usable: the heading is not covered, and the page keeps polling the controller.
      await heading.click({ timeout: 5_000 });
      const updated = await text(page, 'updated-at');
      await expect.poll(() => text(page, 'updated-at'), { timeout: 10_000 }).not.toBe(updated);
      expect(await heading.textContent()).toBe(title);
      expect(dashboard.navigations()).toBe(loaded);

      await watched.write(TITLE_FILE, before.replace(`'${title}'`, `'${title} (fixed)'`));
      await expect.poll(() => heading.textContent(), { timeout: 20_000 }).toBe(`${title} (fixed)`);
      expect(dashboard.navigations()).toBeGreaterThan(loaded);
      await expect.poll(() => overlayText(page), { timeout: 10_000 }).toBe('');
      expect(await watched.pid('web')).toBe(watched.startPid('web'));
    });

    it('brings the services panel back by itself after the web server restarts on a save', async (ctx) => {
      const { watched, dashboard } = await start(ctx);
      const { page } = dashboard;
      await expect
        .poll(() => text(page, 'dev-web-pid'), { timeout: 10_000 })
        .toBe(String(watched.startPid('web')));
      const loaded = dashboard.navigations();

      await watched.write(WEB_SERVER_REVISION, revisionSource(2));
      const restarted = await waitFor(
        async () => {
          const pid = await watched.pid('web').catch(() => undefined);
          return pid !== undefined && pid !== watched.startPid('web') ? pid : undefined;
        },
        { timeoutMs: 20_000 },
      );
      expect(restarted.ok).toBe(true);
      const pid = restarted.ok ? restarted.value : 0;
      await expect.poll(() => text(page, 'dev-web-pid'), { timeout: 20_000 }).toBe(String(pid));
      expect(await text(page, 'dev-watching')).toBe('watching');
      await expect
        .poll(() => text(page, 'dev-web-reload'), { timeout: 10_000 })
        .toMatch(/^web server: \d+ ms, /);
      expect(dashboard.navigations()).toBe(loaded);
    });
  },
);

/** `pnpm start` run as a user runs it, in a temp checkout, watching. */
interface StartedCli {
  readonly temp: TempCheckout;
  readonly cli: SpawnedCli;
  readonly webUrl: string;
  /** Lines printed so far. */
  lines(): string[];
}

describe.skipIf(!canRunChromium).each(backends)(
  'pnpm start with a crash-looping service, in the terminal and a browser, on the %s backend',
  { timeout: 120_000 },
  (backend) => {
    let started: StartedCli | undefined;

    afterEach(async () => {
      if (!started) return;
      const { temp, cli } = started;
      started = undefined;
      try {
        if (cli.child.exitCode === null && cli.child.signalCode === null)
          process.kill(-cli.child.pid!, 'SIGINT');
        const ended = await Promise.race([
          cli.done.then(() => true),
          new Promise<false>((resolve) => setTimeout(() => resolve(false), 15_000)),
        ]);
        if (!ended) process.kill(-cli.child.pid!, 'SIGKILL');
        await stopServices({ checkout: temp.checkout, reporter: createMemoryReporter() });
        expect(await findMarkedProcesses(temp.checkout.id)).toEqual([]);
      } finally {
        temp.remove();
      }
    });
    // Registered after: closes the browser first (hooks after a test run last-registered first).
    const browser = useChromium();

    async function startCli(ctx: { skip: () => void }): Promise<StartedCli> {
      if (!(await isBackendAvailable(backend))) ctx.skip();
      const temp = createTempCheckout();
      const cli = spawnCli('start', ['--backend', backend], { cwd: temp.checkout.root });
      const lines = () => cli.output.stdout.split('\n');
      started = { temp, cli, webUrl: '', lines };
      const watching = await waitFor(() => cli.output.stdout.includes('Watching for changes'), {
        timeoutMs: 60_000,
      });
      if (!watching.ok)
        throw new Error(`pnpm start did not start watching:\n${cli.output.stdout}\n${cli.output.stderr}`);
      const url = /^web\s+(http:\/\/127\.0\.0\.1:\d+)/m.exec(cli.output.stdout)?.[1];
      if (!url) throw new Error(`no web URL in the start table:\n${cli.output.stdout}`);
      started = { temp, cli, webUrl: url, lines };
      return started;
    }

    it('shows crashed with the error and its src/….ts line; a fixing save brings it back; the terminal prints the stack once, with a count', async (ctx) => {
      const { temp, webUrl: url, lines, cli } = await startCli(ctx);
      const { page } = await openDashboard(await browser(), url);
      await expect.poll(() => text(page, 'dev-gateway-state'), { timeout: 10_000 }).toBe('running');

      const source = join(temp.checkout.root, GATEWAY_REVISION);
      await writeFile(
        source,
        "export const REVISION = 2;\nif (process.env.NEXU_DEV_INSTANCE) throw new Error('boom at startup');\n",
      );
      await expect.poll(() => text(page, 'dev-gateway-state'), { timeout: 60_000 }).toBe('crashed');
      await expect.poll(() => overlayText(page), { timeout: 10_000 }).toMatch(/gateway crashed.*crash loop/);
      const shown = await overlayText(page);
      expect(shown).toContain('Error: boom at startup');
      expect(shown).toMatch(/at apps\/gateway\/src\/revision\.ts:2:\d+/);
      expect(shown).not.toContain('dist/main.js');

      // The terminal: the stack once, then how often it repeated, then the summary that leads with it.
      const summary = await waitFor(
        () => lines().findIndex((l) => l.includes('Unable to reload gateway')) >= 0,
        {
          timeoutMs: 30_000,
        },
      );
      expect(summary.ok).toBe(true);
      const counted = await waitFor(
        () => lines().some((l) => /^gateway +\| the same crash \d+ more times/.test(l)),
        {
          timeoutMs: 10_000,
        },
      );
      expect(counted.ok, cli.output.stdout).toBe(true);
      expect(lines().filter((l) => /^gateway +\| Error: boom at startup$/.test(l))).toHaveLength(1);
      const frames = lines().filter((l) => /^gateway +\| +at /.test(l));
      expect(frames.some((l) => /apps\/gateway\/src\/revision\.ts:2:\d+/.test(l))).toBe(true);
      expect(frames.filter((l) => l.includes('dist/main.js'))).toEqual([]);
      const at = lines().findIndex((l) => l.includes('Unable to reload gateway'));
      expect(lines()[at]).toMatch(
        /Unable to reload gateway: Unable to start gateway: Error: boom at startup$/,
      );
      expect(lines()[at + 1]).toMatch(/^ +at apps\/gateway\/src\/revision\.ts:2:\d+$/);
      expect(cli.output.stdout).toMatch(/Save a fix: the watch session rebuilds gateway and starts it again/);

      const logs = await spawnCli('logs', ['--service', 'gateway', '--no-follow', '--lines', '40'], {
        cwd: temp.checkout.root,
      }).done;
      expect(logs.stdout).toMatch(/gateway \| +at .*apps\/gateway\/src\/revision\.ts:2:\d+/);

      await writeFile(source, revisionSource(3));
      await expect.poll(() => text(page, 'dev-gateway-state'), { timeout: 30_000 }).toBe('running');
      await expect.poll(() => overlayText(page), { timeout: 10_000 }).toBe('');

      // Ctrl-C ends watching only: the page says so, the services keep running.
      process.kill(-cli.child.pid!, 'SIGINT');
      await cli.done;
      await expect.poll(() => text(page, 'dev-watching'), { timeout: 10_000 }).toBe('not watching');
      expect(await text(page, 'dev-panel-note')).toMatch(/the services keep running/);
      expect((await fetch(`${url}/health`)).status).toBe(200);
    });
  },
);
