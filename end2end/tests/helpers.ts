import { expect, type APIRequestContext, type Page, type TestInfo } from '@playwright/test';
import { deflateSync } from 'node:zlib';
import { allowConsoleErrors, test } from './fixtures';

/**
 * What a browser sends with a request from one of our own pages. Playwright's API
 * client sends no Origin or Sec-Fetch-Site, and the server refuses writes without them
 * (cross-site request forgery), so API calls in these tests say it themselves.
 */
export const sameOrigin = { 'Sec-Fetch-Site': 'same-origin' };

/** Clicks before hydration are lost: wait until the app marks the page interactive. */
export async function gotoHydrated(page: Page, path: string) {
  await page.goto(path);
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
}

/**
 * Collects one page's console errors and uncaught exceptions for a test to assert on;
 * `allow` also tells the suite-wide watch (fixtures.ts) which errors this test expects.
 */
export function watchConsole(page: Page, allow: RegExp[] = []) {
  if (allow.length) allowConsoleErrors(test.info(), ...allow);
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

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(kind: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(kind, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A real PNG "photo" (a colour gradient) to upload, as a phone would hand it over. */
export function photoFile(name: string, width: number, height: number, tint: number) {
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      row[1 + x * 3] = Math.floor((x * 255) / width);
      row[2 + x * 3] = Math.floor((y * 255) / height);
      row[3 + x * 3] = tint;
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  return { name, mimeType: 'image/png', buffer: png };
}

/**
 * Signs a new member up through the same server functions the sign-up and verification
 * pages call, with the code from the mail.
 */
export async function signUp(request: APIRequestContext, m: ReturnType<typeof uniqueMember>, { verify = true } = {}) {
  const form: Record<string, string> = {
    'input[login_id]': m.loginId,
    'input[password]': m.password,
    'input[password_confirm]': m.password,
    'input[name]': '김독서',
    'input[nickname]': m.nickname,
    'input[email]': m.email,
    'input[birth_date]': '2001-03-15',
    'input[phone]': '010-1234-5678',
    'input[gender]': '',
    'input[agree_terms]': 'true',
    'input[agree_privacy]': 'true',
  };
  const res = await request.post('/api/accounts/signup', { form, headers: sameOrigin });
  expect(res.status()).toBe(200);
  if (!verify) return;
  // Selling, chatting and buying wait for the code mailed to the address.
  const code = await mailedCode(m.email, '가입 이메일');
  const verified = await request.post('/api/accounts/verify', { form: { code }, headers: sameOrigin });
  expect(verified.status()).toBe(200);
}

/** A valid ISBN-13 in the Korean 979-11 range from a serial number. */
export function isbn(serial: number): string {
  const body = `97911${String(serial).padStart(7, '0')}`;
  const sum = [...body].reduce((s, d, i) => s + Number(d) * (i % 2 ? 3 : 1), 0);
  return body + String((10 - (sum % 10)) % 10);
}

/**
 * Lists a book through the same server function the sale form calls; the new listing's
 * id. Parcel delivery and safe payment in category 141 unless `fields` says otherwise;
 * keys are the form's own (`isbn`, `price`, `book_title`, …).
 */
export async function listBook(request: APIRequestContext, fields: Record<string, string>): Promise<number> {
  const all: Record<string, string> = {
    category_id: '141',
    condition: 'good',
    parcel: 'true',
    pay_safe: 'true',
    ...fields,
  };
  const form = Object.fromEntries(Object.entries(all).map(([k, v]) => [`input[${k}]`, v]));
  const res = await request.post('/api/listings/create', { form, headers: sameOrigin });
  expect(res.status()).toBe(200);
  return res.json();
}

/**
 * The code in the newest mail the app sent to `to` whose subject names `purpose`
 * ('가입 이메일', '아이디 찾기', '비밀번호 재설정', '이메일 변경'), read from the Maildir
 * of the SMTP receiver the test script runs (BREAD_MAILDIR). Waits until more than
 * `after` such mails have arrived.
 */
export async function mailedCode(to: string, purpose: string, after = 0): Promise<string> {
  const maildir = process.env.BREAD_MAILDIR;
  if (!maildir) throw new Error('BREAD_MAILDIR is not set: run the suite through scripts/test');
  // Python's email package decodes the headers (Korean subjects arrive RFC 2047-encoded);
  // the subjects of the mails to `to`, oldest first, by when they were delivered. Every
  // code mail ends its subject with the code.
  const script = `
import email, email.policy, glob, os, sys
files = sorted(glob.glob(os.path.join(sys.argv[1], "new", "*")) + glob.glob(os.path.join(sys.argv[1], "cur", "*")), key=os.path.getmtime)
for path in files:
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    if any(a.addr_spec == sys.argv[2] for a in msg["To"].addresses):
        print(msg["Subject"])
`;
  const { execFileSync } = await import('node:child_process');
  let codes: string[] = [];
  await expect
    .poll(
      () => {
        const out = execFileSync('/usr/bin/python3', ['-c', script, maildir, to]).toString();
        codes = out
          .split('\n')
          .filter((subject) => subject.includes(`${purpose} 인증 코드`))
          .map((subject) => subject.match(/(\d{6})$/)?.[1] ?? '');
        return codes.length;
      },
      { timeout: 15_000 },
    )
    .toBeGreaterThan(after);
  return codes[codes.length - 1];
}
