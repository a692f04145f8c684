import { canRunChromium, useChromium } from '@nexu/service-kit/test-support/chromium';
import { afterEach, describe, expect, it } from 'vitest';
import type { BackendName } from '../supervisor/supervisor.js';
import { createWatchedCheckouts } from '../test-support/watched-checkouts.js';

const TITLE_FILE = 'apps/web/src/title.ts';

const backends: BackendName[] = ['process', 'systemd'];

describe.skipIf(!canRunChromium).each(backends)(
  'dashboard hot reload in a browser on the %s backend',
  { timeout: 60_000 },
  (backend) => {
    const checkouts = createWatchedCheckouts(backend);
    afterEach(async () => {
      expect(await checkouts.closeAll()).toEqual([]);
    });
    // Registered after: closes the browser first (hooks after a test run last-registered first).
    const browser = useChromium();

    it('shows an edited heading in the already open page, without a web server restart', async (ctx) => {
      if (!(await checkouts.available())) ctx.skip();
      const watched = await checkouts.start();
      const before = await watched.read(TITLE_FILE);
      const title = /export const TITLE = '([^']*)';/.exec(before)?.[1];
      expect(title).toBeTruthy();

      const page = await (await browser()).newPage();
      let loads = 0;
      page.on('load', () => {
        loads += 1;
      });
      await page.goto(watched.report.services.find((s) => s.name === 'web')!.url);
      const heading = page.locator('h1#title');
      await expect.poll(() => heading.textContent(), { timeout: 10_000 }).toBe(title);
      const loadedBefore = loads;

      const edited = `${title} (hot)`;
      const saved = performance.now();
      await watched.write(TITLE_FILE, before.replace(`'${title}'`, `'${edited}'`));
      // The test never navigates again: the page reloads itself on the server's live-reload event.
      await expect.poll(() => heading.textContent(), { timeout: 20_000 }).toBe(edited);
      const shownMs = Math.round(performance.now() - saved);

      expect(loads).toBeGreaterThan(loadedBefore);
      for (const service of ['web', 'controller', 'gateway'] as const) {
        expect(await watched.pid(service)).toBe(watched.startPid(service));
      }
      await watched.session.idle();
      const rebuilt = watched.lines.filter((l) => l.service === 'web').map((l) => l.line);
      console.log(`[${backend}] edited heading shown in the open page after ${shownMs} ms;`, rebuilt);
    });

    it('keeps the last good page through a broken client build and reloads it on the fix', async (ctx) => {
      if (!(await checkouts.available())) ctx.skip();
      const watched = await checkouts.start();
      const before = await watched.read(TITLE_FILE);
      const title = /export const TITLE = '([^']*)';/.exec(before)?.[1];
      const webUrl = watched.report.services.find((s) => s.name === 'web')!.url;

      const page = await (await browser()).newPage();
      let loads = 0;
      page.on('load', () => {
        loads += 1;
      });
      await page.goto(webUrl);
      const heading = page.locator('h1#title');
      await expect.poll(() => heading.textContent(), { timeout: 10_000 }).toBe(title);
      const loadedBefore = loads;

      await watched.write(TITLE_FILE, before.replace(`'${title}'`, `'${title}' +`));
      await watched.waitForLine(/web client build failed; still serving the last good build/);
      await watched.session.idle();
      expect(watched.lines.some((l) => l.line.includes(TITLE_FILE))).toBe(true);
      expect(loads).toBe(loadedBefore);
      expect(await heading.textContent()).toBe(title);
      const served = await fetch(`${webUrl}/`);
      expect(served.status).toBe(200);
      expect(await served.text()).toContain('id="title"');

      await watched.write(TITLE_FILE, before.replace(`'${title}'`, `'${title} (fixed)'`));
      await expect.poll(() => heading.textContent(), { timeout: 20_000 }).toBe(`${title} (fixed)`);
      expect(await watched.pid('web')).toBe(watched.startPid('web'));
    });
  },
);
