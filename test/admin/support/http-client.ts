import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';

/** A response as the tests read it. */
export interface TestResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body with whitespace between and inside tags collapsed, so assertions ignore formatting. */
  body: string;
  raw: string;
}

/** Collapses formatting whitespace: `<td>\n  x\n</td>` → `<td>x</td>`. */
export function squash(html: string): string {
  return html
    .replace(/\s+/g, ' ')
    .replace(/>\s+/g, '>')
    .replace(/\s+</g, '<')
    .replace(/\s+(\/?>)/g, '$1');
}

/** One HTTP request with node's http client (no redirects followed). */
export function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<TestResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: squash(raw), raw });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/**
 * A minimal browser: keeps cookies, reads the CSRF token from the last page, posts forms. It never
 * follows redirects by itself, so tests see every 303.
 */
export class TestBrowser {
  readonly cookies = new Map<string, string>();
  lastPage = '';

  constructor(
    readonly origin: string,
    readonly extraHeaders: Record<string, string> = {},
  ) {}

  async get(path: string): Promise<TestResponse> {
    const res = await request(this.origin + path, { headers: this.headers() });
    this.keepCookies(res);
    this.lastPage = res.body;
    return res;
  }

  async post(path: string, form: Record<string, string>): Promise<TestResponse> {
    const res = await request(this.origin + path, {
      method: 'POST',
      headers: { ...this.headers(), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    this.keepCookies(res);
    return res;
  }

  /** The CSRF token in the forms of the last page fetched. */
  csrfToken(): string {
    const match = /name="csrf" value="([^"]+)"/.exec(this.lastPage);
    if (match?.[1] === undefined) throw new Error('no CSRF token on the last page');
    return match[1];
  }

  private headers(): Record<string, string> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    return cookie === '' ? { ...this.extraHeaders } : { ...this.extraHeaders, Cookie: cookie };
  }

  private keepCookies(res: TestResponse): void {
    for (const line of res.headers['set-cookie'] ?? []) {
      const [pair] = line.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (pair !== undefined && eq > 0) this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  }
}
