import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { chromiumArgs, chromiumPath } from '../chromium';
import { gotoHydrated, snap, watchConsole } from './helpers';

// EAN-13 widths per digit (L code; G is reversed; R is L read from a bar).
const L = ['3211', '2221', '2122', '1411', '1132', '1231', '1114', '1312', '1213', '3112'];
const PARITY = ['LLLLLL', 'LLGLGG', 'LLGGLG', 'LLGGGL', 'LGLLGG', 'LGGLLG', 'LGGGLG', 'LGGGGL', 'LGLGLG', 'LGLGGL'];

function modules(isbn: string): boolean[] {
  const d = [...isbn].map(Number);
  const bits = [true, false, true];
  const push = (widths: string, dark: boolean) => {
    for (const w of widths) {
      for (let i = 0; i < Number(w); i++) bits.push(dark);
      dark = !dark;
    }
  };
  for (let k = 0; k < 6; k++) {
    const code = L[d[k + 1]];
    push(PARITY[d[0]][k] === 'G' ? [...code].reverse().join('') : code, false);
  }
  push('11111', false);
  for (let k = 0; k < 6; k++) push(L[d[k + 7]], true);
  push('111', true);
  return bits;
}

/** A Y4M "camera" that films the back cover of 채식주의자: its barcode, a bit off-centre. */
function fakeCamera(isbn: string): string {
  const [w, h, scale, left] = [640, 480, 4, 110];
  const bars = modules(isbn);
  const y = Buffer.alloc(w * h, 235);
  for (let row = 130; row < 350; row++) {
    bars.forEach((dark, m) => {
      if (dark) y.fill(20, row * w + left + m * scale, row * w + left + (m + 1) * scale);
    });
  }
  const chroma = Buffer.alloc((w / 2) * (h / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), y, chroma]);
  const file = join(tmpdir(), `breadbook-isbn-${isbn}.y4m`);
  writeFileSync(file, Buffer.concat([Buffer.from(`YUV4MPEG2 W${w} H${h} F10:1 Ip A1:1 C420jpeg\n`), frame, frame]));
  return file;
}

const video = fakeCamera('9788936433598');
test.use({
  permissions: ['camera'],
  launchOptions: {
    executablePath: chromiumPath,
    args: [
      ...chromiumArgs,
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ],
  },
});

test('scan the ISBN barcode with the camera and get the book', async ({ page }, info) => {
  const errors = watchConsole(page);
  await gotoHydrated(page, '/login?next=/sell');
  await page.locator('#f-login_id').fill('bookworm01');
  await page.locator('#f-password').fill('Bread1234');
  await page.getByRole('button', { name: '로그인', exact: true }).click();
  await expect(page.locator('[data-test="sell-form"]')).toBeVisible();

  const started = Date.now();
  await page.locator('[data-test="scan-isbn"]').click();
  await expect(page.locator('#f-isbn')).toHaveValue('9788936433598');
  console.log(`[${info.project.name}] barcode read in ${Date.now() - started} ms`);
  await expect(page.locator('[data-test="scan-note"]')).toContainText('9788936433598');
  await expect(page.locator('.scanner-overlay')).toBeHidden();
  await expect(page.locator('[data-test="book-card"]')).toContainText('채식주의자');
  // The camera is released once the code is read.
  expect(await page.locator('[data-test="scan-video"]').evaluate((v: HTMLVideoElement) => v.srcObject)).toBeNull();
  await snap(page, info, 'scanned-isbn');
  expect(errors).toEqual([]);
});
