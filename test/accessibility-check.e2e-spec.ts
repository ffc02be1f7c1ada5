import { Browser, Page } from 'playwright-core';
import { describeWithBrowser, expectAccessible, launchBrowser, newPage } from './support/browser';

/**
 * The check every page test relies on: it must find what it is there to find, also after it passed a page once. And
 * the pages a test opens are closed after it (test/support/close-pages.ts), those of `beforeAll` kept.
 */
describeWithBrowser('the accessibility check of the page tests', () => {
  let browser: Browser;
  let kept: Page;
  beforeAll(async () => {
    browser = await launchBrowser();
    kept = await newPage(browser);
  });
  afterAll(() => browser.close());

  const page = (body: string): string => `<!doctype html><html lang="nl"><head><title>Proef</title></head><body><main><h1>Proef</h1>${body}</main></body></html>`;

  it('finds an image without a text and a field without a label, every time it is shown them', async () => {
    const tab = await newPage(browser);
    await tab.setContent(page('<img src="a.png"><input type="text">'));
    await expect(expectAccessible(tab)).rejects.toThrow(/image-alt/);
    await expect(expectAccessible(tab)).rejects.toThrow(/label/);
  });

  it('checks a page again when its shape differs from one that passed, not when only its text differs', async () => {
    const tab = await newPage(browser);
    await tab.setContent(page('<p>Eerste tekst</p>'));
    await expectAccessible(tab);
    await tab.setContent(page('<p>Andere tekst</p>'));
    await expectAccessible(tab);
    await tab.setContent(page('<p>Eerste tekst</p><img src="a.png">'));
    await expect(expectAccessible(tab)).rejects.toThrow(/image-alt/);
  });

  it('opens a page of its own (closed after this test)', async () => {
    await newPage(browser);
    expect(browser.contexts()).toHaveLength(2);
  });

  it('finds only the page of beforeAll open after the tests before it', () => {
    expect(browser.contexts()).toEqual([kept.context()]);
    expect(kept.isClosed()).toBe(false);
  });
});
