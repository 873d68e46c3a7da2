// Drives the docs page in Debian's headless Chromium (playwright-core, no browser download): Authorize with a Bearer
// token, try out a GET and a POST; then sign in with a cookie session through the page itself and try out a POST,
// which needs the CSRF token the page picks up from the login answer. Prints one JSON object with what it saw.
// Usage: node docs_browser.mjs BASE_URL BEARER_TOKEN USERNAME PASSWORD
import { chromium } from "playwright-core";

const [base, token, username, password] = process.argv.slice(2);
const seen = { statuses: {}, consoleErrors: [], requests: [] };
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"],
});
let page;
async function openDocs() {
  page = await (await browser.newContext()).newPage();
  page.setDefaultTimeout(60000);  // Swagger UI renders 150 operations progressively; CI machines are small
  page.on("console", (msg) => { if (msg.type() === "error") seen.consoleErrors.push(msg.text()); });
  page.on("pageerror", (err) => seen.consoleErrors.push(String(err)));
  page.on("requestfinished", async (req) => {
    if (req.url().startsWith(base + "/api/") && !req.url().includes("/api/docs")) {
      const headers = await req.allHeaders();  // with the Cookie header the browser's network stack adds
      seen.requests.push({ method: req.method(), url: req.url().slice(base.length), bearer: !!headers.authorization,
                           csrf: !!headers["x-csrf-token"], cookie: !!headers.cookie });
    }
  });
  page.on("requestfailed", (req) => {
    if (!req.url().endsWith(".map")) seen.consoleErrors.push(`request failed: ${req.url()}`);
  });
  await page.goto(base + "/api/docs");
  // Swagger UI mounts only the operations near the viewport; the filter box narrows the page to one tag.
  await page.waitForSelector(".operation-filter-input", { timeout: 120000 });
  seen.title = await page.locator(".information-container .title").first().innerText();
}

try {
  async function authorizeBearer(value) {
    await page.locator(".scheme-container button.authorize").click();
    const scheme = page.locator(".auth-container").filter({ hasText: "bearerAuth" });
    await scheme.locator("input").fill(value);
    await scheme.locator("button.authorize").click();
    await page.locator(".modal-ux button.btn-done").first().click();
  }

  async function tryOut(operationId, tag, label, body) {
    await page.locator(".operation-filter-input").fill(tag);
    const op = page.locator(`#operations-${tag}-${operationId}`);
    await op.waitFor();
    if (!(await op.locator(".opblock-body").count())) await op.locator(".opblock-summary").first().click();
    const tryButton = op.locator("button.try-out__btn");
    if ((await tryButton.innerText()).trim() === "Try it out") await tryButton.click();
    if (body !== undefined) await op.locator("textarea.body-param__text").fill(JSON.stringify(body));
    const previous = await op.locator(".live-responses-table tr.response .response-col_status").count();
    await op.locator("button.execute").click();
    await op.locator(".live-responses-table tr.response .response-col_status").first().waitFor();
    await page.waitForFunction(
      ([sel, prev]) => document.querySelectorAll(sel).length >= 1 && !document.querySelector(sel + " .loading"),
      [`#operations-${tag}-${operationId} .live-responses-table tr.response .response-col_status`, previous]);
    seen.statuses[label] = (await op.locator(".live-responses-table tr.response .response-col_status").first().innerText()).trim();
    await op.locator("button.btn-clear").click().catch(() => {});
  }

  await openDocs();  // an API client: Authorize with the Bearer token
  await authorizeBearer(token);
  await tryOut("auth_who_am_i", "auth", "bearer GET /api/auth/me");
  await tryOut("create_topic", "topics", "bearer POST /api/topics",
               { title: `Swagger bearer ${Date.now() % 100000}`, description: "tried out in the docs page" });
  await openDocs();  // a browser session of its own: cookie + CSRF token, nothing authorized by hand
  await tryOut("auth_log_in", "auth", "cookie POST /api/auth/login", { identifier: username, password, token: false });
  await tryOut("create_topic", "topics", "cookie POST /api/topics",
               { title: `Swagger cookie ${Date.now() % 100000}`, description: "tried out with a cookie session" });
  seen.inlineScripts = await page.evaluate(() => document.querySelectorAll("script:not([src])").length);
  await page.waitForTimeout(500);  // the last requestfinished handler reads its headers asynchronously
} finally {
  await browser.close();
}
console.log(JSON.stringify(seen));
