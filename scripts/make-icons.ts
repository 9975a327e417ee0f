/**
 * Draws the web page's PNG icons from web/icon.svg, so there is one drawing: `npx tsx scripts/make-icons.ts`
 * after changing the SVG, then commit the PNGs. Chromium (through playwright-core, a development
 * dependency) renders the SVG at each size; nothing is needed at run time.
 *
 *   icon-192.png, icon-512.png   the icon as drawn (rounded, transparent corners): the manifest's "any"
 *   icon-maskable-512.png        square, full bleed: launchers cut their own shape (the lock sits
 *                                well inside the safe circle of 80 %)
 *   apple-touch-icon.png (180)   square, full bleed: iOS rounds the corners itself and would paint
 *                                transparent ones black
 */
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const WEB = new URL('../web/', import.meta.url);
const svg = readFileSync(new URL('icon.svg', WEB), 'utf8');
/** The same drawing with square corners. */
const square = svg.replace(/(<rect width="64" height="64") rx="[0-9.]+"/, '$1');
if (square === svg) throw new Error('web/icon.svg: the background rect (width="64" height="64" rx=...) was not found');

const ICONS: { file: string; size: number; drawing: string }[] = [
  { file: 'icon-192.png', size: 192, drawing: svg },
  { file: 'icon-512.png', size: 512, drawing: svg },
  { file: 'icon-maskable-512.png', size: 512, drawing: square },
  { file: 'apple-touch-icon.png', size: 180, drawing: square },
];

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
  for (const icon of ICONS) {
    const page = await browser.newPage({ viewport: { width: icon.size, height: icon.size }, deviceScaleFactor: 1 });
    const src = `data:image/svg+xml;base64,${Buffer.from(icon.drawing).toString('base64')}`;
    await page.setContent(`<html><body style="margin:0;background:transparent"><img src="${src}" width="${icon.size}" height="${icon.size}" style="display:block"></body></html>`);
    // The picture is decoded before the shot (the DOM's types are not this script's: it runs in Node).
    await page.locator('img').evaluate((img) => (img as unknown as { decode(): Promise<void> }).decode());
    await page.screenshot({ path: new URL(icon.file, WEB).pathname, omitBackground: true });
    await page.close();
    process.stdout.write(`web/${icon.file} ${icon.size}x${icon.size}\n`);
  }
} finally {
  await browser.close();
}
