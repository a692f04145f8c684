import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  freePort,
  type ServiceProcess,
  startService,
  stopServices,
  TempDirs,
} from '@nexu/service-kit/test-support';
import { canRunChromium, launchChromium } from '@nexu/service-kit/test-support/chromium';
import type { Browser, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { TITLE } from '../src/title.js';
import { ENTRIES, startBackend } from './test-support.js';

const temp = new TempDirs();
const children: ServiceProcess[] = [];
let browser: Browser | undefined;

afterEach(async () => {
  await browser?.close();
  browser = undefined;
  await stopServices(children);
  await temp.removeAll();
});

const text = (page: Page, testId: string) => page.getByTestId(testId).textContent();

describe.skipIf(!canRunChromium)('dashboard in a browser', () => {
  it('shows live controller and gateway state and updates by itself when the gateway stops', async () => {
    const { controller, gateway } = await startBackend(temp, children);
    const web = await startService(ENTRIES.web, {
      NEXU_HOME: await temp.make(),
      PORT: String(await freePort()),
      NEXU_CONTROLLER_URL: controller.url,
    });
    children.push(web);

    browser = await launchChromium();
    const page = await browser.newPage();
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
    browser = await launchChromium();
    const page = await browser.newPage();
    await page.goto(web.url);
    await expect.poll(() => page.locator('h1').textContent(), { timeout: 10_000 }).toBe(TITLE);

    const assets = join(dist, 'client', 'assets');
    const [bundle] = (await readdir(assets)).filter((name) => name.endsWith('.js'));
    const path = join(assets, bundle!);
    const source = await readFile(path, 'utf8');
    expect(source).toContain(TITLE);
    await writeFile(path, source.replace(TITLE, `${TITLE} (edited)`));
    await expect.poll(() => page.locator('h1').textContent(), { timeout: 10_000 }).toBe(`${TITLE} (edited)`);
  });
});
