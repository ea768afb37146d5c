import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type BrowserContext, type Page, type TestInfo } from '@playwright/test';

export { expect };

const allowed = new WeakMap<TestInfo, RegExp[]>();

/**
 * Console errors a test expects (a 401 from a wrong password, say). Everything else a
 * page logs as an error, every uncaught exception and every panic fails the test.
 */
export function allowConsoleErrors(info: TestInfo, ...patterns: RegExp[]) {
  allowed.set(info, [...(allowed.get(info) ?? []), ...patterns]);
}

/** Pages (path with ids as :n, per project) this worker has already run axe on. */
const axeChecked = new Set<string>();

/** axe-core's WCAG 2.1 A/AA and best-practice findings on a page as it is now. */
async function axeFindings(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  return results.violations.map(
    (v) =>
      `${new URL(page.url()).pathname}: ${v.id} (${v.impact}) ${v.help}: ` +
      v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | '),
  );
}

/**
 * On a phone, every control a thumb aims at is at least 44×44 CSS px (WCAG 2.5.5; links
 * inside running text are exempt, as there). A checkbox or file input counts by the
 * label that wraps it, which is what a finger hits.
 */
async function touchTargetFindings(page: Page): Promise<string[]> {
  const viewport = page.viewportSize();
  if (!viewport || viewport.width > 600) return [];
  const small: string[] = await page.evaluate(() => {
    const found: string[] = [];
    const describe = (el: Element, r: DOMRect) =>
      `${el.tagName.toLowerCase()}${el.className ? '.' + String(el.className).trim().split(/\s+/).join('.') : ''}` +
      ` "${(el.textContent || (el as HTMLInputElement).placeholder || el.getAttribute('aria-label') || '').trim().slice(0, 20)}"` +
      ` ${Math.round(r.width)}×${Math.round(r.height)}`;
    const controls = document.querySelectorAll(
      'a[href], button, input:not([type=hidden]), select, textarea, summary, label',
    );
    for (const el of controls) {
      const r = el.getBoundingClientRect();
      // Not on screen for a finger: hidden, visually hidden (1 px, clipped) or parked
      // off-screen until focused (the skip link).
      if (r.width <= 1 || r.height <= 1 || r.right <= 0 || r.bottom <= 0) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || !el.checkVisibility()) continue;
      if (el instanceof HTMLLabelElement) {
        const input = el.control;
        const toggles = input instanceof HTMLInputElement && ['checkbox', 'radio', 'file'].includes(input.type);
        if (!toggles) continue;
      }
      if (el instanceof HTMLInputElement && ['checkbox', 'radio', 'file'].includes(el.type) && el.labels?.length) continue;
      if (el instanceof HTMLAnchorElement && style.display === 'inline') {
        const parentText = el.parentElement?.textContent?.trim() ?? '';
        if (parentText.length > (el.textContent?.trim().length ?? 0)) continue;
      }
      if (r.width < 43.5 || r.height < 43.5) found.push(describe(el, r));
    }
    return found;
  });
  const path = new URL(page.url()).pathname;
  return [...new Set(small)].slice(0, 8).map((s) => `${path}: touch target under 44 px: ${s}`);
}

/**
 * axe on every page a test visits: each distinct page (by path) once per worker and
 * size, loaded afresh in the context that visited it, and every page still open at the
 * end of the test in the state the test left it (error messages, open panels).
 */
async function accessibilityFindings(
  visited: Map<string, BrowserContext>,
  openPages: Page[],
  project: string,
): Promise<string[]> {
  const findings: string[] = [];
  for (const page of openPages) {
    if (page.isClosed() || !page.url().startsWith('http')) continue;
    await page.waitForLoadState('load').catch(() => {});
    findings.push(...(await axeFindings(page).catch(() => [])));
    findings.push(...(await touchTargetFindings(page).catch(() => [])));
  }
  for (const [url, context] of visited) {
    const key = `${project} ${new URL(url).pathname.replace(/\d+/g, ':n')}`;
    if (axeChecked.has(key)) continue;
    axeChecked.add(key);
    const page = await context.newPage().catch(() => null);
    if (!page) continue;
    try {
      await page.goto(url);
      await page.locator('body[data-hydrated]').waitFor({ timeout: 10_000 }).catch(() => {});
      findings.push(...(await axeFindings(page)));
      findings.push(...(await touchTargetFindings(page)));
    } finally {
      await page.close().catch(() => {});
    }
  }
  return findings;
}

/**
 * Every test watches every page it opens, in its own context and in any context it
 * makes, for page errors, console errors and hydration panics (console_error_panic_hook
 * logs a panic as a console error). A marker the app sets about itself proves nothing:
 * the app could set it and still have panicked.
 */
export const test = base.extend<{ watchPages: void }>({
  watchPages: [
    async ({ context, browser }, use, info) => {
      const errors: string[] = [];
      const base = new URL(info.project.use.baseURL ?? 'http://127.0.0.1:3000').origin;
      const visited = new Map<string, BrowserContext>();
      const watchPage = (page: Page) => {
        page.on('framenavigated', (frame) => {
          const url = frame.url();
          if (frame === page.mainFrame() && url.startsWith(base) && !visited.has(url)) {
            visited.set(url, page.context());
          }
        });
        page.on('console', (msg) => {
          if (msg.type() === 'error') errors.push(`${page.url()}: ${msg.text()}`);
        });
        page.on('pageerror', (err) => errors.push(`${page.url()}: pageerror: ${err.message}`));
      };
      const watchContext = (c: BrowserContext) => {
        c.pages().forEach(watchPage);
        c.on('page', watchPage);
      };
      watchContext(context);
      const newContext = browser.newContext.bind(browser);
      browser.newContext = async (options) => {
        const c = await newContext(options);
        watchContext(c);
        return c;
      };
      try {
        await use();
      } finally {
        browser.newContext = newContext;
      }
      // (First, so that the pages axe loads are watched for errors too.)
      const findings =
        info.status === info.expectedStatus
          ? await accessibilityFindings(visited, context.pages(), info.project.name)
          : [];
      const allow = allowed.get(info) ?? [];
      expect(errors.filter((e) => !allow.some((re) => re.test(e))), 'errors logged by the pages').toEqual([]);
      expect([...new Set(findings)], 'axe-core and touch-target findings').toEqual([]);
    },
    { auto: true },
  ],
});
