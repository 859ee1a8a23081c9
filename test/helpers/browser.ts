/**
 * Headless Debian Chromium under playwright-core, as the dependencies notes say works here: a fresh
 * profile directory, no sandbox (root), and no background networking (the machine has no network).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'gp-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface PlayerSample {
  t: number;
  position: number;
  latency: number | null;
  buffer: number;
  stalls: number;
  errors: string[];
}

/** Poll window.graphpacStats (the watch page's figures) every `everyMs` for `seconds`. */
export async function samplePlayback(page: Page, seconds: number, everyMs = 250): Promise<PlayerSample[]> {
  const out: PlayerSample[] = [];
  const t0 = Date.now();
  while (Date.now() - t0 < seconds * 1000) {
    const s = await page.evaluate(() => {
      const g = (globalThis as unknown as { graphpacStats?: Record<string, unknown> }).graphpacStats ?? {};
      return {
        position: Number(g.position ?? 0),
        latency: typeof g.latency === 'number' && !Number.isNaN(g.latency) ? g.latency : null,
        buffer: Number(g.buffer ?? 0),
        stalls: Number(g.stalls ?? 0),
        errors: (g.errors as string[] | undefined) ?? [],
      };
    });
    out.push({ t: (Date.now() - t0) / 1000, ...s });
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return out;
}

/** Longest time (s) the position did not advance while it was supposed to play. */
export function longestStall(samples: readonly PlayerSample[]): number {
  let longest = 0;
  let since: number | undefined;
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    if (b.position <= a.position + 1e-3 && a.position > 0) {
      since ??= a.t;
      longest = Math.max(longest, b.t - since);
    } else since = undefined;
  }
  return longest;
}
