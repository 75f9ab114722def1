/// <reference lib="dom" />
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { onCleanup } from './harness';

/**
 * Real Chromium (Debian's, headless) driven by playwright-core, for the hosted pages: screenshots
 * go to test-artifacts/, axe-core runs inside the page, CSP violations are collected so a page that
 * only works with its policy broken fails.
 */
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
/**
 * Playwright's ceiling for one page action or wait. Generous because it only bounds a wait that
 * fails anyway: two test files at once on a loaded machine make pages several times slower.
 */
export const BROWSER_WAIT_MS = 60_000;
const CHROMIUM = process.env.PLINTO_CHROMIUM ?? '/usr/bin/chromium';
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export async function startBrowser(): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  onCleanup(() => browser.close());
  mkdirSync(ARTIFACTS, { recursive: true });
  return browser;
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Console messages about Content-Security-Policy violations (must stay empty). */
  cspViolations: string[];
}

export async function openPage(browser: Browser): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(BROWSER_WAIT_MS);
  const cspViolations: string[] = [];
  page.on('console', (message) => {
    if (/Content.Security.Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  return { page, context, cspViolations };
}

/**
 * Waits until the page's finite CSS transitions and animations have finished. A dialog fading in or
 * out is half transparent, and axe judges the contrast of its text as it is at that instant (seen on
 * a loaded machine: a modal's Confirm button, mid fade-out, failed color-contrast). Endless
 * animations (a spinner) are not waited for.
 */
export async function settleAnimations(page: Page): Promise<void> {
  await page.waitForFunction(() =>
    document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getComputedTiming().endTime === Infinity),
  );
}

/** axe-core's serious and critical violations on the page once it is still (evaluated past the CSP, as DevTools would). */
export async function axeViolations(page: Page): Promise<{ id: string; impact: string; nodes: string[] }[]> {
  await settleAnimations(page);
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: unknown): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe;
    return axe.run(document, { resultTypes: ['violations'] });
  });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) }));
}

/** A full-page screenshot in test-artifacts/, taken once the page is still (no button caught mid-transition). */
export async function screenshot(page: Page, name: string): Promise<void> {
  await settleAnimations(page);
  await page.screenshot({ path: `${ARTIFACTS}pages-${name}.png`, fullPage: true });
}

/** The page is the tenant's hosted page, accessible, screenshotted, and ran under its CSP. */
export async function checkHostedPage(watched: WatchedPage, name: string): Promise<void> {
  await watched.page.getByRole('heading', { level: 1 }).waitFor();
  await screenshot(watched.page, name);
  expect(await axeViolations(watched.page), name).toEqual([]);
  expect(watched.cspViolations, name).toEqual([]);
}
