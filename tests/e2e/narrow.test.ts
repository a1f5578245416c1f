/**
 * Narrow forms (issue 13): the control in a third of a 1280 px form, and on a 700 and a 390 px screen.
 * The connection values Marketo's step 3 asks for keep their width and wrap only between their parts
 * ("/", "-", before "@"), never inside a word; labels go above values when narrow; the search box's
 * placeholder is not cut; axe finds nothing serious.
 */
import type { Page } from "playwright-core";
import { expectAccessible, openForm, useE2E, type E2E } from "./helpers/browser";
import { words, type Lang } from "./helpers/flow";

jest.setTimeout(120_000);

let e2e: E2E;
useE2E((started) => (e2e = started));

interface ValueLayout {
  key: string;
  text: string;
  /** The value's own box: what it needs against what it has. */
  scrollWidth: number;
  clientWidth: number;
  /** The last character before each line break inside the value, and the first after it. */
  breaks: Array<[string, string]>;
  labelBottom: number;
  labelTop: number;
  valueTop: number;
  valueBottom: number;
  /** The value cell's right edge against the control's. */
  cellRight: number;
  controlRight: number;
}

/** Measures each connection value as laid out, character by character (a Range per character). */
function connectionLayout(page: Page): Promise<ValueLayout[]> {
  return page.$$eval("[data-connection-row]", (rows) => {
    const control = document.getElementById("control-container")!.getBoundingClientRect();
    return rows.map((row) => {
      const label = row.querySelector("dt")!.getBoundingClientRect();
      const cell = row.querySelector("dd")!;
      const value = cell.querySelector("[data-connection]") as HTMLElement;
      const chars: Array<{ ch: string; top: number; height: number }> = [];
      const walker = document.createTreeWalker(value, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent ?? "";
        for (let i = 0; i < text.length; i++) {
          const range = document.createRange();
          range.setStart(node, i);
          range.setEnd(node, i + 1);
          const r = range.getClientRects()[0];
          if (r) chars.push({ ch: text[i], top: r.top, height: r.height });
        }
      }
      const breaks: Array<[string, string]> = [];
      for (let i = 1; i < chars.length; i++) if (chars[i].top > chars[i - 1].top + chars[i - 1].height / 2) breaks.push([chars[i - 1].ch, chars[i].ch]);
      return {
        key: row.getAttribute("data-connection-row")!,
        text: value.textContent ?? "",
        scrollWidth: value.scrollWidth,
        clientWidth: value.clientWidth,
        breaks,
        labelTop: label.top,
        labelBottom: label.bottom,
        valueTop: cell.getBoundingClientRect().top,
        valueBottom: cell.getBoundingClientRect().bottom,
        cellRight: cell.getBoundingClientRect().right,
        controlRight: control.right,
      };
    });
  });
}

/** Whether the search box's placeholder fits its text area, in the box's own font. */
function placeholderFit(page: Page): Promise<{ placeholder: string; needed: number; available: number }> {
  return page.$eval("#control-container input[placeholder]", (el) => {
    const input = el as HTMLInputElement;
    const style = getComputedStyle(input);
    const ctx = document.createElement("canvas").getContext("2d")!;
    ctx.font = style.font;
    return {
      placeholder: input.placeholder,
      needed: Math.ceil(ctx.measureText(input.placeholder).width),
      available: input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight),
    };
  });
}

/**
 * What the admin would have to scroll sideways for: the page itself, or a control, link or value past the
 * control's right edge. (Not the control's scrollWidth: Fluent's wrapping Stack widens its inner box by
 * negative margins that nobody sees.)
 */
function outsideTheColumn(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const right = document.getElementById("control-container")!.getBoundingClientRect().right;
    const sideways = document.documentElement.scrollWidth > document.documentElement.clientWidth ? ["the page scrolls sideways"] : [];
    const items = Array.from(document.querySelectorAll("#control-container :is(button, a, input, [data-connection], h2, dt)"))
      .filter((e) => e.getBoundingClientRect().right > right + 0.5)
      .map((e) => `${e.tagName} "${(e.textContent ?? "").slice(0, 40)}"`);
    return [...sideways, ...items];
  });
}

