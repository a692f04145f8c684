import { cp, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { processStartTimeSync } from '@nexu/service-kit';
import type { DevServiceStatus, DevStatusFile } from '@nexu/service-kit/dev-status';
import {
  freePort,
  type ServiceProcess,
  startService,
  stopServices,
  TempDirs,
} from '@nexu/service-kit/test-support';
import { canRunChromium, useChromium } from '@nexu/service-kit/test-support/chromium';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { TITLE } from '../src/title.js';
import { ENTRIES, startBackend } from './test-support.js';

const temp = new TempDirs();
const children: ServiceProcess[] = [];
afterEach(async () => {
  await stopServices(children);
  await temp.removeAll();
});
// Registered after: closes the browser first (hooks after a test run last-registered first).
const browser = useChromium();

const text = (page: Page, testId: string) => page.getByTestId(testId).textContent();

const MARKUP = '<img src=x onerror="window.nexuPwned=1">';

/** A service as a watch session reports it; `change` overrides any field. */
function service(name: string, change: Partial<DevServiceStatus> = {}): DevServiceStatus {
  return {
    name,
    state: 'running',
    healthy: true,
    pid: 4000 + name.length,
    port: 18000 + name.length,
    startedAt: new Date(Date.now() - 65_000).toISOString(),
    restarts: 0,
    activity: null,
    lastReload: null,
    buildFailures: [],
    crash: null,
    ...change,
  };
}

/** Writes the status file as the watch session does (atomically), naming this process as the session. */
async function writeStatus(path: string, services: DevServiceStatus[]): Promise<void> {
  const file: DevStatusFile = {
    version: 1,
    watcher: {
      pid: process.pid,
      startTime: processStartTimeSync(process.pid) ?? '',
      startedAt: new Date().toISOString(),
    },
    updatedAt: new Date().toISOString(),
    backend: 'process',
    services,
  };
  await writeFile(`${path}.tmp`, JSON.stringify(file));
  await rename(`${path}.tmp`, path);
}

describe.skipIf(!canRunChromium)('dashboard in a browser', () => {
  it('shows live controller and gateway state and updates by itself when the gateway stops', async () => {
    const { controller, gateway } = await startBackend(temp, children);
    const web = await startService(ENTRIES.web, {
      NEXU_HOME: await temp.make(),
      PORT: String(await freePort()),
      NEXU_CONTROLLER_URL: controller.url,
    });
    children.push(web);

    const page = await (await browser()).newPage();
    let navigations = 0;
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations += 1;
    });
    await page.goto(web.url);

    await expect.poll(() => page.locator('h1').textContent(), { timeout: 10_000 }).toBe(TITLE);
    await expect.poll(() => text(page, 'gateway-state'), { timeout: 10_000 }).toBe('active');
    expect(await text(page, 'controller-state')).toBe('up');
    expect(await text(page, 'controller-pid')).toBe(String(controller.pid));
    expect(await text(page, 'controller-revision')).toMatch(/^\d+$/);
    expect(await text(page, 'controller-build')).toMatch(/^[0-9a-f]{12}$/);
    const loadedOnce = navigations;

    await gateway.stop();
    await expect
      .poll(() => text(page, 'gateway-state'), { timeout: 10_000 })
      .toMatch(/^(unreachable|connecting)$/);

    await controller.stop();
    await expect.poll(() => text(page, 'controller-state'), { timeout: 10_000 }).toMatch(/^down/);
    expect(navigations).toBe(loadedOnce);
  });

  it('reloads an open page by itself when the built page changes', async () => {
    // A private copy of dist (server bundle + client) so the real build is never touched.
    const dist = join(await temp.make(), 'dist');
    await cp(dirname(ENTRIES.web), dist, { recursive: true });
    const web = await startService(join(dist, 'main.js'), {
      NEXU_HOME: await temp.make(),
      PORT: String(await freePort()),
      NEXU_CONTROLLER_URL: `http://127.0.0.1:${await freePort()}`,
    });
    children.push(web);
    const page = await (await browser()).newPage();
    await page.goto(web.url);
    await expect.poll(() => page.locator('h1').textContent(), { timeout: 10_000 }).toBe(TITLE);

    const assets = join(dist, 'client', 'assets');
    const [bundle] = (await readdir(assets)).filter(
      (name) => name.startsWith('index-') && name.endsWith('.js'),
    );
    const path = join(assets, bundle!);
    const source = await readFile(path, 'utf8');
    expect(source).toContain(TITLE);
    await writeFile(path, source.replace(TITLE, `${TITLE} (edited)`));
    await expect.poll(() => page.locator('h1').textContent(), { timeout: 10_000 }).toBe(`${TITLE} (edited)`);
  });

  it('started on its own (not under pnpm start) has no dev endpoint and never loads the dev tools', async () => {
    const web = await startService(ENTRIES.web, {
      NEXU_HOME: await temp.make(),
      PORT: String(await freePort()),
      NEXU_CONTROLLER_URL: `http://127.0.0.1:${await freePort()}`,
    });
    children.push(web);
    const page = await (await browser()).newPage();
    const requested: string[] = [];
    page.on('request', (request) => requested.push(new URL(request.url()).pathname));
    const stream = page.waitForResponse((response) => response.url().endsWith('/__nexu/live-reload'));
    await page.goto(web.url);
    expect((await stream).status()).toBe(200);
    await expect.poll(() => page.locator('h1').textContent(), { timeout: 10_000 }).toBe(TITLE);
    // The server would have sent the status with the stream's first bytes; give the page a moment
    // to act on them (a positive case below shows what that looks like).
    await page.waitForTimeout(1_000);
    expect(requested.filter((path) => path.includes('dev-tools'))).toEqual([]);
    expect(await page.getByTestId('dev-panel').count()).toBe(0);
    expect(await page.locator('#nexu-dev-overlay').count()).toBe(0);
    expect((await fetch(`${web.url}/__nexu/dev-status`)).status).toBe(404);
  });

  it('under pnpm start shows failed builds and crashes as text, the services panel, and clears them', async () => {
    const state = await temp.make();
    const statusPath = join(state, 'dev-status.json');
    await writeStatus(statusPath, [
      service('gateway', {
        state: 'crashed',
        healthy: false,
        pid: null,
        restarts: 5,
        crash: {
          reason: 'crash loop: 5 failed starts in 30s',
          message: `Error: boom ${MARKUP}`,
          location: 'apps/gateway/src/main.ts:3:7',
          lines: [`Error: boom ${MARKUP}`, '    at main (/r/apps/gateway/src/main.ts:3:7)'],
        },
      }),
      service('controller', {
        buildFailures: [
          {
            what: 'controller',
            at: new Date().toISOString(),
            errors: [
              {
                file: 'apps/controller/src/revision.ts',
                line: 1,
                column: 8,
                text: `Could not resolve "${MARKUP}"`,
              },
            ],
          },
        ],
      }),
      service('web'),
    ]);
    const web = await startService(ENTRIES.web, {
      NEXU_HOME: await temp.make(),
      PORT: String(await freePort()),
      NEXU_CONTROLLER_URL: `http://127.0.0.1:${await freePort()}`,
      NEXU_DEV_STATUS_FILE: statusPath,
    });
    children.push(web);
    const page = await (await browser()).newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(web.url);

    const overlay = page.getByTestId('dev-overlay');
    await expect.poll(() => overlay.isVisible(), { timeout: 10_000 }).toBe(true);
    const shown = (await overlay.textContent()) ?? '';
    expect(shown).toContain('controller build failed');
    expect(shown).toContain(`apps/controller/src/revision.ts:1:8: Could not resolve "${MARKUP}"`);
    expect(shown).toContain('The previous build of controller is still serving');
    expect(shown).toContain('gateway crashed');
    expect(shown).toContain('crash loop: 5 failed starts in 30s');
    expect(shown).toContain(`Error: boom ${MARKUP}`);
    expect(shown).toContain('at apps/gateway/src/main.ts:3:7');
    expect(await page.locator('#nexu-dev-overlay img').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { nexuPwned?: number }).nexuPwned)).toBeUndefined();
    expect(dialogs).toEqual([]);

    expect(await text(page, 'dev-watching')).toBe('watching');
    expect(await text(page, 'dev-gateway-state')).toBe('crashed');
    expect(await text(page, 'dev-gateway-restarts')).toBe('5');
    expect(await text(page, 'dev-controller-pid')).toBe('4010');
    expect(await text(page, 'dev-controller-port')).toBe('18010');
    expect(await text(page, 'dev-controller-uptime')).toMatch(/^1m \d+s$/);
    // Docked below the page: the page's own heading stays clickable.
    await page.locator('h1#title').click({ timeout: 2_000 });

    await writeStatus(statusPath, [
      service('gateway', { restarts: 5 }),
      service('controller', {
        activity: 'reloading',
      }),
      service('web'),
    ]);
    await expect.poll(() => overlay.isVisible(), { timeout: 10_000 }).toBe(false);
    await expect
      .poll(() => text(page, 'dev-reload-marker'), { timeout: 10_000 })
      .toBe('controller reloading…');
    await writeStatus(statusPath, [
      service('gateway', { restarts: 5 }),
      service('controller', {
        pid: 4242,
        lastReload: {
          what: 'controller',
          at: new Date().toISOString(),
          ok: true,
          durationMs: 289,
          error: null,
        },
      }),
      service('web'),
    ]);
    await expect
      .poll(() => text(page, 'dev-reload-marker'), { timeout: 10_000 })
      .toBe('controller reloaded in 289 ms');
    expect(await text(page, 'dev-controller-pid')).toBe('4242');
    expect(await text(page, 'dev-gateway-state')).toBe('running');
  });
});
