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
      const watchPage = (page: Page) => {
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
      const allow = allowed.get(info) ?? [];
      expect(errors.filter((e) => !allow.some((re) => re.test(e))), 'errors logged by the pages').toEqual([]);
    },
    { auto: true },
  ],
});
