// The sign-in page offers single sign-on only when the server has it configured (GET /auth/methods).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import {
  axeViolations,
  HAVE_CHROMIUM,
  launchBrowser,
  openPage,
  settled,
  skipWithoutChromium,
  startWebServer,
  type WebServer,
} from "./support/web.ts";

let plain: WebServer;
let withSso: WebServer;
let browser: Browser | undefined;
const errors: string[] = [];

before(async () => {
  plain = await startWebServer();
  // The provider is named, not contacted, until someone follows the button.
  withSso = await startWebServer({ OIDC_ISSUER: "http://127.0.0.1:9/realms/acme", OIDC_CLIENT_ID: "onboard" });
  if (HAVE_CHROMIUM) browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await Promise.all([plain?.close(), withSso?.close()]);
});

describe("the sign-in page", () => {
  test("shows a single sign-on button, naming the provider, only when it is configured", async (t) => {
    if (skipWithoutChromium(t)) return;
    const page = await openPage(browser, { viewport: { width: 1280, height: 860 }, locale: "en-GB", timezoneId: "Europe/Paris", errors });
    await page.goto(`${withSso.url}/app/`);
    const sso = page.getByRole("link", { name: "Sign in with single sign-on (127.0.0.1:9)" });
    await sso.waitFor();
    assert.equal(await sso.getAttribute("href"), "/auth/oidc/login");
    await settled(page);
    assert.deepEqual(await axeViolations(page), []);

    await page.goto(`${plain.url}/app/`);
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    await settled(page);
    assert.equal(await page.getByRole("link", { name: /single sign-on/ }).count(), 0, "no button without OIDC_ISSUER");
    await page.context().close();
    assert.deepEqual(errors, []);
  });
});