async function resize(page: Page, width: number) {
  await page.setViewportSize({ width, height: 900 });
  // Two frames: the resize, then the layout that follows it.
  await page.evaluate(() => new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))));
}

/** Every value fits its box, and wraps only between its parts. */
function expectValuesFit(layout: ValueLayout[], width: number) {
  expect(layout.map((v) => v.key)).toEqual(["Connection_OrgUrl", "Connection_OrgServiceUrl", "Connection_TenantId", "Connection_ClientId", "Connection_Username"]);
  for (const v of layout) {
    const where = `${width} px, ${v.key} "${v.text}"`;
    expect({ where, overflow: v.scrollWidth > v.clientWidth }).toEqual({ where, overflow: false });
    expect({ where, outside: v.cellRight > v.controlRight + 0.5 }).toEqual({ where, outside: false });
    const inWord = v.breaks.filter(([before, after]) => before !== "/" && before !== "-" && after !== "@");
    expect({ where, inWord }).toEqual({ where, inWord: [] });
  }
}

async function narrowPage(lang: Lang) {
  return openForm(e2e, `?fixture=all-correct${lang === "1036" ? "&lang=1036" : ""}`);
}

describe.each([390, 700])("%i px wide", (width) => {
  it("connection values keep their width, wrap only between parts; the placeholder fits; axe is clean", async () => {
    const { t } = words("1033");
    const { page, errors, close } = await narrowPage("1033");
    await resize(page, width);
    await page.locator("[data-connection='Connection_Username']").waitFor();
    const layout = await connectionLayout(page);
    expect(layout.every((v) => v.text !== t("Connection_NotAvailable"))).toBe(true);
    expectValuesFit(layout, width);
    if (width === 390) {
      // Labels above values: each value starts below its label.
      for (const v of layout) expect({ key: v.key, above: v.labelBottom <= v.valueTop + 0.5 }).toEqual({ key: v.key, above: true });
    } else {
      // Room for both: label and value share the line (their boxes overlap vertically).
      for (const v of layout) expect({ key: v.key, sameLine: v.valueTop < v.labelBottom && v.labelTop < v.valueBottom }).toEqual({ key: v.key, sameLine: true });
    }
    expect(await outsideTheColumn(page)).toEqual([]);

    for (const mode of ["application users", "every enabled user"]) {
      if (mode === "every enabled user") await page.getByRole("switch", { name: t("Picker_IncludeAll") }).click();
      const fit = await placeholderFit(page);
      expect({ mode, placeholder: fit.placeholder, fits: fit.needed <= fit.available }).toEqual({ mode, placeholder: fit.placeholder, fits: true });
    }
    await expectAccessible(page, `${width} px`);
    expect(errors).toEqual([]);
    await close();
  });
});

it("390 px in French: the same, with the longer French labels and placeholder", async () => {
  const { t } = words("1036");
  const { page, errors, close } = await narrowPage("1036");
  await resize(page, 390);
  await page.locator("[data-connection='Connection_Username']").waitFor();
  const layout = await connectionLayout(page);
  expectValuesFit(layout, 390);
  for (const v of layout) expect({ key: v.key, above: v.labelBottom <= v.valueTop + 0.5 }).toEqual({ key: v.key, above: true });
  expect(await outsideTheColumn(page)).toEqual([]);
  for (const mode of ["application users", "every enabled user"]) {
    if (mode === "every enabled user") await page.getByRole("switch", { name: t("Picker_IncludeAll") }).click();
    const fit = await placeholderFit(page);
    expect({ mode, placeholder: fit.placeholder, fits: fit.needed <= fit.available }).toEqual({ mode, placeholder: fit.placeholder, fits: true });
  }
  await expectAccessible(page, "390 px, French");
  expect(errors).toEqual([]);
  await close();
});
