import { expect, type Page, type TestInfo } from '@playwright/test';

/** Clicks before hydration are lost: wait until the app marks the page interactive. */
export async function gotoHydrated(page: Page, path: string) {
  await page.goto(path);
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
}

/** Collects console errors and uncaught exceptions; a clean page has none. */
export function watchConsole(page: Page, allow: RegExp[] = []) {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !allow.some((re) => re.test(msg.text()))) errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  return errors;
}

/** Screenshots land in end2end/screenshots/<project>-<name>.png for people to look at. */
export async function snap(page: Page, info: TestInfo, name: string) {
  const path = `screenshots/${info.project.name}-${name}.png`;
  await page.screenshot({ path, fullPage: true });
  await info.attach(name, { path, contentType: 'image/png' });
}

/** A login ID / nickname no earlier run used (6-20 ASCII letters+digits; 2-12 chars). */
export function uniqueMember(info: TestInfo) {
  const stamp = Date.now().toString(36) + Math.floor(Math.random() * 1296).toString(36);
  return {
    loginId: `e2e${info.project.name[0]}${stamp}`.slice(0, 20),
    nickname: `빵${stamp.slice(-6)}`,
    email: `e2e.${info.project.name}.${stamp}@example.com`,
    password: 'Brea9dBook',
  };
}
