import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterEach } from 'vitest';

/** Debian's Chromium, which the browser tests drive through playwright-core. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Whether browser tests run: locally a missing Chromium skips them, in CI (`CI` set) they must run
 * and fail loudly instead.
 */
export const canRunChromium: boolean = existsSync(CHROMIUM_PATH) || Boolean(process.env.CI);

/** Launches headless Chromium with the flags a sandbox-less, GPU-less container needs. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * For the tests of one file or `describe` block: returns what opens the test's browser (launched
 * on first use, the same one after), closed after each test.
 */
export function useChromium(): () => Promise<Browser> {
  let browser: Promise<Browser> | undefined;
  afterEach(async () => {
    const open = browser;
    browser = undefined;
    await (await open?.catch(() => undefined))?.close();
  });
  return () => {
    browser ??= launchChromium();
    return browser;
  };
}
