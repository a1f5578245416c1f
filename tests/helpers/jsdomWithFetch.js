/**
 * jsdom for component tests, with Node's own fetch: the control talks to the devserver over
 * real HTTP on 127.0.0.1, as it talks to Dataverse in a browser.
 */
const { TestEnvironment } = require("jest-environment-jsdom");

class JsdomWithFetch extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    // undici checks that a signal is its own AbortSignal, so the pair comes from Node too.
    // jsdom has no layout, hence no ResizeObserver; the PCF mock constructs one.
    if (!this.global.ResizeObserver) {
      this.global.ResizeObserver = class {
        observe() {}
        unobserve() {}
        disconnect() {}
      };
    }
    Object.assign(this.global, { fetch, Request, Response, Headers, AbortController, AbortSignal, TextEncoder, TextDecoder, structuredClone });
  }
}

module.exports = JsdomWithFetch;
